#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "rag/vector_store.hpp"

namespace musicagent::rag {

// Exact inner-product search over vectors that are mostly zeros, through one posting list per
// dimension: a query reads only the lists of its own non-zero dimensions. Written here because
// FAISS has no sparse index: the local embedder's description vectors have ~80 of 1024 non-zero
// dimensions and its queries ~6, so this scores a query exactly (recall 1.0) in a few
// hundredths of a millisecond, where a Flat scan of the same vectors takes ~75 ms.
class SparseStore final : public VectorStore {
 public:
  explicit SparseStore(std::size_t dimension);

  std::size_t dimension() const override { return lists_.size(); }
  std::size_t size() const override { return size_; }
  void add(std::size_t n, const float* vectors) override;
  // The same from the non-zero components only (what HashingEmbedder::embed_sparse gives), so
  // a high dimension never needs an n x dimension matrix.
  void add_sparse(const std::vector<SparseVector>& vectors);
  // Exact: the same hits as a Flat inner-product scan, ties broken by the lower id.
  std::vector<SearchHit> search(const float* query, std::size_t k,
                                const AllowedIds* allowed = nullptr) const override;
  std::vector<SearchHit> search_sparse(const SparseVector& query, std::size_t k,
                                       const AllowedIds* allowed = nullptr) const;
  void reset() override;

  std::vector<float> reconstruct(std::int64_t id) const override;
  std::size_t non_zeros() const;

  void save(const std::filesystem::path& path) const;
  static SparseStore load(const std::filesystem::path& path);

 private:
  struct Posting {
    std::uint32_t id;
    float value;
  };
  std::size_t size_ = 0;
  std::vector<std::vector<Posting>> lists_;  // per dimension, in id order
};

}  // namespace musicagent::rag
