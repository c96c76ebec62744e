#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/features.hpp"

namespace musicagent::understanding {

// What a cue phrase says about a request (cues.yaml). Comparatives name a feature and a
// direction; the others are categories the planner reads.
enum class Cue {
  negation,
  similar,
  examples,
  info,
  aspect_albums,
  aspect_genres,
  aspect_count,
  aspect_popularity,
  aspect_first,
  stats,
  more,
  reference_items,
  reference_people,
  request,
  music_noun,
  artist_noun,
  track_noun,
  greeting,
  thanks,
  closing,
  positive,
  negative_feedback,
  help,
  clean,
  audience_kids,
  joint,
  off_topic,
  write_verb,
  write_object,
  era,
  not_too,
  at_most,
  at_least,
  around,
  unit_minutes,
  unit_seconds,
  unit_bpm,
  unit_popularity,
  superlative_most,
  superlative_least,
  preference,
  faster,
  slower,
  more_energetic,
  less_energetic,
  happier,
  sadder,
  more_acoustic,
  less_acoustic,
  more_danceable,
  less_danceable,
  more_popular,
  less_popular,
  shorter,
  longer,
  more_instrumental,
  more_vocal,
};
std::optional<Cue> cue_from_name(std::string_view name);

// A comparative cue's feature and direction (+1 more, -1 less); nullopt for other cues.
struct Direction {
  catalog::Feature feature;
  int sign;
};
std::optional<Direction> comparative_direction(Cue cue);

// One entry of moods.yaml.
struct MoodDefinition {
  std::string name;
  bool feature_only = false;  // kind: feature ("fast", "popular"): sent as conditions, not a mood
  std::string description;
  std::vector<catalog::FeatureRange> conditions;  // as written
  std::vector<catalog::FeatureRange> negated;     // what "not X" means, when written
  std::vector<std::string> tags;                  // Last.fm tags to learn more conditions from
};

// Everything read from understanding/lexicons: genre synonyms, genre families, moods, cues,
// number words, everyday words and artist aliases. Keys are the tokenizer's (text.hpp), so
// "don't", "dont" and "Don’t" are one phrase. Loading fails with the file and line of a bad
// entry; nothing is half loaded.
class Lexicon {
 public:
  static Lexicon load(const std::filesystem::path& directory);

  // Spaced key -> cues.
  const std::vector<Cue>* cues(std::string_view spaced) const;
  // Spaced key -> indexes in moods().
  const std::vector<std::size_t>* mood_words(std::string_view spaced) const;
  // Compact key -> genre names (synonyms and translations; not the genres' own names).
  const std::vector<std::string>* genre_synonyms(std::string_view compact) const;
  std::optional<double> number(std::string_view spaced) const;
  // "tempo" -> tempo_bpm (feature_words.tsv).
  std::optional<catalog::Feature> feature_word(std::string_view spaced) const;
  // "second" -> 2, "last" -> -1 (ordinals.tsv).
  std::optional<int> ordinal(std::string_view word) const;
  bool is_common_word(std::string_view word) const { return common_.count(std::string(word)) != 0; }

  const std::vector<MoodDefinition>& moods() const { return moods_; }
  // The family a genre heads ("metal" -> metal, heavy-metal, ...), or just the genre.
  std::vector<std::string> family(const std::string& genre) const;
  const std::vector<std::pair<std::string, std::string>>& artist_aliases() const {
    return aliases_;
  }
  // The most words any phrase has: how far a longest-match scan looks ahead.
  std::size_t longest_phrase() const { return longest_; }
  // Every word a phrase of any lexicon uses: such words are not names on their own.
  bool is_lexicon_word(std::string_view word) const {
    return lexicon_words_.count(std::string(word)) != 0;
  }

 private:
  void note_phrase(const std::string& spaced);

  std::unordered_map<std::string, std::vector<Cue>> cues_;
  std::unordered_map<std::string, std::vector<std::size_t>> mood_words_;
  std::unordered_map<std::string, std::vector<std::string>> genre_synonyms_;
  std::unordered_map<std::string, double> numbers_;
  std::unordered_map<std::string, int> ordinals_;
  std::unordered_map<std::string, catalog::Feature> feature_words_;
  std::unordered_set<std::string> common_;
  std::unordered_set<std::string> lexicon_words_;
  std::vector<MoodDefinition> moods_;
  std::map<std::string, std::vector<std::string>> families_;
  std::vector<std::pair<std::string, std::string>> aliases_;
  std::size_t longest_ = 1;
};

}  // namespace musicagent::understanding
