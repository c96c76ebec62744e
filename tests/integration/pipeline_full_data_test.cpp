// The full run on the real data set (../shared/data or MUSICAGENT_DATA_DIR). Skipped when
// the data is absent, unless MUSICAGENT_REQUIRE_DATA=1 (as in CI), where absence fails.
#include <cstdlib>

#include "common/database.hpp"
#include "pipeline_fixture.hpp"
#include "rag/catalog_index.hpp"

namespace musicagent::testing {
namespace {

std::filesystem::path real_data_dir() {
  if (const char* dir = std::getenv("MUSICAGENT_DATA_DIR"); dir != nullptr && *dir != '\0')
    return dir;
  return std::filesystem::path(MUSICAGENT_SOURCE_DIR).parent_path() / "shared" / "data";
}

class PipelineFullDataTest : public PipelineFixture {};

TEST_F(PipelineFullDataTest, FullRunOnRealDataPassesEveryDataTest) {
  const auto data_dir = real_data_dir();
  if (!std::filesystem::exists(data_dir / "spotify_tracks" / "dataset.csv.gz")) {
    const char* require = std::getenv("MUSICAGENT_REQUIRE_DATA");
    if (require != nullptr && std::string(require) == "1") FAIL() << "no real data at " << data_dir;
    GTEST_SKIP() << "no real data at " << data_dir;
  }
  pipeline::PipelineOptions options;
  options.data_dir = data_dir;
  const auto summary = run(options);
  ASSERT_EQ(summary.status, "success") << summary.error;
  for (const auto& model : summary.models) {
    for (const auto& test : model.tests) {
      EXPECT_EQ(test.status, "pass")
          << model.model << " " << test.column << " " << test.test_name << ": " << test.message;
    }
  }
  EXPECT_EQ(summary.loads[0].rows_read, 114000);
  for (const auto& load : summary.loads)
    EXPECT_EQ(load.rows_read, load.rows_loaded + load.rows_rejected);
  EXPECT_EQ(count("marts.dim_tracks"), 89741);
  EXPECT_EQ(count("marts.dim_genres"), 114);
  EXPECT_EQ(count("select count(*) from marts.dim_genres where listing_count <> 1000"), 0);
  EXPECT_EQ(count("marts.fct_listens"), 92834);
  EXPECT_EQ(count("select count(*) from staging.stg_lastfm__user_tagged_artists"), 186478);
  // Names seen in the data README: several artists credited on one track.
  EXPECT_EQ(count("select count(*) from marts.bridge_track_artists b join marts.dim_tracks t using "
                  "(track_id) "
                  "where t.track_id = '4qPNDBW1i3p13qLCt0Ki3A' and b.artist_name = 'Ben Woodward'"),
            1);
  ASSERT_TRUE(summary.match_rate.has_value());
  EXPECT_GT(summary.match_rate->matched_artists, 3000);
  EXPECT_EQ(scalar("select lastfm_match_method is not null from marts.dim_artists where "
                   "artist_name = 'Radiohead'"),
            "t");
}

}  // namespace
}  // namespace musicagent::testing
