#include "tools/similar_artists_tool.hpp"

#include "tools/artist_resolver.hpp"

namespace musicagent::tools {
namespace {

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

constexpr std::int64_t kMinSharedListeners = 2;  // one shared listener is no evidence
constexpr double kMinCoListeningScore = 0.05;    // a best match below this is too weak
constexpr double kListenerShrinkage = 5.0;       // score *= shared / (shared + this)
constexpr double kTagShrinkage = 2.0;
constexpr double kTempoScaleBpm = 200.0;
constexpr double kLoudnessScaleDb = 30.0;
constexpr double kFeatureDimensions = 9.0;  // distance / sqrt(9) is within 0..1
constexpr int kGenresShown = 5;

// The columns every method ends with, from dim_artists `a` and a ranked set `s`.
constexpr const char* kArtistColumns =
    "s.artist_id, a.artist_name, round(s.score::numeric, 4)::float8 as score, "
    "array_to_json(a.genres[1:5])::text as genres, a.popularity_mean, a.popularity_max";

constexpr const char* kCoListening = R"(
with seed as (
  select user_id, sqrt(sum(ln(1 + plays::float8) ^ 2)) as w
  from marts.fct_listens where artist_id = $1 group by user_id
),
co as (
  select f.artist_id, f.user_id, sqrt(sum(ln(1 + f.plays::float8) ^ 2)) as w
  from marts.fct_listens f
  where f.user_id in (select user_id from seed) and f.artist_id is not null and f.artist_id <> $1
  group by f.artist_id, f.user_id
),
pairs as (
  select c.artist_id, sum(c.w * seed.w) as dot, count(*) as shared
  from co c join seed using (user_id)
  group by c.artist_id having count(*) >= $3::int8
),
norms as (
  select artist_id, sqrt(sum(ln(1 + plays::float8) ^ 2)) as norm
  from marts.fct_listens where artist_id = any(array(select artist_id from pairs))
  group by artist_id
),
s as (
  select p.artist_id, p.shared,
         p.dot / (n.norm * (select sqrt(sum(w * w)) from seed)) * p.shared / (p.shared + $4::float8) as score
  from pairs p join norms n using (artist_id)
  order by score desc, p.artist_id limit $2
)
select {columns}, s.shared from s join marts.dim_artists a using (artist_id)
order by s.score desc, s.artist_id
)";

constexpr const char* kTags = R"(
with tagged as (
  select artist_id, tag_id, min(tag) as tag, sum(tag_count)::float8 as n
  from marts.artist_tags where artist_id is not null group by artist_id, tag_id
),
df as (select tag_id, count(*)::float8 as artists from tagged group by tag_id),
total as (select count(*)::float8 as artists from (select artist_id from tagged group by artist_id) x),
weights as (
  select t.artist_id, t.tag_id, t.tag, ln(1 + t.n) * ln(1 + total.artists / df.artists) as w
  from tagged t join df using (tag_id), total
),
seed as (select tag_id, w from weights where artist_id = $1),
shared as (
  select w.artist_id, sum(w.w * seed.w) as dot, count(*) as shared,
         array_agg(w.tag order by w.w * seed.w desc, w.tag) as tags
  from weights w join seed using (tag_id) where w.artist_id <> $1 group by w.artist_id
),
norms as (
  select artist_id, sqrt(sum(w * w)) as norm from weights
  where artist_id in (select artist_id from shared) group by artist_id
),
s as (
  select sh.artist_id, sh.tags[1:5] as tags,
         sh.dot / (n.norm * (select sqrt(sum(w * w)) from seed)) * sh.shared / (sh.shared + $3::float8) as score
  from shared sh join norms n using (artist_id)
  order by score desc, sh.artist_id limit $2
)
select {columns}, array_to_json(s.tags)::text as shared from s join marts.dim_artists a using (artist_id)
order by s.score desc, s.artist_id
)";

constexpr const char* kAudioFeatures = R"(
with seed as (select * from marts.dim_artists where artist_id = $1),
s as (
  select a.artist_id,
         1 - sqrt(power(a.danceability - seed.danceability, 2) + power(a.energy - seed.energy, 2)
                  + power(a.valence - seed.valence, 2) + power(a.acousticness - seed.acousticness, 2)
                  + power(a.instrumentalness - seed.instrumentalness, 2)
                  + power(a.speechiness - seed.speechiness, 2) + power(a.liveness - seed.liveness, 2)
                  + power((a.tempo_bpm - seed.tempo_bpm) / $3::float8, 2)
                  + power((a.loudness_db - seed.loudness_db) / $4::float8, 2)) / sqrt($5::float8) as score,
         array(select g from unnest(a.genres) g where g = any(seed.genres)) as genres_shared
  from marts.dim_artists a, seed
  where a.artist_id <> seed.artist_id and a.genres && seed.genres
)
select {columns}, array_to_json(s.genres_shared)::text as shared
from s join marts.dim_artists a using (artist_id)
where s.score is not null
order by s.score desc, a.popularity_max desc nulls last, s.artist_id limit $2
)";

std::string with_columns(std::string sql) {
  const std::string marker = "{columns}";
  sql.replace(sql.find(marker), marker.size(), kArtistColumns);
  return sql;
}

nlohmann::json nullable(const pqxx::field& field) {
  if (field.is_null()) return nullptr;
  return field.as<double>();
}

nlohmann::json nullable_int(const pqxx::field& field) {
  if (field.is_null()) return nullptr;
  return field.as<std::int64_t>();
}

nlohmann::json artists_json(const pqxx::result& rows, const std::string& shared_key) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json shared = shared_key == "shared_listeners"
                                ? nlohmann::json(row["shared"].as<std::int64_t>())
                                : nlohmann::json::parse(row["shared"].c_str());
    list.push_back(
        {{"artist_id", row["artist_id"].as<std::string>()},
         {"name", row["artist_name"].as<std::string>()},
         {"score", row["score"].as<double>()},
         {shared_key, std::move(shared)},
         {"genres", nlohmann::json::parse(row["genres"].is_null() ? "[]" : row["genres"].c_str())},
         {"popularity",
          {{"mean", nullable(row["popularity_mean"])},
           {"max", nullable_int(row["popularity_max"])}}}});
  }
  return list;
}

}  // namespace

SimilarArtists find_similar_artists(pqxx::transaction_base& tx, const std::string& artist_id,
                                    std::size_t limit) {
  const auto limit_param = static_cast<std::int64_t>(limit);
  SimilarArtists found;
  const auto listeners =
      tx.exec_params1("select count(distinct user_id) from marts.fct_listens where artist_id = $1",
                      artist_id)[0]
          .as<std::int64_t>();
  if (listeners > 0) {
    const auto rows = tx.exec_params(with_columns(kCoListening), artist_id, limit_param,
                                     kMinSharedListeners, kListenerShrinkage);
    if (!rows.empty() && rows[0]["score"].as<double>() >= kMinCoListeningScore) {
      found.method = "co-listening";
      found.artists = artists_json(rows, "shared_listeners");
      return found;
    }
    found.note = rows.empty()
                     ? "no other artist shares at least " + std::to_string(kMinSharedListeners) +
                           " of the artist's " + std::to_string(listeners) + " Last.fm listeners; "
                     : "co-listening evidence is too weak (best score " +
                           rows[0]["score"].as<std::string>() + " from " +
                           std::to_string(listeners) + " Last.fm listeners); ";
  } else {
    found.note = "no Last.fm listening data for this artist; ";
  }

  const bool tagged =
      tx.exec_params1("select exists (select 1 from marts.artist_tags where artist_id = $1)",
                      artist_id)[0]
          .as<bool>();
  const auto tags = tagged
                        ? tx.exec_params(with_columns(kTags), artist_id, limit_param, kTagShrinkage)
                        : pqxx::result();
  if (!tags.empty()) {
    found.method = "tags";
    found.artists = artists_json(tags, "shared_tags");
    found.note += "used Last.fm tags instead";
    return found;
  }
  found.note += tagged ? "no Last.fm tags shared with other artists; " : "no Last.fm tags; ";

  const auto audio = tx.exec_params(with_columns(kAudioFeatures), artist_id, limit_param,
                                    kTempoScaleBpm, kLoudnessScaleDb, kFeatureDimensions);
  found.method = "audio-features";
  found.artists = artists_json(audio, "shared_genres");
  found.note += audio.empty()
                    ? "and no other artist shares a genre with this one"
                    : "used the closeness of mean audio features among artists sharing a genre";
  return found;
}

namespace {

ToolResult find_similar(common::ConnectionPool& database, const nlohmann::json& arguments) {
  const auto text = arguments.at("artist").get<std::string>();
  const auto limit = arguments.at("limit").get<std::size_t>();
  auto connection = database.lease();
  pqxx::read_transaction tx(*connection);
  const auto resolved = resolve_artist(tx, text);
  if (!resolved) return resolved.error();
  const auto& artist = resolved.value().artist;

  const auto seed = tx.exec_params1(
      "select array_to_json(genres[1:$2::int])::text as genres, popularity_mean, popularity_max, "
      "lastfm_listeners "
      "from marts.dim_artists where artist_id = $1",
      artist.artist_id, kGenresShown);
  nlohmann::json seed_json = {
      {"artist_id", artist.artist_id},
      {"name", artist.name},
      {"matched", resolved.value().matched},
      {"genres", nlohmann::json::parse(seed["genres"].is_null() ? "[]" : seed["genres"].c_str())},
      {"popularity",
       {{"mean", nullable(seed["popularity_mean"])},
        {"max", nullable_int(seed["popularity_max"])}}},
      {"lastfm_listeners", nullable_int(seed["lastfm_listeners"])}};
  if (resolved.value().matched == "fuzzy") {
    seed_json["query"] = text;
    seed_json["match_score"] = artist.to_json().value("score", 1.0);
  }

  auto similar = find_similar_artists(tx, artist.artist_id, limit);
  nlohmann::json result = {
      {"artist", std::move(seed_json)}, {"method", similar.method}, {"similar", similar.artists}};
  if (!similar.note.empty()) result["note"] = similar.note;
  return result;
}

}  // namespace

SimilarArtistsTool::SimilarArtistsTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult SimilarArtistsTool::invoke(const nlohmann::json& arguments) const {
  try {
    return find_similar(*services_.database, arguments);
  } catch (const pqxx::undefined_table& e) {
    return ToolError{"unavailable", "the warehouse is not built yet (" + first_line(e.what()) +
                                        "); run `musicagent pipeline run`"};
  }
}

}  // namespace musicagent::tools
