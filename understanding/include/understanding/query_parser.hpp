#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "understanding/entity_index.hpp"
#include "understanding/lexicon.hpp"
#include "understanding/mood_book.hpp"
#include "understanding/query_parse.hpp"

namespace musicagent::understanding {

// Reads a message into a QueryParse: entities linked to the catalogue (longest match first;
// names that are everyday words only with context; misspellings within one or two edits),
// genres and their synonyms, moods and activities, thresholds and counts, negations,
// comparatives and references, split into one request per clause that asks something.
// Pure and thread-safe; linear in the length of the message, which is read up to
// kMaxTokens tokens.
class QueryParser {
 public:
  static constexpr std::size_t kMaxTokens = 400;

  QueryParser(std::shared_ptr<const Lexicon> lexicon, std::shared_ptr<const MoodBook> moods,
              std::shared_ptr<const EntityIndex> entities);

  QueryParse parse(std::string_view text) const;

  const Lexicon& lexicon() const { return *lexicon_; }
  const MoodBook& moods() const { return *moods_; }
  const EntityIndex& entities() const { return *entities_; }
  const catalog::Snapshot& snapshot() const { return entities_->snapshot(); }

  // The catalogue genre a word or phrase names: its own name ("hip hop"), a synonym ("rap"),
  // or a close misspelling ("reggeaton"); empty when none.
  std::vector<std::string> genres_named(std::string_view phrase) const;

 private:
  friend class ParseRun;
  std::shared_ptr<const Lexicon> lexicon_;
  std::shared_ptr<const MoodBook> moods_;
  std::shared_ptr<const EntityIndex> entities_;
  std::unordered_map<std::string, std::string> genre_of_key_;  // compact key -> genre
  std::vector<std::pair<std::string, std::vector<std::string>>> fuzzy_genre_keys_;
};

}  // namespace musicagent::understanding
