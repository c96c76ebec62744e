#include "pipeline/run_log.hpp"

#include <stdexcept>

#include "common/database.hpp"

namespace musicagent::pipeline {
namespace {

using common::empty_as_null;
using common::NullableParam;
}  // namespace

RunLog::RunLog(const std::string& database_url) : connection_(common::connect(database_url)) {}

RunLog::~RunLog() {
  if (!locked_) return;
  try {
    pqxx::nontransaction tx(connection_);
    tx.exec("select pg_advisory_unlock(" + std::to_string(kPipelineLockKey) + ")");
  } catch (const std::exception&) {
    // The connection is gone, and with it the lock.
  }
}

void RunLog::lock_and_recover() {
  pqxx::nontransaction tx(connection_);
  if (!tx.exec1("select pg_try_advisory_lock(" + std::to_string(kPipelineLockKey) + ")")[0]
           .as<bool>()) {
    throw std::runtime_error(
        "another pipeline run is in progress on this database; wait for it to end");
  }
  locked_ = true;
  // The lock is ours, so any run still marked running died without finishing.
  const auto has_ops =
      tx.exec1("select to_regclass('ops.pipeline_runs') is not null")[0].as<bool>();
  if (has_ops) {
    tx.exec(
        "update ops.pipeline_runs set status = 'abandoned', ended_at = now(), "
        "error = coalesce(error, 'the run ended without finishing (crash or kill)') "
        "where status = 'running'");
    tx.exec(
        "update ops.step_runs set status = 'failed', ended_at = now(), error = 'run abandoned' "
        "where status = 'running'");
  }
}

void RunLog::bootstrap(const std::string& bootstrap_sql) {
  pqxx::work tx(connection_);
  tx.exec("set local client_min_messages = warning");
  tx.exec(bootstrap_sql);
  tx.commit();
}

std::int64_t RunLog::start_run(const std::string& command, const std::string& data_dir) {
  pqxx::work tx(connection_);
  run_id_ =
      tx.exec_params1(
            "insert into ops.pipeline_runs (command, data_dir) values ($1, $2) returning run_id",
            command, data_dir)[0]
          .as<std::int64_t>();
  tx.commit();
  return run_id_;
}

void RunLog::finish_run(const std::string& status, const std::string& error,
                        const nlohmann::json& summary) {
  pqxx::work tx(connection_);
  tx.exec_params(
      "update ops.pipeline_runs set status = $2, ended_at = now(), error = $3, summary = $4::jsonb "
      "where run_id = $1",
      run_id_, status, NullableParam(empty_as_null(error)).get(), summary.dump());
  tx.commit();
}

std::int64_t RunLog::start_step(const std::string& step, const std::string& kind) {
  pqxx::work tx(connection_);
  const auto id =
      tx.exec_params1(
            "insert into ops.step_runs (run_id, step, kind) values ($1, $2, $3) returning step_id",
            run_id_, step, kind)[0]
          .as<std::int64_t>();
  tx.commit();
  return id;
}

void RunLog::finish_step(std::int64_t step_id, const std::string& status,
                         std::optional<std::int64_t> rows_in, std::optional<std::int64_t> rows_out,
                         double elapsed_ms, const std::string& error) {
  pqxx::work tx(connection_);
  tx.exec_params(
      "update ops.step_runs set status = $2, ended_at = now(), rows_in = $3, rows_out = $4, "
      "elapsed_ms = $5, error = $6 where step_id = $1",
      step_id, status, NullableParam(rows_in).get(), NullableParam(rows_out).get(), elapsed_ms,
      NullableParam(empty_as_null(error)).get());
  tx.commit();
}

void RunLog::record_tests(const std::vector<TestOutcome>& tests) {
  if (tests.empty()) return;
  pqxx::work tx(connection_);
  for (const auto& t : tests) {
    tx.exec_params(
        "insert into ops.test_results (run_id, model, column_name, test_name, severity, status, "
        "failing_rows, message, compiled_sql, elapsed_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, "
        "$9, $10)",
        run_id_, t.model, NullableParam(empty_as_null(t.column)).get(), t.test_name,
        t.severity == Severity::error ? "error" : "warn", t.status, t.failing_rows, t.message,
        t.sql, t.elapsed_ms);
  }
  tx.commit();
}

}  // namespace musicagent::pipeline
