#include "tools/warehouse_query_tool.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>
#include <vector>

#include "common/logging.hpp"

namespace musicagent::tools {
namespace {

using nlohmann::json;

constexpr int kDefaultMaxRows = 100;
constexpr int kMaxRows = 1000;
constexpr std::string_view kQueryCanceled = "57014";  // SQLSTATE of a statement timeout
constexpr std::string_view kTimeoutMessage = "canceling statement due to statement timeout";
// Unqualified names resolve to marts first, then to built-in functions, then to pg_trgm and
// unaccent (installed in public). The guard only lets through unqualified marts tables.
constexpr std::string_view kSearchPath = "marts, pg_catalog, public";
constexpr int kIdleTimeoutFactor = 2;

// How a column's text becomes JSON.
enum class Kind { text, boolean, integer, floating, json, array };

struct TypeInfo {
  pqxx::oid oid;
  std::string_view name;
  Kind kind;
  Kind element = Kind::text;  // for arrays
};

// The type oids (pg_type.dat) a marts query usually returns; others are named by
// format_type() and returned as text.
constexpr auto kTypes = std::to_array<TypeInfo>({
    {16, "bool", Kind::boolean},
    {17, "bytea", Kind::text},
    {18, "char", Kind::text},
    {19, "name", Kind::text},
    {20, "int8", Kind::integer},
    {21, "int2", Kind::integer},
    {23, "int4", Kind::integer},
    {25, "text", Kind::text},
    {26, "oid", Kind::integer},
    {114, "json", Kind::json},
    {700, "float4", Kind::floating},
    {701, "float8", Kind::floating},
    {705, "unknown", Kind::text},
    {1042, "bpchar", Kind::text},
    {1043, "varchar", Kind::text},
    {1082, "date", Kind::text},
    {1083, "time", Kind::text},
    {1114, "timestamp", Kind::text},
    {1184, "timestamptz", Kind::text},
    {1186, "interval", Kind::text},
    {1700, "numeric", Kind::floating},
    {2249, "record", Kind::text},
    {2950, "uuid", Kind::text},
    {3802, "jsonb", Kind::json},
    {199, "json[]", Kind::array, Kind::json},
    {1000, "bool[]", Kind::array, Kind::boolean},
    {1003, "name[]", Kind::array, Kind::text},
    {1005, "int2[]", Kind::array, Kind::integer},
    {1007, "int4[]", Kind::array, Kind::integer},
    {1009, "text[]", Kind::array, Kind::text},
    {1014, "bpchar[]", Kind::array, Kind::text},
    {1015, "varchar[]", Kind::array, Kind::text},
    {1016, "int8[]", Kind::array, Kind::integer},
    {1021, "float4[]", Kind::array, Kind::floating},
    {1022, "float8[]", Kind::array, Kind::floating},
    {1115, "timestamp[]", Kind::array, Kind::text},
    {1182, "date[]", Kind::array, Kind::text},
    {1185, "timestamptz[]", Kind::array, Kind::text},
    {1231, "numeric[]", Kind::array, Kind::floating},
    {2951, "uuid[]", Kind::array, Kind::text},
    {3807, "jsonb[]", Kind::array, Kind::json},
});

struct Column {
  std::string name;
  std::string type;
  Kind kind = Kind::text;
  Kind element = Kind::text;
};

std::string first_line(std::string text) {
  if (const auto end = text.find('\n'); end != std::string::npos) text.resize(end);
  for (const std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
    if (text.starts_with(prefix)) text.erase(0, prefix.size());
  }
  return text;
}

json scalar(const std::string& text, Kind kind) {
  switch (kind) {
    case Kind::boolean:
      return text == "t" || text == "true";
    case Kind::integer: {
      std::int64_t number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error == std::errc() && end == text.data() + text.size()) return number;
      return text;
    }
    case Kind::floating: {
      double number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error == std::errc() && end == text.data() + text.size() && std::isfinite(number))
        return number;
      return text;  // NaN, Infinity and out-of-range numerics stay text
    }
    case Kind::json: {
      auto parsed = json::parse(text, nullptr, false);
      return parsed.is_discarded() ? json(text) : parsed;
    }
    case Kind::text:
    case Kind::array:
      break;
  }
  return text;
}

// A PostgreSQL array literal ({1,NULL,3} or {{a,b},{c,d}}) as nested JSON arrays.
json array_value(const pqxx::field& field, Kind element) {
  auto parser = field.as_array();
  std::vector<json> open;
  json top = json::array();
  for (;;) {
    auto [juncture, text] = parser.get_next();
    switch (juncture) {
      case pqxx::array_parser::row_start:
        open.emplace_back(json::array());
        break;
      case pqxx::array_parser::row_end: {
        if (open.empty()) throw std::runtime_error("unbalanced array");
        json done = std::move(open.back());
        open.pop_back();
        if (open.empty()) {
          top = std::move(done);
        } else {
          open.back().push_back(std::move(done));
        }
        break;
      }
      case pqxx::array_parser::null_value:
        if (open.empty()) throw std::runtime_error("value outside array");
        open.back().push_back(nullptr);
        break;
      case pqxx::array_parser::string_value:
        if (open.empty()) throw std::runtime_error("value outside array");
        open.back().push_back(scalar(text, element));
        break;
      case pqxx::array_parser::done:
        return top;
    }
  }
}

json cell(const pqxx::field& field, const Column& column) {
  if (field.is_null()) return nullptr;
  if (column.kind == Kind::array) {
    try {
      return array_value(field, column.element);
    } catch (const std::exception&) {
      return field.c_str();  // e.g. arrays with explicit bounds: [0:1]={1,2}
    }
  }
  return scalar(field.c_str(), column.kind);
}

std::vector<Column> describe_columns(pqxx::transaction_base& tx, const pqxx::result& result) {
  std::vector<Column> columns;
  std::map<pqxx::oid, std::string> looked_up;
  for (pqxx::row::size_type i = 0; i < result.columns(); ++i) {
    Column column{result.column_name(i), "", Kind::text, Kind::text};
    const pqxx::oid oid = result.column_type(i);
    if (const auto* known = std::ranges::find(kTypes, oid, &TypeInfo::oid); known != kTypes.end()) {
      column.type = known->name;
      column.kind = known->kind;
      column.element = known->element;
    } else {
      if (!looked_up.contains(oid)) {
        looked_up[oid] =
            tx.exec_params1("select format_type($1, null)", oid)[0].as<std::string>("unknown");
      }
      column.type = looked_up[oid];
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

// libpq key=value connection strings: splits into ordered pairs, honouring '...' quoting.
std::vector<std::pair<std::string, std::string>> parse_key_values(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::size_t i = 0;
  const auto skip_spaces = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  };
  while (true) {
    skip_spaces();
    if (i >= text.size()) break;
    std::string key;
    while (i < text.size() && text[i] != '=' &&
           std::isspace(static_cast<unsigned char>(text[i])) == 0)
      key += text[i++];
    skip_spaces();
    if (i < text.size() && text[i] == '=') ++i;
    skip_spaces();
    std::string value;
    if (i < text.size() && text[i] == '\'') {
      for (++i; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value += text[i];
      }
      ++i;
    } else {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) == 0)
        value += text[i++];
    }
    pairs.emplace_back(std::move(key), std::move(value));
  }
  return pairs;
}

std::string quote_value(const std::string& value) {
  std::string quoted = "'";
  for (const char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace

std::string with_database_user(const std::string& database_url, std::string_view role) {
  const auto scheme = database_url.find("://");
  if (scheme == std::string::npos) {
    std::string result;
    for (const auto& [key, value] : parse_key_values(database_url)) {
      if (key == "user" || key == "password") continue;
      result += key + "=" + quote_value(value) + " ";
    }
    return result + "user=" + std::string(role);
  }
  const std::string prefix = database_url.substr(0, scheme + 3);
  const std::string rest = database_url.substr(scheme + 3);
  const auto authority_end = std::min(rest.find_first_of("/?"), rest.size());
  const std::string authority = rest.substr(0, authority_end);
  const auto at = authority.rfind('@');
  const std::string host = at == std::string::npos ? authority : authority.substr(at + 1);
  std::string tail = rest.substr(authority_end);
  if (const auto query = tail.find('?'); query != std::string::npos) {
    std::string kept;
    std::size_t start = query + 1;
    while (start <= tail.size()) {
      const auto end = std::min(tail.find('&', start), tail.size());
      const std::string parameter = tail.substr(start, end - start);
      if (!parameter.empty() && !parameter.starts_with("user=") &&
          !parameter.starts_with("password=")) {
        kept += (kept.empty() ? "" : "&") + parameter;
      }
      start = end + 1;
    }
    tail = tail.substr(0, query) + (kept.empty() ? "" : "?" + kept);
  }
  return prefix + std::string(role) + "@" + host + tail;
}

WarehouseQuerySettings WarehouseQuerySettings::from(const common::Config& config,
                                                    const common::Environment& env) {
  WarehouseQuerySettings settings;
  const auto reader_url = env.get("MUSICAGENT_READER_DATABASE_URL");
  settings.reader_database_url = reader_url && !reader_url->empty()
                                     ? *reader_url
                                     : with_database_user(config.database_url, kReaderRole);
  if (const auto timeout = env.get("MUSICAGENT_SQL_TIMEOUT_MS"); timeout && !timeout->empty()) {
    long long ms = 0;
    const auto [end, error] =
        std::from_chars(timeout->data(), timeout->data() + timeout->size(), ms);
    if (error != std::errc() || end != timeout->data() + timeout->size() || ms <= 0) {
      throw std::runtime_error(
          "MUSICAGENT_SQL_TIMEOUT_MS must be a positive number of milliseconds, got '" + *timeout +
          "'");
    }
    settings.statement_timeout = std::chrono::milliseconds(ms);
  }
  return settings;
}

WarehouseQueryTool::WarehouseQueryTool(const ToolServices& services,
                                       WarehouseQuerySettings settings)
    : WarehouseQueryTool(load_tool_schema(services.schema_dir(), "warehouse_query"),
                         std::move(settings)) {}

WarehouseQueryTool::WarehouseQueryTool(ToolSchema schema, WarehouseQuerySettings settings)
    : schema_(std::move(schema)),
      settings_(std::move(settings)),
      readers_(std::make_unique<common::ConnectionPool>(settings_.reader_database_url,
                                                        settings_.connections)) {
  if (const auto loaded = guard(); !loaded) {
    common::logger("tools")->warn("warehouse_query: {} (will retry on first use)",
                                  loaded.error().message);
  }
}

common::Result<std::shared_ptr<const SqlGuard>, ToolError> WarehouseQueryTool::guard() const {
  std::lock_guard lock(guard_mutex_);
  if (guard_) return guard_;
  std::set<std::string> tables;
  try {
    auto lease = readers_->lease();
    pqxx::read_transaction tx(*lease, "warehouse_query_tables");
    for (const auto& row : tx.exec_params(
             "select table_name from information_schema.tables where table_schema = $1 order by 1",
             std::string(kMartsSchema))) {
      tables.insert(row[0].as<std::string>());
    }
    tx.commit();
  } catch (const std::exception& e) {
    return ToolError{"unavailable", "the warehouse cannot be reached as " +
                                        std::string(kReaderRole) + ": " + first_line(e.what())};
  }
  auto loaded = std::make_shared<const SqlGuard>(std::move(tables));
  // With no marts yet (pipeline not run), look again next time.
  if (!loaded->marts_tables().empty()) guard_ = loaded;
  return std::shared_ptr<const SqlGuard>(loaded);
}

ToolResult WarehouseQueryTool::invoke(const json& arguments) const {
  const auto& sql = arguments.at("sql").get_ref<const std::string&>();
  const int max_rows = std::clamp(arguments.value("max_rows", kDefaultMaxRows), 1, kMaxRows);
  const auto guard = this->guard();
  if (!guard) return guard.error();
  const auto checked = guard.value()->check(sql);
  if (!checked) return ToolError{"sql_refused", checked.error().reason};
  // The newline keeps a trailing "-- comment" from swallowing the wrapper. run() sends this
  // with the extended protocol, which refuses more than one statement on its own.
  return run("select * from (\n" + checked.value().statement + "\n) as q limit " +
                 std::to_string(max_rows + 1),
             max_rows);
}

ToolResult WarehouseQueryTool::run(const std::string& sql, int max_rows) const {
  try {
    auto lease = readers_->lease();
    pqxx::read_transaction tx(*lease, "warehouse_query");  // BEGIN READ ONLY
    const auto timeout_ms = settings_.statement_timeout.count();
    tx.exec0("set local statement_timeout = " + std::to_string(timeout_ms));
    tx.exec0("set local idle_in_transaction_session_timeout = " +
             std::to_string(timeout_ms * kIdleTimeoutFactor));
    tx.exec0("set local search_path = " + std::string(kSearchPath));
    const auto started = std::chrono::steady_clock::now();
    const pqxx::result result = tx.exec_params(sql);
    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    const auto columns = describe_columns(tx, result);
    tx.commit();

    json column_list = json::array();
    for (const auto& column : columns)
      column_list.push_back({{"name", column.name}, {"type", column.type}});
    json rows = json::array();
    const auto kept = std::min<std::size_t>(result.size(), static_cast<std::size_t>(max_rows));
    for (std::size_t r = 0; r < kept; ++r) {
      json row = json::array();
      for (std::size_t c = 0; c < columns.size(); ++c) {
        row.push_back(cell(
            result[static_cast<pqxx::result::size_type>(r)][static_cast<pqxx::row::size_type>(c)],
            columns[c]));
      }
      rows.push_back(std::move(row));
    }
    return json{{"columns", std::move(column_list)},
                {"rows", std::move(rows)},
                {"row_count", kept},
                {"truncated", result.size() > kept},
                {"elapsed_ms", std::round(elapsed_ms * 10) / 10}};
  } catch (const pqxx::broken_connection& e) {
    return ToolError{"unavailable", "the warehouse connection failed: " + first_line(e.what())};
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == kQueryCanceled ||
        std::string_view(e.what()).find(kTimeoutMessage) != std::string_view::npos) {
      return ToolError{"sql_timeout",
                       "the query ran longer than " +
                           std::to_string(settings_.statement_timeout.count()) +
                           " ms and was cancelled: filter earlier, aggregate, or avoid large joins "
                           "and unbounded recursion"};
    }
    ToolError error{"sql_error", first_line(e.what())};
    if (!e.sqlstate().empty())
      error.details["sqlstate"] = e.sqlstate();  // libpqxx 6 fills it only sometimes
    return error;
  }
}

}  // namespace musicagent::tools
