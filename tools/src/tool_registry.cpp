#include "tools/tool_registry.hpp"

#include <stdexcept>

#include "common/logging.hpp"
#include "tools/json_schema.hpp"

namespace musicagent::tools {

nlohmann::json ToolError::to_json() const {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!details.empty()) error["details"] = details;
  return {{"error", error}};
}

void ToolRegistry::add(std::unique_ptr<Tool> tool) {
  if (find(tool->name()) != nullptr)
    throw std::logic_error("tool registered twice: " + tool->name());
  tools_.push_back(std::move(tool));
}

const Tool* ToolRegistry::find(const std::string& name) const {
  for (const auto& tool : tools_) {
    if (tool->name() == name) return tool.get();
  }
  return nullptr;
}

std::vector<const Tool*> ToolRegistry::tools() const {
  std::vector<const Tool*> all;
  for (const auto& tool : tools_) all.push_back(tool.get());
  return all;
}

nlohmann::json ToolRegistry::openai_tools() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& tool : tools_) {
    list.push_back({{"type", "function"},
                    {"function",
                     {{"name", tool->name()},
                      {"description", tool->description()},
                      {"parameters", tool->parameters()}}}});
  }
  return list;
}

ToolCallOutcome ToolRegistry::call(const std::string& name, const nlohmann::json& arguments) const {
  const auto started = std::chrono::steady_clock::now();
  auto finish = [&](ToolResult result, nlohmann::json used) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    common::logger("tools")->info("{} {} in {:.1f} ms", name,
                                  result.ok() ? "ok" : "error " + result.error().code, ms);
    return ToolCallOutcome{std::move(result), ms, std::move(used)};
  };
  const Tool* tool = find(name);
  if (tool == nullptr) {
    nlohmann::json known = nlohmann::json::array();
    for (const auto& t : tools_) known.push_back(t->name());
    return finish(
        ToolError{"unknown_tool", "there is no tool named '" + name + "'", {{"tools", known}}},
        arguments);
  }
  const auto violations = validate(tool->parameters(), arguments);
  if (!violations.empty()) {
    nlohmann::json list = nlohmann::json::array();
    std::string summary;
    for (const auto& v : violations) {
      list.push_back({{"path", v.path}, {"rule", v.rule}, {"message", v.message}});
      summary += (summary.empty() ? "" : "; ") + v.path + " " + v.message;
    }
    return finish(ToolError{"invalid_arguments",
                            "invalid arguments for " + name + ": " + summary,
                            {{"violations", list}}},
                  arguments);
  }
  auto complete = with_defaults(tool->parameters(), arguments);
  try {
    return finish(tool->invoke(complete), complete);
  } catch (const std::exception& e) {
    common::logger("tools")->error("{} threw: {}", name, e.what());
    return finish(ToolError{"internal_error", name + " failed: " + std::string(e.what())},
                  complete);
  }
}

}  // namespace musicagent::tools
