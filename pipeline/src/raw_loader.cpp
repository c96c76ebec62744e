#include "pipeline/raw_loader.hpp"

#include <stdexcept>
#include <vector>

#include "common/database.hpp"
#include "common/progress.hpp"
#include "pipeline/byte_source.hpp"
#include "pipeline/copy_writer.hpp"
#include "pipeline/file_checksum.hpp"
#include "pipeline/row_validator.hpp"
#include "pipeline/text_encoding.hpp"

namespace musicagent::pipeline {
namespace {

struct Rejection {
  std::int64_t line;
  std::string raw_text;
  std::string reason;
  std::string category;
};

// The reason without the offending value, so rejects group into a readable summary.
std::string reason_category(const std::string& reason) {
  const auto colon = reason.find(": ");
  if (colon == std::string::npos)
    return reason.rfind("expected ", 0) == 0 ? "wrong field count" : reason;
  const std::string rest = reason.substr(colon + 2);
  if (rest.find("outside") != std::string::npos) return reason.substr(0, colon) + ": out of range";
  if (rest.find("not a") != std::string::npos) return reason.substr(0, colon) + ": unparsable";
  return reason.substr(0, colon) + ": " + rest;
}

std::optional<std::int64_t> latest_batch_with_checksum(pqxx::work& tx, const SourceSpec& spec,
                                                       const std::string& checksum) {
  const auto rows = tx.exec_params(
      "select batch_id, file_checksum from ops.load_batches where raw_table = $1 "
      "order by batch_id desc limit 1",
      spec.raw_table);
  if (rows.empty() || rows[0][1].as<std::string>() != checksum) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

void write_rejections(pqxx::work& tx, const std::vector<Rejection>& rejections,
                      const SourceSpec& spec, const std::string& file, std::int64_t run_id,
                      std::int64_t batch_id) {
  if (rejections.empty()) return;
  CopyWriter stream(tx, "ops.rejected_rows",
                    std::vector<std::string>{"run_id", "batch_id", "source", "file_path",
                                             "line_number", "raw_text", "reason", "category"});
  std::string prefix = std::to_string(run_id) + "\t" + std::to_string(batch_id) + "\t";
  append_copy_escaped(spec.name, prefix);
  prefix += '\t';
  append_copy_escaped(file, prefix);
  prefix += '\t';
  std::string line;
  for (const auto& rejection : rejections) {
    line = prefix + std::to_string(rejection.line) + "\t";
    // Raw text that is not valid UTF-8 is stored as Latin-1 read, so the row is never lost.
    append_copy_escaped(
        is_valid_utf8(rejection.raw_text) ? rejection.raw_text : latin1_to_utf8(rejection.raw_text),
        line);
    line += '\t';
    append_copy_escaped(rejection.reason, line);
    line += '\t';
    append_copy_escaped(rejection.category, line);
    stream.write_line(line);
  }
  stream.complete();
}

}  // namespace

std::filesystem::path find_source_file(const SourceSpec& spec,
                                       const std::filesystem::path& data_dir) {
  std::string tried;
  for (const auto& candidate : spec.candidates) {
    const auto path = data_dir / candidate;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path;
    tried += "\n  " + path.string();
  }
  throw std::runtime_error("no file for source " + spec.name + " in " + data_dir.string() +
                           "; looked for:" + tried +
                           "\n  See README.md (Data) for where to download it, or set "
                           "MUSICAGENT_DATA_DIR / --data-dir.");
}

LoadResult load_source(pqxx::connection& connection, const SourceSpec& spec,
                       const std::filesystem::path& file, const LoadOptions& options) {
  LoadResult result;
  result.source = spec.name;
  result.file = file;
  const FileChecksum checksum = checksum_file(file);
  result.checksum = checksum.sha256_hex;

  pqxx::work tx(connection);
  if (!options.force) {
    if (auto batch = latest_batch_with_checksum(tx, spec, checksum.sha256_hex)) {
      result.unchanged = true;
      result.batch_id = *batch;
      const auto counts = tx.exec_params(
          "select rows_read, rows_loaded, rows_rejected from ops.load_batches where batch_id = $1",
          *batch);
      result.rows_read = counts[0][0].as<std::int64_t>();
      result.rows_loaded = counts[0][1].as<std::int64_t>();
      result.rows_rejected = counts[0][2].as<std::int64_t>();
      tx.commit();
      return result;
    }
  }

  const auto batch = tx.exec_params(
      "insert into ops.load_batches (run_id, source, raw_table, file_path, file_checksum, "
      "file_bytes, rows_read, rows_loaded, rows_rejected) values ($1, $2, $3, $4, $5, $6, 0, 0, 0) "
      "returning batch_id, now()::text",
      options.run_id, spec.name, spec.raw_table, file.string(), checksum.sha256_hex,
      static_cast<std::int64_t>(checksum.bytes));
  result.batch_id = batch[0][0].as<std::int64_t>();
  const std::string loaded_at = batch[0][1].as<std::string>();

  // Lineage columns are the same for every row of the batch: build their text once.
  std::string lineage =
      "\t" + std::to_string(result.batch_id) + "\t" + std::to_string(options.run_id) + "\t";
  append_copy_escaped(loaded_at, lineage);
  lineage += '\t';
  append_copy_escaped(spec.name, lineage);
  lineage += "\t" + checksum.sha256_hex + "\t";

  std::vector<std::string> columns;
  for (const auto& column : spec.columns) columns.push_back(column.column);
  for (const char* lineage_column :
       {"_batch_id", "_run_id", "_loaded_at", "_source", "_file_checksum", "_line"}) {
    columns.emplace_back(lineage_column);
  }

  CsvReader reader(open_file_source(file), spec.csv);
  CsvRecord record;
  if (!reader.next(record)) throw std::runtime_error(file.string() + " is empty: no header row");
  if (spec.latin1) {
    for (auto& field : record.fields) field = latin1_to_utf8(field);
  }
  const RowValidator validator(spec, record.fields);

  std::vector<Rejection> rejections;
  common::Progress progress("load " + spec.name, 0, options.progress);
  {
    CopyWriter stream(tx, "raw." + spec.raw_table, columns);
    std::string line;
    while (reader.next(record)) {
      ++result.rows_read;
      if (spec.latin1) {
        for (auto& field : record.fields) field = latin1_to_utf8(field);
        record.raw = latin1_to_utf8(record.raw);
      }
      line.clear();
      std::optional<std::string> problem;
      if (!record.error.empty()) {
        problem = record.error;
      } else {
        problem = validator.to_copy_fields(record.fields, line);
      }
      if (problem) {
        auto category = reason_category(*problem);
        ++result.rejects_by_reason[category];
        rejections.push_back(
            {static_cast<std::int64_t>(record.line), record.raw, *problem, std::move(category)});
        continue;
      }
      line += lineage;
      line += std::to_string(record.line);
      stream.write_line(line);
      ++result.rows_loaded;
      if ((result.rows_read & 0x3FFF) == 0)
        progress.update(static_cast<std::uint64_t>(result.rows_read));
    }
    stream.complete();
  }
  result.rows_rejected = static_cast<std::int64_t>(rejections.size());
  write_rejections(tx, rejections, spec, file.string(), options.run_id, result.batch_id);
  tx.exec_params(
      "update ops.load_batches set rows_read = $2, rows_loaded = $3, rows_rejected = $4 "
      "where batch_id = $1",
      result.batch_id, result.rows_read, result.rows_loaded, result.rows_rejected);
  tx.commit();
  progress.finish(std::to_string(result.rows_loaded) + " rows loaded, " +
                  std::to_string(result.rows_rejected) + " rejected");
  return result;
}

}  // namespace musicagent::pipeline
