#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/csv_reader.hpp"

namespace musicagent::pipeline {

enum class FieldType { text, integer, bigint, real, boolean };

// One column of a source file: how it is found (by header name, never by position) and
// which values it accepts. A value that fails these checks rejects the whole row.
struct ColumnSpec {
  std::string header;  // name in the file's header row, matched case-insensitively
  std::string column;  // column in the raw table
  FieldType type = FieldType::text;
  bool required = false;  // an empty value rejects the row
  std::optional<double> min;
  std::optional<double> max;
};

// A source file and the raw table it lands in.
struct SourceSpec {
  std::string name;                     // e.g. "kaggle.tracks"; also the `_source` lineage value
  std::string raw_table;                // table in schema raw
  std::vector<std::string> candidates;  // paths under the data directory, first found wins
  CsvOptions csv;
  bool latin1 = false;  // convert to UTF-8 on the way in
  std::vector<ColumnSpec> columns;
};

// The Kaggle Spotify tracks file and the five HetRec Last.fm files.
std::vector<SourceSpec> builtin_sources();

}  // namespace musicagent::pipeline
