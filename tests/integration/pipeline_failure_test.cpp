// What a failure leaves behind: the previous marts stay readable, the run is marked failed
// with a readable report, and a crashed run can be run again.
#include <gmock/gmock.h>

#include <fstream>
#include <future>

#include "pipeline/run_log.hpp"
#include "pipeline_fixture.hpp"

namespace musicagent::testing {
namespace {

using ::testing::HasSubstr;

class PipelineFailureTest : public PipelineFixture {
 protected:
  void SetUp() override {
    PipelineFixture::SetUp();
    copy_pipeline_project(home_.path());
    config_.home = home_.path();
  }

  void replace_model(const std::string& layer, const std::string& name, const std::string& sql) {
    std::ofstream(home_.path() / "pipeline" / "models" / layer / (name + ".sql"), std::ios::trunc)
        << sql;
  }

  TempDir home_;
};

TEST_F(PipelineFailureTest, BrokenModelLeavesPreviousVersionReadableAndRunFailed) {
  ASSERT_EQ(run().status, "success");
  const auto genres_before = fingerprint("marts.dim_genres");

  replace_model("marts", "dim_genres", "select 1 / 0 as genre");
  const auto summary = run();
  EXPECT_EQ(summary.status, "failed");
  EXPECT_THAT(summary.error, HasSubstr("marts.dim_genres"));
  EXPECT_THAT(summary.error, HasSubstr("division by zero"));
  EXPECT_EQ(fingerprint("marts.dim_genres"), genres_before);
  EXPECT_EQ(count("marts.dim_genres"), FixtureFacts::kGenres);

  EXPECT_EQ(scalar("select status from ops.pipeline_runs order by run_id desc limit 1"), "failed");
  EXPECT_EQ(scalar("select status from ops.step_runs where step = 'model marts.dim_genres' "
                   "order by step_id desc limit 1"),
            "failed");
  // Models that do not depend on it still build.
  EXPECT_EQ(find_model(summary, "marts.dim_tracks")->status, "success");
  // No half-built relation is left behind.
  EXPECT_EQ(scalar("select to_regclass('marts.dim_genres__new') is null"), "t");
}

TEST_F(PipelineFailureTest, FailingDataTestKeepsPreviousVersionAndNamesModelColumnTestAndCount) {
  ASSERT_EQ(run().status, "success");
  const auto before = fingerprint("marts.dim_genres");

  // Every genre twice: the unique test on genre must fail and block the swap.
  std::ifstream original(std::filesystem::path(MUSICAGENT_SOURCE_DIR) /
                         "pipeline/models/marts/dim_genres.sql");
  std::stringstream sql;
  sql << original.rdbuf();
  replace_model(
      "marts", "dim_genres",
      "with once as (\n" + sql.str() + "\n) select * from once union all select * from once");
  const auto summary = run();
  EXPECT_EQ(summary.status, "failed");
  const auto* model = find_model(summary, "marts.dim_genres");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->status, "failed");
  EXPECT_THAT(model->error, HasSubstr("unique on genre"));
  EXPECT_THAT(model->error,
              HasSubstr(std::to_string(FixtureFacts::kGenres) + " duplicated values"));
  EXPECT_EQ(fingerprint("marts.dim_genres"), before);
  EXPECT_EQ(
      scalar("select failing_rows from ops.test_results where model = 'marts.dim_genres' and "
             "column_name = 'genre' and test_name = 'unique' order by result_id desc limit 1"),
      std::to_string(FixtureFacts::kGenres));
}

TEST_F(PipelineFailureTest, ModelsDownstreamOfAFailureAreSkipped) {
  ASSERT_EQ(run().status, "success");
  replace_model("intermediate", "int_spotify_artists", "select nonexistent_column from nowhere");
  const auto summary = run();
  EXPECT_EQ(summary.status, "failed");
  EXPECT_EQ(find_model(summary, "intermediate.int_spotify_artists")->status, "failed");
  EXPECT_EQ(find_model(summary, "marts.dim_artists")->status, "skipped");
  EXPECT_EQ(find_model(summary, "marts.fct_listens")->status, "skipped");
  EXPECT_EQ(find_model(summary, "marts.dim_tracks")->status, "success");
  EXPECT_EQ(count("marts.dim_artists"),
            count("select count(distinct artist_id) from marts.bridge_track_artists"));
}

TEST_F(PipelineFailureTest, MissingHeaderColumnFailsTheLoadAndKeepsThePreviousBatch) {
  ASSERT_EQ(run().status, "success");
  const auto tracks_before = fingerprint("marts.dim_tracks");
  std::ofstream(data_.path() / "spotify_tracks" / "dataset.csv", std::ios::trunc)
      << "track_id,artists,album_name\nabc,someone,something\n";
  const auto summary = run();
  EXPECT_EQ(summary.status, "failed");
  EXPECT_THAT(summary.error, HasSubstr("kaggle.tracks"));
  EXPECT_THAT(summary.error, HasSubstr("track_genre"));
  EXPECT_EQ(fingerprint("marts.dim_tracks"), tracks_before);
  EXPECT_EQ(count("select count(*) from ops.load_batches where source = 'kaggle.tracks'"), 1);
}

TEST_F(PipelineFailureTest, MissingDataFileNamesThePathsTried) {
  std::filesystem::remove(data_.path() / "lastfm_hetrec2011" / "tags.dat");
  const auto summary = run();
  EXPECT_EQ(summary.status, "failed");
  EXPECT_THAT(summary.error, HasSubstr("lastfm.tags"));
  EXPECT_THAT(summary.error, HasSubstr("tags.dat"));
  EXPECT_THAT(summary.error, HasSubstr("README"));
}

TEST_F(PipelineFailureTest, RunLeftRunningByACrashIsMarkedAbandonedAndTheRunRepeats) {
  ASSERT_EQ(run().status, "success");
  const auto before = mart_fingerprints();
  {
    pqxx::connection connection(database_url_);
    pqxx::work tx(connection);
    tx.exec("insert into ops.pipeline_runs (command, status) values ('crashed run', 'running')");
    tx.commit();
  }
  const auto summary = run();
  ASSERT_EQ(summary.status, "success") << summary.error;
  EXPECT_EQ(scalar("select status from ops.pipeline_runs where command = 'crashed run'"),
            "abandoned");
  EXPECT_EQ(mart_fingerprints(), before);
}

TEST_F(PipelineFailureTest, ASecondConcurrentRunIsRefused) {
  pqxx::connection holder(database_url_);
  pqxx::nontransaction tx(holder);
  tx.exec("select pg_advisory_lock(" + std::to_string(pipeline::kPipelineLockKey) + ")");
  try {
    run();
    FAIL() << "a run started while another held the pipeline lock";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("another pipeline run is in progress"));
  }
}

}  // namespace
}  // namespace musicagent::testing
