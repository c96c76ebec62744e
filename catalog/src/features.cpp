#include "catalog/features.hpp"

namespace musicagent::catalog {

std::string_view feature_name(Feature feature) {
  switch (feature) {
    case Feature::danceability:
      return "danceability";
    case Feature::energy:
      return "energy";
    case Feature::valence:
      return "valence";
    case Feature::acousticness:
      return "acousticness";
    case Feature::instrumentalness:
      return "instrumentalness";
    case Feature::speechiness:
      return "speechiness";
    case Feature::liveness:
      return "liveness";
    case Feature::tempo_bpm:
      return "tempo_bpm";
    case Feature::loudness_db:
      return "loudness_db";
    case Feature::duration_ms:
      return "duration_ms";
    case Feature::popularity:
      return "popularity";
  }
  return "energy";
}

std::optional<Feature> feature_from_name(std::string_view name) {
  for (const Feature feature : kAllFeatures) {
    if (feature_name(feature) == name) return feature;
  }
  return std::nullopt;
}

}  // namespace musicagent::catalog
