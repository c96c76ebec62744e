#include "rag/spelling.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "rag/text_features.hpp"

namespace musicagent::rag {
namespace {

constexpr std::size_t kMinimumWordLength = 4;  // shorter words have too many neighbours

std::uint32_t bucket_key(char first, std::size_t length) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(first)) << 16) |
         static_cast<std::uint32_t>(length);
}

int allowed_edits(std::size_t length) {
  return length >= 8 ? 2 : 1;
}

}  // namespace

int edit_distance(std::string_view a, std::string_view b, int limit) {
  const std::size_t n = a.size(), m = b.size();
  if (static_cast<int>(n > m ? n - m : m - n) > limit) return limit + 1;
  std::vector<int> before(m + 1), previous(m + 1), current(m + 1);
  for (std::size_t j = 0; j <= m; ++j) previous[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = static_cast<int>(i);
    int row_best = current[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
      row_best = std::min(row_best, current[j]);
    }
    if (row_best > limit) return limit + 1;
    before.swap(previous);
    previous.swap(current);
  }
  return previous[m];
}

SpellingCorrector::SpellingCorrector(const std::vector<std::string>& texts) {
  for (const auto& text : texts) {
    for (auto& word : tokenize(text)) ++frequency_[std::move(word)];
  }
  index_buckets();
}

void SpellingCorrector::index_buckets() {
  buckets_.clear();
  for (const auto& [word, count] : frequency_) {
    if (word.size() >= kMinimumWordLength - 1)
      buckets_[bucket_key(word.front(), word.size())].push_back(&word);
  }
}

void SpellingCorrector::save(const std::filesystem::path& path) const {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& [word, count] : frequency_) out << word << '\t' << count << '\n';
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

SpellingCorrector SpellingCorrector::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  SpellingCorrector corrector;
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    corrector.frequency_[line.substr(0, tab)] =
        static_cast<std::uint32_t>(std::stoul(line.substr(tab + 1)));
  }
  corrector.index_buckets();
  return corrector;
}

std::string SpellingCorrector::correct(std::string_view query) const {
  std::string corrected;
  bool changed = false;
  for (const auto& word : tokenize(query)) {
    std::string chosen = word;
    if (word.size() >= kMinimumWordLength && frequency_.count(word) == 0) {
      const int limit = allowed_edits(word.size());
      int best_distance = limit + 1;
      std::uint32_t best_count = 0;
      for (std::size_t length = word.size() - static_cast<std::size_t>(limit);
           length <= word.size() + static_cast<std::size_t>(limit); ++length) {
        const auto bucket = buckets_.find(bucket_key(word.front(), length));
        if (bucket == buckets_.end()) continue;
        for (const auto* candidate : bucket->second) {
          const int distance = edit_distance(word, *candidate, best_distance);
          const auto count = frequency_.at(*candidate);
          if (distance < best_distance ||
              (distance == best_distance && distance <= limit && count > best_count)) {
            best_distance = distance;
            best_count = count;
            chosen = *candidate;
          }
        }
      }
      changed = changed || chosen != word;
    }
    corrected += (corrected.empty() ? "" : " ") + chosen;
  }
  return changed ? corrected : std::string();
}

}  // namespace musicagent::rag
