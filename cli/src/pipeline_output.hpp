#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>

#include "pipeline/pipeline_runner.hpp"

namespace musicagent::cli {

void print_run_summary(const pipeline::RunSummary& summary, std::FILE* out);
void print_status(const nlohmann::json& status, std::FILE* out);

}  // namespace musicagent::cli
