#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace musicagent::rag {

// Lower-cased words of a text: ASCII letters and digits, plus any non-ASCII letter (so
// Japanese, Korean or Persian names stay whole), with common Latin accents folded
// ("Beyoncé" -> "beyonce") and apostrophes dropped ("don't" -> "dont").
std::vector<std::string> tokenize(std::string_view text);

enum class FeatureKind : std::uint8_t { word = 'w', bigram = 'b', char_ngram = 'c' };

struct Feature {
  std::uint64_t hash;  // FNV-1a of kind and text
  FeatureKind kind;
};

struct FeatureOptions {
  bool bigrams = true;
  bool char_ngrams = true;
  int char_ngram_min = 3;  // code points, over the word with '<' and '>' around it
  int char_ngram_max = 4;
  bool stopwords = true;  // drop words like "the", "by", "songs" from word features
  // Also n-grams of all words run together, so "AC/DC" meets "acdc" and "Guns N' Roses"
  // "gunsnroses".
  bool joined_ngrams = false;
};

// Words, word bigrams and character n-grams of a text; a feature repeats once per occurrence.
std::vector<Feature> extract_features(std::string_view text, const FeatureOptions& options);

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed = 14695981039346656037ull);

}  // namespace musicagent::rag
