#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace musicagent::common {

// Opens a connection or throws std::runtime_error with a message a person can act on
// (the masked URL, libpq's reason, and how to get a database).
pqxx::connection connect(const std::string& database_url);
// The same, on the heap, for pools and objects that own a connection.
std::unique_ptr<pqxx::connection> connect_owned(const std::string& database_url);

// Quotes an identifier like PostgreSQL's quote_ident, for names built at run time.
std::string quote_ident(const std::string& name);

// libpqxx 6 takes no std::optional parameters; a null `const char*` is SQL NULL. The
// returned holder must outlive the exec call.
class NullableParam {
 public:
  NullableParam(std::optional<std::string> value)
      : value_(std::move(value)) {}                 // NOLINT: implicit by design
  NullableParam(std::optional<std::int64_t> value)  // NOLINT
      : value_(value ? std::optional<std::string>(std::to_string(*value)) : std::nullopt) {}
  const char* get() const { return value_ ? value_->c_str() : nullptr; }

 private:
  std::optional<std::string> value_;
};

inline std::optional<std::string> empty_as_null(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace musicagent::common
