#include "tools/track_conditions.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "catalog/track_json.hpp"
#include "common/text.hpp"
#include "understanding/text.hpp"

namespace musicagent::tools {
namespace {

using catalog::Feature;

constexpr double kPopularityWeight = 0.6;
constexpr double kMoodWeight = 0.4;
constexpr std::size_t kCandidatesListed = 5;

std::string lower(std::string_view text) {
  return common::ascii_lower(text);
}

std::string value_text(Feature feature, double value) {
  char text[32];
  if (feature == Feature::tempo_bpm) {
    std::snprintf(text, sizeof text, "%.0f bpm", value);
  } else if (feature == Feature::duration_ms) {
    const auto seconds = static_cast<long>(std::lround(value / 1000.0));
    std::snprintf(text, sizeof text, "%ld:%02ld", seconds / 60, seconds % 60);
  } else if (feature == Feature::loudness_db) {
    std::snprintf(text, sizeof text, "%.1f dB", value);
  } else if (feature == Feature::popularity) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.2f", value);
  }
  return text;
}

ToolError invalid(std::string message, nlohmann::json details = nlohmann::json::object()) {
  return ToolError{"invalid_arguments", std::move(message), std::move(details)};
}

}  // namespace

std::pair<std::string, std::string> song_key(const catalog::Snapshot& snapshot,
                                             const catalog::Track& track) {
  const std::string artist =
      track.artists.empty() ? track.id : snapshot.artists()[track.artists.front()].id;
  return {artist, lower(track.name.empty() ? track.id : track.name)};
}

bool TrackConditions::admits(const catalog::Snapshot& snapshot, catalog::TrackIndex index) const {
  const auto& track = snapshot.tracks()[index];
  if (exclude_explicit && track.is_explicit) return false;
  if (min_popularity && track.popularity < *min_popularity) return false;
  if (mood != nullptr && mood_filters && !mood->admits(track)) return false;
  for (const auto& range : features) {
    if (!range.admits(track.value(range.feature))) return false;
  }
  for (const auto g : track.genres) {
    if (exclude_genres.count(g)) return false;
  }
  for (const auto a : track.artists) {
    if (exclude_artists.count(a)) return false;
  }
  if (exclude_tracks.count(index)) return false;
  if (!exclude_songs.empty() && exclude_songs.count(song_key(snapshot, track))) return false;
  return true;
}

bool TrackConditions::any() const {
  return mood != nullptr || !features.empty() || !exclude_genres.empty() ||
         !exclude_artists.empty() || !exclude_tracks.empty() || exclude_explicit ||
         min_popularity.has_value();
}

TrackConditions TrackConditions::relaxed() const {
  auto out = *this;
  out.mood_filters = false;
  out.features.clear();
  return out;
}

std::string TrackConditions::describe() const {
  std::vector<std::string> parts;
  if (mood != nullptr) parts.push_back("that are " + mood->name);
  for (const auto& range : features) parts.push_back("with " + understanding::describe(range));
  if (min_popularity) parts.push_back("with popularity >= " + std::to_string(*min_popularity));
  if (!exclude_genre_names.empty()) {
    std::string names;
    for (const auto& g : exclude_genre_names) names += (names.empty() ? "" : ", ") + g;
    parts.push_back("without " + names);
  }
  if (exclude_explicit) parts.push_back("without explicit lyrics");
  if (!exclude_tracks.empty())
    parts.push_back("besides the " + std::to_string(exclude_tracks.size()) + " excluded");
  std::string text;
  for (const auto& p : parts) text += " " + p;
  return text;
}

double track_score(const catalog::Track& track, const TrackConditions& conditions) {
  const double popularity = static_cast<double>(track.popularity) / 100.0;
  if (conditions.mood == nullptr) return popularity;
  return kPopularityWeight * popularity + kMoodWeight * conditions.mood->strength(track);
}

std::vector<Pick> pick_tracks(const catalog::Snapshot& snapshot,
                              const std::vector<catalog::TrackIndex>& candidates,
                              const TrackConditions& conditions, std::size_t limit,
                              std::size_t per_artist, std::size_t* available) {
  std::vector<Pick> passed;
  for (const auto t : candidates) {
    if (conditions.admits(snapshot, t))
      passed.push_back({t, track_score(snapshot.tracks()[t], conditions)});
  }
  std::stable_sort(passed.begin(), passed.end(), [&](const Pick& a, const Pick& b) {
    if (a.score != b.score) return a.score > b.score;
    return snapshot.tracks()[a.track].id < snapshot.tracks()[b.track].id;
  });
  std::set<std::pair<std::string, std::string>> songs;
  std::map<std::string, std::size_t> per;
  std::vector<Pick> out;
  std::size_t count = 0;
  for (const auto& p : passed) {
    const auto key = song_key(snapshot, snapshot.tracks()[p.track]);
    if (!songs.insert(key).second) continue;
    if (++per[key.first] > per_artist) continue;
    ++count;
    if (out.size() < limit) out.push_back(p);
  }
  if (available != nullptr) *available = count;
  return out;
}

std::vector<Pick> pick_tracks_filled(const catalog::Snapshot& snapshot,
                                     const std::vector<catalog::TrackIndex>& candidates,
                                     const TrackConditions& conditions, std::size_t limit,
                                     std::size_t per_artist, std::size_t* available,
                                     std::size_t* strict) {
  auto picks = pick_tracks(snapshot, candidates, conditions, limit, per_artist, available);
  if (strict != nullptr) *strict = picks.size();
  if (picks.size() >= limit || !conditions.relaxable()) return picks;
  std::set<std::pair<std::string, std::string>> songs;
  std::map<std::string, std::size_t> per;
  for (const auto& p : picks) {
    const auto key = song_key(snapshot, snapshot.tracks()[p.track]);
    songs.insert(key);
    ++per[key.first];
  }
  // Three times the room: the relaxed ranking repeats the strict picks and capped artists.
  for (const auto& p :
       pick_tracks(snapshot, candidates, conditions.relaxed(), limit * 3, per_artist)) {
    if (picks.size() >= limit) break;
    const auto key = song_key(snapshot, snapshot.tracks()[p.track]);
    if (songs.count(key) || per[key.first] >= per_artist) continue;
    songs.insert(key);
    ++per[key.first];
    picks.push_back(p);
  }
  return picks;
}

std::string conditions_reason(const catalog::Track& track, const TrackConditions& conditions) {
  std::string text;
  if (conditions.mood != nullptr) {
    std::string parts;
    for (const auto& c : conditions.mood->conditions) {
      const double v = track.value(c.range.feature);
      parts += (parts.empty() ? "" : ", ") + std::string(c.range.min ? "high " : "low ") +
               std::string(catalog::feature_name(c.range.feature)) + " " +
               value_text(c.range.feature, v);
    }
    text += "; " + parts + " (" + conditions.mood->name + ")";
  }
  for (const auto& range : conditions.features) {
    text += "; " + std::string(catalog::feature_name(range.feature)) + " " +
            value_text(range.feature, track.value(range.feature));
  }
  return text;
}

common::Result<TrackConditions, ToolError> read_conditions(const nlohmann::json& arguments,
                                                           const understanding::Understanding& u) {
  TrackConditions conditions;
  const auto& snapshot = *u.snapshot;
  if (const auto it = arguments.find("mood"); it != arguments.end() && it->is_string()) {
    conditions.mood = u.moods->find(it->get<std::string>());
    if (conditions.mood == nullptr || conditions.mood->feature_only) {
      return invalid("unknown mood '" + it->get<std::string>() + "'",
                     {{"moods", u.moods->mood_names()}});
    }
  }
  if (const auto it = arguments.find("features"); it != arguments.end() && it->is_object()) {
    for (const auto& [name, range] : it->items()) {
      const auto feature = catalog::feature_from_name(name);
      if (!feature) return invalid("unknown feature '" + name + "' in features");
      catalog::FeatureRange r{*feature, {}, {}};
      if (range.contains("min") && range["min"].is_number()) r.min = range["min"].get<double>();
      if (range.contains("max") && range["max"].is_number()) r.max = range["max"].get<double>();
      if (!r.min && !r.max) return invalid("features." + name + " needs min or max");
      if (r.min && r.max && *r.min > *r.max)
        return invalid("features." + name + ": min " + std::to_string(*r.min) + " is above max " +
                       std::to_string(*r.max));
      conditions.features.push_back(r);
    }
  }
  for (const auto& name : arguments.value("exclude_genres", nlohmann::json::array())) {
    const auto text = name.get<std::string>();
    const auto genres = u.parser->genres_named(text);
    if (genres.empty()) {
      nlohmann::json closest = nlohmann::json::array();
      for (const auto& g : snapshot.genre_names()) {
        if (closest.size() < kCandidatesListed &&
            understanding::edit_distance(g, lower(text), 3) <= 3)
          closest.push_back(g);
      }
      return invalid("exclude_genres: unknown genre '" + text + "'", {{"suggestions", closest}});
    }
    for (const auto& g : genres) {
      conditions.exclude_genre_names.push_back(g);
      for (const auto& member : u.lexicon->family(g)) {
        if (const auto index = snapshot.find_genre(member))
          conditions.exclude_genres.insert(*index);
      }
    }
  }
  for (const auto& name : arguments.value("exclude_artists", nlohmann::json::array())) {
    const auto found = find_artist(u, name.get<std::string>());
    if (found) conditions.exclude_artists.insert(found.value());
  }
  for (const auto& id : arguments.value("exclude_track_ids", nlohmann::json::array())) {
    const auto index = snapshot.find_track(id.get<std::string>());
    if (!index) continue;
    conditions.exclude_tracks.insert(*index);
    conditions.exclude_songs.insert(song_key(snapshot, snapshot.tracks()[*index]));
  }
  conditions.exclude_explicit = arguments.value("exclude_explicit", false);
  if (const auto it = arguments.find("min_popularity"); it != arguments.end() && it->is_number())
    conditions.min_popularity = it->get<int>();
  return conditions;
}

common::Result<catalog::ArtistIndex, ToolError> find_artist(const understanding::Understanding& u,
                                                            const std::string& name) {
  const auto& snapshot = *u.snapshot;
  if (name.rfind("ar_", 0) == 0) {
    if (const auto index = snapshot.find_artist(name)) return *index;
  }
  const auto key = understanding::compact_key(name);
  if (const auto* artists = u.entities->artists(key)) return artists->front();
  const auto fuzzy = u.entities->fuzzy_artists(key, key.size() >= 9 ? 2 : 1);
  if (!fuzzy.empty() && key.size() >= 5) return static_cast<catalog::ArtistIndex>(fuzzy.front().id);
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& m : u.entities->fuzzy_artists(key, 2)) {
    if (candidates.size() < kCandidatesListed)
      candidates.push_back(catalog::artist_summary_json(snapshot, snapshot.artists()[m.id]));
  }
  return ToolError{"not_found",
                   "no artist named '" + name + "' in the catalogue",
                   {{"candidates", std::move(candidates)}}};
}

common::Result<catalog::TrackIndex, ToolError> find_track(const understanding::Understanding& u,
                                                          const std::string& text) {
  const auto& snapshot = *u.snapshot;
  if (const auto index = snapshot.find_track(text)) return *index;
  // "title by artist", "artist - title": the title among that artist's tracks.
  auto among_artist = [&](const std::string& title,
                          const std::string& artist) -> std::optional<catalog::TrackIndex> {
    const auto found = find_artist(u, artist);
    if (!found) return std::nullopt;
    const auto key = understanding::compact_key(title);
    for (const auto t : snapshot.artists()[found.value()].tracks) {
      const auto& name = snapshot.tracks()[t].name;
      if (understanding::compact_key(name) == key ||
          understanding::compact_key(understanding::EntityIndex::cut_title(name)) == key)
        return t;
    }
    std::optional<catalog::TrackIndex> best;
    std::size_t best_distance = 3;
    for (const auto t : snapshot.artists()[found.value()].tracks) {
      const auto d = understanding::edit_distance(
          key,
          understanding::compact_key(
              understanding::EntityIndex::cut_title(snapshot.tracks()[t].name)),
          2);
      if (d < best_distance && d * 4 <= key.size()) {
        best_distance = d;
        best = t;
      }
    }
    return best;
  };
  const auto lowered = lower(text);
  if (const auto by = lowered.rfind(" by "); by != std::string::npos) {
    if (auto t = among_artist(text.substr(0, by), text.substr(by + 4))) return *t;
  }
  if (const auto dash = text.find(" - "); dash != std::string::npos) {
    if (auto t = among_artist(text.substr(dash + 3), text.substr(0, dash))) return *t;
    if (auto t = among_artist(text.substr(0, dash), text.substr(dash + 3))) return *t;
  }
  const auto key = understanding::compact_key(text);
  if (const auto* tracks = u.entities->titles(key)) return tracks->front();
  const auto fuzzy = u.entities->fuzzy_titles(key, key.size() >= 9 ? 2 : 1);
  if (!fuzzy.empty() && key.size() >= 5) return static_cast<catalog::TrackIndex>(fuzzy.front().id);
  nlohmann::json candidates = nlohmann::json::array();
  for (const auto& m : u.entities->fuzzy_titles(key, 2)) {
    if (candidates.size() < kCandidatesListed)
      candidates.push_back(catalog::track_json(snapshot, snapshot.tracks()[m.id], "a close title"));
  }
  return ToolError{"not_found",
                   "no track matches '" + text + "'; try \"title by artist\" or a track id",
                   {{"candidates", std::move(candidates)}}};
}

}  // namespace musicagent::tools
