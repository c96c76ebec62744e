#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/config.hpp"
#include "common/connection_pool.hpp"
#include "common/environment.hpp"
#include "tools/sql_guard.hpp"
#include "tools/tool.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// The role warehouse_query connects as (pipeline/sql/bootstrap.sql: SELECT on marts only).
inline constexpr std::string_view kReaderRole = "musicagent_reader";
inline constexpr std::chrono::milliseconds kDefaultSqlStatementTimeout{5000};
inline constexpr std::size_t kDefaultReaderConnections = 2;

struct WarehouseQuerySettings {
  std::string reader_database_url;
  std::chrono::milliseconds statement_timeout = kDefaultSqlStatementTimeout;
  std::size_t connections = kDefaultReaderConnections;

  // MUSICAGENT_READER_DATABASE_URL, else config.database_url with its user replaced by
  // musicagent_reader (and its password dropped); MUSICAGENT_SQL_TIMEOUT_MS (default 5000).
  static WarehouseQuerySettings from(const common::Config& config, const common::Environment& env);
};

// `database_url` (a postgresql:// URL or a key=value string) with the user set to `role` and
// any password removed.
std::string with_database_user(const std::string& database_url, std::string_view role);

// warehouse_query {sql, max_rows}: one guarded SELECT over marts.*, run as the reader role in
// a READ ONLY transaction with a statement timeout. Returns
// {columns: [{name, type}], rows: [[...]], row_count, truncated, elapsed_ms}.
// Errors: sql_refused (the guard said no, with why), sql_timeout, sql_error (PostgreSQL's
// message), unavailable (cannot connect).
class WarehouseQueryTool final : public Tool {
 public:
  // Loads tools/schemas/warehouse_query.schema.json and lists the marts tables as the reader
  // role; when the database is not reachable yet, it tries again on the first call. Wiring:
  //   WarehouseQueryTool(services, WarehouseQuerySettings::from(services.config, env))
  WarehouseQueryTool(const ToolServices& services, WarehouseQuerySettings settings);
  WarehouseQueryTool(ToolSchema schema, WarehouseQuerySettings settings);

  std::string name() const override { return "warehouse_query"; }
  std::string description() const override { return schema_.description; }
  const nlohmann::json& parameters() const override { return schema_.parameters; }
  ToolResult invoke(const nlohmann::json& arguments) const override;

 private:
  // The guard knows the marts tables, listed as the reader role on first success.
  common::Result<std::shared_ptr<const SqlGuard>, ToolError> guard() const;
  ToolResult run(const std::string& sql, int max_rows) const;

  ToolSchema schema_;
  WarehouseQuerySettings settings_;
  std::unique_ptr<common::ConnectionPool> readers_;
  mutable std::mutex guard_mutex_;
  mutable std::shared_ptr<const SqlGuard> guard_;
};

}  // namespace musicagent::tools
