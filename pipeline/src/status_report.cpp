#include "pipeline/status_report.hpp"

#include "common/database.hpp"

namespace musicagent::pipeline {
namespace {

nlohmann::json rows_to_json(const pqxx::result& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json item = nlohmann::json::object();
    for (const auto& field : row) {
      if (field.is_null()) {
        item[field.name()] = nullptr;
      } else if (field.type() == 20 || field.type() == 23) {  // int8, int4
        item[field.name()] = field.as<std::int64_t>();
      } else if (field.type() == 701) {  // float8
        item[field.name()] = field.as<double>();
      } else {
        item[field.name()] = field.as<std::string>();
      }
    }
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

nlohmann::json pipeline_status(const std::string& database_url, int last_runs) {
  auto connection = common::connect(database_url);
  pqxx::read_transaction tx(connection);
  nlohmann::json status;
  if (tx.exec1("select to_regclass('ops.pipeline_runs') is null")[0].as<bool>()) {
    status["runs"] = nlohmann::json::array();
    status["message"] = "no pipeline run yet: run `musicagent pipeline run`";
    return status;
  }
  status["runs"] = rows_to_json(tx.exec_params(
      "select run_id, status, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS') as started_at, "
      "round(extract(epoch from (coalesce(ended_at, now()) - started_at))::numeric, 2)::float8 as "
      "seconds, "
      "command, error from ops.pipeline_runs order by run_id desc limit $1",
      last_runs));

  const auto last = tx.exec("select max(run_id) from ops.pipeline_runs");
  if (!last[0][0].is_null()) {
    const auto run_id = last[0][0].as<std::int64_t>();
    status["steps"] =
        rows_to_json(tx.exec_params("select step, kind, status, rows_in, rows_out, "
                                    "round(elapsed_ms::numeric, 1)::float8 as elapsed_ms, error "
                                    "from ops.step_runs where run_id = $1 order by step_id",
                                    run_id));
    status["tests"] =
        rows_to_json(tx.exec_params("select status, count(*)::int8 as tests from ops.test_results "
                                    "where run_id = $1 group by status order by status",
                                    run_id));
    status["failing_tests"] =
        rows_to_json(tx.exec_params("select model, column_name, test_name, severity, status, "
                                    "failing_rows, message from ops.test_results "
                                    "where run_id = $1 and status <> 'pass' order by result_id",
                                    run_id));
  }

  // Relations per layer with exact row counts; raw counts only the latest batch the models read.
  const auto relations = tx.exec(
      "select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = "
      "c.relnamespace "
      "where n.nspname in ('raw', 'staging', 'intermediate', 'marts') and c.relkind in ('r', 'v') "
      "and not (n.nspname = 'raw' and c.relkind = 'r') and c.relname not like '%\\_\\_new' "
      "order by array_position(array['raw','staging','intermediate','marts']::name[], n.nspname), "
      "c.relname");
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& relation : relations) {
    const auto schema = relation[0].as<std::string>();
    const auto name = relation[1].as<std::string>();
    const auto count = tx.exec1("select count(*) from " + common::quote_ident(schema) + "." +
                                common::quote_ident(name))[0]
                           .as<std::int64_t>();
    layers.push_back({{"layer", schema},
                      {"relation", name},
                      {"kind", relation[2].as<std::string>() == "v" ? "view" : "table"},
                      {"rows", count}});
  }
  status["relations"] = layers;

  status["rejected_by_reason"] = rows_to_json(
      tx.exec("select r.source, r.category, count(*)::int8 as rows from ops.rejected_rows r "
              "where r.batch_id in (select max(batch_id) from ops.load_batches group by raw_table) "
              "group by r.source, r.category order by r.source, count(*) desc"));
  status["batches"] =
      rows_to_json(tx.exec("select distinct on (raw_table) source, raw_table, batch_id, rows_read, "
                           "rows_loaded, rows_rejected, "
                           "to_char(loaded_at, 'YYYY-MM-DD HH24:MI:SS') as loaded_at, "
                           "left(file_checksum, 12) as checksum "
                           "from ops.load_batches order by raw_table, batch_id desc"));
  return status;
}

}  // namespace musicagent::pipeline
