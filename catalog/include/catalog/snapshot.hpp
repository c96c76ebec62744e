#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/features.hpp"

namespace musicagent::catalog {

// Thrown when the marts cannot be read (not built yet, no database); the message says what to run.
class CatalogUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using TrackIndex = std::uint32_t;
using ArtistIndex = std::uint32_t;
using GenreIndex = std::uint16_t;

struct Track {
  std::string id;
  std::string name;
  std::string album;
  std::vector<ArtistIndex> artists;  // in credit order
  std::vector<GenreIndex> genres;    // alphabetical, as in dim_tracks
  int popularity = 0;
  bool is_explicit = false;
  std::int64_t duration_ms = 0;
  std::array<float, kAudioFeatureCount> audio{};  // danceability .. loudness_db, Feature order

  double value(Feature feature) const;
};

struct Artist {
  std::string id;
  std::string name;
  std::vector<GenreIndex> genres;  // the genre of most of their tracks first
  std::vector<TrackIndex> tracks;  // one version of each song, most popular first
  int track_count = 0;             // as dim_artists counts them (every version)
  int popularity_max = 0;
  double popularity_mean = 0;
  std::vector<std::string> tags;  // Last.fm top tags, strongest first
  std::string lastfm_name;        // the Last.fm name matched to this artist, if any
  std::int64_t lastfm_listeners = 0;
};

struct Genre {
  std::string name;                // as in dim_genres: "hip-hop", "r-n-b"
  std::vector<TrackIndex> tracks;  // most popular first
};

// A Last.fm (HetRec) artist with listeners that no catalogue artist matched: known by name,
// not playable from the catalogue.
struct ListenedArtist {
  std::string name;
  std::int64_t listeners = 0;
};

// Mean and standard deviation of a feature over all tracks.
struct FeatureStats {
  double mean = 0;
  double sd = 1;
};

// The marts in memory: every track, artist and genre, read in one go and never changed
// afterwards, so any number of threads read it without locks. A refresh builds a new
// snapshot and swaps the pointer (CatalogProvider).
class Snapshot {
 public:
  // marts.dim_tracks, dim_artists, dim_genres and the unmatched names of fct_listens.
  // Throws CatalogUnavailable when the marts are missing.
  static std::shared_ptr<const Snapshot> load(pqxx::connection& connection);
  // {"genres": [...], "artists": [{id, name, genres?, tags?, listeners?}],
  //  "tracks": [{id, name, album?, artists: [artist ids], genres, popularity, explicit?,
  //  duration_ms?, audio_features?: {...}}], "listened_artists"?: [{name, listeners}]}:
  // a small catalogue for tests and examples.
  static std::shared_ptr<const Snapshot> from_json(const nlohmann::json& data);

  const std::vector<Track>& tracks() const { return tracks_; }
  const std::vector<Artist>& artists() const { return artists_; }
  const std::vector<Genre>& genres() const { return genres_; }
  const std::vector<ListenedArtist>& listened_artists() const { return listened_; }
  std::vector<std::string> genre_names() const;

  std::optional<TrackIndex> find_track(std::string_view id) const;
  std::optional<ArtistIndex> find_artist(std::string_view id) const;
  std::optional<GenreIndex> find_genre(std::string_view name) const;

  const FeatureStats& stats(Feature feature) const {
    return stats_[static_cast<std::size_t>(feature)];
  }

  // Bytes held, estimated from the containers' sizes (strings and vectors included).
  std::size_t memory_bytes() const;

 private:
  // Only load() and from_json() make snapshots (std::make_shared needs a public constructor).
  struct Key {
    explicit Key() = default;
  };

 public:
  explicit Snapshot(Key) {}

 private:
  void finish();  // indexes, per-artist and per-genre track lists, feature statistics

  std::vector<Track> tracks_;
  std::vector<Artist> artists_;
  std::vector<Genre> genres_;
  std::vector<ListenedArtist> listened_;
  std::unordered_map<std::string, TrackIndex> track_of_id_;
  std::unordered_map<std::string, ArtistIndex> artist_of_id_;
  std::unordered_map<std::string, GenreIndex> genre_of_name_;
  std::array<FeatureStats, kAllFeatures.size()> stats_{};
};

}  // namespace musicagent::catalog
