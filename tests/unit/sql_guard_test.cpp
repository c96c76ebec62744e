// The warehouse_query SQL guard on its own (no database): the attack corpus in
// tests/cases/sql_attacks.json, the messages the model sees, and the reader URL.
#include "tools/sql_guard.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "tools/warehouse_query_tool.hpp"

namespace musicagent::tools {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kMinimumCorpusCases = 40;

struct SqlCase {
  std::string name;
  std::string sql;
  std::string expect;  // refused | allowed
  std::string reason;  // a part of the refusal message, optional
};

void PrintTo(const SqlCase& c, std::ostream* out) {
  *out << c.name;
}

std::string build_sql(const nlohmann::json& build) {
  std::string sql = build.value("prefix", "");
  const int times = build.at("times").get<int>();
  for (int i = 0; i < times; ++i) sql += build.value("open", "");
  sql += build.value("middle", "");
  for (int i = 0; i < times; ++i) sql += build.value("close", "");
  return sql + build.value("suffix", "");
}

std::vector<SqlCase> load_cases() {
  const auto path =
      std::filesystem::path(MUSICAGENT_SOURCE_DIR) / "tests" / "cases" / "sql_attacks.json";
  std::ifstream in(path);
  const auto corpus = nlohmann::json::parse(in);
  std::vector<SqlCase> cases;
  for (const auto& item : corpus.at("cases")) {
    cases.push_back(
        {item.at("name").get<std::string>(),
         item.contains("build") ? build_sql(item.at("build")) : item.at("sql").get<std::string>(),
         item.at("expect").get<std::string>(), item.value("reason", "")});
  }
  return cases;
}

// The tables pipeline/models/marts builds.
const std::set<std::string>& marts_tables() {
  static const std::set<std::string> tables = {
      "artist_tags", "bridge_track_artists", "dim_artists",     "dim_genres",
      "dim_tracks",  "fct_listens",          "search_documents"};
  return tables;
}

class SqlGuardCorpusTest : public ::testing::TestWithParam<SqlCase> {};

TEST_P(SqlGuardCorpusTest, RefusesOrAllowsAsExpected) {
  const auto& c = GetParam();
  const auto result = SqlGuard(marts_tables()).check(c.sql);
  if (c.expect == "allowed") {
    EXPECT_TRUE(result.ok()) << "refused: " << result.error().reason;
    return;
  }
  ASSERT_EQ(c.expect, "refused");
  ASSERT_FALSE(result.ok()) << "allowed: " << c.sql.substr(0, 300);
  EXPECT_THAT(result.error().reason, HasSubstr(c.reason));
}

INSTANTIATE_TEST_SUITE_P(Corpus, SqlGuardCorpusTest, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<SqlCase>& info) {
                           return info.param.name;
                         });

TEST(SqlGuardTest, CorpusIsLargeAndCoversBothOutcomes) {
  const auto cases = load_cases();
  EXPECT_GE(cases.size(), kMinimumCorpusCases);
  EXPECT_GE(std::ranges::count(cases, std::string("allowed"), &SqlCase::expect), 10);
}

TEST(SqlGuardTest, MessagesSayWhatWasFoundInWordsTheModelCanActOn) {
  const SqlGuard guard(marts_tables());
  EXPECT_EQ(guard.check("delete from marts.dim_tracks").error().reason,
            "only SELECT statements on marts.* tables are allowed: found DELETE");
  EXPECT_THAT(guard.check("select pg_sleep(1)").error().reason,
              HasSubstr("function pg_sleep is not allowed"));
  EXPECT_THAT(guard.check("select * from pg_catalog.pg_authid").error().reason,
              HasSubstr("relation pg_catalog.pg_authid is outside the marts schema"));
  EXPECT_THAT(guard.check("select * from tracks").error().reason,
              HasSubstr("relation tracks is not a marts table: only marts.* tables can be queried "
                        "(marts.artist_tags, "));
  EXPECT_THAT(guard.check("select 1; select 2").error().reason,
              HasSubstr("exactly one statement is allowed, found 2"));
  EXPECT_THAT(guard.check("selec 1").error().reason,
              HasSubstr("syntax error at or near \"selec\""));
}

TEST(SqlGuardTest, AcceptedStatementDropsTheSemicolonAndKeepsComments) {
  const SqlGuard guard(marts_tables());
  EXPECT_EQ(guard.check("  select 1 ;  ").value().statement, "select 1");
  // A trailing line comment stays: the tool puts a newline before its closing parenthesis.
  EXPECT_EQ(guard.check("select 1 -- note").value().statement, "select 1 -- note");
}

TEST(SqlGuardTest, WithoutKnownTablesOnlyQualifiedMartsNamesPass) {
  const SqlGuard guard({});
  EXPECT_TRUE(guard.check("select count(*) from marts.dim_tracks").ok());
  EXPECT_FALSE(guard.check("select count(*) from dim_tracks").ok());
}

TEST(SqlGuardTest, RecursiveCteSeesItselfButPlainCteDoesNot) {
  const SqlGuard guard({});
  EXPECT_TRUE(
      guard
          .check("with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) "
                 "select * from r")
          .ok());
  EXPECT_FALSE(
      guard
          .check(
              "with r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r")
          .ok());
}

TEST(SqlGuardTest, ChecksFromSeveralThreadsAtOnce) {
  const SqlGuard guard(marts_tables());
  const auto cases = load_cases();
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& c : cases) {
        if (guard.check(c.sql).ok() != (c.expect == "allowed")) ++mismatches[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

TEST(SqlGuardTest, AllowListHasTheUsualFunctionsAndNotTheDangerousOnes) {
  for (const char* name :
       {"count", "avg", "round", "lower", "string_agg", "unnest", "date_trunc", "similarity"}) {
    EXPECT_TRUE(is_allowed_sql_function(name)) << name;
  }
  for (const char* name :
       {"pg_sleep", "lo_import", "dblink", "set_config", "current_setting", "pg_read_file",
        "nextval", "query_to_xml", "ts_stat", "pg_advisory_lock"}) {
    EXPECT_FALSE(is_allowed_sql_function(name)) << name;
  }
}

TEST(SqlGuardReaderUrlTest, ReplacesTheUserAndDropsThePassword) {
  EXPECT_EQ(with_database_user("postgresql://musicagent@127.0.0.1:55432/musicagent", kReaderRole),
            "postgresql://musicagent_reader@127.0.0.1:55432/musicagent");
  EXPECT_EQ(
      with_database_user("postgres://owner:secret@db.example:5432/music?sslmode=require&password=x",
                         kReaderRole),
      "postgres://musicagent_reader@db.example:5432/music?sslmode=require");
  EXPECT_EQ(with_database_user("postgresql://localhost/music", kReaderRole),
            "postgresql://musicagent_reader@localhost/music");
  EXPECT_EQ(with_database_user("host=127.0.0.1 port=5432 user=owner password='a b' dbname=music",
                               kReaderRole),
            "host='127.0.0.1' port='5432' dbname='music' user=musicagent_reader");
}

TEST(SqlGuardReaderUrlTest, SettingsComeFromTheEnvironment) {
  common::Config config;
  config.database_url = "postgresql://owner@db:5432/music";
  const auto derived = WarehouseQuerySettings::from(config, common::Environment());
  EXPECT_EQ(derived.reader_database_url, "postgresql://musicagent_reader@db:5432/music");
  EXPECT_EQ(derived.statement_timeout, kDefaultSqlStatementTimeout);

  const auto overridden = WarehouseQuerySettings::from(
      config, common::Environment(std::map<std::string, std::string>{
                  {"MUSICAGENT_READER_DATABASE_URL", "postgresql://reader:pw@db/music"},
                  {"MUSICAGENT_SQL_TIMEOUT_MS", "1500"}}));
  EXPECT_EQ(overridden.reader_database_url, "postgresql://reader:pw@db/music");
  EXPECT_EQ(overridden.statement_timeout, std::chrono::milliseconds(1500));
  EXPECT_THROW(
      WarehouseQuerySettings::from(config, common::Environment(std::map<std::string, std::string>{
                                               {"MUSICAGENT_SQL_TIMEOUT_MS", "soon"}})),
      std::runtime_error);
}

}  // namespace
}  // namespace musicagent::tools
