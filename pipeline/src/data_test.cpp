#include "pipeline/data_test.hpp"

#include <chrono>
#include <regex>
#include <stdexcept>

#include "common/database.hpp"

namespace musicagent::pipeline {
namespace {

using common::quote_ident;

constexpr double kDefaultMaxMissing = 0.05;

const std::string& param(const DataTestSpec& test, const std::string& key) {
  const auto it = test.params.find(key);
  if (it == test.params.end()) {
    throw std::runtime_error("test " + test.name + " needs argument '" + key + "'");
  }
  return it->second;
}

std::string optional_param(const DataTestSpec& test, const std::string& key) {
  const auto it = test.params.find(key);
  return it == test.params.end() ? std::string() : it->second;
}

const std::string& column_of(const DataTestSpec& test) {
  if (!test.column) throw std::runtime_error("test " + test.name + " belongs under a column");
  return *test.column;
}

// Resolves `ref('model')` or `source('s','t')` written as a test argument.
std::string resolve_relation(const std::string& text, const Project& project) {
  static const std::regex ref(R"(^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$)");
  static const std::regex source(
      R"(^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$)");
  std::smatch match;
  if (std::regex_match(text, match, ref)) {
    if (const Model* model = project.find(match[1].str())) return model->relation();
    throw std::runtime_error("test argument " + text + " names no model");
  }
  if (std::regex_match(text, match, source)) {
    for (const auto& s : project.sources) {
      if (s.source == match[1].str() && s.table == match[2].str()) return s.relation;
    }
    throw std::runtime_error("test argument " + text + " names no declared source");
  }
  throw std::runtime_error("test argument '" + text +
                           "' should be ref('...') or source('...', '...')");
}

std::string sql_literal_list(const std::vector<std::string>& values) {
  std::string list;
  for (const auto& value : values) {
    std::string quoted = "'";
    for (const char c : value) {
      if (c == '\'') quoted += '\'';
      quoted += c;
    }
    list += (list.empty() ? "" : ", ") + quoted + "'";
  }
  return list;
}

std::string numeric_literal(const std::string& text, const std::string& test_name) {
  static const std::regex number(R"(^-?\d+(\.\d+)?([eE][-+]?\d+)?$)");
  if (!std::regex_match(text, number)) {
    throw std::runtime_error("test " + test_name + ": '" + text + "' is not a number");
  }
  return text;
}

}  // namespace

CompiledTest compile_test(const DataTestSpec& test, const std::string& relation,
                          const Project& project) {
  const std::string& name = test.name;
  if (name == "not_null") {
    const auto c = quote_ident(column_of(test));
    return {"select count(*) filter (where " + c + " is null), count(*) from " + relation, 0,
            "null values"};
  }
  if (name == "unique") {
    const auto c = quote_ident(column_of(test));
    return {"select (select count(*) from (select " + c + " from " + relation + " where " + c +
                " is not null group by " + c + " having count(*) > 1) d), (select count(*) from " +
                relation + ")",
            0, "duplicated values"};
  }
  if (name == "accepted_values") {
    const auto c = quote_ident(column_of(test));
    if (test.values.empty()) throw std::runtime_error("accepted_values needs a 'values' list");
    return {"select count(*) filter (where " + c + " is not null and " + c + "::text not in (" +
                sql_literal_list(test.values) + ")), count(*) from " + relation,
            0, "values outside the accepted list"};
  }
  if (name == "accepted_range") {
    const auto c = quote_ident(column_of(test));
    std::string outside;
    if (auto min = optional_param(test, "min_value"); !min.empty())
      outside += c + " < " + numeric_literal(min, name);
    if (auto max = optional_param(test, "max_value"); !max.empty())
      outside += (outside.empty() ? "" : " or ") + c + " > " + numeric_literal(max, name);
    if (outside.empty()) throw std::runtime_error("accepted_range needs min_value or max_value");
    return {"select count(*) filter (where " + outside + "), count(*) from " + relation, 0,
            "values out of range"};
  }
  if (name == "relationships") {
    const auto c = quote_ident(column_of(test));
    const auto parent = resolve_relation(param(test, "to"), project);
    const auto field = quote_ident(param(test, "field"));
    return {"select count(*) filter (where p." + field + " is null), count(*) from " + relation +
                " c left join " + parent + " p on c." + c + " = p." + field + " where c." + c +
                " is not null",
            0, "values with no match in " + parent};
  }
  if (name == "completeness") {
    const auto c = quote_ident(column_of(test));
    const auto max_missing = optional_param(test, "max_missing");
    const double threshold =
        max_missing.empty() ? kDefaultMaxMissing : std::stod(numeric_literal(max_missing, name));
    return {"select count(*) filter (where " + c + " is null or " + c +
                "::text in ('', '{}')), count(*) from " + relation,
            threshold,
            "missing values (more than " + std::to_string(static_cast<int>(threshold * 100 + 0.5)) +
                "% fails)"};
  }
  if (name == "row_count") {
    std::string outside;
    if (auto min = optional_param(test, "min"); !min.empty())
      outside += "n < " + numeric_literal(min, name);
    if (auto max = optional_param(test, "max"); !max.empty())
      outside += std::string(outside.empty() ? "" : " or ") + "n > " + numeric_literal(max, name);
    if (outside.empty()) throw std::runtime_error("row_count needs min or max");
    return {"select case when " + outside + " then n else 0 end, n from (select count(*) n from " +
                relation + ") t",
            0,
            "rows (count outside " + optional_param(test, "min") + ".." +
                optional_param(test, "max") + ")"};
  }
  if (name == "equal_rowcount") {
    const auto other = resolve_relation(param(test, "compare_to"), project);
    const auto expression = optional_param(test, "compare_expression");
    const auto counted = expression.empty() ? std::string("count(*)") : expression;
    return {"select abs(a.n - b.n), a.n from (select count(*) n from " + relation +
                ") a, (select " + counted + " n from " + other + ") b",
            0, "rows of difference with " + other};
  }
  if (name == "expression_is_true") {
    const auto& expression = param(test, "expression");
    return {"select count(*) filter (where not coalesce((" + expression +
                ")::boolean, false)), count(*) from " + relation,
            0, "rows where (" + expression + ") is not true"};
  }
  if (name == "unique_combination_of_columns") {
    if (test.values.empty())
      throw std::runtime_error(name + " needs a 'combination_of_columns' list");
    std::string columns;
    for (const auto& column : test.values)
      columns += (columns.empty() ? "" : ", ") + quote_ident(column);
    return {"select (select count(*) from (select " + columns + " from " + relation + " group by " +
                columns + " having count(*) > 1) d), (select count(*) from " + relation + ")",
            0, "duplicated combinations"};
  }
  throw std::runtime_error("unknown data test '" + name +
                           "' (known: not_null, unique, accepted_values, accepted_range, "
                           "relationships, completeness, row_count, equal_rowcount, "
                           "expression_is_true, unique_combination_of_columns)");
}

TestOutcome run_test(pqxx::work& tx, const Model& model, const DataTestSpec& test,
                     const std::string& relation, const Project& project) {
  TestOutcome outcome;
  outcome.model = model.relation();
  outcome.column = test.column.value_or("");
  outcome.test_name = test.name;
  outcome.severity = test.severity;
  const auto started = std::chrono::steady_clock::now();
  try {
    const CompiledTest compiled = compile_test(test, relation, project);
    outcome.sql = compiled.sql;
    pqxx::subtransaction savepoint(tx, "data_test");
    const auto row = savepoint.exec1(compiled.sql);
    savepoint.commit();
    outcome.failing_rows = row[0].is_null() ? 0 : row[0].as<std::int64_t>();
    const std::int64_t total = row[1].is_null() ? 0 : row[1].as<std::int64_t>();
    const bool failed =
        compiled.max_failing_fraction > 0
            ? total > 0 && static_cast<double>(outcome.failing_rows) >
                               compiled.max_failing_fraction * static_cast<double>(total)
            : outcome.failing_rows > 0;
    outcome.status = !failed ? "pass" : test.severity == Severity::error ? "fail" : "warn";
    outcome.message = std::to_string(outcome.failing_rows) + " " + compiled.what_fails + " of " +
                      std::to_string(total) + " rows";
  } catch (const std::exception& e) {
    outcome.status = "error";
    // PostgreSQL's message is the first line; the rest points into SQL the reader never wrote.
    const std::string message = e.what();
    outcome.message = "could not run: " + message.substr(0, message.find('\n'));
  }
  outcome.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return outcome;
}

}  // namespace musicagent::pipeline
