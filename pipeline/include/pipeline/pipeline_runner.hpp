#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "pipeline/model_builder.hpp"
#include "pipeline/raw_loader.hpp"

namespace musicagent::pipeline {

// A step that runs after the models, such as building the search index; other modules
// plug in here so the pipeline does not depend on them.
struct FinalStepOutcome {
  std::string status = "success";  // success, unchanged or failed
  std::optional<std::int64_t> rows_out;
  std::string detail;  // shown in the summary
};
struct FinalStep {
  std::string name;  // e.g. "index build"
  std::string kind;  // a kind ops.step_runs accepts, e.g. "index"
  std::function<FinalStepOutcome(pqxx::connection&, std::int64_t run_id)> run;
};

struct PipelineOptions {
  std::filesystem::path data_dir;
  bool full_refresh = false;             // reload every file as a new batch
  std::vector<std::string> select;       // models to build (a trailing '+' adds descendants)
  bool skip_load = false;                // transform only
  bool progress = false;                 // progress lines on stderr
  std::string command = "pipeline run";  // recorded in ops.pipeline_runs
  std::vector<FinalStep> final_steps;    // run in order when every model succeeded
};

struct StepTiming {
  std::string step;
  std::string kind;
  std::string status;
  double elapsed_ms = 0;
  std::string detail;
};

struct MatchRate {
  std::int64_t lastfm_artists = 0;
  std::int64_t matched_artists = 0;
  std::int64_t plays = 0;
  std::int64_t matched_plays = 0;
};

struct RunSummary {
  std::int64_t run_id = 0;
  std::string status;  // success or failed
  std::string error;   // readable report when failed
  std::vector<LoadResult> loads;
  std::vector<ModelOutcome> models;
  std::vector<StepTiming> steps;
  std::optional<MatchRate> match_rate;
  double elapsed_ms = 0;

  nlohmann::json to_json() const;
};

// Extract-load every source, then build the selected models in dependency order with
// their data tests; everything is recorded in ops.*. A failed model or load marks the run
// failed (and skips the models downstream of it) but never throws for it: the summary
// says what failed. Throws only when the run cannot start (no database, no models).
RunSummary run_pipeline(const common::Config& config, const PipelineOptions& options);

}  // namespace musicagent::pipeline
