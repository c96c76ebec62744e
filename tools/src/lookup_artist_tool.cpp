#include "tools/lookup_artist_tool.hpp"

#include <vector>

#include "tools/artist_resolver.hpp"
#include "tools/similar_artists_tool.hpp"

namespace musicagent::tools {
namespace {

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

constexpr std::size_t kSimilarShown = 5;
constexpr int kAlbumsShown = 20;

nlohmann::json json_or_null(const pqxx::field& field) {
  return field.is_null() ? nlohmann::json() : nlohmann::json::parse(field.c_str());
}

ToolResult look_up(common::ConnectionPool& database, const nlohmann::json& arguments) {
  const auto text = arguments.at("name").get<std::string>();
  const auto tracks_limit = arguments.at("tracks_limit").get<int>();
  auto connection = database.lease();

  nlohmann::json result;
  std::vector<std::string> top_track_ids;
  {
    pqxx::read_transaction tx(*connection);
    const auto resolved = resolve_artist(tx, text);
    if (!resolved) return resolved.error();
    const auto& artist = resolved.value().artist;

    const auto profile = tx.exec_params1(
        "select array_to_json(genres)::text as genres, track_count, "
        "  json_build_object('mean', popularity_mean, 'max', popularity_max)::text as popularity, "
        "  json_build_object('danceability', danceability, 'energy', energy, 'valence', valence, "
        "    'acousticness', acousticness, 'instrumentalness', instrumentalness, "
        "    'speechiness', speechiness, 'liveness', liveness, 'tempo_bpm', tempo_bpm, "
        "    'loudness_db', loudness_db, 'explicit_share', explicit_share)::text as features, "
        "  case when lastfm_artist_id is null then null else json_build_object("
        "    'name', lastfm_artist_name, 'listeners', lastfm_listeners, 'plays', lastfm_plays, "
        "    'top_tags', lastfm_top_tags, 'name_match', lastfm_match_method)::text end as lastfm "
        "from marts.dim_artists where artist_id = $1",
        artist.artist_id);

    // One version of each song (the catalogue lists some under several albums), most popular first.
    for (const auto& row : tx.exec_params(
             "select track_id from ("
             "  select distinct on (lower(coalesce(t.track_name, t.track_id))) t.track_id, "
             "t.popularity "
             "  from marts.bridge_track_artists b join marts.dim_tracks t using (track_id) "
             "  where b.artist_id = $1 "
             "  order by lower(coalesce(t.track_name, t.track_id)), t.popularity desc, t.track_id) "
             "songs "
             "order by popularity desc, track_id limit $2",
             artist.artist_id, tracks_limit)) {
      top_track_ids.push_back(row[0].as<std::string>());
    }

    nlohmann::json albums = nlohmann::json::array();
    std::int64_t album_count = 0;
    for (const auto& row : tx.exec_params(
             "select coalesce(t.album_name, '(unknown album)') as album, count(distinct "
             "t.track_id) as tracks, "
             "  count(*) over () as albums "
             "from marts.bridge_track_artists b join marts.dim_tracks t using (track_id) "
             "where b.artist_id = $1 group by 1 order by tracks desc, album limit $2",
             artist.artist_id, kAlbumsShown)) {
      albums.push_back({{"name", row["album"].as<std::string>()},
                        {"track_count", row["tracks"].as<std::int64_t>()}});
      album_count = row["albums"].as<std::int64_t>();
    }

    const auto similar = find_similar_artists(tx, artist.artist_id, kSimilarShown);

    result = {{"artist_id", artist.artist_id},
              {"name", artist.name},
              {"matched", resolved.value().matched},
              {"genres", json_or_null(profile["genres"])},
              {"track_count", profile["track_count"].as<std::int64_t>()},
              {"popularity", json_or_null(profile["popularity"])},
              {"features", json_or_null(profile["features"])},
              {"albums", std::move(albums)},
              {"album_count", album_count},
              {"lastfm", json_or_null(profile["lastfm"])},
              {"similar_artists", {{"method", similar.method}, {"artists", similar.artists}}},
              // Live Spotify data (images, followers, current popularity) is a later addition:
              // it will fill this field when SPOTIFY_CLIENT_ID is configured.
              {"spotify", nullptr}};
    if (resolved.value().matched == "fuzzy") {
      result["query"] = text;
      result["match_score"] = artist.to_json().value("score", 1.0);
    }
    if (!resolved.value().also_matched.empty()) {
      nlohmann::json others = nlohmann::json::array();
      for (const auto& other : resolved.value().also_matched) others.push_back(other.to_json());
      result["also_matched"] = std::move(others);
    }
    if (!similar.note.empty()) result["similar_artists"]["note"] = similar.note;
  }
  // track_details opens its own transaction on the connection, so it runs after ours ends.
  result["top_tracks"] = track_details(*connection, top_track_ids);
  return result;
}

}  // namespace

LookupArtistTool::LookupArtistTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult LookupArtistTool::invoke(const nlohmann::json& arguments) const {
  try {
    return look_up(*services_.database, arguments);
  } catch (const pqxx::undefined_table& e) {
    return ToolError{"unavailable", "the warehouse is not built yet (" + first_line(e.what()) +
                                        "); run `musicagent pipeline run`"};
  }
}

}  // namespace musicagent::tools
