#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace musicagent::pipeline {

// The last runs with their steps, row counts per layer, the latest data-test results and
// rejected rows by reason: what `musicagent pipeline status` shows.
nlohmann::json pipeline_status(const std::string& database_url, int last_runs);

}  // namespace musicagent::pipeline
