#include "tools/recommend_by_genre_tool.hpp"

#include <array>
#include <cstdio>
#include <optional>
#include <string_view>

#include "common/database.hpp"
#include "tools/genre_names.hpp"

namespace musicagent::tools {
namespace {

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// A mood is a condition on one audio feature, and that feature (or its complement, for low
// moods) is the mood's strength in the ranking. Keep in step with the schema's description.
struct Mood {
  std::string_view name;
  std::string_view feature;  // a column of marts.dim_tracks
  bool high;                 // feature >= threshold, else feature <= threshold
  double threshold;
};

constexpr std::array<Mood, 7> kMoods{{
    {"happy", "valence", true, 0.6},
    {"sad", "valence", false, 0.35},
    {"energetic", "energy", true, 0.7},
    {"calm", "energy", false, 0.4},
    {"danceable", "danceability", true, 0.7},
    {"acoustic", "acousticness", true, 0.6},
    {"instrumental", "instrumentalness", true, 0.5},
}};

// score = popularity / 100 without a mood; with one, 0.6 of that plus 0.4 of the strength.
constexpr double kPopularityWeight = 0.6;
constexpr double kMoodWeight = 0.4;
constexpr std::int64_t kMaxPerArtist = 2;

const Mood* find_mood(const nlohmann::json& arguments) {
  const auto it = arguments.find("mood");
  if (it == arguments.end() || !it->is_string()) return nullptr;
  for (const auto& mood : kMoods) {
    if (mood.name == it->get<std::string>()) return &mood;
  }
  return nullptr;
}

std::string recommendation_sql(const Mood* mood) {
  const std::string feature = mood ? "t." + std::string(mood->feature) : "";
  const std::string condition =
      mood ? feature + (mood->high ? " >= " : " <= ") + "$7::float8" : "$7::float8 is null";
  const std::string strength = !mood ? "0" : mood->high ? feature : "(1 - " + feature + ")";
  return R"(
with excluded as (
  select track_id, coalesce(artist_ids[1], track_id) as artist_key, lower(track_name) as title
  from marts.dim_tracks where track_id = any($2::text[])
),
candidates as (
  select t.track_id, coalesce(t.artist_ids[1], t.track_id) as artist_key,
         lower(coalesce(t.track_name, t.track_id)) as title,
         $8::float8 * t.popularity / 100.0 + $9::float8 * )" +
         strength + R"( as score
  from marts.dim_tracks t
  where t.genres @> array[$1::text]
    and ($3::int is null or t.popularity >= $3::int)
    and not ($4::bool and t.is_explicit)
    and )" +
         condition + R"(
    and not exists (
      select 1 from excluded e
      where e.track_id = t.track_id
         or (e.artist_key = coalesce(t.artist_ids[1], t.track_id) and e.title = lower(t.track_name)))
),
-- One version of each song: the catalogue lists some under several albums and track ids.
songs as (
  select distinct on (artist_key, title) * from candidates order by artist_key, title, score desc, track_id
),
capped as (
  select *, row_number() over (partition by artist_key order by score desc, track_id) as artist_rank
  from songs
)
select track_id, count(*) over () as available
from capped where artist_rank <= $5
order by score desc, track_id limit $6
)";
}

std::string popularity_word(std::int64_t popularity) {
  if (popularity >= 75) return "hit";
  if (popularity >= 50) return "popular";
  if (popularity >= 25) return "lesser-known";
  return "deep-cut";
}

std::string reason(const nlohmann::json& track, const std::string& genre, const Mood* mood) {
  const auto popularity = track.at("popularity").get<std::int64_t>();
  std::string text = popularity_word(popularity) + " " + genre + " track (popularity " +
                     std::to_string(popularity) + ")";
  if (mood) {
    char value[16];
    std::snprintf(value, sizeof value, "%.2f",
                  track.at("audio_features").at(std::string(mood->feature)).get<double>());
    text += "; " + std::string(mood->high ? "high " : "low ") + std::string(mood->feature) + " " +
            value + " (" + std::string(mood->name) + ")";
  }
  return text;
}

std::string filters_text(const nlohmann::json& arguments, const Mood* mood) {
  std::string text;
  if (mood) text += " that are " + std::string(mood->name);
  if (arguments.contains("min_popularity") && arguments["min_popularity"].is_number()) {
    text += " with popularity >= " + std::to_string(arguments["min_popularity"].get<int>());
  }
  if (arguments.value("exclude_explicit", false)) text += " without explicit lyrics";
  const auto excluded = arguments.value("exclude_track_ids", nlohmann::json::array()).size();
  if (excluded > 0) text += " besides the " + std::to_string(excluded) + " excluded";
  return text;
}

ToolError genre_error(const std::string& text, const GenreMiss& miss) {
  std::string names;
  for (const auto& genre : miss.candidates) names += (names.empty() ? "" : ", ") + genre;
  if (miss.ambiguous) {
    return ToolError{"ambiguous",
                     "'" + text + "' could be several genres: " + names +
                         ". Pick one (moods such as happy or calm go in `mood`).",
                     {{"candidates", miss.candidates}}};
  }
  return ToolError{"not_found",
                   "unknown genre '" + text + "'. Closest genres: " + names +
                       ". For a sound or style that is not a genre, use search_catalog.",
                   {{"suggestions", miss.candidates}}};
}

ToolResult recommend(common::ConnectionPool& database, const nlohmann::json& arguments) {
  const auto text = arguments.at("genre").get<std::string>();
  const auto limit = arguments.at("limit").get<std::int64_t>();
  const Mood* mood = find_mood(arguments);
  std::optional<std::int64_t> min_popularity;
  if (const auto it = arguments.find("min_popularity"); it != arguments.end() && it->is_number()) {
    min_popularity = it->get<std::int64_t>();
  }
  std::vector<std::string> excluded;
  for (const auto& id : arguments.value("exclude_track_ids", nlohmann::json::array())) {
    excluded.push_back(id.get<std::string>());
  }

  auto connection = database.lease();
  std::string genre, method;
  std::vector<std::string> track_ids;
  std::int64_t available = 0;
  {
    pqxx::read_transaction tx(*connection);
    std::vector<std::string> known;
    for (const auto& row : tx.exec("select genre from marts.dim_genres order by genre")) {
      known.push_back(row[0].as<std::string>());
    }
    const auto resolved = resolve_genre(text, known);
    if (!resolved) return genre_error(text, resolved.error());
    genre = resolved.value().genre;
    method = resolved.value().method;

    const common::NullableParam threshold =
        mood ? std::optional<std::string>(std::to_string(mood->threshold)) : std::nullopt;
    const common::NullableParam min_popularity_param = min_popularity;
    const auto rows = tx.exec_params(
        recommendation_sql(mood), genre, text_array_literal(excluded), min_popularity_param.get(),
        arguments.value("exclude_explicit", false), kMaxPerArtist, limit, threshold.get(),
        mood ? kPopularityWeight : 1.0, mood ? kMoodWeight : 0.0);
    for (const auto& row : rows) {
      track_ids.push_back(row["track_id"].as<std::string>());
      available = row["available"].as<std::int64_t>();
    }
  }

  // track_details opens its own transaction on the connection, so it runs after ours ends.
  auto tracks = track_details(*connection, track_ids);
  for (auto& track : tracks) track["reason"] = reason(track, genre, mood);

  nlohmann::json result = {{"genre", genre}, {"tracks", std::move(tracks)}};
  if (method != "exact") result["genre_match"] = {{"input", text}, {"method", method}};
  if (mood) result["mood"] = std::string(mood->name);
  if (static_cast<std::int64_t>(track_ids.size()) < limit) {
    result["note"] = "only " + std::to_string(available) + " " + genre + " tracks" +
                     filters_text(arguments, mood) +
                     " (counting one version of each song and at most " +
                     std::to_string(kMaxPerArtist) + " per artist)" +
                     (available == 0 ? "; loosen the filters or try another genre" : "");
  }
  return result;
}

}  // namespace

RecommendByGenreTool::RecommendByGenreTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult RecommendByGenreTool::invoke(const nlohmann::json& arguments) const {
  try {
    return recommend(*services_.database, arguments);
  } catch (const pqxx::undefined_table& e) {
    return ToolError{"unavailable", "the warehouse is not built yet (" + first_line(e.what()) +
                                        "); run `musicagent pipeline run`"};
  }
}

}  // namespace musicagent::tools
