#pragma once

#include <CLI/CLI.hpp>

#include "command_context.hpp"
#include "pipeline/pipeline_runner.hpp"

namespace musicagent::cli {

// `musicagent index build` and `musicagent search "QUERY"`.
void add_index_commands(CLI::App& app, Action& action);

// The index build as the last step of `pipeline run`.
pipeline::FinalStep index_build_step(const CommandContext& context, bool progress);

}  // namespace musicagent::cli
