#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace musicagent::tools {

// The one schema warehouse_query may read.
inline constexpr std::string_view kMartsSchema = "marts";
// The longest SQL text the guard parses (warehouse_query.schema.json's maxLength).
inline constexpr std::size_t kMaxSqlLength = 20000;

// A statement the guard accepted: its text without the trailing semicolon, ready to be
// wrapped as a subquery.
struct CheckedSql {
  std::string statement;
};

// Why a statement was refused, in words the model can act on.
struct SqlRefusal {
  std::string reason;
};

// Decides whether SQL from an untrusted author may run. It parses the text with
// PostgreSQL's own parser (libpg_query) and walks the whole tree. It accepts exactly one
// plain SELECT (set operations and WITH of plain SELECTs included) that reads only marts
// tables or its own CTEs and calls only allow-listed functions. Every node type it does not
// know is refused. It is pure (no database) and thread-safe.
class SqlGuard {
 public:
  // `marts_tables` are the names an unqualified table may have. The tool resolves them to
  // marts.* with search_path = marts, pg_catalog, public.
  explicit SqlGuard(std::set<std::string> marts_tables);

  common::Result<CheckedSql, SqlRefusal> check(std::string_view sql) const;
  const std::set<std::string>& marts_tables() const { return marts_tables_; }

 private:
  std::set<std::string> marts_tables_;
};

// True when a function (lower case, without schema) is on the allow-list.
bool is_allowed_sql_function(std::string_view name);

}  // namespace musicagent::tools
