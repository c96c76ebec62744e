#pragma once

#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// recommend_by_genre: the best tracks of a genre (named as people write it, see
// genre_names.hpp), optionally of a mood, ranked by popularity blended with the mood's audio
// feature, with one version of each song and at most two songs per primary artist.
class RecommendByGenreTool final : public Tool {
 public:
  explicit RecommendByGenreTool(ToolServices services);
  std::string name() const override { return "recommend_by_genre"; }
  std::string description() const override { return description_; }
  const nlohmann::json& parameters() const override { return parameters_; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  ToolServices services_;
  std::string description_;
  nlohmann::json parameters_;
};

}  // namespace musicagent::tools
