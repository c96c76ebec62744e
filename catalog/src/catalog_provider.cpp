#include "catalog/catalog_provider.hpp"

namespace musicagent::catalog {

std::shared_ptr<CatalogProvider> CatalogProvider::fixed(std::shared_ptr<const Snapshot> snapshot) {
  return std::make_shared<CatalogProvider>([snapshot] { return snapshot; });
}

std::shared_ptr<const Snapshot> CatalogProvider::current() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

std::shared_ptr<const Snapshot> CatalogProvider::get() {
  if (auto loaded = current()) return loaded;
  std::lock_guard load(load_mutex_);
  if (auto loaded = current()) return loaded;  // another thread loaded it meanwhile
  auto fresh = loader_();
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = fresh;
  return fresh;
}

std::shared_ptr<const Snapshot> CatalogProvider::refresh() {
  std::lock_guard load(load_mutex_);
  auto fresh = loader_();
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = fresh;
  return fresh;
}

}  // namespace musicagent::catalog
