#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/source_spec.hpp"

namespace musicagent::pipeline {

// Maps a file's header to the spec's columns and turns each record into one line of
// PostgreSQL COPY text, or a reason the row cannot be loaded.
class RowValidator {
 public:
  // Throws std::runtime_error naming the missing columns when the header lacks any.
  RowValidator(const SourceSpec& spec, const std::vector<std::string>& header);

  // Appends the COPY text of the spec's columns (tab-separated, no line end) to `out` and
  // returns nullopt, or returns the reason and leaves `out` unchanged.
  std::optional<std::string> to_copy_fields(const std::vector<std::string>& fields,
                                            std::string& out) const;

  std::size_t expected_fields() const { return header_size_; }

 private:
  const SourceSpec& spec_;
  std::vector<std::size_t> positions_;  // spec column -> field index in the file
  std::size_t header_size_;
};

// Escapes a value for COPY's text format (backslash, tab, newline, carriage return).
void append_copy_escaped(std::string_view value, std::string& out);

}  // namespace musicagent::pipeline
