#pragma once

#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// describe_warehouse: marts tables, columns, types, descriptions and row counts, for an
// LLM about to write SQL.
class DescribeWarehouseTool final : public Tool {
 public:
  explicit DescribeWarehouseTool(ToolServices services);
  std::string name() const override { return "describe_warehouse"; }
  std::string description() const override { return description_; }
  const nlohmann::json& parameters() const override { return parameters_; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  ToolServices services_;
  std::string description_;
  nlohmann::json parameters_;
};

}  // namespace musicagent::tools
