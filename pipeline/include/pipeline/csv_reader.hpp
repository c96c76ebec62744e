#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/byte_source.hpp"

namespace musicagent::pipeline {

struct CsvOptions {
  char delimiter = ',';
  bool quoting = true;  // false: quotes are ordinary characters (tab-separated HetRec files)
};

struct CsvRecord {
  std::vector<std::string> fields;  // unescaped field values
  // The record's text as read, without its final line end (CR LF or LF); for quoted multi-line
  // records it includes the inner line breaks.
  std::string raw;
  std::size_t line = 0;  // 1-based physical line where the record starts (the header is line 1)
  // Empty when well-formed; otherwise why it is malformed (e.g. "unterminated quoted field",
  // "unexpected character after closing quote").
  std::string error;
};

// RFC 4180 reader that is lenient the way real exports need: UTF-8 BOM skipped, LF or CRLF line
// ends, blank lines skipped (but counted), a missing final line end accepted, a quote inside an
// unquoted field kept literally. Malformed records are reported through CsvRecord::error and
// reading continues with the next record.
class CsvReader {
 public:
  explicit CsvReader(std::unique_ptr<ByteSource> input, CsvOptions options = {});

  // Fills `record` with the next record; returns false at end of input. Reuses record's buffers.
  bool next(CsvRecord& record);

  std::size_t lines_read() const { return lines_read_; }  // physical lines consumed so far

 private:
  enum class State { field_start, unquoted, quoted, after_closing_quote };

  void skip_bom();
  bool refill(std::string& raw);
  std::size_t line_end_length(std::string& raw);

  std::unique_ptr<ByteSource> input_;
  CsvOptions options_;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;       // next unconsumed byte in buffer_
  std::size_t end_ = 0;       // one past the last valid byte in buffer_
  std::size_t raw_mark_ = 0;  // start of the current record's text not yet copied to raw
  std::size_t lines_read_ = 0;
  bool eof_ = false;
  bool started_ = false;
};

}  // namespace musicagent::pipeline
