#include "pipeline/model_builder.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>

#include "common/database.hpp"
#include "pipeline/project_loader.hpp"

namespace musicagent::pipeline {
namespace {

using common::quote_ident;

constexpr const char* kNewSuffix = "__new";
constexpr std::size_t kMaxIdentifier = 63;

std::string qualified(const std::string& schema, const std::string& name) {
  return quote_ident(schema) + "." + quote_ident(name);
}

// 'r' table, 'v' view, or nullopt when the relation does not exist.
std::optional<char> relation_kind(pqxx::work& tx, const std::string& schema,
                                  const std::string& name) {
  const auto rows = tx.exec_params(
      "select c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace "
      "where n.nspname = $1 and c.relname = $2",
      schema, name);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>().front();
}

void drop_relation(pqxx::work& tx, const std::string& schema, const std::string& name) {
  const auto kind = relation_kind(tx, schema, name);
  if (!kind) return;
  // Tables are built with CREATE TABLE AS, so nothing of ours depends on them; a view may
  // have dependent views, which the DAG rebuilds after it.
  tx.exec(std::string(*kind == 'v' ? "drop view " : "drop table ") + qualified(schema, name) +
          " cascade");
}

std::set<std::string> columns_of(pqxx::work& tx, const std::string& schema,
                                 const std::string& name) {
  std::set<std::string> columns;
  const auto rows = tx.exec_params(
      "select a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid "
      "join pg_namespace n on n.oid = c.relnamespace "
      "where n.nspname = $1 and c.relname = $2 and a.attnum > 0 and not a.attisdropped",
      schema, name);
  for (const auto& row : rows) columns.insert(row[0].as<std::string>());
  return columns;
}

void document(pqxx::work& tx, const Model& model, const std::string& relation_name, bool is_view) {
  const auto relation = qualified(model.schema, relation_name);
  const auto actual = columns_of(tx, model.schema, relation_name);
  std::string undocumented_missing;
  for (const auto& column : model.columns) {
    if (actual.count(column.name) == 0) {
      undocumented_missing += (undocumented_missing.empty() ? "" : ", ") + column.name;
    }
  }
  if (!undocumented_missing.empty()) {
    throw std::runtime_error("the schema file documents column(s) " + undocumented_missing +
                             " that the model does not produce");
  }
  if (!model.description.empty()) {
    tx.exec(std::string("comment on ") + (is_view ? "view " : "table ") + relation + " is " +
            tx.quote(model.description));
  }
  for (const auto& column : model.columns) {
    if (column.description.empty()) continue;
    tx.exec("comment on column " + relation + "." + quote_ident(column.name) + " is " +
            tx.quote(column.description));
  }
}

std::string index_name(const Model& model, const IndexSpec& index) {
  std::string name = model.name;
  for (const auto& column : index.columns) name += "_" + column;
  name += index.unique ? "_key" : "_idx";
  return name.substr(0, kMaxIdentifier);
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

std::string blocking_report(const std::vector<TestOutcome>& tests) {
  std::string report;
  for (const auto& test : tests) {
    if (!test.blocks()) continue;
    report += (report.empty() ? "" : "; ") + test.test_name +
              (test.column.empty() ? "" : " on " + test.column) + ": " + test.message;
  }
  return "data tests failed: " + report;
}

}  // namespace

ModelOutcome build_model(pqxx::connection& connection, const Model& model, const Project& project) {
  ModelOutcome outcome;
  outcome.model = model.relation();
  const auto started = std::chrono::steady_clock::now();
  try {
    const std::string sql = render_sql(model, project);
    pqxx::work tx(connection);
    const bool is_view = model.materialization == Materialization::view;
    const std::string build_name = is_view ? model.name : model.name + kNewSuffix;
    const std::string build_relation = qualified(model.schema, build_name);

    if (is_view) {
      drop_relation(tx, model.schema, model.name);
      tx.exec("create view " + build_relation + " as\n" + sql);
      outcome.rows = tx.exec1("select count(*) from " + build_relation)[0].as<std::int64_t>();
    } else {
      drop_relation(tx, model.schema, build_name);
      const auto created = tx.exec("create table " + build_relation + " as\n" + sql);
      outcome.rows = created.affected_rows();
      tx.exec("analyze " + build_relation);  // the tests and the first readers get real statistics
    }
    document(tx, model, build_name, is_view);

    // Tests run before indexes, so duplicates show up as a readable test failure rather than
    // as a unique index that refuses to build.
    for (const auto& test : model.tests) {
      outcome.tests.push_back(run_test(tx, model, test, build_relation, project));
    }
    const bool blocked = std::any_of(outcome.tests.begin(), outcome.tests.end(),
                                     [](const TestOutcome& t) { return t.blocks(); });
    if (blocked) {
      tx.abort();
      outcome.status = "failed";
      outcome.error = blocking_report(outcome.tests);
      outcome.elapsed_ms = ms_since(started);
      return outcome;
    }

    std::vector<std::pair<std::string, std::string>> index_renames;
    for (std::size_t i = 0; i < model.indexes.size(); ++i) {
      const auto& index = model.indexes[i];
      std::string columns;
      for (const auto& column : index.columns)
        columns += (columns.empty() ? "" : ", ") + quote_ident(column);
      const std::string temporary =
          (model.name + kNewSuffix + "_" + std::to_string(i)).substr(0, kMaxIdentifier);
      tx.exec(std::string("create ") + (index.unique ? "unique " : "") + "index " +
              quote_ident(temporary) + " on " + build_relation + " using " +
              quote_ident(index.method) + " (" + columns + ")");
      index_renames.emplace_back(temporary, index_name(model, index));
    }

    if (!is_view) {
      drop_relation(tx, model.schema, model.name);
      tx.exec("alter table " + build_relation + " rename to " + quote_ident(model.name));
      for (const auto& [temporary, final_name] : index_renames) {
        tx.exec("alter index " + qualified(model.schema, temporary) + " rename to " +
                quote_ident(final_name));
      }
    }
    tx.commit();
    outcome.status = "success";
  } catch (const std::exception& e) {
    outcome.status = "failed";
    const std::string message = e.what();
    outcome.error = message.substr(0, message.find('\n'));
  }
  outcome.elapsed_ms = ms_since(started);
  return outcome;
}

}  // namespace musicagent::pipeline
