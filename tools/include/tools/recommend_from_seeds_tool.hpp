#pragma once

#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// recommend_from_seeds: tracks from named artists, tracks and genres. `mode` says whose:
// "own" the seeds' own tracks (each seed in turn, so every named artist is heard), "similar"
// tracks of artists like the seeds (co-listening, see similar_artists) and tracks that sound
// like the seed tracks, "blend" half of each. With no seeds, the best tracks meeting the
// conditions. Answers from the catalogue in memory (the co-listening neighbours from
// PostgreSQL); each track's reason names its seed.
class RecommendFromSeedsTool final : public Tool {
 public:
  explicit RecommendFromSeedsTool(ToolServices services);
  std::string name() const override { return "recommend_from_seeds"; }
  std::string description() const override { return description_; }
  const nlohmann::json& parameters() const override { return parameters_; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  ToolServices services_;
  std::string description_;
  nlohmann::json parameters_;
};

}  // namespace musicagent::tools
