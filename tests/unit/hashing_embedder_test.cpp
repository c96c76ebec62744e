#include "rag/hashing_embedder.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

namespace musicagent::rag {
namespace {

const std::vector<std::string> kCorpus = {
    "Karma Police by Radiohead. Genres: alt-rock. slow tempo. sad, melancholic mood.",
    "Creep by Radiohead. Genres: alt-rock, indie. moderate tempo. sad mood.",
    "Formation by Beyoncé. Genres: pop. upbeat tempo. happy, cheerful mood. very danceable.",
    "Take Five by Dave Brubeck. Genres: jazz. instrumental, no vocals. calm, mellow.",
    "Lemon by 米津玄師. Genres: j-pop. moderate tempo.",
};

float dot(const std::vector<float>& m, std::size_t d, std::size_t a, const std::vector<float>& q) {
  return std::inner_product(m.begin() + static_cast<long>(a * d),
                            m.begin() + static_cast<long>((a + 1) * d), q.begin(), 0.0f);
}

TEST(HashingEmbedderTest, SameCorpusGivesSameVectors) {
  HashingEmbedder first, second;
  first.fit(kCorpus);
  second.fit(kCorpus);
  EXPECT_EQ(first.embed(kCorpus), second.embed(kCorpus));
}

TEST(HashingEmbedderTest, SparseVectorsHoldExactlyTheNonZerosOfTheDenseOnes) {
  for (const auto& options : {description_channel_options(), name_channel_options()}) {
    HashingEmbedder first(options), second(options);
    first.fit(kCorpus);
    second.fit(kCorpus);
    for (const auto& text : kCorpus) {
      const auto sparse = first.embed_sparse(text);
      EXPECT_EQ(sparse, second.embed_sparse(text));  // same corpus, same vectors
      std::vector<float> dense(first.dimension());
      first.embed_one(text, dense.data());
      std::size_t non_zeros = 0;
      for (const float value : dense) non_zeros += value != 0.0f;
      EXPECT_EQ(sparse.size(), non_zeros);
      for (std::size_t i = 0; i < sparse.size(); ++i) {
        if (i > 0) {
          EXPECT_LT(sparse[i - 1].first, sparse[i].first);
        }
        EXPECT_EQ(dense[sparse[i].first], sparse[i].second);
      }
    }
  }
}

TEST(HashingEmbedderTest, VectorsAreUnitLength) {
  HashingEmbedder embedder;
  embedder.fit(kCorpus);
  const auto vectors = embedder.embed(kCorpus);
  const std::size_t d = embedder.dimension();
  for (std::size_t i = 0; i < kCorpus.size(); ++i) {
    const float norm =
        std::sqrt(dot(vectors, d, i,
                      std::vector<float>(vectors.begin() + static_cast<long>(i * d),
                                         vectors.begin() + static_cast<long>((i + 1) * d))));
    EXPECT_NEAR(norm, 1.0f, 1e-5);
  }
}

TEST(HashingEmbedderTest, QueryIsClosestToTheDocumentItDescribes) {
  HashingEmbedder embedder;
  embedder.fit(kCorpus);
  const auto vectors = embedder.embed(kCorpus);
  const auto query = embedder.embed({"calm instrumental jazz"});
  std::size_t best = 0;
  for (std::size_t i = 1; i < kCorpus.size(); ++i) {
    if (dot(vectors, embedder.dimension(), i, query) >
        dot(vectors, embedder.dimension(), best, query))
      best = i;
  }
  EXPECT_EQ(best, 3u);
}

TEST(HashingEmbedderTest, NameChannelForgivesMisspellings) {
  HashingEmbedder embedder(name_channel_options());
  const std::vector<std::string> names = {"Radiohead", "Beyoncé", "Dave Brubeck", "米津玄師",
                                          "Metallica"};
  embedder.fit(names);
  const auto vectors = embedder.embed(names);
  const auto d = embedder.dimension();
  EXPECT_GT(dot(vectors, d, 0, embedder.embed({"radiohed"})), 0.5f);
  EXPECT_GT(dot(vectors, d, 1, embedder.embed({"beyonce"})), 0.9f);  // accents fold
  EXPECT_GT(dot(vectors, d, 3, embedder.embed({"米津玄師"})), 0.99f);
  EXPECT_LT(dot(vectors, d, 4, embedder.embed({"radiohed"})), 0.3f);
}

TEST(HashingEmbedderTest, UnseenWordsCarryNoWeightOnceFitted) {
  HashingEmbedder embedder(description_channel_options());
  embedder.fit(kCorpus);
  const auto vector = embedder.embed({"zzzqqq"});
  EXPECT_TRUE(std::all_of(vector.begin(), vector.end(), [](float x) { return x == 0.0f; }));
}

TEST(HashingEmbedderTest, SaveAndLoadRoundTrip) {
  HashingEmbedder embedder(description_channel_options());
  embedder.fit(kCorpus);
  const auto path =
      std::filesystem::temp_directory_path() / ("embedder-" + std::to_string(::getpid()) + ".bin");
  embedder.save(path);
  const auto loaded = HashingEmbedder::load(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.describe(), embedder.describe());
  EXPECT_EQ(loaded.embed(kCorpus), embedder.embed(kCorpus));
}

TEST(HashingEmbedderTest, LoadRejectsAFileThatIsNotAnEmbedder) {
  const auto path =
      std::filesystem::temp_directory_path() / ("not-embedder-" + std::to_string(::getpid()));
  std::ofstream(path) << "hello";
  EXPECT_THROW(HashingEmbedder::load(path), std::runtime_error);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace musicagent::rag
