#include "rag/faiss_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <random>

namespace musicagent::rag {
namespace {

constexpr std::size_t kDimension = 16;
constexpr std::size_t kCount = 2000;

std::vector<float> random_unit_vectors(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> vectors(n * kDimension);
  for (std::size_t i = 0; i < n; ++i) {
    float norm = 0;
    for (std::size_t j = 0; j < kDimension; ++j)
      norm += std::pow(vectors[i * kDimension + j] = normal(rng), 2.0f);
    for (std::size_t j = 0; j < kDimension; ++j) vectors[i * kDimension + j] /= std::sqrt(norm);
  }
  return vectors;
}

class FaissStoreTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FaissStoreTest, FindsAStoredVectorFirst) {
  FaissStore store(kDimension, {GetParam(), Metric::inner_product});
  const auto vectors = random_unit_vectors(kCount, 1);
  store.add(kCount, vectors.data());
  ASSERT_EQ(store.size(), kCount);
  const auto hits = store.search(&vectors[42 * kDimension], 5);
  ASSERT_EQ(hits.size(), 5u);
  EXPECT_EQ(hits[0].id, 42);
  EXPECT_NEAR(hits[0].score, 1.0f, 1e-4);
  EXPECT_GE(hits[0].score, hits[1].score);
}

TEST_P(FaissStoreTest, SelectiveFilterStillFillsTheList) {
  FaissStore store(kDimension, {GetParam(), Metric::inner_product});
  const auto vectors = random_unit_vectors(kCount, 2);
  store.add(kCount, vectors.data());
  AllowedIds allowed(kCount, false);
  for (std::size_t id = 7; id < kCount; id += 97) allowed[id] = true;  // 21 ids spread out
  const auto hits = store.search(&vectors[0], 10, &allowed);
  ASSERT_EQ(hits.size(), 10u);
  for (const auto& hit : hits) EXPECT_TRUE(allowed[static_cast<std::size_t>(hit.id)]) << hit.id;
  // And asking for more than exist returns all of them, no padding.
  EXPECT_EQ(store.search(&vectors[0], 50, &allowed).size(), 21u);
}

TEST_P(FaissStoreTest, FilteredResultsMatchExactSearch) {
  FaissStore store(kDimension, {GetParam(), Metric::inner_product});
  const auto vectors = random_unit_vectors(kCount, 3);
  store.add(kCount, vectors.data());
  AllowedIds allowed(kCount, false);
  for (std::size_t id = 0; id < kCount; id += 3) allowed[id] = true;
  const auto query = random_unit_vectors(1, 99);
  const auto exact = store.exact_search(query.data(), 5, &allowed);
  const auto approx = store.search(query.data(), 5, &allowed);
  ASSERT_EQ(exact.size(), 5u);
  EXPECT_EQ(approx[0].id, exact[0].id);
}

TEST_P(FaissStoreTest, SaveAndLoadRoundTrip) {
  FaissStore store(kDimension, {GetParam(), Metric::inner_product});
  const auto vectors = random_unit_vectors(kCount, 4);
  store.add(kCount, vectors.data());
  const auto path =
      std::filesystem::temp_directory_path() / ("store-" + std::to_string(::getpid()) + ".faiss");
  store.save(path);
  const auto loaded = FaissStore::load(path, {GetParam(), Metric::inner_product});
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.size(), kCount);
  EXPECT_EQ(loaded.search(&vectors[7 * kDimension], 1)[0].id, 7);
}

INSTANTIATE_TEST_SUITE_P(IndexTypes, FaissStoreTest,
                         ::testing::Values("Flat", "HNSW16,Flat", "IVF16,Flat"));

// A projection learned on the corpus (FAISS PCAMatrix) in front of HNSW: filtered searches still
// fill the list (the exact fallback searches the projected vectors), and the fitted projection
// is saved with the index.
TEST(FaissStoreProjectionTest, FilteredSearchFillsTheListAndTheProjectionRoundTrips) {
  FaissStoreOptions options{"PCA8,HNSW16,Flat", Metric::inner_product};
  options.ef_search = 32;
  FaissStore store(kDimension, options);
  const auto vectors = random_unit_vectors(kCount, 5);
  store.add(kCount, vectors.data());
  AllowedIds allowed(kCount, false);
  for (std::size_t id = 7; id < kCount; id += 97) allowed[id] = true;  // 21 ids spread out
  const auto hits = store.search(&vectors[0], 10, &allowed);
  ASSERT_EQ(hits.size(), 10u);
  for (const auto& hit : hits) EXPECT_TRUE(allowed[static_cast<std::size_t>(hit.id)]) << hit.id;
  EXPECT_EQ(store.exact_search(&vectors[0], 50, &allowed).size(), 21u);

  const auto path =
      std::filesystem::temp_directory_path() / ("pca-" + std::to_string(::getpid()) + ".faiss");
  store.save(path);
  const auto loaded = FaissStore::load(path, options);
  std::filesystem::remove(path);
  for (std::size_t q = 0; q < 20; ++q) {
    const auto before = store.search(&vectors[q * kDimension], 5);
    const auto after = loaded.search(&vectors[q * kDimension], 5);
    ASSERT_EQ(before.size(), after.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(before[i].id, after[i].id);
      EXPECT_FLOAT_EQ(before[i].score, after[i].score);
    }
  }
}

TEST(FaissStoreL2Test, ScoresAreNegativeSquaredDistancesAndReconstructIsExact) {
  FaissStore store(2, {"Flat", Metric::l2});
  const std::vector<float> points = {0, 0, 3, 4, 1, 1};
  store.add(3, points.data());
  const std::vector<float> origin = {0, 0};
  const auto hits = store.search(origin.data(), 3);
  EXPECT_EQ(hits[0].id, 0);
  EXPECT_EQ(hits[2].id, 1);
  EXPECT_FLOAT_EQ(hits[2].score, -25.0f);
  EXPECT_EQ(store.reconstruct(1), (std::vector<float>{3, 4}));
  EXPECT_THROW(store.reconstruct(3), std::out_of_range);
}

}  // namespace
}  // namespace musicagent::rag
