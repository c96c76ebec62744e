#include "tools/similar_tracks_tool.hpp"

#include <cmath>
#include <optional>

#include "catalog/track_json.hpp"
#include "tools/track_conditions.hpp"

namespace musicagent::tools {
namespace {

// Neighbours fetched per wanted track when conditions may reject some: enough that a mood or a
// genre exclusion still leaves a full list.
constexpr std::size_t kOverFetch = 8;
constexpr std::size_t kMaxFetch = 2000;

}  // namespace

SimilarTracksTool::SimilarTracksTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult SimilarTracksTool::invoke(const nlohmann::json& arguments) const {
  const auto understood = services_.understood();
  if (!understood) return understood.error();
  const auto& u = *understood.value();
  const auto& snapshot = *u.snapshot;
  const auto text = arguments.at("track").get<std::string>();
  const auto limit = arguments.at("limit").get<std::size_t>();
  const bool same_genre = arguments.at("same_genre").get<bool>();

  const auto found = find_track(u, text);
  if (!found) return found.error();
  const auto& seed = snapshot.tracks()[found.value()];
  auto conditions_read = read_conditions(arguments, u);
  if (!conditions_read) return conditions_read.error();
  auto conditions = conditions_read.value();
  conditions.exclude_songs.insert(song_key(snapshot, seed));  // not the seed again, in any version

  const rag::CatalogIndex* index = nullptr;
  try {
    index = &services_.index->get();
  } catch (const rag::IndexUnavailable& e) {
    return ToolError{"unavailable", std::string("the audio-feature index is not available: ") + e.what()};
  }
  std::optional<std::vector<std::string>> restrict_to;
  if (same_genre) {
    std::vector<std::string> ids;
    for (const auto& track : snapshot.tracks()) {
      if (std::any_of(track.genres.begin(), track.genres.end(), [&](auto g) {
            return std::find(seed.genres.begin(), seed.genres.end(), g) != seed.genres.end();
          }))
        ids.push_back(track.id);
    }
    restrict_to = std::move(ids);
  }
  const std::size_t fetch = std::min(kMaxFetch, conditions.any() ? limit * kOverFetch + 20 : limit + 10);
  nlohmann::json tracks = nlohmann::json::array();
  std::set<std::pair<std::string, std::string>> songs;
  for (const auto& neighbour : index->similar_tracks(seed.id, fetch, restrict_to)) {
    if (tracks.size() >= limit) break;
    const auto t = snapshot.find_track(neighbour.track_id);
    if (!t || !conditions.admits(snapshot, *t)) continue;
    const auto& track = snapshot.tracks()[*t];
    if (!songs.insert(song_key(snapshot, track)).second) continue;
    char distance[32];
    std::snprintf(distance, sizeof distance, "%.2f", neighbour.distance);
    auto item = catalog::track_json(snapshot, track,
                                    std::string("sounds like ") + seed.name + " (audio-feature distance " + distance +
                                        ")" + conditions_reason(track, conditions));
    item["distance"] = std::round(neighbour.distance * 1000.0) / 1000.0;
    tracks.push_back(std::move(item));
  }
  nlohmann::json result{{"track", catalog::track_json(snapshot, seed, "the seed")},
                        {"same_genre", same_genre},
                        {"tracks", std::move(tracks)}};
  if (conditions.mood != nullptr) result["mood"] = conditions.mood->name;
  if (result["tracks"].size() < limit) {
    result["note"] = "only " + std::to_string(result["tracks"].size()) + " close tracks" + conditions.describe();
  }
  return result;
}

}  // namespace musicagent::tools
