#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace musicagent::pipeline {

enum class Materialization { view, table };
enum class Severity { error, warn };

// One data test from a schema file, e.g. `unique` on a column, or `row_count` on a model.
struct DataTestSpec {
  std::string name;                           // unique, not_null, accepted_values, ...
  std::optional<std::string> column;          // absent for model-level tests
  std::map<std::string, std::string> params;  // scalar arguments, as written
  std::vector<std::string> values;            // list arguments (accepted_values)
  Severity severity = Severity::error;
};

struct IndexSpec {
  std::vector<std::string> columns;
  bool unique = false;
  std::string method = "btree";  // any PostgreSQL access method, e.g. gin for arrays
};

struct ColumnDoc {
  std::string name;
  std::string description;
};

struct Model {
  std::string name;    // file stem, unique across the project
  std::string schema;  // the layer folder: staging, intermediate or marts
  std::filesystem::path path;
  std::string sql;  // as written, with {{ ref() }} and {{ source() }}
  Materialization materialization = Materialization::view;
  std::string description;
  std::vector<ColumnDoc> columns;
  std::vector<DataTestSpec> tests;
  std::vector<IndexSpec> indexes;
  std::set<std::string> refs;                             // models this one reads
  std::set<std::pair<std::string, std::string>> sources;  // (source, table) it reads

  std::string relation() const { return schema + "." + name; }
};

struct SourceTable {
  std::string source;    // e.g. kaggle
  std::string table;     // e.g. tracks
  std::string relation;  // schema.identifier it reads, e.g. raw.kaggle_tracks__latest
  std::string description;
};

// All models and declared sources under pipeline/models, in build order.
struct Project {
  std::vector<Model> models;  // topologically sorted: parents before children
  std::vector<SourceTable> sources;

  const Model* find(const std::string& name) const;
};

}  // namespace musicagent::pipeline
