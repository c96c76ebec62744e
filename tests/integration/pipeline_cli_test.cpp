// The musicagent binary as a user runs it: exit codes, JSON output, status, bad arguments.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "pipeline_fixture.hpp"

namespace musicagent::testing {
namespace {

using ::testing::HasSubstr;

class PipelineCliTest : public PipelineFixture {
 protected:
  void SetUp() override {
    PipelineFixture::SetUp();
    copy_pipeline_project(
        home_.path());  // the CLI writes its search index under MUSICAGENT_HOME/var
  }

  CommandResult musicagent(const std::string& arguments, bool merge_stderr = false) {
    const std::string env = "env -u DATABASE_URL DATABASE_URL='" + database_url_ +
                            "' MUSICAGENT_DATA_DIR='" + data_.path().string() +
                            "' MUSICAGENT_HOME='" + home_.path().string() + "' ";
    return run_command(env + MUSICAGENT_BINARY + " " + arguments +
                       (merge_stderr ? " 2>&1" : " 2>/dev/null"));
  }

  TempDir home_;
};

TEST_F(PipelineCliTest, RunPrintsJsonSummaryAndExitsZero) {
  const auto result = musicagent("pipeline run --json -q");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto summary = nlohmann::json::parse(result.output);
  EXPECT_EQ(summary.at("status"), "success");
  EXPECT_EQ(summary.at("loads").size(), 6u);
  EXPECT_EQ(summary.at("loads")[0].at("rows_loaded"), FixtureFacts::kTrackRows);
  EXPECT_EQ(summary.at("match_rate").at("matched_artists"), 4);
}

TEST_F(PipelineCliTest, HumanSummaryShowsRowsAndMatchRate) {
  const auto result = musicagent("pipeline run -q");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("succeeded"));
  EXPECT_THAT(result.output, HasSubstr("rows read = loaded + rejected"));
  EXPECT_THAT(result.output, HasSubstr("artist match: 4 of 5 artists (80.0%)"));
  const auto again = musicagent("pipeline run -q");
  EXPECT_THAT(again.output, HasSubstr("unchanged"));
}

TEST_F(PipelineCliTest, StatusReportsRunsLayersTestsAndRejects) {
  write_fixture(data_.path(), {.bad_rows = true});
  ASSERT_EQ(musicagent("pipeline run -q").exit_code, 0);
  const auto result = musicagent("pipeline status --json");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto status = nlohmann::json::parse(result.output);
  EXPECT_EQ(status.at("runs")[0].at("status"), "success");
  bool saw_dim_tracks = false;
  for (const auto& relation : status.at("relations")) {
    if (relation.at("relation") == "dim_tracks") {
      saw_dim_tracks = true;
      EXPECT_EQ(relation.at("rows"), FixtureFacts::kDistinctTracks);
    }
  }
  EXPECT_TRUE(saw_dim_tracks);
  EXPECT_EQ(status.at("search_index").at("state"), "ready");
  EXPECT_EQ(status.at("search_index").at("documents"), count("marts.search_documents"));
  std::int64_t rejected = 0;
  for (const auto& row : status.at("rejected_by_reason"))
    rejected += row.at("rows").get<std::int64_t>();
  EXPECT_EQ(rejected, FixtureFacts::kBadRows);

  const auto text = musicagent("pipeline status");
  EXPECT_THAT(text.output, HasSubstr("danceability: out of range"));
  EXPECT_THAT(text.output, HasSubstr("Data tests of the last run"));
}

TEST_F(PipelineCliTest, SelectBuildsOnlyTheNamedModelsAndRejectsUnknownOnes) {
  ASSERT_EQ(musicagent("pipeline run -q").exit_code, 0);
  const auto selected = musicagent("pipeline run --json -q --skip-load --select dim_genres");
  ASSERT_EQ(selected.exit_code, 0) << selected.output;
  const auto summary = nlohmann::json::parse(selected.output);
  ASSERT_EQ(summary.at("models").size(), 1u);
  EXPECT_EQ(summary.at("models")[0].at("model"), "marts.dim_genres");

  const auto unknown = musicagent("pipeline run -q --skip-load --select no_such_model", true);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.output, HasSubstr("no_such_model"));
  EXPECT_THAT(unknown.output, HasSubstr("dim_tracks"));
}

TEST_F(PipelineCliTest, UnreachableDatabaseGivesAnActionableError) {
  const auto result = run_command("env DATABASE_URL='postgresql://nobody@127.0.0.1:1/none' " +
                                  std::string(MUSICAGENT_BINARY) + " pipeline status 2>&1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("cannot connect to PostgreSQL"));
  EXPECT_THAT(result.output, HasSubstr("scripts/setup.sh"));
}

}  // namespace
}  // namespace musicagent::testing
