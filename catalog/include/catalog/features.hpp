#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace musicagent::catalog {

// The numbers a track is described by: Spotify's audio features plus length and popularity.
// Constraints, moods and comparatives all speak of these.
enum class Feature {
  danceability,
  energy,
  valence,
  acousticness,
  instrumentalness,
  speechiness,
  liveness,
  tempo_bpm,
  loudness_db,
  duration_ms,
  popularity,
};

inline constexpr std::array<Feature, 11> kAllFeatures{
    Feature::danceability,     Feature::energy,      Feature::valence,   Feature::acousticness,
    Feature::instrumentalness, Feature::speechiness, Feature::liveness,  Feature::tempo_bpm,
    Feature::loudness_db,      Feature::duration_ms, Feature::popularity};

// The nine audio features, in the order of AudioFeatures' members.
inline constexpr std::size_t kAudioFeatureCount = 9;

// The column name in marts.dim_tracks and in tool results ("tempo_bpm", "duration_ms").
std::string_view feature_name(Feature feature);
std::optional<Feature> feature_from_name(std::string_view name);

// An inclusive range on one feature; either end may be open.
struct FeatureRange {
  Feature feature = Feature::energy;
  std::optional<double> min;
  std::optional<double> max;

  bool admits(double value) const { return (!min || value >= *min) && (!max || value <= *max); }
};

}  // namespace musicagent::catalog
