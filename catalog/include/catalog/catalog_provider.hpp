#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "catalog/snapshot.hpp"

namespace musicagent::catalog {

// Hands out the current snapshot of the marts. The first get() loads it; refresh() loads a
// new one and swaps it in whole, so a reader holds either the old snapshot or the new one,
// never half of each, and keeps its copy alive for as long as it uses it. Thread-safe.
class CatalogProvider {
 public:
  using Loader = std::function<std::shared_ptr<const Snapshot>()>;

  explicit CatalogProvider(Loader loader) : loader_(std::move(loader)) {}
  // A provider of one fixed snapshot (tests, examples).
  static std::shared_ptr<CatalogProvider> fixed(std::shared_ptr<const Snapshot> snapshot);

  // Throws CatalogUnavailable (or what the loader throws) when there is nothing to load.
  std::shared_ptr<const Snapshot> get();
  // Loads anew and swaps; on failure the previous snapshot stays in use and this throws.
  std::shared_ptr<const Snapshot> refresh();
  // The loaded snapshot, or null before the first successful load; never loads.
  std::shared_ptr<const Snapshot> current() const;

 private:
  Loader loader_;
  std::mutex load_mutex_;  // one load at a time; readers of current() never wait for it
  std::shared_ptr<const Snapshot> snapshot_;
  mutable std::mutex snapshot_mutex_;
};

}  // namespace musicagent::catalog
