#include "tool_command.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "tools/default_tools.hpp"

namespace musicagent::cli {
namespace {

// Exit codes of `musicagent tool`, a contract for scripts.
constexpr int kToolOk = 0;
constexpr int kToolFailed = 1;       // the tool ran and refused or failed: error JSON on stdout
constexpr int kToolNotCallable = 2;  // unknown tool, or arguments that are not JSON

struct ListFlags {
  bool json = false;
};

struct CallFlags {
  std::string name;
  std::string arguments = "{}";
};

int list(const CommandContext& context, const ListFlags& flags) {
  const auto registry =
      tools::make_default_registry(tools::ToolServices::from_config(context.config));
  if (flags.json) {
    std::printf("%s\n", registry.openai_tools().dump(2).c_str());
    return 0;
  }
  for (const auto* tool : registry.tools()) {
    std::string arguments;
    const auto properties = tool->parameters().value("properties", nlohmann::json::object());
    for (const auto& [name, schema] : properties.items()) {
      const bool required =
          tool->parameters().contains("required") &&
          std::find(tool->parameters()["required"].begin(), tool->parameters()["required"].end(),
                    name) != tool->parameters()["required"].end();
      arguments += (arguments.empty() ? "" : ", ") + name + (required ? "" : "?");
    }
    std::printf("%s {%s}\n    %s\n", tool->name().c_str(), arguments.c_str(),
                tool->description().c_str());
  }
  return 0;
}

int call(const CommandContext& context, const CallFlags& flags) {
  const auto arguments = nlohmann::json::parse(flags.arguments, nullptr, false);
  if (arguments.is_discarded() || !arguments.is_object()) {
    std::printf("%s\n", tools::ToolError{"invalid_json",
                                         "arguments must be a JSON object, got: " + flags.arguments}
                            .to_json()
                            .dump(2)
                            .c_str());
    return kToolNotCallable;
  }
  const auto registry =
      tools::make_default_registry(tools::ToolServices::from_config(context.config));
  const auto outcome = registry.call(flags.name, arguments);
  if (outcome.result.ok()) {
    std::printf("%s\n", outcome.result.value().dump(2).c_str());
    return kToolOk;
  }
  std::printf("%s\n", outcome.result.error().to_json().dump(2).c_str());
  return outcome.result.error().code == "unknown_tool" ? kToolNotCallable : kToolFailed;
}

}  // namespace

void add_tool_commands(CLI::App& app, Action& action) {
  auto list_flags = std::make_shared<ListFlags>();
  auto* list_cmd =
      app.add_subcommand("tools", "list the agent's tools with their argument schemas");
  list_cmd->add_flag("--json", list_flags->json, "print the OpenAI tools array");
  list_cmd->callback([&action, list_flags] {
    action = [list_flags](const CommandContext& context) { return list(context, *list_flags); };
  });

  auto call_flags = std::make_shared<CallFlags>();
  auto* call_cmd = app.add_subcommand(
      "tool", "run one tool: exit 0 with its result, 1 with its error, 2 if not callable");
  call_cmd->add_option("name", call_flags->name, "tool name (see `musicagent tools`)")->required();
  call_cmd->add_option("arguments", call_flags->arguments, "arguments as a JSON object")
      ->capture_default_str();
  call_cmd->callback([&action, call_flags] {
    action = [call_flags](const CommandContext& context) { return call(context, *call_flags); };
  });
}

}  // namespace musicagent::cli
