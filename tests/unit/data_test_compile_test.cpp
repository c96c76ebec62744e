#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/data_test.hpp"
#include "pipeline/model.hpp"

namespace musicagent::pipeline {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// The relation a model is being built into (the builder passes a temporary name).
const std::string kRelation = "marts.dim_tracks__new";

Project make_project() {
  Project project;
  Model artists;
  artists.name = "dim_artists";
  artists.schema = "marts";
  Model staging;
  staging.name = "stg_spotify__tracks";
  staging.schema = "staging";
  project.models = {staging, artists};
  project.sources = {{"kaggle", "tracks", "raw.kaggle_tracks__latest", ""}};
  return project;
}

DataTestSpec column_test(const std::string& name, const std::string& column,
                         std::map<std::string, std::string> params = {},
                         std::vector<std::string> values = {}) {
  DataTestSpec test;
  test.name = name;
  test.column = column;
  test.params = std::move(params);
  test.values = std::move(values);
  return test;
}

DataTestSpec model_test(const std::string& name, std::map<std::string, std::string> params = {},
                        std::vector<std::string> values = {}) {
  DataTestSpec test;
  test.name = name;
  test.params = std::move(params);
  test.values = std::move(values);
  return test;
}

CompiledTest compile(const DataTestSpec& test) {
  return compile_test(test, kRelation, make_project());
}

std::string compile_error(const DataTestSpec& test) {
  try {
    compile(test);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "compile_test(" << test.name << ") did not throw";
  return {};
}

// Every test that reads one column, with the arguments it needs.
std::vector<DataTestSpec> column_tests(const std::string& column) {
  return {
      column_test("not_null", column),
      column_test("unique", column),
      column_test("accepted_values", column, {}, {"a", "b"}),
      column_test("accepted_range", column, {{"min_value", "0"}, {"max_value", "1"}}),
      column_test("relationships", column, {{"to", "ref('dim_artists')"}, {"field", "artist_id"}}),
      column_test("completeness", column),
  };
}

TEST(CompileTestTest, ColumnTestsMentionTheRelationAndTheQuotedColumn) {
  for (const auto& test : column_tests("Track Id")) {
    const CompiledTest compiled = compile(test);
    EXPECT_THAT(compiled.sql, AllOf(HasSubstr("from " + kRelation), HasSubstr("\"Track Id\"")))
        << test.name;
    EXPECT_FALSE(compiled.what_fails.empty()) << test.name;
  }
}

TEST(CompileTestTest, ColumnNamesAreQuotedAsIdentifiers) {
  for (const auto& test : column_tests("a\"; drop table x; --")) {
    const CompiledTest compiled = compile(test);
    EXPECT_THAT(compiled.sql, HasSubstr("\"a\"\"; drop table x; --\"")) << test.name;
  }
}

TEST(CompileTestTest, ColumnTestsWithoutColumnThrow) {
  for (auto test : column_tests("x")) {
    test.column.reset();
    EXPECT_THAT(compile_error(test), HasSubstr("belongs under a column")) << test.name;
  }
}

TEST(CompileTestTest, ModelLevelTestsMentionTheRelation) {
  const std::vector<DataTestSpec> tests = {
      model_test("row_count", {{"min", "1"}}),
      model_test("equal_rowcount", {{"compare_to", "ref('stg_spotify__tracks')"}}),
      model_test("expression_is_true", {{"expression", "popularity >= 0"}}),
      model_test("unique_combination_of_columns", {}, {"track_id", "genre"}),
  };
  for (const auto& test : tests) {
    EXPECT_THAT(compile(test).sql, HasSubstr("from " + kRelation)) << test.name;
  }
}

TEST(CompileTestTest, EachTestCompilesToItsCheck) {
  EXPECT_EQ(compile(column_test("not_null", "c")).sql,
            "select count(*) filter (where \"c\" is null), count(*) from " + kRelation);
  EXPECT_THAT(
      compile(column_test("unique", "c")).sql,
      AllOf(HasSubstr("group by \"c\" having count(*) > 1"), HasSubstr("\"c\" is not null")));
  EXPECT_THAT(compile(model_test("unique_combination_of_columns", {}, {"track_id", "genre"})).sql,
              HasSubstr("group by \"track_id\", \"genre\" having count(*) > 1"));
  EXPECT_THAT(compile(model_test("row_count", {{"min", "1"}, {"max", "500"}})).sql,
              AllOf(HasSubstr("n < 1 or n > 500"), HasSubstr("count(*) n from " + kRelation)));
  EXPECT_THAT(compile(model_test("expression_is_true", {{"expression", "a > b"}})).sql,
              HasSubstr("not coalesce((a > b)::boolean, false)"));
  for (const auto& test : column_tests("c")) {
    EXPECT_EQ(compile(test).max_failing_fraction, test.name == "completeness" ? 0.05 : 0.0)
        << test.name;
  }
}

TEST(CompileTestTest, UnknownTestThrowsListingKnownOnes) {
  const auto message = compile_error(column_test("is_positive", "c"));
  EXPECT_THAT(message, HasSubstr("unknown data test 'is_positive'"));
  for (const std::string known :
       {"not_null", "unique", "accepted_values", "accepted_range", "relationships", "completeness",
        "row_count", "equal_rowcount", "expression_is_true", "unique_combination_of_columns"}) {
    EXPECT_THAT(message, HasSubstr(known)) << known;
  }
  // Names are matched exactly.
  EXPECT_THAT(compile_error(column_test("Unique", "c")), HasSubstr("unknown data test"));
}

TEST(CompileTestTest, MissingArgumentsThrowNamingTheArgument) {
  EXPECT_THAT(compile_error(column_test("relationships", "c", {{"field", "id"}})),
              HasSubstr("needs argument 'to'"));
  EXPECT_THAT(compile_error(column_test("relationships", "c", {{"to", "ref('dim_artists')"}})),
              HasSubstr("needs argument 'field'"));
  EXPECT_THAT(compile_error(model_test("equal_rowcount")),
              HasSubstr("needs argument 'compare_to'"));
  EXPECT_THAT(compile_error(model_test("expression_is_true")),
              HasSubstr("needs argument 'expression'"));
  EXPECT_THAT(compile_error(column_test("accepted_values", "c")), HasSubstr("'values' list"));
  EXPECT_THAT(compile_error(column_test("accepted_range", "c")),
              AllOf(HasSubstr("min_value"), HasSubstr("max_value")));
  EXPECT_THAT(compile_error(model_test("row_count")), AllOf(HasSubstr("min"), HasSubstr("max")));
  EXPECT_THAT(compile_error(model_test("unique_combination_of_columns")),
              HasSubstr("'combination_of_columns' list"));
}

TEST(CompileTestTest, AcceptedRangeTakesEitherBound) {
  EXPECT_THAT(compile(column_test("accepted_range", "c", {{"min_value", "-1"}})).sql,
              AllOf(HasSubstr("\"c\" < -1"), Not(HasSubstr(">"))));
  EXPECT_THAT(compile(column_test("accepted_range", "c", {{"max_value", "1e3"}})).sql,
              AllOf(HasSubstr("\"c\" > 1e3"), Not(HasSubstr(" < "))));
  EXPECT_THAT(
      compile(column_test("accepted_range", "c", {{"min_value", "0.5"}, {"max_value", "11"}})).sql,
      HasSubstr("\"c\" < 0.5 or \"c\" > 11"));
}

TEST(CompileTestTest, NonNumericBoundsThrow) {
  for (const std::string bad : {"0; drop table raw.x", "1 or 1=1", "abc", "1)", "", " 1", "--1"}) {
    if (bad.empty()) continue;  // empty means "no bound"
    EXPECT_THAT(compile_error(column_test("accepted_range", "c", {{"min_value", bad}})),
                HasSubstr("is not a number"))
        << bad;
    EXPECT_THAT(compile_error(column_test("accepted_range", "c", {{"max_value", bad}})),
                HasSubstr("is not a number"))
        << bad;
    EXPECT_THAT(compile_error(model_test("row_count", {{"min", bad}})),
                HasSubstr("is not a number"))
        << bad;
    EXPECT_THAT(compile_error(model_test("row_count", {{"max", bad}})),
                HasSubstr("is not a number"))
        << bad;
  }
}

TEST(CompileTestTest, AcceptedValuesQuotesEmbeddedQuotes) {
  const auto sql =
      compile(column_test("accepted_values", "c", {}, {"it's", "plain", "'); drop table x; --"}))
          .sql;
  EXPECT_THAT(sql, HasSubstr("not in ('it''s', 'plain', '''); drop table x; --')"));
  EXPECT_THAT(sql, HasSubstr("\"c\"::text"));
}

TEST(CompileTestTest, RelationshipsResolveRefsAndSources) {
  const auto compiled = compile(column_test(
      "relationships", "artist_id", {{"to", "ref('dim_artists')"}, {"field", "artist_id"}}));
  EXPECT_THAT(compiled.sql, AllOf(HasSubstr("left join marts.dim_artists p"),
                                  HasSubstr("c.\"artist_id\" = p.\"artist_id\""),
                                  HasSubstr("from " + kRelation + " c")));
  EXPECT_THAT(compiled.what_fails, HasSubstr("marts.dim_artists"));

  EXPECT_THAT(compile(column_test("relationships", "c",
                                  {{"to", " ref( \"stg_spotify__tracks\" ) "}, {"field", "id"}}))
                  .sql,
              HasSubstr("left join staging.stg_spotify__tracks p"));
  EXPECT_THAT(compile(column_test("relationships", "c",
                                  {{"to", "source('kaggle', 'tracks')"}, {"field", "track_id"}}))
                  .sql,
              HasSubstr("left join raw.kaggle_tracks__latest p"));
}

TEST(CompileTestTest, RelationshipsRejectBareTablesAndUnknownNames) {
  EXPECT_THAT(
      compile_error(column_test("relationships", "c", {{"to", "dim_artists"}, {"field", "id"}})),
      HasSubstr("should be ref('...')"));
  EXPECT_THAT(
      compile_error(column_test("relationships", "c",
                                {{"to", "marts.dim_artists; drop table x"}, {"field", "id"}})),
      HasSubstr("should be ref('...')"));
  EXPECT_THAT(
      compile_error(column_test("relationships", "c", {{"to", "ref('nope')"}, {"field", "id"}})),
      HasSubstr("names no model"));
  EXPECT_THAT(compile_error(column_test("relationships", "c",
                                        {{"to", "source('kaggle', 'nope')"}, {"field", "id"}})),
              HasSubstr("names no declared source"));
  // The reference must be the whole argument.
  EXPECT_THAT(
      compile_error(column_test("relationships", "c",
                                {{"to", "ref('dim_artists') union select 1"}, {"field", "id"}})),
      HasSubstr("should be ref('...')"));
}

TEST(CompileTestTest, EqualRowcountComparesWithTheOtherRelation) {
  const auto plain =
      compile(model_test("equal_rowcount", {{"compare_to", "ref('stg_spotify__tracks')"}}));
  EXPECT_THAT(plain.sql, AllOf(HasSubstr("select count(*) n from staging.stg_spotify__tracks"),
                               HasSubstr("from " + kRelation)));
  const auto distinct =
      compile(model_test("equal_rowcount", {{"compare_to", "ref('stg_spotify__tracks')"},
                                            {"compare_expression", "count(distinct track_id)"}}));
  EXPECT_THAT(distinct.sql,
              HasSubstr("select count(distinct track_id) n from staging.stg_spotify__tracks"));
  EXPECT_THAT(compile_error(model_test("equal_rowcount", {{"compare_to", "stg_spotify__tracks"}})),
              HasSubstr("should be ref('...')"));
}

TEST(CompileTestTest, CompletenessThreshold) {
  const auto by_default = compile(column_test("completeness", "c"));
  EXPECT_DOUBLE_EQ(by_default.max_failing_fraction, 0.05);
  EXPECT_THAT(by_default.what_fails, HasSubstr("5%"));
  EXPECT_THAT(by_default.sql, AllOf(HasSubstr("\"c\" is null"), HasSubstr("in ('', '{}')")));

  const auto custom = compile(column_test("completeness", "c", {{"max_missing", "0.2"}}));
  EXPECT_DOUBLE_EQ(custom.max_failing_fraction, 0.2);
  EXPECT_THAT(custom.what_fails, HasSubstr("20%"));
}

}  // namespace
}  // namespace musicagent::pipeline
