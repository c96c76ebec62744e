#pragma once

#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace musicagent::cli {

// `musicagent eval`: replays scripted conversations and scores the agent.
void add_eval_command(CLI::App& app, Action& action);

}  // namespace musicagent::cli
