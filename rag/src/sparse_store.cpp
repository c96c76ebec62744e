#include "rag/sparse_store.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

namespace musicagent::rag {
namespace {

constexpr char kMagic[8] = {'M', 'A', 'S', 'P', 'A', 'R', '0', '1'};

bool better(const SearchHit& a, const SearchHit& b) {
  return a.score != b.score ? a.score > b.score : a.id < b.id;
}

// The k best of `hits`, best first.
void keep_best(std::vector<SearchHit>& hits, std::size_t k) {
  if (hits.size() > k) {
    std::nth_element(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(k), hits.end(),
                     better);
    hits.resize(k);
  }
  std::sort(hits.begin(), hits.end(), better);
}

template <typename T>
void write_pod(std::ofstream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof(value));
}

template <typename T>
void read_pod(std::ifstream& in, T& value) {
  in.read(reinterpret_cast<char*>(&value), sizeof(value));
}

}  // namespace

SparseStore::SparseStore(std::size_t dimension) : lists_(dimension) {
  if (dimension == 0) throw std::invalid_argument("SparseStore: dimension must be positive");
}

void SparseStore::add(std::size_t n, const float* vectors) {
  if (size_ + n > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("SparseStore holds at most 2^32 - 1 vectors");
  const std::size_t d = lists_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = vectors + i * d;
    const auto id = static_cast<std::uint32_t>(size_ + i);
    for (std::size_t j = 0; j < d; ++j) {
      if (row[j] != 0.0f) lists_[j].push_back({id, row[j]});
    }
  }
  size_ += n;
}

void SparseStore::add_sparse(const std::vector<SparseVector>& vectors) {
  if (size_ + vectors.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("SparseStore holds at most 2^32 - 1 vectors");
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const auto id = static_cast<std::uint32_t>(size_ + i);
    for (const auto& [j, value] : vectors[i]) {
      if (j >= lists_.size())
        throw std::out_of_range("SparseStore: component " + std::to_string(j) +
                                " beyond the dimension " + std::to_string(lists_.size()));
      if (value != 0.0f) lists_[j].push_back({id, value});
    }
  }
  size_ += vectors.size();
}

void SparseStore::reset() {
  for (auto& list : lists_) list.clear();
  size_ = 0;
}

std::size_t SparseStore::non_zeros() const {
  std::size_t total = 0;
  for (const auto& list : lists_) total += list.size();
  return total;
}

std::vector<SearchHit> SparseStore::search(const float* query, std::size_t k,
                                           const AllowedIds* allowed) const {
  SparseVector sparse;
  for (std::size_t j = 0; j < lists_.size(); ++j) {
    if (query[j] != 0.0f) sparse.emplace_back(static_cast<std::uint32_t>(j), query[j]);
  }
  return search_sparse(sparse, k, allowed);
}

std::vector<SearchHit> SparseStore::search_sparse(const SparseVector& query, std::size_t k,
                                                  const AllowedIds* allowed) const {
  k = std::min(k, size_);
  if (k == 0) return {};
  auto admitted = [&](std::size_t id) { return allowed == nullptr || (*allowed)[id]; };
  // Scores accumulate in a per-thread scratch array, zeroed again before returning.
  thread_local std::vector<float> scores;
  if (scores.size() < size_) scores.assign(size_, 0.0f);
  for (const auto& [j, q] : query) {
    if (j >= lists_.size() || q == 0.0f) continue;
    for (const auto& posting : lists_[j]) scores[posting.id] += q * posting.value;
  }
  // The k best positive scores in one pass, with a heap whose front is the worst kept hit;
  // ids come in increasing order, so an equal score never displaces a kept hit.
  std::vector<SearchHit> hits;
  hits.reserve(k + 1);
  for (std::size_t id = 0; id < size_; ++id) {
    const float score = scores[id];
    if (score <= 0.0f || (hits.size() == k && score <= hits.front().score) || !admitted(id))
      continue;
    hits.push_back({static_cast<std::int64_t>(id), score});
    std::push_heap(hits.begin(), hits.end(), better);
    if (hits.size() > k) {
      std::pop_heap(hits.begin(), hits.end(), better);
      hits.pop_back();
    }
  }
  std::sort_heap(hits.begin(), hits.end(), better);
  if (hits.size() < k) {
    // Vectors the query shares nothing with score 0: after the positive ones, before the
    // negative ones, in id order (as the promise of `limit` results requires).
    std::vector<SearchHit> negative;
    for (std::size_t id = 0; id < size_ && hits.size() < k; ++id) {
      if (scores[id] == 0.0f && admitted(id)) hits.push_back({static_cast<std::int64_t>(id), 0.0f});
    }
    for (std::size_t id = 0; id < size_ && hits.size() < k; ++id) {
      if (scores[id] < 0.0f && admitted(id))
        negative.push_back({static_cast<std::int64_t>(id), scores[id]});
    }
    keep_best(negative, k - hits.size());
    hits.insert(hits.end(), negative.begin(), negative.end());
  }
  std::fill(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(size_), 0.0f);
  return hits;
}

std::vector<float> SparseStore::reconstruct(std::int64_t id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= size_)
    throw std::out_of_range("no vector with id " + std::to_string(id));
  std::vector<float> vector(lists_.size(), 0.0f);
  for (std::size_t j = 0; j < lists_.size(); ++j) {
    const auto& list = lists_[j];
    const auto it = std::lower_bound(
        list.begin(), list.end(), static_cast<std::uint32_t>(id),
        [](const Posting& posting, std::uint32_t wanted) { return posting.id < wanted; });
    if (it != list.end() && it->id == static_cast<std::uint32_t>(id)) vector[j] = it->value;
  }
  return vector;
}

void SparseStore::save(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out.write(kMagic, sizeof(kMagic));
  write_pod(out, static_cast<std::uint64_t>(lists_.size()));
  write_pod(out, static_cast<std::uint64_t>(size_));
  for (const auto& list : lists_) {
    write_pod(out, static_cast<std::uint64_t>(list.size()));
    out.write(reinterpret_cast<const char*>(list.data()),
              static_cast<std::streamsize>(list.size() * sizeof(Posting)));
  }
  if (!out) throw std::runtime_error("write failed: " + path.string());
}

SparseStore SparseStore::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  char magic[sizeof(kMagic)] = {};
  std::uint64_t dimension = 0, size = 0;
  in.read(magic, sizeof(magic));
  read_pod(in, dimension);
  read_pod(in, size);
  constexpr std::uint64_t kMaxDimension = 1u << 24;
  if (!in || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0 || dimension == 0 ||
      dimension > kMaxDimension || size > std::numeric_limits<std::uint32_t>::max()) {
    throw std::runtime_error(path.string() + " is not a saved sparse store");
  }
  SparseStore store(dimension);
  store.size_ = size;
  for (auto& list : store.lists_) {
    std::uint64_t count = 0;
    read_pod(in, count);
    if (!in || count > size) throw std::runtime_error(path.string() + " is corrupt");
    list.resize(count);
    in.read(reinterpret_cast<char*>(list.data()),
            static_cast<std::streamsize>(count * sizeof(Posting)));
    for (const auto& posting : list) {
      if (posting.id >= size) throw std::runtime_error(path.string() + " is corrupt");
    }
  }
  if (!in) throw std::runtime_error(path.string() + " is truncated");
  return store;
}

}  // namespace musicagent::rag
