#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "tools/tool.hpp"

namespace musicagent::tools {

// An artist of marts.dim_artists that a name could mean.
struct ArtistCandidate {
  std::string artist_id;
  std::string name;
  std::int64_t track_count = 0;
  std::optional<double> popularity_mean;
  std::optional<std::int64_t> popularity_max;
  double score = 1.0;  // 1 for an exact match, else the fuzzy match score (0..1)

  // {"name", "id", "track_count", "popularity": {"mean", "max"}}, plus "score" when fuzzy.
  nlohmann::json to_json() const;
};

struct ResolvedArtist {
  ArtistCandidate artist;
  std::string matched;                        // exact | fuzzy
  std::vector<ArtistCandidate> also_matched;  // same name, clearly less popular (e.g. "Aurora")
};

// Finds the artist a person means, for lookup_artist and similar_artists:
//  1. an artist id ("ar_" and 16 hex digits) as given;
//  2. exact: equal ignoring case (the same spelling first), else equal ignoring case and
//     accents ("beyonce"), else equal after staging.normalize_artist_name, which also ignores
//     punctuation, "&"/"and" and a leading "The" ("ACDC", "beatles");
//  3. fuzzy: among the 50 names with the highest pg_trgm similarity, the best by the larger of
//     that similarity, one minus the edit distance of the normalised names over the longer
//     one ("beatls", "beyonse"), and 0.85 when all the words given are words of the name
//     ("kanye"); it must reach 0.7.
// Only step 3 compares every name with pg_trgm (a scan of about 30k names, no index), so an
// exact name costs one cheap scan. Several equally good candidates (an exact name shared by
// artists within 20 popularity points, or fuzzy scores within 0.05 and popularity within
// 20 points) are an "ambiguous" error listing them; no good candidate is "not_found" with
// the closest ones. Both errors carry details.candidates.
common::Result<ResolvedArtist, ToolError> resolve_artist(pqxx::transaction_base& tx,
                                                         const std::string& name);

}  // namespace musicagent::tools
