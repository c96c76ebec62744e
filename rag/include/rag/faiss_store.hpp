#pragma once

#include <faiss/Index.h>

#include <filesystem>
#include <memory>
#include <string>

#include "rag/vector_store.hpp"

namespace musicagent::rag {

enum class Metric { inner_product, l2 };

struct FaissStoreOptions {
  std::string factory = "Flat";  // any faiss::index_factory description
  Metric metric = Metric::inner_product;
  int ef_search = 64;        // HNSW search breadth (set on the index: FAISS 1.7.3 ignores it
                             // in SearchParametersHNSW, facebookresearch/faiss#3233)
  int ef_construction = 80;  // HNSW build breadth
  int nprobe = 16;           // IVF lists scanned per search
};

// A VectorStore over a FAISS index built from a factory string. Filtered searches try the
// approximate index with an ID selector and fall back to an exact scan of the stored
// vectors when that returns fewer hits than exist.
class FaissStore final : public VectorStore {
 public:
  FaissStore(std::size_t dimension, FaissStoreOptions options);
  ~FaissStore() override;

  std::size_t dimension() const override;
  std::size_t size() const override;
  void add(std::size_t n, const float* vectors) override;
  std::vector<SearchHit> search(const float* query, std::size_t k,
                                const AllowedIds* allowed = nullptr) const override;
  void reset() override;

  // Exact search over all (allowed) vectors, whatever the index type: the reference for recall.
  std::vector<SearchHit> exact_search(const float* query, std::size_t k,
                                      const AllowedIds* allowed = nullptr) const;

  // The stored vector of an id (exact for Flat and HNSW-over-Flat indexes).
  std::vector<float> reconstruct(std::int64_t id) const override;

  void save(const std::filesystem::path& path) const;
  static FaissStore load(const std::filesystem::path& path, FaissStoreOptions options);

  FaissStore(FaissStore&&) noexcept;
  FaissStore& operator=(FaissStore&&) noexcept;

 private:
  FaissStore(std::unique_ptr<faiss::Index> index, FaissStoreOptions options);
  const faiss::Index& exact_index() const;

  std::unique_ptr<faiss::Index> index_;
  FaissStoreOptions options_;
};

}  // namespace musicagent::rag
