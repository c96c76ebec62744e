#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

namespace musicagent::pipeline {

// COPY ... FROM STDIN in text format, for lines the caller has already escaped. Lines are
// sent in blocks of about a megabyte, not one protocol message per row.
class CopyWriter {
 public:
  CopyWriter(pqxx::transaction_base& tx, const std::string& table,
             const std::vector<std::string>& columns);
  ~CopyWriter();
  CopyWriter(const CopyWriter&) = delete;
  CopyWriter& operator=(const CopyWriter&) = delete;

  // One row: tab-separated fields, no line end.
  void write_line(std::string_view line);
  // Sends what is buffered and ends the COPY; must be called before the transaction commits.
  void complete();

 private:
  void flush();

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string buffer_;
};

}  // namespace musicagent::pipeline
