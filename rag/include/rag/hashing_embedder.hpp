#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "rag/embedder.hpp"
#include "rag/text_features.hpp"
#include "rag/vector_store.hpp"

namespace musicagent::rag {

struct HashingEmbedderOptions {
  std::size_t dimension = 384;  // dense output size
  std::uint32_t idf_bits = 20;  // the IDF table has 2^idf_bits buckets
  float word_weight = 1.0f;
  float bigram_weight = 0.6f;
  float char_weight = 0.35f;
  FeatureOptions features;
};

// Settings for the two channels of the catalogue index: descriptions (words and bigrams)
// and names (with character n-grams, so "radiohed" still finds Radiohead).
HashingEmbedderOptions description_channel_options();
HashingEmbedderOptions name_channel_options();

// The local embedder: words, word bigrams and character n-grams weighted by TF-IDF learned
// on the corpus, hashed with signs into a dense vector (the hashing trick). Needs no model
// download; char n-grams make it robust to misspellings ("radiohed"). Deterministic: the same
// corpus gives the same state and the same vectors.
class HashingEmbedder final : public Embedder {
 public:
  explicit HashingEmbedder(HashingEmbedderOptions options = {});

  // Learns document frequencies from the corpus (replacing any earlier fit).
  void fit(const std::vector<std::string>& corpus);
  bool fitted() const { return documents_ > 0; }

  std::size_t dimension() const override { return options_.dimension; }
  std::vector<float> embed(const std::vector<std::string>& texts) const override;
  // One text into `out` (dimension() floats); the building block of embed().
  void embed_one(std::string_view text, float* out) const;
  // The non-zero components of embed_one's vector (the same values): a text has at most a few
  // hundred, whatever the dimension.
  SparseVector embed_sparse(std::string_view text) const;
  nlohmann::json describe() const override;

  // The fitted state, saved beside the index; load() checks the format and the options.
  void save(const std::filesystem::path& path) const;
  static HashingEmbedder load(const std::filesystem::path& path);

 private:
  float weight_of(FeatureKind kind) const;

  HashingEmbedderOptions options_;
  std::uint64_t documents_ = 0;
  std::vector<std::uint32_t> document_frequency_;  // per IDF bucket
};

}  // namespace musicagent::rag
