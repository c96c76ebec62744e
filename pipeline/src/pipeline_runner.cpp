#include "pipeline/pipeline_runner.hpp"

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "common/connection_pool.hpp"
#include "common/database.hpp"
#include "common/logging.hpp"
#include "pipeline/lastfm_recent_tracks.hpp"
#include "pipeline/project_loader.hpp"
#include "pipeline/run_log.hpp"
#include "pipeline/source_spec.hpp"

namespace musicagent::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::optional<MatchRate> measure_match_rate(pqxx::connection& connection) {
  pqxx::work tx(connection);
  if (tx.exec1("select to_regclass('marts.fct_listens') is null")[0].as<bool>())
    return std::nullopt;
  const auto row = tx.exec1(
      "select count(distinct lastfm_artist_id), count(distinct lastfm_artist_id) filter (where "
      "artist_id is not null), "
      "coalesce(sum(plays), 0), coalesce(sum(plays) filter (where artist_id is not null), 0) from "
      "marts.fct_listens");
  return MatchRate{row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), row[2].as<std::int64_t>(),
                   row[3].as<std::int64_t>()};
}

void load_sources(const PipelineOptions& options, pqxx::connection& connection, RunLog& log,
                  RunSummary& summary) {
  for (const auto& spec : builtin_sources()) {
    const auto started = Clock::now();
    const auto step = log.start_step("load " + spec.name, "load");
    try {
      const auto file = find_source_file(spec, options.data_dir);
      LoadResult result = load_source(connection, spec, file,
                                      {summary.run_id, options.full_refresh, options.progress});
      const double elapsed = ms_since(started);
      log.finish_step(step, result.unchanged ? "unchanged" : "success", result.rows_read,
                      result.unchanged ? 0 : result.rows_loaded, elapsed, "");
      summary.steps.push_back(
          {"load " + spec.name, "load", result.unchanged ? "unchanged" : "success", elapsed, ""});
      summary.loads.push_back(std::move(result));
    } catch (const std::exception& e) {
      const double elapsed = ms_since(started);
      log.finish_step(step, "failed", std::nullopt, std::nullopt, elapsed, e.what());
      summary.steps.push_back({"load " + spec.name, "load", "failed", elapsed, e.what()});
      summary.status = "failed";
      summary.error +=
          std::string(summary.error.empty() ? "" : "\n") + "load " + spec.name + ": " + e.what();
    }
  }
}

// Optional live extract: each configured user's new Last.fm scrobbles. Skipped, with the
// reason logged and in the summary, unless LASTFM_API_KEY and MUSICAGENT_LASTFM_USERS are set.
void extract_lastfm_recent_tracks(const common::Config& config, pqxx::connection& connection,
                                  RunLog& log, RunSummary& summary) {
  const std::string step_name = "extract lastfm.recent_tracks";
  const auto logger = common::logger("pipeline");
  std::string skip_reason;
  if (config.lastfm_api_key.empty()) {
    skip_reason = "LASTFM_API_KEY is not set";
    logger->info("{}: skipped, {}", step_name, skip_reason);
  } else if (config.lastfm_users.empty()) {
    skip_reason = "MUSICAGENT_LASTFM_USERS is empty";
    logger->warn("{}: skipped, {} (a comma list of Last.fm user names)", step_name, skip_reason);
  }
  if (!skip_reason.empty()) {
    summary.steps.push_back({step_name, "load", "skipped", 0, skip_reason});
    return;
  }

  auto pool = std::make_shared<common::ConnectionPool>(config.database_url, 1);
  LastfmClient client(LastfmSettings::from(config), lastfm_response_store(pool));
  for (const auto& user : config.lastfm_users) {
    const auto started = Clock::now();
    const auto name = step_name + " " + user;
    const auto step = log.start_step(name, "load");
    try {
      const auto load = load_recent_tracks(client, connection, user, summary.run_id);
      const double elapsed = ms_since(started);
      const auto status = load.scrobbles == 0 ? "unchanged" : "success";
      log.finish_step(step, status, load.scrobbles, load.scrobbles, elapsed, "");
      summary.steps.push_back({name, "load", status, elapsed,
                               std::to_string(load.scrobbles) + " new scrobbles, watermark " +
                                   std::to_string(load.watermark_after)});
    } catch (const std::exception& e) {
      const double elapsed = ms_since(started);
      log.finish_step(step, "failed", std::nullopt, std::nullopt, elapsed, e.what());
      summary.steps.push_back({name, "load", "failed", elapsed, e.what()});
      summary.status = "failed";
      summary.error += std::string(summary.error.empty() ? "" : "\n") + name + ": " + e.what();
    }
  }
}

void build_models(const common::Config& config, const PipelineOptions& options,
                  pqxx::connection& connection, RunLog& log, RunSummary& summary) {
  const Project project = load_project(config.models_dir());
  const auto selected = select_models(project, options.select);
  std::set<std::string> broken;  // failed or skipped models: their descendants are skipped
  std::map<std::string, std::int64_t> rows_by_model;
  const auto logger = common::logger("pipeline");

  for (std::size_t i = 0; i < selected.size(); ++i) {
    const Model& model = *selected[i];
    const std::string step_name = "model " + model.relation();
    if (options.progress) {
      std::fprintf(stderr, "[%zu/%zu] %s ...\n", i + 1, selected.size(), model.relation().c_str());
    }
    const auto step = log.start_step(step_name, "model");
    std::string broken_parent;
    std::optional<std::int64_t> rows_in;
    for (const auto& parent : model.refs) {
      if (broken.count(parent) != 0) broken_parent = parent;
      if (auto it = rows_by_model.find(parent); it != rows_by_model.end())
        rows_in = rows_in.value_or(0) + it->second;
    }
    ModelOutcome outcome;
    if (!broken_parent.empty()) {
      outcome.model = model.relation();
      outcome.status = "skipped";
      outcome.error = "upstream model " + broken_parent + " failed";
    } else {
      outcome = build_model(connection, model, project);
    }
    log.record_tests(outcome.tests);
    log.finish_step(step, outcome.status, rows_in, outcome.rows, outcome.elapsed_ms, outcome.error);
    summary.steps.push_back(
        {step_name, "model", outcome.status, outcome.elapsed_ms, outcome.error});
    if (outcome.rows) rows_by_model[model.name] = *outcome.rows;
    if (outcome.status != "success") {
      broken.insert(model.name);
      summary.status = "failed";
      if (outcome.status == "failed") {
        logger->error("{} failed: {}", model.relation(), outcome.error);
        summary.error += std::string(summary.error.empty() ? "" : "\n") + model.relation() + ": " +
                         outcome.error;
      }
    }
    summary.models.push_back(std::move(outcome));
  }
}

void run_final_steps(const PipelineOptions& options, pqxx::connection& connection, RunLog& log,
                     RunSummary& summary) {
  for (const auto& final_step : options.final_steps) {
    const auto started = Clock::now();
    const auto step = log.start_step(final_step.name, final_step.kind);
    FinalStepOutcome outcome;
    try {
      outcome = final_step.run(connection, summary.run_id);
    } catch (const std::exception& e) {
      outcome.status = "failed";
      outcome.detail = e.what();
    }
    const double elapsed = ms_since(started);
    log.finish_step(step, outcome.status, std::nullopt, outcome.rows_out, elapsed,
                    outcome.status == "failed" ? outcome.detail : "");
    summary.steps.push_back(
        {final_step.name, final_step.kind, outcome.status, elapsed, outcome.detail});
    if (outcome.status == "failed") {
      summary.status = "failed";
      summary.error +=
          std::string(summary.error.empty() ? "" : "\n") + final_step.name + ": " + outcome.detail;
    }
  }
}

}  // namespace

RunSummary run_pipeline(const common::Config& config, const PipelineOptions& options) {
  const auto started = Clock::now();
  RunSummary summary;
  summary.status = "success";

  RunLog log(config.database_url);
  log.lock_and_recover();
  log.bootstrap(read_text(config.bootstrap_sql()));
  summary.run_id = log.start_run(options.command, options.data_dir.string());

  auto connection = common::connect(config.database_url);
  try {
    if (!options.skip_load) {
      load_sources(options, connection, log, summary);
      extract_lastfm_recent_tracks(config, connection, log, summary);
    }
    // Models still build after a failed load: they read the last good batch of every source.
    build_models(config, options, connection, log, summary);
    summary.match_rate = measure_match_rate(connection);
    if (summary.status == "success") run_final_steps(options, connection, log, summary);
  } catch (const std::exception& e) {
    summary.status = "failed";
    summary.error += std::string(summary.error.empty() ? "" : "\n") + e.what();
  }
  summary.elapsed_ms = ms_since(started);
  log.finish_run(summary.status, summary.error, summary.to_json());
  return summary;
}

nlohmann::json RunSummary::to_json() const {
  nlohmann::json loads_json = nlohmann::json::array();
  for (const auto& load : loads) {
    loads_json.push_back({{"source", load.source},
                          {"file", load.file.string()},
                          {"checksum", load.checksum},
                          {"unchanged", load.unchanged},
                          {"batch_id", load.batch_id},
                          {"rows_read", load.rows_read},
                          {"rows_loaded", load.rows_loaded},
                          {"rows_rejected", load.rows_rejected},
                          {"rejects_by_reason", load.rejects_by_reason}});
  }
  nlohmann::json models_json = nlohmann::json::array();
  for (const auto& model : models) {
    nlohmann::json tests_json = nlohmann::json::array();
    for (const auto& test : model.tests) {
      tests_json.push_back({{"test", test.test_name},
                            {"column", test.column},
                            {"severity", test.severity == Severity::error ? "error" : "warn"},
                            {"status", test.status},
                            {"failing_rows", test.failing_rows},
                            {"message", test.message}});
    }
    models_json.push_back({{"model", model.model},
                           {"status", model.status},
                           {"rows", model.rows ? nlohmann::json(*model.rows) : nlohmann::json()},
                           {"elapsed_ms", model.elapsed_ms},
                           {"error", model.error},
                           {"tests", tests_json}});
  }
  nlohmann::json steps_json = nlohmann::json::array();
  for (const auto& step : steps) {
    steps_json.push_back({{"step", step.step},
                          {"kind", step.kind},
                          {"status", step.status},
                          {"elapsed_ms", step.elapsed_ms},
                          {"detail", step.detail}});
  }
  nlohmann::json out = {{"run_id", run_id},        {"status", status},      {"error", error},
                        {"loads", loads_json},     {"models", models_json}, {"steps", steps_json},
                        {"elapsed_ms", elapsed_ms}};
  if (match_rate) {
    out["match_rate"] = {{"lastfm_artists", match_rate->lastfm_artists},
                         {"matched_artists", match_rate->matched_artists},
                         {"plays", match_rate->plays},
                         {"matched_plays", match_rate->matched_plays}};
  }
  return out;
}

}  // namespace musicagent::pipeline
