#include "understanding/lexicon.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "understanding/text.hpp"

namespace musicagent::understanding {
namespace {

namespace fs = std::filesystem;

struct CueName {
  Cue cue;
  std::string_view name;
};

// The YAML names of the cues; comparatives sit under `comparative:` with their own names.
constexpr std::array<CueName, 57> kCueNames{{
    {Cue::negation, "negation"},
    {Cue::similar, "similar"},
    {Cue::examples, "examples"},
    {Cue::info, "info"},
    {Cue::aspect_albums, "aspect_albums"},
    {Cue::aspect_genres, "aspect_genres"},
    {Cue::aspect_count, "aspect_count"},
    {Cue::aspect_popularity, "aspect_popularity"},
    {Cue::aspect_first, "aspect_first"},
    {Cue::stats, "stats"},
    {Cue::more, "more"},
    {Cue::reference_items, "reference_items"},
    {Cue::reference_people, "reference_people"},
    {Cue::request, "request"},
    {Cue::music_noun, "music_nouns"},
    {Cue::artist_noun, "artist_nouns"},
    {Cue::track_noun, "track_nouns"},
    {Cue::greeting, "greeting"},
    {Cue::thanks, "thanks"},
    {Cue::closing, "closing"},
    {Cue::positive, "positive"},
    {Cue::negative_feedback, "negative_feedback"},
    {Cue::help, "help"},
    {Cue::clean, "clean"},
    {Cue::audience_kids, "audience_kids"},
    {Cue::joint, "joint"},
    {Cue::off_topic, "off_topic"},
    {Cue::write_verb, "write_verbs"},
    {Cue::write_object, "write_objects"},
    {Cue::era, "era"},
    {Cue::not_too, "not_too"},
    {Cue::at_most, "at_most"},
    {Cue::at_least, "at_least"},
    {Cue::around, "around"},
    {Cue::unit_minutes, "unit_minutes"},
    {Cue::unit_seconds, "unit_seconds"},
    {Cue::unit_bpm, "unit_bpm"},
    {Cue::unit_popularity, "unit_popularity"},
    {Cue::superlative_most, "superlative_most"},
    {Cue::superlative_least, "superlative_least"},
    {Cue::preference, "preference"},
    {Cue::faster, "faster"},
    {Cue::slower, "slower"},
    {Cue::more_energetic, "more_energetic"},
    {Cue::less_energetic, "less_energetic"},
    {Cue::happier, "happier"},
    {Cue::sadder, "sadder"},
    {Cue::more_acoustic, "more_acoustic"},
    {Cue::less_acoustic, "less_acoustic"},
    {Cue::more_danceable, "more_danceable"},
    {Cue::less_danceable, "less_danceable"},
    {Cue::more_popular, "more_popular"},
    {Cue::less_popular, "less_popular"},
    {Cue::shorter, "shorter"},
    {Cue::longer, "longer"},
    {Cue::more_instrumental, "more_instrumental"},
    {Cue::more_vocal, "more_vocal"},
}};

[[noreturn]] void bad(const fs::path& file, std::size_t line, const std::string& what) {
  throw std::runtime_error(file.string() + (line > 0 ? ":" + std::to_string(line) : "") + ": " +
                           what);
}

std::size_t line_of(const YAML::Node& node) {
  return node.Mark().line >= 0 ? static_cast<std::size_t>(node.Mark().line) + 1 : 0;
}

YAML::Node load_yaml(const fs::path& path) {
  try {
    return YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    bad(path, 0, "cannot read the lexicon file (set MUSICAGENT_HOME)");
  } catch (const YAML::Exception& e) {
    bad(path, e.mark.line >= 0 ? static_cast<std::size_t>(e.mark.line) + 1 : 0, e.msg);
  }
}

// Lines of a TSV or word list, without comments and blank lines, with their numbers.
std::vector<std::pair<std::size_t, std::string>> data_lines(const fs::path& path) {
  std::ifstream in(path);
  if (!in) bad(path, 0, "cannot read the lexicon file (set MUSICAGENT_HOME)");
  std::vector<std::pair<std::size_t, std::string>> lines;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    lines.emplace_back(number, line);
  }
  return lines;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

std::vector<catalog::FeatureRange> read_conditions(const YAML::Node& node, const fs::path& file) {
  std::vector<catalog::FeatureRange> out;
  if (!node) return out;
  if (!node.IsMap()) bad(file, line_of(node), "conditions must be a map of feature: {min, max}");
  for (const auto& item : node) {
    const auto name = item.first.as<std::string>();
    const auto feature = catalog::feature_from_name(name);
    if (!feature) bad(file, line_of(item.first), "unknown feature '" + name + "'");
    catalog::FeatureRange range{*feature, {}, {}};
    if (item.second["min"]) range.min = item.second["min"].as<double>();
    if (item.second["max"]) range.max = item.second["max"].as<double>();
    if (!range.min && !range.max) bad(file, line_of(item.second), name + " needs min or max");
    out.push_back(range);
  }
  return out;
}

// Words of a phrase list by language ({en: [...], fr: [...]}) or a plain list.
std::vector<std::string> phrases_of(const YAML::Node& node, const fs::path& file) {
  std::vector<std::string> out;
  if (!node) return out;
  auto take = [&](const YAML::Node& list) {
    if (!list.IsSequence()) bad(file, line_of(list), "expected a list of phrases");
    for (const auto& phrase : list) out.push_back(phrase.as<std::string>());
  };
  if (node.IsSequence()) {
    take(node);
  } else if (node.IsMap()) {
    for (const auto& language : node) take(language.second);
  } else {
    bad(file, line_of(node), "expected a list of phrases or {language: [phrases]}");
  }
  return out;
}

}  // namespace

std::optional<Cue> cue_from_name(std::string_view name) {
  for (const auto& entry : kCueNames) {
    if (entry.name == name) return entry.cue;
  }
  return std::nullopt;
}

std::optional<Direction> comparative_direction(Cue cue) {
  using catalog::Feature;
  switch (cue) {
    case Cue::faster:
      return Direction{Feature::tempo_bpm, +1};
    case Cue::slower:
      return Direction{Feature::tempo_bpm, -1};
    case Cue::more_energetic:
      return Direction{Feature::energy, +1};
    case Cue::less_energetic:
      return Direction{Feature::energy, -1};
    case Cue::happier:
      return Direction{Feature::valence, +1};
    case Cue::sadder:
      return Direction{Feature::valence, -1};
    case Cue::more_acoustic:
      return Direction{Feature::acousticness, +1};
    case Cue::less_acoustic:
      return Direction{Feature::acousticness, -1};
    case Cue::more_danceable:
      return Direction{Feature::danceability, +1};
    case Cue::less_danceable:
      return Direction{Feature::danceability, -1};
    case Cue::more_popular:
      return Direction{Feature::popularity, +1};
    case Cue::less_popular:
      return Direction{Feature::popularity, -1};
    case Cue::shorter:
      return Direction{Feature::duration_ms, -1};
    case Cue::longer:
      return Direction{Feature::duration_ms, +1};
    case Cue::more_instrumental:
      return Direction{Feature::instrumentalness, +1};
    case Cue::more_vocal:
      return Direction{Feature::instrumentalness, -1};
    default:
      return std::nullopt;
  }
}

void Lexicon::note_phrase(const std::string& spaced) {
  const auto parts = split(spaced, ' ');
  longest_ = std::max(longest_, parts.size());
  for (const auto& word : parts) lexicon_words_.insert(word);
}

Lexicon Lexicon::load(const fs::path& directory) {
  Lexicon lexicon;

  {  // cues.yaml
    const auto file = directory / "cues.yaml";
    const auto root = load_yaml(file);
    const auto cues = root["cues"];
    if (!cues || !cues.IsMap()) bad(file, 0, "expected a top-level `cues:` map");
    auto add = [&](const std::string& category, const YAML::Node& phrases) {
      const auto cue = cue_from_name(category);
      if (!cue) bad(file, line_of(phrases), "unknown cue category '" + category + "'");
      for (const auto& phrase : phrases_of(phrases, file)) {
        const auto key = spaced_key(phrase);
        if (key.empty()) bad(file, line_of(phrases), "an empty phrase in " + category);
        auto& list = lexicon.cues_[key];
        if (std::find(list.begin(), list.end(), *cue) == list.end()) list.push_back(*cue);
        lexicon.note_phrase(key);
      }
    };
    for (const auto& item : cues) {
      const auto category = item.first.as<std::string>();
      if (category == "comparative") {
        for (const auto& comparative : item.second)
          add(comparative.first.as<std::string>(), comparative.second);
      } else {
        add(category, item.second);
      }
    }
  }

  {  // moods.yaml
    const auto file = directory / "moods.yaml";
    const auto root = load_yaml(file);
    const auto moods = root["moods"];
    if (!moods || !moods.IsMap()) bad(file, 0, "expected a top-level `moods:` map");
    for (const auto& item : moods) {
      MoodDefinition mood;
      mood.name = item.first.as<std::string>();
      const auto& body = item.second;
      const auto kind = body["kind"] ? body["kind"].as<std::string>() : std::string("mood");
      if (kind != "mood" && kind != "feature")
        bad(file, line_of(body), mood.name + ": kind must be mood or feature");
      mood.feature_only = kind == "feature";
      mood.description = body["description"] ? body["description"].as<std::string>() : mood.name;
      mood.conditions = read_conditions(body["conditions"], file);
      mood.negated = read_conditions(body["negated"], file);
      if (body["tags"]) {
        for (const auto& tag : body["tags"]) mood.tags.push_back(tag.as<std::string>());
      }
      if (mood.conditions.empty() && mood.tags.empty())
        bad(file, line_of(body), mood.name + " needs conditions or tags");
      const std::size_t index = lexicon.moods_.size();
      for (const auto& phrase : phrases_of(body["words"], file)) {
        const auto key = spaced_key(phrase);
        if (key.empty()) continue;
        auto& list = lexicon.mood_words_[key];
        if (std::find(list.begin(), list.end(), index) == list.end()) list.push_back(index);
        lexicon.note_phrase(key);
      }
      lexicon.moods_.push_back(std::move(mood));
    }
  }

  {  // genres.tsv
    const auto file = directory / "genres.tsv";
    for (const auto& [number, line] : data_lines(file)) {
      const auto fields = split(line, '\t');
      if (fields.size() < 2) bad(file, number, "expected: phrase <TAB> genres <TAB> language");
      const auto key = compact_key(fields[0]);
      if (key.empty()) bad(file, number, "an empty phrase");
      auto& genres = lexicon.genre_synonyms_[key];
      for (const auto& genre : split(fields[1], ',')) {
        if (!genre.empty() && std::find(genres.begin(), genres.end(), genre) == genres.end())
          genres.push_back(genre);
      }
      lexicon.note_phrase(spaced_key(fields[0]));
    }
  }

  {  // genre_families.yaml
    const auto file = directory / "genre_families.yaml";
    const auto root = load_yaml(file);
    for (const auto& family : root["families"]) {
      std::vector<std::string> members;
      for (const auto& genre : family.second) members.push_back(genre.as<std::string>());
      lexicon.families_[family.first.as<std::string>()] = std::move(members);
    }
  }

  {  // numbers.tsv
    const auto file = directory / "numbers.tsv";
    for (const auto& [number, line] : data_lines(file)) {
      const auto fields = split(line, '\t');
      if (fields.size() != 2) bad(file, number, "expected: words <TAB> value");
      try {
        lexicon.numbers_[spaced_key(fields[0])] = std::stod(fields[1]);
      } catch (const std::exception&) {
        bad(file, number, "not a number: " + fields[1]);
      }
      lexicon.note_phrase(spaced_key(fields[0]));
    }
  }

  {  // ordinals.tsv
    const auto file = directory / "ordinals.tsv";
    for (const auto& [number, line] : data_lines(file)) {
      const auto fields = split(line, '\t');
      if (fields.size() != 2) bad(file, number, "expected: word <TAB> position");
      try {
        lexicon.ordinals_[spaced_key(fields[0])] = std::stoi(fields[1]);
      } catch (const std::exception&) {
        bad(file, number, "not a position: " + fields[1]);
      }
    }
  }

  {  // feature_words.tsv
    const auto file = directory / "feature_words.tsv";
    for (const auto& [number, line] : data_lines(file)) {
      const auto fields = split(line, '\t');
      const auto feature =
          fields.size() == 2 ? catalog::feature_from_name(fields[1]) : std::nullopt;
      if (!feature) bad(file, number, "expected: word <TAB> feature name");
      lexicon.feature_words_[spaced_key(fields[0])] = *feature;
      lexicon.note_phrase(spaced_key(fields[0]));
    }
  }

  {  // common_words.txt
    for (const auto& [number, line] : data_lines(directory / "common_words.txt")) {
      (void)number;
      for (const auto& word : words(line)) lexicon.common_.insert(word);
    }
  }

  {  // artist_aliases.tsv
    const auto file = directory / "artist_aliases.tsv";
    for (const auto& [number, line] : data_lines(file)) {
      const auto fields = split(line, '\t');
      if (fields.size() != 2) bad(file, number, "expected: alias <TAB> artist name");
      lexicon.aliases_.emplace_back(fields[0], fields[1]);
    }
  }
  return lexicon;
}

const std::vector<Cue>* Lexicon::cues(std::string_view spaced) const {
  const auto it = cues_.find(std::string(spaced));
  return it == cues_.end() ? nullptr : &it->second;
}

const std::vector<std::size_t>* Lexicon::mood_words(std::string_view spaced) const {
  const auto it = mood_words_.find(std::string(spaced));
  return it == mood_words_.end() ? nullptr : &it->second;
}

const std::vector<std::string>* Lexicon::genre_synonyms(std::string_view compact) const {
  const auto it = genre_synonyms_.find(std::string(compact));
  return it == genre_synonyms_.end() ? nullptr : &it->second;
}

std::optional<double> Lexicon::number(std::string_view spaced) const {
  const auto it = numbers_.find(std::string(spaced));
  return it == numbers_.end() ? std::nullopt : std::optional<double>(it->second);
}

std::optional<catalog::Feature> Lexicon::feature_word(std::string_view spaced) const {
  const auto it = feature_words_.find(std::string(spaced));
  return it == feature_words_.end() ? std::nullopt : std::optional<catalog::Feature>(it->second);
}

std::optional<int> Lexicon::ordinal(std::string_view word) const {
  const auto it = ordinals_.find(std::string(word));
  return it == ordinals_.end() ? std::nullopt : std::optional<int>(it->second);
}

std::vector<std::string> Lexicon::family(const std::string& genre) const {
  const auto it = families_.find(genre);
  return it == families_.end() ? std::vector<std::string>{genre} : it->second;
}

}  // namespace musicagent::understanding
