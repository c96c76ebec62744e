#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/tool.hpp"

namespace musicagent::tools {

struct ToolCallOutcome {
  ToolResult result;
  double elapsed_ms = 0;
  nlohmann::json arguments;  // as validated, with defaults filled in
};

// The tools the agent may call. It validates arguments against each tool's schema before
// the call (errors name the argument path and the rule broken), times every call, and turns
// any exception into a structured error, so a tool never takes the caller down.
class ToolRegistry {
 public:
  void add(std::unique_ptr<Tool> tool);
  const Tool* find(const std::string& name) const;
  std::vector<const Tool*> tools() const;

  // [{"type": "function", "function": {name, description, parameters}}] for chat completions.
  nlohmann::json openai_tools() const;

  ToolCallOutcome call(const std::string& name, const nlohmann::json& arguments) const;

 private:
  std::vector<std::unique_ptr<Tool>> tools_;
};

}  // namespace musicagent::tools
