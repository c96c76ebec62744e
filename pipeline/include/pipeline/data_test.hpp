#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "pipeline/model.hpp"

namespace musicagent::pipeline {

// A test compiled to one query returning (failing bigint, total bigint), and how to judge it.
struct CompiledTest {
  std::string sql;
  double max_failing_fraction = 0.0;  // completeness tolerates some missing values
  std::string what_fails;             // e.g. "duplicate values", for the report
};

struct TestOutcome {
  std::string model;
  std::string column;  // empty for model-level tests
  std::string test_name;
  Severity severity = Severity::error;
  std::string status;  // pass, fail, warn or error (the test itself could not run)
  std::int64_t failing_rows = 0;
  std::string message;
  std::string sql;
  double elapsed_ms = 0;

  bool blocks() const {
    return severity == Severity::error && (status == "fail" || status == "error");
  }
};

// Compiles a schema-file test against `relation` (the model's new relation while it is
// being built). Throws std::runtime_error for an unknown test or missing argument.
CompiledTest compile_test(const DataTestSpec& test, const std::string& relation,
                          const Project& project);

// Runs a test inside the model's build transaction, under a savepoint so a test whose SQL
// fails is reported as status "error" without aborting the build.
TestOutcome run_test(pqxx::work& tx, const Model& model, const DataTestSpec& test,
                     const std::string& relation, const Project& project);

}  // namespace musicagent::pipeline
