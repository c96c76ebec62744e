#pragma once

#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace musicagent::cli {

// `musicagent serve`: the chat page, its WebSocket and the HTTP API.
void add_serve_command(CLI::App& app, Action& action);

}  // namespace musicagent::cli
