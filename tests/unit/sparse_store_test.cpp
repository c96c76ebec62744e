#include "rag/sparse_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <unordered_set>

#include "rag/faiss_store.hpp"
#include "rag/hashing_embedder.hpp"

namespace musicagent::rag {
namespace {

constexpr std::size_t kDimension = 512;
constexpr std::size_t kCount = 3000;
constexpr std::size_t kNonZeros = 12;  // per vector, as the hashed text vectors are sparse
constexpr std::size_t kTopK = 10;

// Unit vectors with a few non-zero components, drawn from a skewed set of dimensions (some
// dimensions common, most rare, like words), with duplicates as the catalogue has them.
std::vector<float> sparse_unit_vectors(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> vectors(n * kDimension, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    float* row = &vectors[i * kDimension];
    if (i % 5 == 4) {  // every fifth vector repeats an earlier one
      std::copy_n(&vectors[(rng() % i) * kDimension], kDimension, row);
      continue;
    }
    for (std::size_t c = 0; c < kNonZeros; ++c) {
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      row[static_cast<std::size_t>(u * u * kDimension)] += normal(rng);
    }
    float norm = 0;
    for (std::size_t j = 0; j < kDimension; ++j) norm += row[j] * row[j];
    for (std::size_t j = 0; j < kDimension; ++j) row[j] /= std::sqrt(norm);
  }
  return vectors;
}

float dot(const float* a, const float* b) {
  float sum = 0;
  for (std::size_t j = 0; j < kDimension; ++j) sum += a[j] * b[j];
  return sum;
}

// Recall@10 against an exact Flat scan, a hit scoring as high as the exact tenth counting as
// found (equal vectors tie).
double recall_against_flat(const VectorStore& store, const std::vector<float>& corpus,
                           const std::vector<float>& queries, const AllowedIds* allowed) {
  FaissStore flat(kDimension, {"Flat", Metric::inner_product});
  flat.add(kCount, corpus.data());
  const std::size_t m = queries.size() / kDimension;
  double recall = 0;
  for (std::size_t q = 0; q < m; ++q) {
    const float* query = &queries[q * kDimension];
    const auto exact = flat.exact_search(query, kTopK, allowed);
    const auto hits = store.search(query, kTopK, allowed);
    EXPECT_EQ(hits.size(), exact.size());
    std::size_t found = 0;
    for (const auto& hit : hits) {
      if (allowed != nullptr) {
        EXPECT_TRUE((*allowed)[static_cast<std::size_t>(hit.id)]);
      }
      const float score = dot(query, &corpus[static_cast<std::size_t>(hit.id) * kDimension]);
      EXPECT_NEAR(hit.score, score, 1e-5);
      if (score >= exact.back().score - 1e-5f) ++found;
    }
    recall += static_cast<double>(found) / static_cast<double>(exact.size());
  }
  return recall / static_cast<double>(m);
}

TEST(SparseStoreTest, FindsExactlyWhatAFlatScanFinds) {
  SparseStore store(kDimension);
  const auto corpus = sparse_unit_vectors(kCount, 1);
  store.add(kCount, corpus.data());
  ASSERT_EQ(store.size(), kCount);
  const auto queries = sparse_unit_vectors(200, 2);
  EXPECT_DOUBLE_EQ(recall_against_flat(store, corpus, queries, nullptr), 1.0);
  AllowedIds odd(kCount, false);
  for (std::size_t id = 1; id < kCount; id += 2) odd[id] = true;
  EXPECT_DOUBLE_EQ(recall_against_flat(store, corpus, queries, &odd), 1.0);
}

TEST(SparseStoreTest, TiesGoToTheLowerIdAndAStoredVectorComesFirst) {
  SparseStore store(kDimension);
  const auto corpus = sparse_unit_vectors(kCount, 3);
  store.add(kCount, corpus.data());
  const auto hits = store.search(&corpus[42 * kDimension], 5);
  ASSERT_EQ(hits.size(), 5u);
  EXPECT_NEAR(hits[0].score, 1.0f, 1e-5);
  EXPECT_LE(hits[0].id, 42);  // 42 itself, or an equal vector added before it
  for (std::size_t i = 1; i < hits.size(); ++i) {
    EXPECT_TRUE(hits[i - 1].score > hits[i].score ||
                (hits[i - 1].score == hits[i].score && hits[i - 1].id < hits[i].id));
  }
}

TEST(SparseStoreTest, SelectiveFilterStillFillsTheList) {
  SparseStore store(kDimension);
  const auto corpus = sparse_unit_vectors(kCount, 4);
  store.add(kCount, corpus.data());
  AllowedIds allowed(kCount, false);
  for (std::size_t id = 7; id < kCount; id += 97) allowed[id] = true;  // 31 ids spread out
  const auto hits = store.search(&corpus[0], 10, &allowed);
  ASSERT_EQ(hits.size(), 10u);
  for (const auto& hit : hits) EXPECT_TRUE(allowed[static_cast<std::size_t>(hit.id)]) << hit.id;
  EXPECT_EQ(store.search(&corpus[0], 50, &allowed).size(), 31u);
  const AllowedIds none(kCount, false);
  EXPECT_TRUE(store.search(&corpus[0], 10, &none).empty());
}

TEST(SparseStoreTest, AQuerySharingNothingStillGetsTheLimitZeroBeforeNegative) {
  SparseStore store(4);
  const std::vector<float> vectors = {1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  store.add(4, vectors.data());
  const std::vector<float> query = {0, 1, 0, 0};
  const auto hits = store.search(query.data(), 4);
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0].id, 0);  // score 0, lowest id
  EXPECT_EQ(hits[1].id, 2);
  EXPECT_EQ(hits[2].id, 3);
  EXPECT_EQ(hits[3].id, 1);  // the only negative score comes last
  EXPECT_FLOAT_EQ(hits[3].score, -1.0f);
}

TEST(SparseStoreTest, SparseAndDenseAddAndSearchAgree) {
  HashingEmbedder embedder(name_channel_options());
  const std::vector<std::string> names = {"Karma Police Radiohead", "Creep Radiohead",
                                          "Formation Beyoncé", "Take Five Dave Brubeck",
                                          "Lemon 米津玄師"};
  embedder.fit(names);
  SparseStore dense(embedder.dimension()), sparse(embedder.dimension());
  dense.add(names.size(), embedder.embed(names).data());
  std::vector<SparseVector> rows;
  for (const auto& name : names) rows.push_back(embedder.embed_sparse(name));
  sparse.add_sparse(rows);
  EXPECT_EQ(dense.non_zeros(), sparse.non_zeros());
  for (std::size_t i = 0; i < names.size(); ++i)
    EXPECT_EQ(dense.reconstruct(static_cast<std::int64_t>(i)),
              sparse.reconstruct(static_cast<std::int64_t>(i)));
  const auto query = embedder.embed({"radiohed"});
  const auto by_dense = dense.search(query.data(), 3);
  const auto by_sparse = sparse.search_sparse(embedder.embed_sparse("radiohed"), 3);
  ASSERT_EQ(by_dense.size(), 3u);
  ASSERT_EQ(by_sparse.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(by_dense[i].id, by_sparse[i].id);
    EXPECT_FLOAT_EQ(by_dense[i].score, by_sparse[i].score);
  }
  EXPECT_TRUE(by_sparse[0].id == 0 || by_sparse[0].id == 1);  // a Radiohead song
}

TEST(SparseStoreTest, SaveAndLoadRoundTrip) {
  SparseStore store(kDimension);
  const auto corpus = sparse_unit_vectors(kCount, 5);
  store.add(kCount, corpus.data());
  const auto path =
      std::filesystem::temp_directory_path() / ("sparse-" + std::to_string(::getpid()) + ".sparse");
  store.save(path);
  const auto loaded = SparseStore::load(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.size(), kCount);
  EXPECT_EQ(loaded.dimension(), kDimension);
  EXPECT_EQ(loaded.non_zeros(), store.non_zeros());
  EXPECT_EQ(loaded.reconstruct(7), store.reconstruct(7));
  const auto before = store.search(&corpus[9 * kDimension], 10);
  const auto after = loaded.search(&corpus[9 * kDimension], 10);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].id, after[i].id);
    EXPECT_EQ(before[i].score, after[i].score);
  }
}

TEST(SparseStoreTest, LoadRejectsAFileThatIsNotASparseStore) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("not-sparse-" + std::to_string(::getpid()) + ".sparse");
  std::ofstream(path) << "definitely not a sparse store";
  EXPECT_THROW(SparseStore::load(path), std::runtime_error);
  std::filesystem::remove(path);
  EXPECT_THROW(SparseStore::load(path), std::runtime_error);
}

TEST(SparseStoreTest, ResetEmptiesTheStore) {
  SparseStore store(kDimension);
  const auto corpus = sparse_unit_vectors(100, 6);
  store.add(100, corpus.data());
  store.reset();
  EXPECT_EQ(store.size(), 0u);
  EXPECT_TRUE(store.search(&corpus[0], 10).empty());
  EXPECT_THROW(store.reconstruct(0), std::out_of_range);
}

}  // namespace
}  // namespace musicagent::rag
