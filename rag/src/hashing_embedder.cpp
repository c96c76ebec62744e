#include "rag/hashing_embedder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

namespace musicagent::rag {
namespace {

constexpr char kMagic[8] = {'M', 'A', 'H', 'A', 'S', 'H', '0', '1'};

}  // namespace

HashingEmbedderOptions description_channel_options() {
  HashingEmbedderOptions options;
  options.dimension = 1024;
  options.features.char_ngrams = false;
  return options;
}

HashingEmbedderOptions name_channel_options() {
  HashingEmbedderOptions options;
  // Names are many and their character n-grams varied: a dimension this high keeps hashing
  // collisions (the noise floor of name similarity) low, and the sparse store searching them
  // pays only for the non-zero components.
  options.dimension = std::size_t{1} << 16;
  options.bigram_weight = 0.5f;
  options.char_weight = 0.5f;
  options.features.stopwords = false;  // "The The" is a band
  options.features.joined_ngrams = true;
  return options;
}

HashingEmbedder::HashingEmbedder(HashingEmbedderOptions options)
    : options_(options), document_frequency_(std::size_t{1} << options.idf_bits, 0) {
  if (options_.dimension == 0)
    throw std::invalid_argument("HashingEmbedder: dimension must be positive");
}

float HashingEmbedder::weight_of(FeatureKind kind) const {
  switch (kind) {
    case FeatureKind::word:
      return options_.word_weight;
    case FeatureKind::bigram:
      return options_.bigram_weight;
    case FeatureKind::char_ngram:
      return options_.char_weight;
  }
  return 0;
}

void HashingEmbedder::fit(const std::vector<std::string>& corpus) {
  std::fill(document_frequency_.begin(), document_frequency_.end(), 0);
  documents_ = corpus.size();
  const std::uint64_t mask = document_frequency_.size() - 1;
  std::vector<std::uint64_t> buckets;
  for (const auto& text : corpus) {
    buckets.clear();
    for (const auto& feature : extract_features(text, options_.features))
      buckets.push_back(feature.hash & mask);
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    for (const auto bucket : buckets) ++document_frequency_[bucket];
  }
}

SparseVector HashingEmbedder::embed_sparse(std::string_view text) const {
  const auto features = extract_features(text, options_.features);
  // Term counts per feature; a text has at most a few hundred features.
  std::unordered_map<std::uint64_t, std::pair<int, FeatureKind>> counts;
  counts.reserve(features.size());
  for (const auto& feature : features) {
    auto& entry = counts[feature.hash];
    ++entry.first;
    entry.second = feature.kind;
  }
  const std::uint64_t mask = document_frequency_.size() - 1;
  const double n = static_cast<double>(documents_);
  const auto dimension = static_cast<std::uint64_t>(options_.dimension);
  // Slot contributions in feature order, then summed per slot in that same order.
  SparseVector slots;
  slots.reserve(counts.size() * 2);
  for (const auto& [hash, entry] : counts) {
    const std::uint32_t df = document_frequency_[hash & mask];
    // A feature no document has cannot match anything; weighting it would only add noise.
    if (documents_ > 0 && df == 0) continue;
    const double idf = documents_ > 0 ? std::log((1.0 + n) / (1.0 + df)) + 1.0 : 1.0;
    const auto w =
        static_cast<float>(weight_of(entry.second) * (1.0 + std::log(entry.first)) * idf);
    // Two signed slots per feature, from independent bits of the hash, halve collision damage.
    const std::uint64_t mixed = hash * 0x9E3779B97F4A7C15ull;
    slots.emplace_back(static_cast<std::uint32_t>((mixed >> 20) % dimension),
                       (mixed >> 63) != 0 ? w : -w);
    slots.emplace_back(static_cast<std::uint32_t>((mixed >> 40) % dimension),
                       ((mixed >> 62) & 1) != 0 ? w : -w);
  }
  std::stable_sort(slots.begin(), slots.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  SparseVector vector;
  vector.reserve(slots.size());
  for (const auto& [slot, value] : slots) {
    if (!vector.empty() && vector.back().first == slot)
      vector.back().second += value;
    else
      vector.emplace_back(slot, value);
  }
  std::erase_if(vector, [](const auto& entry) { return entry.second == 0.0f; });
  double norm = 0;
  for (const auto& entry : vector) norm += static_cast<double>(entry.second) * entry.second;
  if (norm > 0) {
    const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (auto& entry : vector) entry.second *= scale;
  }
  return vector;
}

void HashingEmbedder::embed_one(std::string_view text, float* out) const {
  std::fill(out, out + options_.dimension, 0.0f);
  for (const auto& [slot, value] : embed_sparse(text)) out[slot] = value;
}

std::vector<float> HashingEmbedder::embed(const std::vector<std::string>& texts) const {
  std::vector<float> matrix(texts.size() * options_.dimension);
  for (std::size_t i = 0; i < texts.size(); ++i)
    embed_one(texts[i], matrix.data() + i * options_.dimension);
  return matrix;
}

nlohmann::json HashingEmbedder::describe() const {
  return {{"name", "hashing-tfidf"},
          {"dimension", options_.dimension},
          {"idf_bits", options_.idf_bits},
          {"word_weight", options_.word_weight},
          {"bigram_weight", options_.bigram_weight},
          {"char_weight", options_.char_weight},
          {"char_ngram_min", options_.features.char_ngram_min},
          {"char_ngram_max", options_.features.char_ngram_max},
          {"stopwords", options_.features.stopwords},
          {"bigrams", options_.features.bigrams},
          {"char_ngrams", options_.features.char_ngrams},
          {"joined_ngrams", options_.features.joined_ngrams},
          {"fitted_documents", documents_}};
}

void HashingEmbedder::save(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  const std::string params = describe().dump();
  const auto params_size = static_cast<std::uint64_t>(params.size());
  out.write(kMagic, sizeof(kMagic));
  out.write(reinterpret_cast<const char*>(&params_size), sizeof(params_size));
  out.write(params.data(), static_cast<std::streamsize>(params.size()));
  out.write(reinterpret_cast<const char*>(document_frequency_.data()),
            static_cast<std::streamsize>(document_frequency_.size() * sizeof(std::uint32_t)));
  if (!out) throw std::runtime_error("write failed: " + path.string());
}

HashingEmbedder HashingEmbedder::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  char magic[sizeof(kMagic)] = {};
  std::uint64_t params_size = 0;
  in.read(magic, sizeof(magic));
  in.read(reinterpret_cast<char*>(&params_size), sizeof(params_size));
  if (!in || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0 || params_size > (1u << 20)) {
    throw std::runtime_error(path.string() + " is not a saved hashing embedder");
  }
  std::string params(params_size, '\0');
  in.read(params.data(), static_cast<std::streamsize>(params_size));
  const auto json = nlohmann::json::parse(params);
  HashingEmbedderOptions options;
  options.dimension = json.at("dimension").get<std::size_t>();
  options.idf_bits = json.at("idf_bits").get<std::uint32_t>();
  options.word_weight = json.at("word_weight").get<float>();
  options.bigram_weight = json.at("bigram_weight").get<float>();
  options.char_weight = json.at("char_weight").get<float>();
  options.features.char_ngram_min = json.at("char_ngram_min").get<int>();
  options.features.char_ngram_max = json.at("char_ngram_max").get<int>();
  options.features.stopwords = json.at("stopwords").get<bool>();
  options.features.bigrams = json.at("bigrams").get<bool>();
  options.features.char_ngrams = json.at("char_ngrams").get<bool>();
  options.features.joined_ngrams = json.at("joined_ngrams").get<bool>();
  HashingEmbedder embedder(options);
  embedder.documents_ = json.at("fitted_documents").get<std::uint64_t>();
  in.read(
      reinterpret_cast<char*>(embedder.document_frequency_.data()),
      static_cast<std::streamsize>(embedder.document_frequency_.size() * sizeof(std::uint32_t)));
  if (!in) throw std::runtime_error(path.string() + " is truncated");
  return embedder;
}

}  // namespace musicagent::rag
