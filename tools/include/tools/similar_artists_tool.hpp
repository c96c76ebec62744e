#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>

#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// Artists like a given one, by the first method with data for it:
//  - "co-listening": item-to-item collaborative filtering over the Last.fm users of
//    marts.fct_listens. An artist is a vector over users, weighted ln(1 + plays); the score is
//    the cosine with the seed's vector times shared / (shared + 5), which damps pairs seen in
//    few listeners. A candidate needs at least 2 shared listeners, and the best one a score of
//    0.05 (else the evidence is too thin: an artist with 4 listeners). Only the seed's users
//    and the candidates' rows are read (about 50 ms for the most listened artists).
//  - "tags": cosine over Last.fm tags (marts.artist_tags), weighted ln(1 + users who gave
//    the tag) times its inverse artist frequency, damped by shared / (shared + 2).
//  - "audio-features": closeness of the mean audio features in marts.dim_artists, among
//    artists sharing a genre with the seed (tempo over 200 bpm and loudness over 30 dB, so
//    every feature spans about 0..1); the score is 1 - distance / 3.
struct SimilarArtists {
  std::string method;  // co-listening | tags | audio-features
  // [{artist_id, name, score, shared_listeners | shared_tags | shared_genres, genres,
  //   popularity: {mean, max}}], best first
  nlohmann::json artists = nlohmann::json::array();
  std::string note;  // why an earlier method was skipped, when it was
};

SimilarArtists find_similar_artists(pqxx::transaction_base& tx, const std::string& artist_id,
                                    std::size_t limit);

// similar_artists: the artist (resolved like lookup_artist) and artists like them.
class SimilarArtistsTool final : public Tool {
 public:
  explicit SimilarArtistsTool(ToolServices services);
  std::string name() const override { return "similar_artists"; }
  std::string description() const override { return description_; }
  const nlohmann::json& parameters() const override { return parameters_; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  ToolServices services_;
  std::string description_;
  nlohmann::json parameters_;
};

}  // namespace musicagent::tools
