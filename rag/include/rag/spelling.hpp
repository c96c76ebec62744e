#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace musicagent::rag {

// Corrects query words that appear nowhere in the catalogue to the most frequent catalogue
// word within a small edit distance ("beyonse" -> "beyonce", "swfit" -> "swift"). Character
// n-grams already forgive many typos; transpositions and substitutions in short names need this.
class SpellingCorrector {
 public:
  SpellingCorrector() = default;
  explicit SpellingCorrector(const std::vector<std::string>& texts);

  // The query's words with unknown ones replaced; empty when nothing was corrected.
  std::string correct(std::string_view query) const;

  std::size_t vocabulary_size() const { return frequency_.size(); }

  // One "word<TAB>count" line per word; saved beside the index.
  void save(const std::filesystem::path& path) const;
  static SpellingCorrector load(const std::filesystem::path& path);

 private:
  void index_buckets();

  std::unordered_map<std::string, std::uint32_t> frequency_;
  // Words by (first byte, length in bytes), so a lookup compares only plausible candidates.
  std::unordered_map<std::uint32_t, std::vector<const std::string*>> buckets_;
};

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions),
// stopping early once it exceeds `limit`.
int edit_distance(std::string_view a, std::string_view b, int limit);

}  // namespace musicagent::rag
