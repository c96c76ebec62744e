#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "catalog/snapshot.hpp"
#include "common/result.hpp"
#include "tools/tool.hpp"
#include "understanding/understanding.hpp"

namespace musicagent::tools {

// What every tool that returns tracks can be told about the tracks: a mood, ranges of audio
// features, and genres, artists, tracks or explicit lyrics to leave out. Read once from the
// arguments (read_conditions), then asked of each candidate track.
struct TrackConditions {
  const understanding::Mood* mood = nullptr;
  bool mood_filters = true;  // false: the mood only ranks (to fill a short list)
  std::vector<catalog::FeatureRange> features;
  std::vector<std::string> exclude_genre_names;  // as the caller wrote them, resolved
  std::set<catalog::GenreIndex>
      exclude_genres;  // with their families ("metal" takes heavy-metal too)
  std::set<catalog::ArtistIndex> exclude_artists;
  std::unordered_set<catalog::TrackIndex> exclude_tracks;
  std::set<std::pair<std::string, std::string>>
      exclude_songs;  // (first artist, title): every version
  bool exclude_explicit = false;
  std::optional<int> min_popularity;

  bool admits(const catalog::Snapshot& snapshot, catalog::TrackIndex track) const;
  // "that are calm, with tempo_bpm >= 120, without metal, without explicit lyrics"
  std::string describe() const;
  bool any() const;
  // What fills a list these conditions leave short: the mood ranks instead of filtering, and
  // the feature ranges go; exclusions stay.
  bool relaxable() const { return mood != nullptr || !features.empty(); }
  TrackConditions relaxed() const;
};

// The identity of a song across its versions: its first artist (or its id) and its title.
std::pair<std::string, std::string> song_key(const catalog::Snapshot& snapshot,
                                             const catalog::Track& track);

// mood, features, exclude_genres, exclude_artists, exclude_track_ids, exclude_explicit,
// min_popularity; invalid_arguments names what is wrong (an unknown genre with the closest
// ones, an unknown mood, an empty range).
common::Result<TrackConditions, ToolError> read_conditions(const nlohmann::json& arguments,
                                                           const understanding::Understanding& u);

// 0.6 x popularity / 100 + 0.4 x the mood's strength with a mood; popularity / 100 without.
double track_score(const catalog::Track& track, const TrackConditions& conditions);

struct Pick {
  catalog::TrackIndex track;
  double score;
};
// The best `limit` of `candidates` that pass the conditions: one version of each song, at most
// `per_artist` per first artist, best score first (ties by track id). `available` is how many
// there were before the limit.
std::vector<Pick> pick_tracks(const catalog::Snapshot& snapshot,
                              const std::vector<catalog::TrackIndex>& candidates,
                              const TrackConditions& conditions, std::size_t limit,
                              std::size_t per_artist, std::size_t* available = nullptr);

// pick_tracks, and when fewer than `limit` pass and the conditions are relaxable, the rest from
// the relaxed conditions (one version of each song and `per_artist` across both). `strict` is
// how many of the picks meet the conditions; they come first.
std::vector<Pick> pick_tracks_filled(const catalog::Snapshot& snapshot,
                                     const std::vector<catalog::TrackIndex>& candidates,
                                     const TrackConditions& conditions, std::size_t limit,
                                     std::size_t per_artist, std::size_t* available,
                                     std::size_t* strict);

// "; high energy 0.83 (energetic)" for the mood, "; tempo 126 bpm" for feature ranges: why a
// track passed the conditions, for its `reason`.
std::string conditions_reason(const catalog::Track& track, const TrackConditions& conditions);

// An artist by id ("ar_..."), by name (case, accents, punctuation and a leading "The" ignored;
// aliases) or by a close misspelling; not_found lists the closest names.
common::Result<catalog::ArtistIndex, ToolError> find_artist(const understanding::Understanding& u,
                                                            const std::string& name);
// A track by id, "title by artist", "artist - title" or title (the most popular of that title),
// or a close misspelling of a title.
common::Result<catalog::TrackIndex, ToolError> find_track(const understanding::Understanding& u,
                                                          const std::string& text);

}  // namespace musicagent::tools
