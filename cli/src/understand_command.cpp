#include "understand_command.hpp"

#include <cstdio>

#include "agent/planner.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::cli {
namespace {

struct UnderstandFlags {
  std::string text;
  bool plan = false;
};

int understand(const CommandContext& context, const UnderstandFlags& flags) {
  const auto services = tools::ToolServices::from_config(context.config);
  const auto understood = services.understood();
  if (!understood) {
    std::fprintf(stderr, "musicagent understand: %s\n", understood.error().message.c_str());
    return 2;
  }
  const auto& u = *understood.value();
  const auto parse = u.parser->parse(flags.text);
  auto out = parse.to_json(*u.snapshot);
  if (flags.plan) {
    const auto planned = agent::plan(parse, *u.parser, agent::PlannerMemory{});
    nlohmann::json calls = nlohmann::json::array();
    for (const auto& call : planned.calls)
      calls.push_back({{"tool", call.tool}, {"arguments", call.arguments}});
    out["plan"] = {{"calls", calls}, {"reply", planned.reply}, {"intents", planned.intents}};
  }
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace

void add_understand_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<UnderstandFlags>();
  auto* cmd =
      app.add_subcommand("understand",
                         "show how a request is read: linked artists, tracks, genres, moods, "
                         "conditions, negations (the parse the planner and search use)");
  cmd->add_option("text", flags->text, "the request, as a person would write it")->required();
  cmd->add_flag("--plan", flags->plan, "also print the tool calls the offline planner would make");
  cmd->callback([&action, flags] {
    action = [flags](const CommandContext& c) { return understand(c, *flags); };
  });
}

}  // namespace musicagent::cli
