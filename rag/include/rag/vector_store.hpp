#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace musicagent::rag {

struct SearchHit {
  std::int64_t id;  // position of the vector in the order it was added
  float score;      // inner product (higher is closer) or negative squared distance
};

// Which stored vectors a search may return: one bit per id.
using AllowedIds = std::vector<bool>;

// The non-zero components of a vector as (dimension, value), in increasing dimension.
using SparseVector = std::vector<std::pair<std::uint32_t, float>>;

// A store of dense vectors with nearest-neighbour search (FAISS's add/search/reset).
class VectorStore {
 public:
  virtual ~VectorStore() = default;
  virtual std::size_t dimension() const = 0;
  virtual std::size_t size() const = 0;
  // Adds n row-major vectors; they get ids size() .. size()+n-1.
  virtual void add(std::size_t n, const float* vectors) = 0;
  // The k best hits, best first. With `allowed`, only allowed ids are returned, and the
  // result holds min(k, number allowed) hits: filtering never silently shortens a list.
  virtual std::vector<SearchHit> search(const float* query, std::size_t k,
                                        const AllowedIds* allowed = nullptr) const = 0;
  virtual void reset() = 0;
  // Optional, as in FAISS: the stored vector of an id, where the store can give it back.
  virtual std::vector<float> reconstruct(std::int64_t /*id*/) const {
    throw std::logic_error("reconstruct not implemented for this type of store");
  }
};

}  // namespace musicagent::rag
