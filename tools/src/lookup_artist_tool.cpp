#include "tools/lookup_artist_tool.hpp"

#include <cctype>
#include <vector>

#include "common/logging.hpp"
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
              // Live Spotify data, filled in by invoke() when Spotify is configured.
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

constexpr int kSpotifySearchLimit = 5;
constexpr int kSpotifyAlbumsShown = 20;
constexpr std::size_t kLastfmTagsShown = 5;

// Lower-case letters and digits only, without a leading "the": enough to tell the searched
// artist among Spotify's search results.
std::string name_key(const std::string& name) {
  std::string key;
  for (const char c : name)
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80)
      key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (key.starts_with("the") && key.size() > 3 && name.size() > 4 &&
      std::tolower(static_cast<unsigned char>(name[3])) == ' ')
    key.erase(0, 3);
  return key;
}

nlohmann::json error_note(const std::string& message) {
  return {{"error", message}};
}

// Followers, images, current genres and popularity and the albums of the Spotify artist
// named `name`, or {"error": ...} when Spotify cannot say.
nlohmann::json spotify_profile(pipeline::SpotifyClient& spotify, const std::string& name) {
  const auto found = spotify.search_artists(name, kSpotifySearchLimit);
  if (!found) return error_note(found.error().message);
  const auto items = found.value().contains("artists")
                         ? found.value()["artists"].value("items", nlohmann::json::array())
                         : nlohmann::json::array();
  if (items.empty()) return error_note("Spotify found no artist named " + name);
  const nlohmann::json* chosen = &items[0];
  for (const auto& item : items) {
    if (item.is_object() && name_key(item.value("name", "")) == name_key(name)) {
      chosen = &item;
      break;
    }
  }
  const auto id = chosen->value("id", "");
  if (id.empty()) return error_note("Spotify's search result has no artist id");

  const auto artist = spotify.artist(id);
  if (!artist) return error_note(artist.error().message);
  const auto& a = artist.value();
  nlohmann::json images = nlohmann::json::array();
  for (const auto& image : a.value("images", nlohmann::json::array())) {
    images.push_back({{"url", image.value("url", "")},
                      {"width", image.value("width", nlohmann::json())},
                      {"height", image.value("height", nlohmann::json())}});
  }
  nlohmann::json profile = {
      {"id", a.value("id", id)},
      {"name", a.value("name", "")},
      {"url", a.contains("external_urls") ? a["external_urls"].value("spotify", "") : ""},
      {"followers", a.contains("followers") && a["followers"].is_object()
                        ? a["followers"].value("total", nlohmann::json())
                        : nlohmann::json()},
      {"popularity", a.value("popularity", nlohmann::json())},
      {"genres", a.value("genres", nlohmann::json::array())},
      {"images", std::move(images)}};

  const auto albums = spotify.artist_albums(id, kSpotifyAlbumsShown);
  if (!albums) {
    profile["albums"] = nullptr;
    profile["albums_error"] = albums.error().message;
    return profile;
  }
  nlohmann::json album_list = nlohmann::json::array();
  for (const auto& album : albums.value().value("items", nlohmann::json::array())) {
    album_list.push_back({{"id", album.value("id", "")},
                          {"name", album.value("name", "")},
                          {"type", album.value("album_type", "")},
                          {"release_date", album.value("release_date", "")},
                          {"total_tracks", album.value("total_tracks", nlohmann::json())}});
  }
  profile["albums"] = std::move(album_list);
  profile["album_total"] = albums.value().value("total", nlohmann::json());
  return profile;
}

// Listeners, plays and top tags from Last.fm's artist.getInfo, for artists the warehouse's
// 2011 Last.fm data does not know.
nlohmann::json lastfm_profile(pipeline::LastfmClient& lastfm, const std::string& name) {
  const auto info = lastfm.artist_info(name);
  if (!info) return error_note(info.error().message);
  const auto artist = info.value().value("artist", nlohmann::json::object());
  const auto stats = artist.value("stats", nlohmann::json::object());
  auto number = [](const nlohmann::json& value) -> nlohmann::json {
    if (value.is_number()) return value;
    if (value.is_string()) {
      try {
        return std::stoll(value.get<std::string>());
      } catch (const std::exception&) {
      }
    }
    return nullptr;
  };
  nlohmann::json tags = nlohmann::json::array();
  const auto tag_list = artist.contains("tags") && artist["tags"].is_object()
                            ? artist["tags"].value("tag", nlohmann::json::array())
                            : nlohmann::json::array();
  for (const auto& tag : tag_list.is_array() ? tag_list : nlohmann::json::array({tag_list})) {
    if (tags.size() < kLastfmTagsShown && tag.is_object()) tags.push_back(tag.value("name", ""));
  }
  return {{"name", artist.value("name", name)},
          {"listeners", number(stats.value("listeners", nlohmann::json()))},
          {"plays", number(stats.value("playcount", nlohmann::json()))},
          {"top_tags", std::move(tags)},
          {"source", "lastfm_api"}};
}

}  // namespace

LookupArtistTool::LookupArtistTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult LookupArtistTool::invoke(const nlohmann::json& arguments) const {
  try {
    auto result = look_up(*services_.database, arguments);
    if (!result) return result;
    auto& found = result.value();
    const auto name = found.value("name", "");
    // Live sources add to the warehouse's answer; their failure is a note, never the tool's.
    if (services_.spotify) {
      try {
        found["spotify"] = spotify_profile(*services_.spotify, name);
      } catch (const std::exception& e) {
        found["spotify"] = error_note(std::string("Spotify lookup failed: ") + e.what());
      }
      if (found["spotify"].contains("error")) {
        common::logger("tools")->warn("lookup_artist: Spotify: {}",
                                      found["spotify"]["error"].get<std::string>());
      }
    }
    if (services_.lastfm && found["lastfm"].is_null()) {
      try {
        found["lastfm"] = lastfm_profile(*services_.lastfm, name);
      } catch (const std::exception& e) {
        found["lastfm"] = error_note(std::string("Last.fm lookup failed: ") + e.what());
      }
    }
    return result;
  } catch (const pqxx::undefined_table& e) {
    return ToolError{"unavailable", "the warehouse is not built yet (" + first_line(e.what()) +
                                        "); run `musicagent pipeline run`"};
  }
}

}  // namespace musicagent::tools
