#pragma once

#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace musicagent::cli {

// `musicagent chat`: the terminal conversation, or one turn for scripts with --once.
void add_chat_command(CLI::App& app, Action& action);

}  // namespace musicagent::cli
