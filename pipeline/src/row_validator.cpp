#include "pipeline/row_validator.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "pipeline/text_encoding.hpp"

namespace musicagent::pipeline {
namespace {

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string format_bound(double value) {
  std::string text = std::to_string(value);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

std::optional<std::string> check_range(const ColumnSpec& column, double value,
                                       std::string_view text) {
  const bool below = column.min && value < *column.min;
  const bool above = column.max && value > *column.max;
  if (!below && !above) return std::nullopt;
  std::string range = column.min && column.max
                          ? format_bound(*column.min) + ".." + format_bound(*column.max)
                      : column.min ? ">= " + format_bound(*column.min)
                                   : "<= " + format_bound(*column.max);
  return column.header + ": " + std::string(text) + " is outside " + range;
}

std::optional<std::string> append_number(const ColumnSpec& column, std::string_view text,
                                         std::string& out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (column.type == FieldType::real) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
      return column.header + ": '" + std::string(text) + "' is not a number";
    }
    if (auto bad = check_range(column, value, text)) return bad;
  } else {
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end) {
      return column.header + ": '" + std::string(text) + "' is not a whole number";
    }
    if (column.type == FieldType::integer && (value < std::numeric_limits<std::int32_t>::min() ||
                                              value > std::numeric_limits<std::int32_t>::max())) {
      return column.header + ": " + std::string(text) + " does not fit a 32-bit integer";
    }
    if (auto bad = check_range(column, static_cast<double>(value), text)) return bad;
  }
  out.append(text);  // already validated, and PostgreSQL reads the same notation
  return std::nullopt;
}

std::optional<std::string> append_boolean(const ColumnSpec& column, std::string_view text,
                                          std::string& out) {
  const std::string value = lower_trimmed(text);
  if (value == "true" || value == "t" || value == "1" || value == "yes") {
    out += 't';
  } else if (value == "false" || value == "f" || value == "0" || value == "no") {
    out += 'f';
  } else {
    return column.header + ": '" + std::string(text) + "' is not a boolean";
  }
  return std::nullopt;
}

}  // namespace

void append_copy_escaped(std::string_view value, std::string& out) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

RowValidator::RowValidator(const SourceSpec& spec, const std::vector<std::string>& header)
    : spec_(spec), header_size_(header.size()) {
  std::vector<std::string> names;
  names.reserve(header.size());
  for (const auto& cell : header) names.push_back(lower_trimmed(cell));
  std::string missing;
  for (const auto& column : spec.columns) {
    const auto it = std::find(names.begin(), names.end(), lower_trimmed(column.header));
    if (it == names.end()) {
      missing += (missing.empty() ? "" : ", ") + column.header;
      continue;
    }
    positions_.push_back(static_cast<std::size_t>(it - names.begin()));
  }
  if (!missing.empty()) {
    std::string seen;
    for (const auto& cell : header) seen += (seen.empty() ? "" : ", ") + ("'" + cell + "'");
    throw std::runtime_error(spec.name + ": the header lacks column(s) " + missing +
                             " (header has " + seen + ")");
  }
}

std::optional<std::string> RowValidator::to_copy_fields(const std::vector<std::string>& fields,
                                                        std::string& out) const {
  if (fields.size() != header_size_) {
    return "expected " + std::to_string(header_size_) + " fields, got " +
           std::to_string(fields.size());
  }
  const std::size_t rollback = out.size();
  for (std::size_t i = 0; i < positions_.size(); ++i) {
    const ColumnSpec& column = spec_.columns[i];
    const std::string& value = fields[positions_[i]];
    if (i > 0) out += '\t';
    std::optional<std::string> problem;
    if (value.empty()) {
      if (column.required)
        problem = "empty " + column.header;
      else
        out += "\\N";
    } else if (!is_valid_utf8(value)) {
      problem = column.header + ": invalid UTF-8";
    } else if (column.type == FieldType::text) {
      append_copy_escaped(value, out);
    } else if (column.type == FieldType::boolean) {
      problem = append_boolean(column, value, out);
    } else {
      problem = append_number(column, value, out);
    }
    if (problem) {
      out.resize(rollback);
      return problem;
    }
  }
  return std::nullopt;
}

}  // namespace musicagent::pipeline
