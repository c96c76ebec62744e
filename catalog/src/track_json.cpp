#include "catalog/track_json.hpp"

#include <cmath>

namespace musicagent::catalog {
namespace {

// Features are stored as float: rounding keeps results readable and stable across runs.
double rounded(double value, double scale) {
  return std::round(value * scale) / scale;
}

constexpr std::size_t kArtistGenresShown = 5;

}  // namespace

nlohmann::json track_json(const Snapshot& snapshot, const Track& track, std::string reason) {
  nlohmann::json artists = nlohmann::json::array();
  nlohmann::json artist_ids = nlohmann::json::array();
  for (const auto a : track.artists) {
    artists.push_back(snapshot.artists()[a].name);
    artist_ids.push_back(snapshot.artists()[a].id);
  }
  nlohmann::json genres = nlohmann::json::array();
  for (const auto g : track.genres) genres.push_back(snapshot.genres()[g].name);
  nlohmann::json features = nlohmann::json::object();
  for (std::size_t f = 0; f < kAudioFeatureCount; ++f) {
    const auto feature = static_cast<Feature>(f);
    const double scale =
        feature == Feature::tempo_bpm || feature == Feature::loudness_db ? 10 : 1000;
    features[std::string(feature_name(feature))] = rounded(track.audio[f], scale);
  }
  return {{"id", track.id},
          {"name", track.name},
          {"artists", std::move(artists)},
          {"artist_ids", std::move(artist_ids)},
          {"album", track.album},
          {"genres", std::move(genres)},
          {"popularity", track.popularity},
          {"explicit", track.is_explicit},
          {"duration_ms", track.duration_ms},
          {"audio_features", std::move(features)},
          {"reason", std::move(reason)}};
}

nlohmann::json artist_summary_json(const Snapshot& snapshot, const Artist& artist) {
  nlohmann::json genres = nlohmann::json::array();
  for (std::size_t i = 0; i < artist.genres.size() && i < kArtistGenresShown; ++i)
    genres.push_back(snapshot.genres()[artist.genres[i]].name);
  return {{"id", artist.id},
          {"name", artist.name},
          {"genres", std::move(genres)},
          {"popularity", {{"max", artist.popularity_max}, {"mean", artist.popularity_mean}}},
          {"track_count", artist.track_count}};
}

}  // namespace musicagent::catalog
