#include "tools/similar_tracks_tool.hpp"

#include <cmath>
#include <optional>
#include <regex>

namespace musicagent::tools {
namespace {

constexpr double kMinimumTitleSimilarity = 0.3;  // pg_trgm: below this, titles are unrelated

struct Resolved {
  std::optional<std::string> track_id;
  nlohmann::json candidates = nlohmann::json::array();
};

// A track id, "title by artist", or a title; the most popular match wins.
Resolved resolve_track(pqxx::connection& connection, const std::string& text) {
  static const std::regex track_id(R"(^[0-9A-Za-z]{22}$)");
  pqxx::read_transaction tx(connection);
  if (std::regex_match(text, track_id)) {
    const auto rows =
        tx.exec_params("select track_id from marts.dim_tracks where track_id = $1", text);
    if (!rows.empty()) return {rows[0][0].as<std::string>(), {}};
  }
  std::string title = text, artist;
  if (const auto by = text.rfind(" by "); by != std::string::npos) {
    title = text.substr(0, by);
    artist = text.substr(by + 4);
  }
  const auto exact = tx.exec_params(
      "select track_id from marts.dim_tracks where lower(track_name) = lower($1) "
      "and ($2 = '' or exists (select 1 from unnest(artist_names) a where lower(a) = lower($2) "
      "or a ilike '%' || $2 || '%')) order by popularity desc, track_id limit 1",
      title, artist);
  if (!exact.empty()) return {exact[0][0].as<std::string>(), {}};
  Resolved resolved;
  const auto fuzzy = tx.exec_params(
      "select track_id, track_name, array_to_string(artist_names, ', '), similarity(track_name, "
      "$1) as s "
      "from marts.dim_tracks where track_name % $1 "
      "and ($2 = '' or array_to_string(artist_names, ' ') ilike '%' || $2 || '%') "
      "order by s desc, popularity desc, track_id limit 5",
      title, artist);
  for (const auto& row : fuzzy) {
    resolved.candidates.push_back({{"id", row[0].as<std::string>()},
                                   {"name", row[1].as<std::string>()},
                                   {"artists", row[2].as<std::string>()}});
  }
  if (!fuzzy.empty() && fuzzy[0][3].as<double>() >= kMinimumTitleSimilarity)
    resolved.track_id = fuzzy[0][0].as<std::string>();
  return resolved;
}

}  // namespace

SimilarTracksTool::SimilarTracksTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult SimilarTracksTool::invoke(const nlohmann::json& arguments) const {
  const auto text = arguments.at("track").get<std::string>();
  const auto limit = arguments.at("limit").get<std::size_t>();
  auto connection = services_.database->lease();
  const auto resolved = resolve_track(*connection, text);
  if (!resolved.track_id) {
    return ToolError{"not_found",
                     "no track matches '" + text + "'; try \"title by artist\" or a track id",
                     {{"candidates", resolved.candidates}}};
  }
  const rag::CatalogIndex* index = nullptr;
  try {
    index = &services_.index->get();
  } catch (const rag::IndexUnavailable& e) {
    return ToolError{"unavailable",
                     std::string("the audio-feature index is not available: ") + e.what()};
  }
  std::optional<std::vector<std::string>> restrict_to;
  if (arguments.at("same_genre").get<bool>()) {
    pqxx::read_transaction tx(*connection);
    std::vector<std::string> ids;
    for (const auto& row :
         tx.exec_params("select t.track_id from marts.dim_tracks t, marts.dim_tracks seed "
                        "where seed.track_id = $1 and t.genres && seed.genres",
                        *resolved.track_id)) {
      ids.push_back(row[0].as<std::string>());
    }
    restrict_to = std::move(ids);
  }
  const auto similar = index->similar_tracks(*resolved.track_id, limit, restrict_to);
  std::vector<std::string> ids;
  for (const auto& track : similar) ids.push_back(track.track_id);
  auto tracks = track_details(*connection, ids);
  for (std::size_t i = 0; i < tracks.size() && i < similar.size(); ++i) {
    tracks[i]["distance"] = std::round(similar[i].distance * 1000.0) / 1000.0;
  }
  auto seed = track_details(*connection, {*resolved.track_id});
  return nlohmann::json{{"track", seed.empty() ? nlohmann::json() : seed[0]},
                        {"same_genre", arguments.at("same_genre")},
                        {"tracks", tracks}};
}

}  // namespace musicagent::tools
