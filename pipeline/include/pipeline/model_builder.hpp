#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "pipeline/data_test.hpp"
#include "pipeline/model.hpp"

namespace musicagent::pipeline {

struct ModelOutcome {
  std::string model;   // schema.name
  std::string status;  // success, failed or skipped
  std::optional<std::int64_t> rows;
  double elapsed_ms = 0;
  std::string error;
  std::vector<TestOutcome> tests;
};

// Builds one model in one transaction: a table is created under a new name, documented,
// indexed and tested, then swapped in for the old one; a view is replaced in place. When
// the SQL or an error-severity test fails the transaction rolls back, so readers keep the
// previous version.
ModelOutcome build_model(pqxx::connection& connection, const Model& model, const Project& project);

}  // namespace musicagent::pipeline
