#include "tools/artist_resolver.hpp"

#include <algorithm>
#include <cmath>
#include <regex>

#include "tools/genre_names.hpp"

namespace musicagent::tools {
namespace {

constexpr int kFuzzyPool = 50;            // names ranked by trigram similarity, then rescored
constexpr double kFuzzyMatchMin = 0.7;    // below: not_found with the closest candidates
constexpr double kCandidateMin = 0.3;     // below: not worth listing as a candidate
constexpr double kAllWordsScore = 0.85;   // every word given is a word of the name
constexpr double kNearEqualScore = 0.05;  // fuzzy scores this close are a tie
constexpr std::int64_t kClearPopularityLead = 20;  // popularity points that break a tie
constexpr std::size_t kMaxCandidates = 5;

constexpr const char* kColumns =
    "artist_id, artist_name, track_count, popularity_mean, popularity_max";

ArtistCandidate candidate_from(const pqxx::row& row) {
  ArtistCandidate candidate;
  candidate.artist_id = row["artist_id"].as<std::string>();
  candidate.name = row["artist_name"].as<std::string>();
  candidate.track_count = row["track_count"].is_null() ? 0 : row["track_count"].as<std::int64_t>();
  if (!row["popularity_mean"].is_null())
    candidate.popularity_mean = row["popularity_mean"].as<double>();
  if (!row["popularity_max"].is_null())
    candidate.popularity_max = row["popularity_max"].as<std::int64_t>();
  return candidate;
}

std::int64_t popularity(const ArtistCandidate& candidate) {
  return candidate.popularity_max.value_or(0);
}

nlohmann::json to_json(const std::vector<ArtistCandidate>& candidates) {
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < candidates.size() && i < kMaxCandidates; ++i) {
    list.push_back(candidates[i].to_json());
  }
  return list;
}

std::string describe(const std::vector<ArtistCandidate>& candidates) {
  std::string text;
  for (std::size_t i = 0; i < candidates.size() && i < kMaxCandidates; ++i) {
    const auto& c = candidates[i];
    text += (text.empty() ? "" : "; ") + c.name + " (id " + c.artist_id + ", " +
            std::to_string(c.track_count) + (c.track_count == 1 ? " track" : " tracks") +
            ", popularity up to " + std::to_string(popularity(c)) + ")";
  }
  return text;
}

ToolError ambiguous(const std::string& name, const std::vector<ArtistCandidate>& candidates) {
  return ToolError{"ambiguous",
                   "'" + name + "' could be several artists: " + describe(candidates) +
                       ". Ask which one is meant, or call again with the artist's id.",
                   {{"candidates", to_json(candidates)}}};
}

// `ranked` are equally exact, most popular first: one of them, unless a second one is
// about as popular.
common::Result<ResolvedArtist, ToolError> pick(const std::string& name,
                                               std::vector<ArtistCandidate> ranked,
                                               const std::string& matched) {
  if (ranked.size() > 1 && popularity(ranked[0]) - popularity(ranked[1]) < kClearPopularityLead) {
    std::vector<ArtistCandidate> tied;
    for (const auto& c : ranked) {
      if (popularity(ranked[0]) - popularity(c) < kClearPopularityLead) tied.push_back(c);
    }
    return ambiguous(name, tied);
  }
  ResolvedArtist resolved{ranked.front(), matched, {}};
  if (matched == "exact") resolved.also_matched.assign(ranked.begin() + 1, ranked.end());
  return resolved;
}

// A name's comparison key: lower case without accents (done in SQL), a leading "the"
// dropped, then as genre_key (punctuation and spaces dropped, "&"/"and"/"n" as one).
std::string name_key(std::string lowered) {
  if (lowered.rfind("the ", 0) == 0 && lowered.size() > 4) lowered.erase(0, 4);
  return genre_key(lowered);
}

double edit_similarity(const std::string& a, const std::string& b) {
  const std::size_t longer = std::max(a.size(), b.size());
  if (longer == 0) return 0.0;
  return 1.0 - static_cast<double>(edit_distance(a, b)) / static_cast<double>(longer);
}

}  // namespace

nlohmann::json ArtistCandidate::to_json() const {
  nlohmann::json json = {
      {"name", name},
      {"id", artist_id},
      {"track_count", track_count},
      {"popularity",
       {{"mean", popularity_mean ? nlohmann::json(*popularity_mean) : nlohmann::json()},
        {"max", popularity_max ? nlohmann::json(*popularity_max) : nlohmann::json()}}}};
  if (score < 1.0) json["score"] = std::round(score * 1000.0) / 1000.0;
  return json;
}

common::Result<ResolvedArtist, ToolError> resolve_artist(pqxx::transaction_base& tx,
                                                         const std::string& name) {
  static const std::regex artist_id(R"(^ar_[0-9a-f]{16}$)");
  if (std::regex_match(name, artist_id)) {
    const auto rows = tx.exec_params(
        std::string("select ") + kColumns + " from marts.dim_artists where artist_id = $1", name);
    if (!rows.empty()) return ResolvedArtist{candidate_from(rows[0]), "exact", {}};
    return ToolError{"not_found",
                     "there is no artist with id " + name,
                     {{"candidates", nlohmann::json::array()}}};
  }

  // Equal ignoring case (a scan without unaccent, the common case), the same spelling first.
  const auto equal =
      tx.exec_params(std::string("select ") + kColumns +
                         ", artist_name = $1 as same_spelling from marts.dim_artists "
                         "where lower(artist_name) = lower($1) "
                         "order by same_spelling desc, popularity_max desc nulls last, track_count "
                         "desc, artist_id limit 10",
                     name);
  if (!equal.empty()) {
    std::vector<ArtistCandidate> ranked;
    for (const auto& row : equal) {
      if (row["same_spelling"].as<bool>() == equal[0]["same_spelling"].as<bool>()) {
        ranked.push_back(candidate_from(row));
      }
    }
    return pick(name, ranked, "exact");
  }

  // The names most similar by trigrams, with what the finer checks need. A name equal but
  // for accents or punctuation is among them: it shares most trigrams.
  const auto pool = tx.exec_params(
      "with q as (select lower(public.unaccent($1)) as text, staging.normalize_artist_name($1) as "
      "match_key), "
      "top as ("
      "  select " +
          std::string(kColumns) +
          ", similarity(artist_name, $1) as trigram from marts.dim_artists "
          "  order by trigram desc, popularity_max desc nulls last, artist_id limit $2), "
          "named as (select top.*, lower(public.unaccent(top.artist_name)) as lowered from top) "
          "select named.*, q.text as query_text, named.lowered = q.text as same_letters, "
          "  coalesce(staging.normalize_artist_name(named.artist_name) = q.match_key, false) as "
          "same_key, "
          "  array_remove(regexp_split_to_array(named.lowered, '[^[:alnum:]]+'), '') @> "
          "  array_remove(regexp_split_to_array(q.text, '[^[:alnum:]]+'), '') as has_words "
          "from named, q order by named.trigram desc, named.popularity_max desc nulls last, "
          "named.artist_id",
      name, kFuzzyPool);

  // Exact after all: the same letters without accents ("beyonce"), else the same
  // normalised name ("ACDC", "beatles").
  for (const char* column : {"same_letters", "same_key"}) {
    std::vector<ArtistCandidate> same;
    for (const auto& row : pool) {
      if (row[column].as<bool>()) same.push_back(candidate_from(row));
    }
    if (same.empty()) continue;
    std::stable_sort(same.begin(), same.end(),
                     [](const auto& a, const auto& b) { return popularity(a) > popularity(b); });
    return pick(name, same, "exact");
  }

  const std::string wanted = pool.empty() ? "" : name_key(pool[0]["query_text"].as<std::string>());
  std::vector<ArtistCandidate> scored;
  for (const auto& row : pool) {
    auto candidate = candidate_from(row);
    const double trigram = row["trigram"].as<double>();
    const double edit = edit_similarity(wanted, name_key(row["lowered"].as<std::string>()));
    const double words =
        row["has_words"].is_null() || !row["has_words"].as<bool>() ? 0.0 : kAllWordsScore;
    candidate.score = std::min(0.999, std::max({trigram, edit, words}));
    scored.push_back(std::move(candidate));
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (a.score != b.score) return a.score > b.score;
    return popularity(a) > popularity(b);
  });
  std::erase_if(scored, [](const auto& c) { return c.score < kCandidateMin; });
  if (scored.empty() || scored[0].score < kFuzzyMatchMin) {
    return ToolError{
        "not_found",
        "no artist named '" + name + "' in the catalogue" +
            (scored.empty() ? "" : "; the closest names are: " + describe(scored)) +
            ". Check the spelling, or use search_catalog to find artists by description.",
        {{"candidates", to_json(scored)}}};
  }
  std::vector<ArtistCandidate> near;
  for (const auto& c : scored) {
    if (c.score >= scored[0].score - kNearEqualScore) near.push_back(c);
  }
  std::stable_sort(near.begin(), near.end(),
                   [](const auto& a, const auto& b) { return popularity(a) > popularity(b); });
  if (near.size() > 1 && popularity(near[0]) - popularity(near[1]) < kClearPopularityLead)
    return ambiguous(name, near);
  return ResolvedArtist{near[0], "fuzzy", {}};
}

}  // namespace musicagent::tools
