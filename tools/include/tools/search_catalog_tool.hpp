#pragma once

#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// search_catalog: semantic search over the FAISS text index of tracks and artists.
class SearchCatalogTool final : public Tool {
 public:
  explicit SearchCatalogTool(ToolServices services);
  std::string name() const override { return "search_catalog"; }
  std::string description() const override { return description_; }
  const nlohmann::json& parameters() const override { return parameters_; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  ToolServices services_;
  std::string description_;
  nlohmann::json parameters_;
};

}  // namespace musicagent::tools
