#pragma once

#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// lookup_artist: everything the warehouse knows about one artist (resolved by name, see
// artist_resolver.hpp): genres, popularity, mean audio features, top tracks, albums,
// Last.fm listening and tags, and the five most similar artists (find_similar_artists).
// With Spotify configured it adds live Spotify data (`spotify`), and with a Last.fm key it
// asks artist.getInfo for artists the 2011 Last.fm data lacks; either failing is a note in
// the result, never the tool's failure.
class LookupArtistTool final : public Tool {
 public:
  explicit LookupArtistTool(ToolServices services);
  std::string name() const override { return "lookup_artist"; }
  std::string description() const override { return description_; }
  const nlohmann::json& parameters() const override { return parameters_; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  ToolServices services_;
  std::string description_;
  nlohmann::json parameters_;
};

}  // namespace musicagent::tools
