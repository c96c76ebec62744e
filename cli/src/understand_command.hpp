#pragma once

#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace musicagent::cli {

// `musicagent understand "TEXT"`: how a request is read (the parse the planner and the
// catalogue search use), and with --plan the tool calls the offline planner would make.
void add_understand_command(CLI::App& app, Action& action);

}  // namespace musicagent::cli
