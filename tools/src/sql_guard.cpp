#include "tools/sql_guard.hpp"

#include <pg_query.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace musicagent::tools {
namespace {

using nlohmann::json;

// JSON levels of the parse tree the walker follows. A legitimate query stays far below (a
// subquery costs about ten levels); 1,000 nested subselects parse but are refused here.
constexpr std::size_t kMaxTreeDepth = 600;

constexpr std::string_view kOnlySelect = "only SELECT statements on marts.* tables are allowed";
constexpr std::string_view kFunctionHint =
    "use the usual aggregate, window, math, string, date/time, array and JSON functions";

// Functions a query may call, by name without schema (schema pg_catalog is also accepted).
// Everything else is refused, including anything that reads files, sleeps, takes locks,
// changes settings or sequences, runs SQL from a string (query_to_xml, ts_stat) or reaches
// other servers.
// clang-format off
constexpr auto kAllowedFunctions = std::to_array<std::string_view>({
    // aggregates
    "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg",
    "json_object_agg", "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or",
    "bit_xor", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "corr",
    "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_r2", "regr_count", "regr_avgx",
    "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy", "percentile_cont", "percentile_disc", "mode",
    "grouping",
    // window functions
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
    "first_value", "last_value", "nth_value",
    // math
    "abs", "ceil", "ceiling", "floor", "round", "trunc", "sqrt", "cbrt", "power", "pow", "exp",
    "ln", "log", "log10", "mod", "sign", "pi", "random", "degrees", "radians", "div",
    "width_bucket", "gcd", "lcm", "scale", "min_scale", "trim_scale", "factorial", "sin", "cos",
    "tan", "cot", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
    // strings
    "length", "char_length", "character_length", "octet_length", "bit_length", "lower", "upper",
    "initcap", "substr", "substring", "left", "right", "trim", "btrim", "ltrim", "rtrim", "lpad",
    "rpad", "concat", "concat_ws", "replace", "reverse", "repeat", "split_part", "strpos",
    "position", "starts_with", "format", "md5", "translate", "to_hex", "ascii", "chr",
    "quote_literal", "quote_ident", "quote_nullable", "string_to_array", "string_to_table",
    "regexp_replace", "regexp_match", "regexp_matches", "regexp_split_to_array",
    "regexp_split_to_table", "regexp_count", "regexp_like", "regexp_substr", "regexp_instr",
    "overlay", "normalize", "is_normalized", "similar_to_escape", "similar_escape", "unaccent",
    // pg_trgm and full-text search
    "similarity", "word_similarity", "strict_word_similarity", "show_trgm", "to_tsvector",
    "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery", "ts_rank",
    "ts_rank_cd", "ts_headline",
    // dates and times
    "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "date_trunc",
    "date_part", "extract", "date_bin", "to_char", "to_date", "to_timestamp", "to_number", "age",
    "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval", "justify_days",
    "justify_hours", "justify_interval", "timezone", "isfinite", "overlaps",
    // arrays
    "unnest", "cardinality", "array_length", "array_position", "array_positions", "array_to_string",
    "array_append", "array_prepend", "array_cat", "array_remove", "array_replace", "array_upper",
    "array_lower", "array_dims", "array_ndims", "array_fill", "generate_subscripts", "trim_array",
    "array_to_json",
    // JSON
    "to_json", "to_jsonb", "row_to_json", "json_build_object", "jsonb_build_object",
    "json_build_array", "jsonb_build_array", "json_object", "jsonb_object", "json_array_elements",
    "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
    "json_array_length", "jsonb_array_length", "json_each", "jsonb_each", "json_each_text",
    "jsonb_each_text", "json_object_keys", "jsonb_object_keys", "json_extract_path",
    "jsonb_extract_path", "json_extract_path_text", "jsonb_extract_path_text", "json_typeof",
    "jsonb_typeof", "jsonb_pretty", "json_strip_nulls", "jsonb_strip_nulls", "jsonb_set",
    "jsonb_insert", "jsonb_path_query", "jsonb_path_query_array", "jsonb_path_query_first",
    "jsonb_path_exists", "jsonb_path_match", "json_populate_record", "jsonb_populate_record",
    "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset",
    // conditionals and series
    "coalesce", "nullif", "greatest", "least", "num_nulls", "num_nonnulls", "generate_series",
});
// clang-format on

// Parse-tree nodes a SELECT may contain beyond those checked one by one below.
constexpr auto kAllowedNodes = std::to_array<std::string_view>({
    "A_ArrayExpr",  "A_Const",       "A_Indices",        "A_Indirection",
    "A_Star",       "Alias",         "BitString",        "BoolExpr",
    "Boolean",      "BooleanTest",   "CaseExpr",         "CaseWhen",
    "CoalesceExpr", "CollateClause", "ColumnDef",        "ColumnRef",
    "Float",        "GroupingFunc",  "GroupingSet",      "Integer",
    "JoinExpr",     "List",          "MinMaxExpr",       "NamedArgExpr",
    "NullTest",     "RangeFunction", "RangeSubselect",   "RangeVar",
    "ResTarget",    "RowExpr",       "SQLValueFunction", "SortBy",
    "String",       "SubLink",       "TypeCast",         "TypeName",
    "WindowDef",
});

constexpr auto kTableSampleMethods = std::to_array<std::string_view>({"bernoulli", "system"});

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view name) {
  return std::ranges::find(list, name) != list.end();
}

bool is_node_tag(const std::string& key) {
  return !key.empty() && std::isupper(static_cast<unsigned char>(key.front())) != 0;
}

// The words of a statement node for messages: "DeleteStmt" -> "DELETE".
std::string statement_words(const std::string& tag, const json& fields) {
  if (tag == "VariableSetStmt") {
    if (fields.value("kind", "").starts_with("VAR_RESET")) return "RESET";
    const std::string name = fields.value("name", "");
    return name.empty() ? "SET" : "SET " + name;
  }
  if (tag == "GrantStmt" || tag == "GrantRoleStmt") {
    return fields.value("is_grant", false) ? "GRANT" : "REVOKE";
  }
  if (tag == "TransactionStmt") return "transaction control (BEGIN/COMMIT/ROLLBACK)";
  if (tag == "CreateStmt") return "CREATE TABLE";
  if (tag == "ViewStmt") return "CREATE VIEW";
  if (tag == "IndexStmt") return "CREATE INDEX";
  if (tag == "VariableShowStmt") return "SHOW";
  if (tag == "CreateTableAsStmt") {
    return fields.value("objtype", "") == "OBJECT_MATVIEW" ? "CREATE MATERIALIZED VIEW"
                                                           : "CREATE TABLE AS";
  }
  std::string base = tag.ends_with("Stmt") ? tag.substr(0, tag.size() - 4) : tag;
  std::string words;
  for (std::size_t i = 0; i < base.size(); ++i) {
    const auto c = static_cast<unsigned char>(base[i]);
    if (i > 0 && std::isupper(c) != 0) words += ' ';
    words += static_cast<char>(std::toupper(c));
  }
  return words;
}

// {"String": {"sval": "x"}} -> "x".
std::optional<std::string> string_node(const json& node) {
  if (!node.is_object()) return std::nullopt;
  const auto string = node.find("String");
  if (string == node.end() || !string->is_object()) return std::nullopt;
  return string->value("sval", "");
}

// A list of String nodes (a qualified name) -> its parts; nullopt when it is anything else.
std::optional<std::vector<std::string>> name_list(const json& list) {
  if (!list.is_array() || list.empty()) return std::nullopt;
  std::vector<std::string> parts;
  for (const auto& item : list) {
    auto part = string_node(item);
    if (!part) return std::nullopt;
    parts.push_back(std::move(*part));
  }
  return parts;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : ".") + part;
  return text;
}

// Walks a SELECT's parse tree; the first thing not allowed ends the walk with a reason.
class TreeWalker {
 public:
  explicit TreeWalker(const std::set<std::string>& marts_tables) : marts_tables_(marts_tables) {}

  bool statement(const json& select_fields) { return select(select_fields, 0); }
  const std::string& refusal() const { return refusal_; }

 private:
  bool refuse(std::string reason) {
    refusal_ = std::move(reason);
    return false;
  }

  bool too_deep(std::size_t depth) {
    if (depth <= kMaxTreeDepth) return false;
    refuse("the query is nested too deeply: flatten nested subqueries or expressions (use WITH)");
    return true;
  }

  // Any JSON value of the tree.
  bool value(const json& node, std::size_t depth) {
    if (too_deep(depth)) return false;
    if (node.is_array()) {
      for (const auto& item : node) {
        if (!value(item, depth + 1)) return false;
      }
      return true;
    }
    if (node.is_object()) return fields(node, depth, {});
    return true;
  }

  // An object's members: node tags ({"FuncCall": {...}}) and plain fields alike. Objects
  // shaped like a table reference are checked wherever they appear, tagged or not.
  bool fields(const json& object, std::size_t depth, std::initializer_list<std::string_view> skip) {
    if (too_deep(depth)) return false;
    if (object.contains("relname") && !range_var(object)) return false;
    for (const auto& [key, item] : object.items()) {
      if (std::ranges::find(skip, key) != skip.end()) continue;
      if (!member(key, item, depth + 1)) return false;
    }
    return true;
  }

  bool member(const std::string& key, const json& item, std::size_t depth) {
    if (key == "intoClause") return refuse_into();
    if (key == "lockingClause") return refuse_locking();
    if (key == "withClause") return refuse("WITH is only allowed at the start of a SELECT");
    if (key == "typeName" && !type_name(item)) return false;
    return is_node_tag(key) ? tagged(key, item, depth) : value(item, depth);
  }

  bool tagged(const std::string& tag, const json& node, std::size_t depth) {
    if (tag == "SelectStmt") return select(node, depth);
    if (tag.ends_with("Stmt")) {
      return refuse(std::string(kOnlySelect) + ": found " + statement_words(tag, node));
    }
    if (tag == "FuncCall") return function(node) && fields(node, depth, {});
    if (tag == "A_Expr") return operator_name(node) && fields(node, depth, {});
    if (tag == "RangeTableSample") return table_sample(node) && fields(node, depth, {"method"});
    if (tag == "IntoClause") return refuse_into();
    if (tag == "LockingClause") return refuse_locking();
    if (tag == "ParamRef") {
      return refuse("parameters ($1) are not supported: write the values into the query");
    }
    if (tag == "XmlExpr" || tag == "XmlSerialize" || tag == "RangeTableFunc") {
      return refuse("XML functions and XMLTABLE are not allowed");
    }
    if (!contains(kAllowedNodes, tag)) {
      return refuse(std::string(kOnlySelect) + ": " + tag + " is not supported in a query");
    }
    return node.is_object() ? fields(node, depth, {}) : value(node, depth);
  }

  bool select(const json& node, std::size_t depth) {
    if (too_deep(depth)) return false;
    if (!node.is_object()) return refuse("unexpected parse tree");
    const auto with = node.find("withClause");
    const bool scoped = with != node.end();
    if (scoped && !with_clause(*with, depth + 1)) return false;
    for (const auto& [key, item] : node.items()) {
      if (key == "withClause") continue;
      if (key == "larg" || key == "rarg") {  // the two sides of UNION/INTERSECT/EXCEPT
        if (!select(item, depth + 1)) return false;
      } else if (!member(key, item, depth + 1)) {
        return false;
      }
    }
    if (scoped) cte_scopes_.pop_back();
    return true;
  }

  // Opens the CTE scope that the rest of the SELECT sees. A plain WITH item sees the items
  // before it; WITH RECURSIVE items see all of them.
  bool with_clause(const json& with, std::size_t depth) {
    cte_scopes_.emplace_back();
    const std::size_t scope = cte_scopes_.size() - 1;
    if (!with.is_object()) return refuse("unexpected WITH clause");
    static const json kNone = json::array();
    const auto found = with.find("ctes");
    const json& ctes = found != with.end() && found->is_array() ? *found : kNone;
    std::vector<std::string> names;
    for (const auto& item : ctes) {
      const auto cte = item.find("CommonTableExpr");
      if (cte == item.end() || !cte->is_object()) return refuse("unexpected WITH item");
      names.push_back(cte->value("ctename", ""));
    }
    if (with.value("recursive", false)) cte_scopes_[scope].insert(names.begin(), names.end());
    for (std::size_t i = 0; i < ctes.size(); ++i) {
      const json& cte = ctes[i].at("CommonTableExpr");
      const auto query_it = cte.find("ctequery");
      if (query_it == cte.end() || !query_it->is_object() || query_it->size() != 1) {
        return refuse("unexpected WITH item");
      }
      const json& query = *query_it;
      const std::string tag = query.begin().key();
      if (tag != "SelectStmt") {
        return refuse(std::string(kOnlySelect) + ": found " +
                      statement_words(tag, query.begin().value()) + " inside WITH " + names[i]);
      }
      if (!select(query.begin().value(), depth + 1)) return false;
      if (!fields(cte, depth + 1, {"ctequery"})) return false;
      cte_scopes_[scope].insert(names[i]);
    }
    return true;
  }

  bool in_cte_scope(const std::string& name) const {
    return std::ranges::any_of(cte_scopes_,
                               [&](const auto& scope) { return scope.contains(name); });
  }

  bool range_var(const json& node) {
    const std::string relation = node.value("relname", "");
    const std::string schema = node.value("schemaname", "");
    const std::string catalog = node.value("catalogname", "");
    if (!catalog.empty()) {
      return refuse("relation " + catalog + "." + schema + "." + relation +
                    " names a database: write marts.<table>");
    }
    if (schema == kMartsSchema) return true;
    if (!schema.empty()) {
      const bool system =
          schema == "pg_catalog" || schema == "information_schema" || schema.starts_with("pg_");
      return refuse("relation " + schema + "." + relation + " is outside the marts schema: " +
                    (system ? "system catalogs are not available; " : "") +
                    "only marts.* tables can be queried");
    }
    if (in_cte_scope(relation) || marts_tables_.contains(relation)) return true;
    std::string tables;
    for (const auto& table : marts_tables_)
      tables += (tables.empty() ? "" : ", ") + ("marts." + table);
    return refuse("relation " + relation +
                  " is not a marts table: only marts.* tables can be queried" +
                  (tables.empty() ? std::string() : " (" + tables + ")"));
  }

  bool function(const json& node) {
    const auto parts = name_list(node.value("funcname", json::array()));
    if (!parts) return refuse("unexpected function name");
    const std::string display = joined(*parts);
    const bool schema_ok =
        parts->size() == 1 || (parts->size() == 2 && parts->front() == "pg_catalog");
    if (!schema_ok || !is_allowed_sql_function(parts->back())) {
      return refuse("function " + display + " is not allowed: " + std::string(kFunctionHint));
    }
    return true;
  }

  bool operator_name(const json& node) {
    const auto name = node.find("name");
    if (name == node.end()) return true;
    const auto parts = name_list(*name);
    if (!parts) return refuse("unexpected operator name");
    if (parts->size() > 1 && parts->front() != "pg_catalog") {
      return refuse("operator OPERATOR(" + joined(*parts) + ") is not allowed");
    }
    return true;
  }

  bool type_name(const json& node) {
    if (!node.is_object()) return refuse("unexpected type name");
    const auto parts = name_list(node.value("names", json::array()));
    if (!parts) return refuse("unexpected type name");
    const std::string& type = parts->back();
    const bool schema_ok =
        parts->size() == 1 ||
        (parts->size() == 2 && (parts->front() == "pg_catalog" || parts->front() == kMartsSchema));
    if (!schema_ok) return refuse("type " + joined(*parts) + " is not allowed");
    if (type.starts_with("reg")) {
      return refuse("casts to " + type + " look up system catalogs and are not allowed");
    }
    if (type == "xml") return refuse("XML values are not allowed");
    return true;
  }

  bool table_sample(const json& node) {
    const auto parts = name_list(node.value("method", json::array()));
    if (!parts || parts->size() > 2 || (parts->size() == 2 && parts->front() != "pg_catalog") ||
        !contains(kTableSampleMethods, parts->back())) {
      return refuse("TABLESAMPLE allows only BERNOULLI and SYSTEM");
    }
    return true;
  }

  bool refuse_into() {
    return refuse("SELECT INTO creates a table and is not allowed: drop the INTO clause");
  }
  bool refuse_locking() {
    return refuse("FOR UPDATE/FOR SHARE lock rows and are not allowed: drop the FOR ... clause");
  }

  const std::set<std::string>& marts_tables_;
  std::vector<std::set<std::string>> cte_scopes_;
  std::string refusal_;
};

// Owns a libpg_query result.
struct ParseResult {
  explicit ParseResult(const std::string& sql) : result(pg_query_parse(sql.c_str())) {}
  ~ParseResult() { pg_query_free_parse_result(result); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;
  PgQueryParseResult result;
};

std::string trimmed(std::string text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && (is_space(text.back()) || text.back() == ';')) text.pop_back();
  const auto first = std::ranges::find_if_not(text, is_space);
  return std::string(first, text.end());
}

}  // namespace

bool is_allowed_sql_function(std::string_view name) {
  return contains(kAllowedFunctions, name);
}

SqlGuard::SqlGuard(std::set<std::string> marts_tables) : marts_tables_(std::move(marts_tables)) {}

common::Result<CheckedSql, SqlRefusal> SqlGuard::check(std::string_view sql) const {
  if (sql.size() > kMaxSqlLength) {
    return SqlRefusal{"the query is " + std::to_string(sql.size()) + " characters long; at most " +
                      std::to_string(kMaxSqlLength) + " are allowed: shorten it"};
  }
  if (sql.find('\0') != std::string_view::npos)
    return SqlRefusal{"the query contains a NUL character"};
  const std::string text(sql);
  const ParseResult parsed(text);
  if (parsed.result.error != nullptr) {
    return SqlRefusal{"the query does not parse: " + std::string(parsed.result.error->message) +
                      " (at character " + std::to_string(parsed.result.error->cursorpos) + ")"};
  }
  const json tree = json::parse(parsed.result.parse_tree, nullptr, false);
  if (tree.is_discarded() || !tree.is_object()) return SqlRefusal{"the query could not be checked"};
  const auto found = tree.find("stmts");
  if (found == tree.end() || !found->is_array() || found->empty()) {
    return SqlRefusal{"the query is empty: send one SELECT statement"};
  }
  const json& statements = *found;
  if (statements.size() > 1) {
    return SqlRefusal{"exactly one statement is allowed, found " +
                      std::to_string(statements.size()) +
                      ": send a single SELECT without ';'-separated statements"};
  }
  const json& raw = statements.front();
  const auto statement_it = raw.find("stmt");
  if (statement_it == raw.end() || !statement_it->is_object() || statement_it->size() != 1) {
    return SqlRefusal{"the query could not be checked"};
  }
  const json& statement = *statement_it;
  const std::string& tag = statement.begin().key();
  if (tag != "SelectStmt") {
    return SqlRefusal{std::string(kOnlySelect) + ": found " +
                      statement_words(tag, statement.begin().value())};
  }
  TreeWalker walker(marts_tables_);
  if (!walker.statement(statement.begin().value())) return SqlRefusal{walker.refusal()};

  const auto location = static_cast<std::size_t>(std::max(0, raw.value("stmt_location", 0)));
  const auto length = static_cast<std::size_t>(std::max(0, raw.value("stmt_len", 0)));
  if (location > text.size()) return SqlRefusal{"the query could not be checked"};
  return CheckedSql{trimmed(length == 0 ? text.substr(location) : text.substr(location, length))};
}

}  // namespace musicagent::tools
