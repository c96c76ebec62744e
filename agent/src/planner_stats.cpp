#include "agent/planner.hpp"
#include "common/text.hpp"

namespace musicagent::agent {
namespace {

using catalog::Feature;
using understanding::Cue;
using understanding::Request;

std::string sql_literal(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// The feature a request ranks by and which end is "more": a mood or feature word ("danceable",
// "sad", "long"), else a feature noun ("tempo").
struct Ranking {
  Feature feature;
  bool high;  // the word means a high value of the feature
};

std::optional<Ranking> ranking_of(const Request& r, const understanding::QueryParser& parser) {
  for (const auto& m : r.moods) {
    const auto* mood = parser.moods().find(m.mood);
    if (mood == nullptr || mood->conditions.empty()) continue;
    const auto& first = mood->conditions.front().range;
    return Ranking{first.feature, first.min.has_value()};
  }
  for (const auto& t : r.thresholds) return Ranking{t.range.feature, t.range.min.has_value()};
  if (!r.feature_nouns.empty()) return Ranking{r.feature_nouns.front(), true};
  return std::nullopt;
}

bool mentions(std::string_view text, std::initializer_list<std::string_view> words) {
  for (const auto w : words) {
    if (text.find(w) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> stats_sql(const Request& r, const understanding::QueryParser& parser) {
  const auto genres = r.genre_names(false);
  const std::optional<std::string> genre =
      genres.empty() ? std::nullopt : std::optional(genres.front());
  const std::string lowered = common::ascii_lower(r.text);
  const bool about_genres = mentions(lowered, {"genre"});
  const bool about_artists = r.wants_artists;

  if (r.aspect == understanding::Aspect::count || r.has(Cue::aspect_count)) {
    if (about_genres && !genre) return "select count(*) as genres from marts.dim_genres";
    std::string sql = about_artists ? "select count(*) as artists from marts.dim_artists"
                                    : "select count(*) as tracks from marts.dim_tracks";
    if (genre) sql += " where " + sql_literal(*genre) + " = any(genres)";
    return sql;
  }

  const auto ranking = ranking_of(r, parser);
  const bool average = mentions(lowered, {"average", "mean", "typical", "avg", "moyenne",
                                          "promedio", "durchschnitt", "media"});
  if (average && ranking) {
    const std::string column = "avg_" + std::string(catalog::feature_name(ranking->feature));
    std::string sql =
        "select genre, round(" + column + "::numeric, 3) as " + column + " from marts.dim_genres";
    if (genre) return sql + " where genre = " + sql_literal(*genre);
    return sql + " order by " + column + " desc limit 10";
  }

  if (r.superlative != 0) {
    if (about_genres) {
      if (!ranking) {  // "the biggest genres", "most common genres"
        return std::string(
                   "select genre, track_count, artist_count from marts.dim_genres order by "
                   "track_count ") +
               (r.superlative > 0 ? "desc" : "asc") + " limit 10";
      }
      const std::string column = "avg_" + std::string(catalog::feature_name(ranking->feature));
      const bool descending = (r.superlative > 0) == ranking->high;
      return "select genre, round(" + column + "::numeric, 3) as " + column +
             ", track_count from marts.dim_genres order by " + column +
             (descending ? " desc" : " asc") + " limit 10";
    }
    const auto by = ranking ? *ranking : Ranking{Feature::popularity, true};
    const bool descending = (r.superlative > 0) == by.high;
    std::string sql =
        "select track_name, artist_names, popularity, round(tempo_bpm::numeric) as tempo_bpm, "
        "duration_ms / 1000 as seconds from marts.dim_tracks";
    if (genre) sql += " where " + sql_literal(*genre) + " = any(genres)";
    return sql + " order by " + std::string(catalog::feature_name(by.feature)) +
           (descending ? " desc" : " asc") + " limit 10";
  }
  return std::nullopt;
}

}  // namespace musicagent::agent
