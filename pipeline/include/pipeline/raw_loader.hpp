#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <pqxx/pqxx>
#include <string>

#include "pipeline/source_spec.hpp"

namespace musicagent::pipeline {

struct LoadResult {
  std::string source;
  std::filesystem::path file;
  std::string checksum;
  bool unchanged = false;      // the same file is already the latest batch
  std::int64_t batch_id = 0;   // the new batch, or the existing one when unchanged
  std::int64_t rows_read = 0;  // data rows (header and blank lines excluded)
  std::int64_t rows_loaded = 0;
  std::int64_t rows_rejected = 0;
  std::map<std::string, std::int64_t> rejects_by_reason;  // reason with its column, no value
};

struct LoadOptions {
  std::int64_t run_id = 0;
  bool force = false;     // load a new batch even when the checksum is already the latest
  bool progress = false;  // show progress on stderr
};

// Lands one source file in raw.<table> with COPY, in one transaction together with its
// batch record and rejected rows, so a crash leaves either the whole batch or nothing.
LoadResult load_source(pqxx::connection& connection, const SourceSpec& spec,
                       const std::filesystem::path& file, const LoadOptions& options);

// The first of the spec's candidate paths that exists under data_dir, or throws naming
// every path tried.
std::filesystem::path find_source_file(const SourceSpec& spec,
                                       const std::filesystem::path& data_dir);

}  // namespace musicagent::pipeline
