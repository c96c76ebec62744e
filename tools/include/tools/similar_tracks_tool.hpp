#pragma once

#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// similar_tracks: nearest neighbours of a track in the audio-feature index.
class SimilarTracksTool final : public Tool {
 public:
  explicit SimilarTracksTool(ToolServices services);
  std::string name() const override { return "similar_tracks"; }
  std::string description() const override { return description_; }
  const nlohmann::json& parameters() const override { return parameters_; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  ToolServices services_;
  std::string description_;
  nlohmann::json parameters_;
};

}  // namespace musicagent::tools
