#pragma once

#include <CLI/CLI.hpp>

#include "command_context.hpp"

namespace musicagent::cli {

// `musicagent pipeline run|status`; the chosen one is stored in `action`.
void add_pipeline_command(CLI::App& app, Action& action);

}  // namespace musicagent::cli
