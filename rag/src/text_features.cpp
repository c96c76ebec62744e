#include "rag/text_features.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace musicagent::rag {
namespace {

// Words that carry no meaning for music search, in documents or queries.
constexpr std::array<std::string_view, 34> kStopwords = {
    "a",     "an",    "and",    "are",   "as",    "at",   "be",   "by", "for",
    "from",  "i",     "in",     "is",    "it",    "me",   "my",   "of", "on",
    "or",    "some",  "song",   "songs", "that",  "the",  "this", "to", "with",
    "music", "track", "tracks", "tune",  "tunes", "want", "like"};

bool is_stopword(std::string_view word) {
  return std::find(kStopwords.begin(), kStopwords.end(), word) != kStopwords.end();
}

// Decodes one UTF-8 code point at text[i]; returns its length (1 for an invalid byte).
std::size_t decode(std::string_view text, std::size_t i, char32_t& code) {
  const auto byte = static_cast<unsigned char>(text[i]);
  std::size_t length = byte < 0x80           ? 1
                       : (byte >> 5) == 0x6  ? 2
                       : (byte >> 4) == 0xE  ? 3
                       : (byte >> 3) == 0x1E ? 4
                                             : 1;
  if (i + length > text.size()) length = 1;
  code = length == 1 ? byte : byte & (0xFF >> (length + 1));
  for (std::size_t k = 1; k < length; ++k)
    code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  return length;
}

void append_utf8(char32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// Latin-1 Supplement and Latin Extended-A letters folded to ASCII; 0 keeps the code point.
char fold_latin(char32_t code) {
  static constexpr std::string_view kLatin1 =  // U+00C0 .. U+00FF
      "aaaaaaaceeeeiiiidnooooo\0ouuuuyts"
      "aaaaaaaceeeeiiiidnooooo\0ouuuuyty";
  if (code >= 0xC0 && code <= 0xFF) return kLatin1[code - 0xC0];
  static constexpr std::string_view kExtendedA =  // U+0100 .. U+017F
      "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjjjkkklllllllllllnnnnnnnnnoooooooorrrrr"
      "rssssssss"
      "ttttttuuuuuuuuuuuuwwyyyzzzzzzs";
  if (code >= 0x100 && code <= 0x17F) return kExtendedA[code - 0x100];
  return 0;
}

bool is_word_code(char32_t code) {
  if (code < 0x80)
    return (code >= 'a' && code <= 'z') || (code >= 'A' && code <= 'Z') ||
           (code >= '0' && code <= '9');
  // General punctuation, symbols and emoji separate words; other scripts are letters.
  const bool punctuation =
      (code >= 0x2000 && code <= 0x206F) || (code >= 0x3000 && code <= 0x303F) ||
      (code >= 0xFF00 && code <= 0xFF0F) || (code >= 0x1F000) || code == 0xA0 || code == 0xD7 ||
      code == 0xF7 || (code >= 0xA1 && code <= 0xBF);
  return !punctuation;
}

void add(std::vector<Feature>& out, FeatureKind kind, std::string_view text) {
  const char prefix[2] = {static_cast<char>(kind), ':'};
  out.push_back({fnv1a(text, fnv1a(std::string_view(prefix, 2))), kind});
}

}  // namespace

std::uint64_t fnv1a(std::string_view text, std::uint64_t seed) {
  std::uint64_t hash = seed;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (std::size_t i = 0; i < text.size();) {
    char32_t code = 0;
    const std::size_t length = decode(text, i, code);
    i += length;
    if (code == '\'' || code == 0x2019) continue;  // "don't" and "don’t" are one word
    if (!is_word_code(code)) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (code < 0x80) {
      current += static_cast<char>(code >= 'A' && code <= 'Z' ? code + ('a' - 'A') : code);
    } else if (const char folded = fold_latin(code); folded != 0) {
      current += folded;
    } else {
      append_utf8(code, current);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

std::vector<Feature> extract_features(std::string_view text, const FeatureOptions& options) {
  auto words = tokenize(text);
  if (options.joined_ngrams && words.size() > 1) {
    std::string joined;
    for (const auto& word : words) joined += word;
    std::vector<Feature> features = extract_features(joined, [&] {
      FeatureOptions only_grams = options;
      only_grams.joined_ngrams = false;
      only_grams.stopwords = true;
      return only_grams;
    }());
    // Keep only the character n-grams of the joined form; its "word" is not a real word.
    std::erase_if(features, [](const Feature& f) { return f.kind != FeatureKind::char_ngram; });
    FeatureOptions rest = options;
    rest.joined_ngrams = false;
    auto own = extract_features(text, rest);
    own.insert(own.end(), features.begin(), features.end());
    return own;
  }
  std::vector<Feature> features;
  features.reserve(words.size() * 8);
  const std::string* previous = nullptr;
  std::vector<std::size_t> starts;
  for (const auto& word : words) {
    const bool stop = options.stopwords && is_stopword(word);
    if (!stop) {
      add(features, FeatureKind::word, word);
      if (options.bigrams && previous != nullptr)
        add(features, FeatureKind::bigram, *previous + " " + word);
      previous = &word;
    }
    if (!options.char_ngrams) continue;
    // Character n-grams over code points of "<word>", so misspellings still share most of them.
    const std::string marked = "<" + word + ">";
    starts.clear();
    for (std::size_t i = 0; i < marked.size();) {
      starts.push_back(i);
      char32_t code = 0;
      i += decode(marked, i, code);
    }
    starts.push_back(marked.size());
    const int points = static_cast<int>(starts.size()) - 1;
    for (int n = options.char_ngram_min; n <= options.char_ngram_max; ++n) {
      if (points < n) {
        if (n == options.char_ngram_min && !stop) add(features, FeatureKind::char_ngram, marked);
        break;
      }
      for (int start = 0; start + n <= points; ++start) {
        add(features, FeatureKind::char_ngram,
            std::string_view(marked).substr(starts[start], starts[start + n] - starts[start]));
      }
    }
  }
  return features;
}

}  // namespace musicagent::rag
