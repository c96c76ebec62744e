#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "catalog/snapshot.hpp"

namespace musicagent::catalog {

// The one shape every tool gives a track in:
// {id, name, artists: [names], artist_ids, album, genres, popularity, explicit, duration_ms,
//  audio_features: {danceability, energy, valence, acousticness, instrumentalness,
//  speechiness, liveness, tempo_bpm, loudness_db}, reason}.
nlohmann::json track_json(const Snapshot& snapshot, const Track& track, std::string reason);

// {id, name, genres (up to 5), popularity: {max, mean}, track_count}.
nlohmann::json artist_summary_json(const Snapshot& snapshot, const Artist& artist);

}  // namespace musicagent::catalog
