#include "rag/faiss_store.hpp"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace musicagent::rag {
namespace {

faiss::MetricType to_faiss(Metric metric) {
  return metric == Metric::inner_product ? faiss::METRIC_INNER_PRODUCT : faiss::METRIC_L2;
}

// FAISS takes a byte bitmap; ids are bits.
struct Bitmap {
  explicit Bitmap(const AllowedIds& allowed) : bytes((allowed.size() + 7) / 8, 0) {
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      if (allowed[i]) {
        bytes[i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
        ++count;
      }
    }
  }
  std::vector<std::uint8_t> bytes;
  std::size_t count = 0;
};

std::vector<SearchHit> to_hits(const std::vector<float>& distances,
                               const std::vector<faiss::Index::idx_t>& labels, Metric metric) {
  std::vector<SearchHit> hits;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) break;  // FAISS pads missing results with -1
    hits.push_back({labels[i], metric == Metric::inner_product ? distances[i] : -distances[i]});
  }
  return hits;
}

// The HNSW graph of an index, also under a transform such as "PCA128,HNSW32,Flat".
faiss::IndexHNSW* hnsw_of(faiss::Index* index) {
  if (auto* transformed = dynamic_cast<faiss::IndexPreTransform*>(index))
    index = transformed->index;
  return dynamic_cast<faiss::IndexHNSW*>(index);
}

}  // namespace

FaissStore::FaissStore(std::size_t dimension, FaissStoreOptions options)
    : options_(std::move(options)) {
  index_.reset(faiss::index_factory(static_cast<int>(dimension), options_.factory.c_str(),
                                    to_faiss(options_.metric)));
  if (auto* hnsw = hnsw_of(index_.get())) {
    hnsw->hnsw.efConstruction = options_.ef_construction;
    hnsw->hnsw.efSearch = options_.ef_search;
  }
}

FaissStore::FaissStore(std::unique_ptr<faiss::Index> index, FaissStoreOptions options)
    : index_(std::move(index)), options_(std::move(options)) {
  // FAISS 1.7.3 searches with the index's own efSearch, whatever the search parameters say.
  if (auto* hnsw = hnsw_of(index_.get())) hnsw->hnsw.efSearch = options_.ef_search;
}

FaissStore::~FaissStore() = default;
FaissStore::FaissStore(FaissStore&&) noexcept = default;
FaissStore& FaissStore::operator=(FaissStore&&) noexcept = default;

std::size_t FaissStore::dimension() const {
  return static_cast<std::size_t>(index_->d);
}
std::size_t FaissStore::size() const {
  return static_cast<std::size_t>(index_->ntotal);
}

void FaissStore::add(std::size_t n, const float* vectors) {
  if (!index_->is_trained) index_->train(static_cast<faiss::Index::idx_t>(n), vectors);
  index_->add(static_cast<faiss::Index::idx_t>(n), vectors);
}

void FaissStore::reset() {
  index_->reset();
}

const faiss::Index& FaissStore::exact_index() const {
  // HNSW keeps its vectors in a flat storage index that can be scanned exactly.
  if (const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(index_.get())) return *hnsw->storage;
  return *index_;
}

std::vector<SearchHit> FaissStore::exact_search(const float* query, std::size_t k,
                                                const AllowedIds* allowed) const {
  k = std::min(k, size());
  if (k == 0) return {};
  std::vector<float> distances(k);
  std::vector<faiss::Index::idx_t> labels(k);
  faiss::SearchParameters params;
  std::optional<Bitmap> bitmap;
  std::optional<faiss::IDSelectorBitmap> selector;
  if (allowed != nullptr) {
    bitmap.emplace(*allowed);
    selector.emplace(bitmap->bytes.size(), bitmap->bytes.data());
    params.sel = &*selector;
  }
  if (const auto* transformed = dynamic_cast<const faiss::IndexPreTransform*>(index_.get())) {
    // Exact in the transformed space (e.g. after a learned PCA): the vectors the index holds.
    const float* projected = transformed->apply_chain(1, query);
    const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(transformed->index);
    const faiss::Index& flat = hnsw != nullptr ? *hnsw->storage : *transformed->index;
    flat.search(1, projected, static_cast<faiss::Index::idx_t>(k), distances.data(), labels.data(),
                &params);
    if (projected != query) delete[] projected;
  } else if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index_.get())) {
    // IVF has no flat copy: scanning every list is the exact search.
    faiss::SearchParametersIVF all_lists;
    all_lists.nprobe = ivf->nlist;
    all_lists.sel = params.sel;
    ivf->search(1, query, static_cast<faiss::Index::idx_t>(k), distances.data(), labels.data(),
                &all_lists);
  } else {
    exact_index().search(1, query, static_cast<faiss::Index::idx_t>(k), distances.data(),
                         labels.data(), &params);
  }
  return to_hits(distances, labels, options_.metric);
}

std::vector<SearchHit> FaissStore::search(const float* query, std::size_t k,
                                          const AllowedIds* allowed) const {
  k = std::min(k, size());
  if (k == 0) return {};
  std::vector<float> distances(k);
  std::vector<faiss::Index::idx_t> labels(k);
  std::optional<Bitmap> bitmap;
  std::optional<faiss::IDSelectorBitmap> selector;
  if (allowed != nullptr) {
    bitmap.emplace(*allowed);
    if (bitmap->count == 0) return {};
    selector.emplace(bitmap->bytes.size(), bitmap->bytes.data());
  }
  const auto* hnsw = hnsw_of(index_.get());
  const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index_.get());
  if (ivf != nullptr) {
    faiss::SearchParametersIVF params;
    params.nprobe = static_cast<std::size_t>(options_.nprobe);
    params.sel = selector ? &*selector : nullptr;
    index_->search(1, query, static_cast<faiss::Index::idx_t>(k), distances.data(), labels.data(),
                   &params);
  } else if (hnsw != nullptr) {
    faiss::SearchParametersHNSW params;
    params.efSearch = std::max<int>(options_.ef_search, static_cast<int>(k));
    params.sel = selector ? &*selector : nullptr;
    index_->search(1, query, static_cast<faiss::Index::idx_t>(k), distances.data(), labels.data(),
                   &params);
  } else {
    faiss::SearchParameters params;
    params.sel = selector ? &*selector : nullptr;
    index_->search(1, query, static_cast<faiss::Index::idx_t>(k), distances.data(), labels.data(),
                   &params);
  }
  auto hits = to_hits(distances, labels, options_.metric);
  // A selective filter can strand the graph search; an exact scan then keeps the promise.
  if (bitmap && hits.size() < std::min(k, bitmap->count)) return exact_search(query, k, allowed);
  return hits;
}

std::vector<float> FaissStore::reconstruct(std::int64_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= size())
    throw std::out_of_range("no vector with id " + std::to_string(id));
  std::vector<float> vector(dimension());
  index_->reconstruct(id, vector.data());
  return vector;
}

void FaissStore::save(const std::filesystem::path& path) const {
  faiss::write_index(index_.get(), path.c_str());
}

FaissStore FaissStore::load(const std::filesystem::path& path, FaissStoreOptions options) {
  std::unique_ptr<faiss::Index> index(faiss::read_index(path.c_str()));
  return FaissStore(std::move(index), std::move(options));
}

}  // namespace musicagent::rag
