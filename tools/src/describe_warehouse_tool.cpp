#include "tools/describe_warehouse_tool.hpp"

namespace musicagent::tools {

DescribeWarehouseTool::DescribeWarehouseTool(ToolServices services)
    : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult DescribeWarehouseTool::invoke(const nlohmann::json& arguments) const {
  std::string wanted = arguments.value("table", "");
  if (wanted.rfind("marts.", 0) == 0) wanted = wanted.substr(6);
  auto connection = services_.database->lease();
  pqxx::read_transaction tx(*connection);
  // Row counts from the planner's statistics: exact after the pipeline's ANALYZE, and cheap.
  const auto tables = tx.exec_params(
      "select c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''), greatest(c.reltuples, "
      "0)::bigint "
      "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
      "where n.nspname = 'marts' and c.relkind = 'r' and c.relname not like '%\\_\\_new' "
      "and ($1 = '' or c.relname = $1) order by c.relname",
      wanted);
  if (tables.empty()) {
    nlohmann::json known = nlohmann::json::array();
    std::string names;
    for (const auto& row : tx.exec("select 'marts.' || tablename from pg_tables where schemaname = "
                                   "'marts' and tablename not like '%\\_\\_new' "
                                   "order by 1")) {
      known.push_back(row[0].as<std::string>());
      names += (names.empty() ? "" : ", ") + row[0].as<std::string>();
    }
    return ToolError{
        "not_found", "no table marts." + wanted + "; the tables are " + names, {{"tables", known}}};
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& table : tables) {
    const auto name = table[0].as<std::string>();
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& column :
         tx.exec_params("select a.attname, format_type(a.atttypid, a.atttypmod), "
                        "coalesce(col_description(a.attrelid, a.attnum), '') "
                        "from pg_attribute a where a.attrelid = ('marts.' || "
                        "quote_ident($1))::regclass and a.attnum > 0 "
                        "and not a.attisdropped order by a.attnum",
                        name)) {
      nlohmann::json item = {{"name", column[0].as<std::string>()},
                             {"type", column[1].as<std::string>()}};
      if (!column[2].as<std::string>().empty()) item["description"] = column[2].as<std::string>();
      columns.push_back(std::move(item));
    }
    out.push_back({{"table", "marts." + name},
                   {"description", table[1].as<std::string>()},
                   {"row_count", table[2].as<std::int64_t>()},
                   {"columns", columns}});
  }
  return nlohmann::json{
      {"tables", out},
      {"notes",
       "Query with warehouse_query: one SELECT over marts.* tables; array columns "
       "(genres, artist_names, lastfm_top_tags) work with ANY() and unnest()."}};
}

}  // namespace musicagent::tools
