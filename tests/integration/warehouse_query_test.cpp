// warehouse_query on a real database: every attack in tests/cases/sql_attacks.json is
// refused or runs, nothing in the database changes, the reader role cannot write even
// without the guard, and results carry types, NULLs, arrays, truncation and timeouts.
#include <gmock/gmock.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pipeline_fixture.hpp"
#include "tools/tool_registry.hpp"
#include "tools/tool_services.hpp"
#include "tools/warehouse_query_tool.hpp"

namespace musicagent::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr auto kCorpusTimeout = 1000ms;  // recursive_cte_forever waits this long
constexpr auto kShortTimeout = 200ms;
constexpr const char* kTrackWithTwoGenres = "5SuOikwiRyPMVoIQDJUgSV";

struct SqlCase {
  std::string name;
  std::string sql;
  std::string expect;   // refused | allowed
  std::string outcome;  // for allowed: rows, sql_timeout or sql_error
};

std::vector<SqlCase> load_cases() {
  const auto path =
      std::filesystem::path(MUSICAGENT_SOURCE_DIR) / "tests" / "cases" / "sql_attacks.json";
  std::ifstream in(path);
  const auto corpus = json::parse(in);
  std::vector<SqlCase> cases;
  for (const auto& item : corpus.at("cases")) {
    std::string sql;
    if (const auto build = item.find("build"); build != item.end()) {
      sql = build->value("prefix", "");
      const int times = build->at("times").get<int>();
      for (int i = 0; i < times; ++i) sql += build->value("open", "");
      sql += build->value("middle", "");
      for (int i = 0; i < times; ++i) sql += build->value("close", "");
      sql += build->value("suffix", "");
    } else {
      sql = item.at("sql").get<std::string>();
    }
    cases.push_back({item.at("name").get<std::string>(), std::move(sql),
                     item.at("expect").get<std::string>(), item.value("outcome", "rows")});
  }
  return cases;
}

class WarehouseQueryTest : public PipelineFixture {
 protected:
  void SetUp() override {
    PipelineFixture::SetUp();
    const auto summary = run();
    ASSERT_EQ(summary.status, "success") << summary.error;
  }

  std::string reader_url() const {
    return tools::with_database_user(database_url_, tools::kReaderRole);
  }

  std::unique_ptr<tools::WarehouseQueryTool> make_tool(
      std::chrono::milliseconds timeout = kCorpusTimeout, std::string url = "") {
    tools::WarehouseQuerySettings settings;
    settings.reader_database_url = url.empty() ? reader_url() : std::move(url);
    settings.statement_timeout = timeout;
    return std::make_unique<tools::WarehouseQueryTool>(
        tools::load_tool_schema(std::filesystem::path(MUSICAGENT_SOURCE_DIR) / "tools" / "schemas",
                                "warehouse_query"),
        settings);
  }

  static tools::ToolResult query(const tools::Tool& tool, const std::string& sql,
                                 int max_rows = 100) {
    return tool.invoke({{"sql", sql}, {"max_rows", max_rows}});
  }

  // Everything an escaped statement could change outside the marts' rows: relations and their
  // privileges, schemas, functions, roles and memberships, role and database settings,
  // server settings, large objects, extensions and databases.
  std::string database_state() {
    return scalar(R"sql(
      select md5(string_agg(item, '|' order by item)) from (
        select 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || coalesce(c.relacl::text, '')
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
        union all select 'schema ' || nspname || ' ' || coalesce(nspacl::text, '') from pg_namespace
        union all select 'function ' || p.oid::regprocedure::text || ' ' || coalesce(p.proacl::text, '')
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname not in ('pg_catalog', 'information_schema')
        union all select 'role ' || rolname || ' ' || concat_ws(',', rolsuper, rolcreaterole, rolcreatedb,
                         rolcanlogin, rolbypassrls, rolconfig) from pg_roles
        union all select 'member ' || roleid::text || ' ' || member::text from pg_auth_members
        union all select 'role_setting ' || concat_ws(' ', setdatabase, setrole, setconfig) from pg_db_role_setting
        union all select 'setting ' || name || '=' || coalesce(setting, '') from pg_settings
        union all select 'large_object ' || oid::text from pg_largeobject_metadata
        union all select 'extension ' || extname from pg_extension
        union all select 'database ' || datname || ' ' || coalesce(datacl::text, '') from pg_database
      ) s(item))sql");
  }

  std::map<std::string, std::string> all_mart_fingerprints() {
    auto prints = mart_fingerprints();
    prints["search_documents"] = fingerprint("marts.search_documents");
    return prints;
  }
};

TEST_F(WarehouseQueryTest, CorpusIsRefusedOrRunsAndChangesNothing) {
  const auto marts_before = all_mart_fingerprints();
  const auto state_before = database_state();
  const auto tool = make_tool();
  const auto cases = load_cases();
  ASSERT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto result = query(*tool, c.sql, 10);
    if (c.expect == "refused") {
      ASSERT_FALSE(result.ok()) << "ran: " << result.value().dump().substr(0, 300);
      EXPECT_EQ(result.error().code, "sql_refused") << result.error().message;
    } else if (c.outcome == "rows") {
      ASSERT_TRUE(result.ok()) << result.error().code << ": " << result.error().message;
      EXPECT_TRUE(result.value().at("rows").is_array());
      EXPECT_EQ(result.value().at("row_count").get<std::size_t>(),
                result.value().at("rows").size());
    } else {
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error().code, c.outcome) << result.error().message;
    }
  }
  EXPECT_EQ(all_mart_fingerprints(), marts_before);
  EXPECT_EQ(database_state(), state_before);
}

TEST_F(WarehouseQueryTest, ReaderRoleCannotWriteOrReadOutsideMartsEvenWithoutTheGuard) {
  const auto marts_before = all_mart_fingerprints();
  for (const std::string statement : {
           "insert into marts.dim_genres (genre) values ('pwned')",
           "update marts.dim_tracks set popularity = 0",
           "delete from marts.fct_listens",
           "truncate marts.dim_genres",
           "drop table marts.dim_tracks",
           "alter table marts.dim_tracks add column pwned int",
           "create table marts.pwned (a int)",
           "create table public.pwned (a int)",
           "select * from ops.pipeline_runs",
           "select * from raw.kaggle_tracks",
           "select lo_import('/etc/passwd')",
           "select pg_read_file('/etc/passwd')",
           "alter role musicagent_reader superuser",
       }) {
    SCOPED_TRACE(statement);
    pqxx::connection reader(reader_url());
    pqxx::work tx(reader);
    try {
      tx.exec(statement);
      ADD_FAILURE() << "the reader role ran it";
    } catch (const pqxx::insufficient_privilege& e) {  // SQLSTATE 42501
      EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("permission denied"), HasSubstr("must be")));
    } catch (const pqxx::sql_error& e) {
      ADD_FAILURE() << "failed for another reason: " << e.what();
    }
  }
  EXPECT_EQ(all_mart_fingerprints(), marts_before);
}

TEST_F(WarehouseQueryTest, TruncatesAtMaxRowsAndSaysSo) {
  const auto tool = make_tool();
  const std::string sql = "select track_id from marts.dim_tracks order by track_id";
  const auto two = query(*tool, sql, 2);
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(two.value()["rows"].size(), 2u);
  EXPECT_EQ(two.value()["row_count"], 2);
  EXPECT_EQ(two.value()["truncated"], true);

  const auto all = query(*tool, sql, FixtureFacts::kDistinctTracks);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all.value()["row_count"], FixtureFacts::kDistinctTracks);
  EXPECT_EQ(all.value()["truncated"], false);
  EXPECT_GE(all.value()["elapsed_ms"].get<double>(), 0.0);
}

TEST_F(WarehouseQueryTest, ReportsColumnTypesAndConvertsValuesNullsAndArrays) {
  const auto tool = make_tool();
  const auto result =
      query(*tool,
            "select track_id, popularity, duration_ms, is_explicit, danceability, genres, "
            "1.5::numeric as ratio, date '2024-01-02' as day, null::text as nothing, "
            "array[1, null, 3] as ints, array[['a,b', 'c\"d'], ['e', null]] as grid, "
            "'{\"a\": [1, 2]}'::jsonb as doc, '(1,2)'::point as spot "
            "from marts.dim_tracks where track_id = '" +
                std::string(kTrackWithTwoGenres) + "'");
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& out = result.value();
  json types = json::array();
  for (const auto& column : out["columns"]) types.push_back(column["type"]);
  EXPECT_EQ(types, json({"text", "int4", "int8", "bool", "float8", "text[]", "numeric", "date",
                         "text", "int4[]", "text[]", "jsonb", "point"}));
  EXPECT_EQ(out["columns"][0]["name"], "track_id");
  ASSERT_EQ(out["rows"].size(), 1u);
  const auto& row = out["rows"][0];
  EXPECT_EQ(row[0], kTrackWithTwoGenres);
  EXPECT_EQ(row[1], 73);
  EXPECT_TRUE(row[2].is_number_integer());
  EXPECT_TRUE(row[3].is_boolean());
  EXPECT_TRUE(row[4].is_number_float());
  EXPECT_EQ(row[5], json({"acoustic", "j-pop"}));
  EXPECT_EQ(row[6], 1.5);
  EXPECT_EQ(row[7], "2024-01-02");
  EXPECT_TRUE(row[8].is_null());
  EXPECT_EQ(row[9], json({1, nullptr, 3}));
  EXPECT_EQ(row[10], json::parse(R"([["a,b", "c\"d"], ["e", null]])"));
  EXPECT_EQ(row[11], json::parse(R"({"a": [1, 2]})"));
  EXPECT_EQ(row[12], "(1,2)");
}

TEST_F(WarehouseQueryTest, LongQueriesStopAtTheStatementTimeoutAndTheToolKeepsWorking) {
  const auto tool = make_tool(kShortTimeout);
  const auto started = std::chrono::steady_clock::now();
  const auto slow = query(
      *tool,
      "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r");
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code, "sql_timeout");
  EXPECT_THAT(slow.error().message, HasSubstr("200 ms"));
  EXPECT_LT(waited, 10s);

  const auto fast = query(*tool, "select count(*) as n from marts.dim_genres");
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  EXPECT_EQ(fast.value()["rows"][0][0], FixtureFacts::kGenres);
}

TEST_F(WarehouseQueryTest, DatabaseErrorsCarryPostgresMessage) {
  const auto tool = make_tool();
  const auto missing_column = query(*tool, "select no_such_column from marts.dim_tracks");
  ASSERT_FALSE(missing_column.ok());
  EXPECT_EQ(missing_column.error().code, "sql_error");
  EXPECT_EQ(missing_column.error().message, "column \"no_such_column\" does not exist");

  const auto missing_table = query(*tool, "select * from marts.no_such_table");
  ASSERT_FALSE(missing_table.ok());
  EXPECT_EQ(missing_table.error().code, "sql_error");
  EXPECT_THAT(missing_table.error().message,
              HasSubstr("relation \"marts.no_such_table\" does not exist"));

  const auto division = query(*tool, "select 1 / (count(*) - count(*)) from marts.dim_genres");
  ASSERT_FALSE(division.ok());
  EXPECT_EQ(division.error().message, "division by zero");
}

TEST_F(WarehouseQueryTest, RegistryValidatesArgumentsAgainstTheSchema) {
  tools::ToolRegistry registry;
  registry.add(make_tool());
  const auto defaults = registry.call("warehouse_query", {{"sql", "select genre from dim_genres"}});
  ASSERT_TRUE(defaults.result.ok()) << defaults.result.error().message;
  EXPECT_EQ(defaults.arguments["max_rows"], 100);
  EXPECT_EQ(defaults.result.value()["row_count"], FixtureFacts::kGenres);
  EXPECT_EQ(registry.call("warehouse_query", {{"sql", "select 1"}, {"max_rows", 5000}})
                .result.error()
                .code,
            "invalid_arguments");
  EXPECT_EQ(
      registry.call("warehouse_query", {{"sql", "select 1"}, {"limit", 5}}).result.error().code,
      "invalid_arguments");
  const auto description = registry.openai_tools()[0]["function"]["description"].get<std::string>();
  EXPECT_THAT(description, HasSubstr("marts.dim_tracks"));
}

TEST_F(WarehouseQueryTest, UnreachableDatabaseIsAnErrorValueNotACrash) {
  const auto tool = make_tool(kCorpusTimeout, "postgresql://musicagent_reader@127.0.0.1:1/nowhere");
  const auto result = query(*tool, "select 1");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "unavailable");
}

}  // namespace
}  // namespace musicagent::testing
