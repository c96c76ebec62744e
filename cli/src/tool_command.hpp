#pragma once

#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace musicagent::cli {

// `musicagent tools [--json]` and `musicagent tool NAME 'JSON-ARGS'`.
void add_tool_commands(CLI::App& app, Action& action);

}  // namespace musicagent::cli
