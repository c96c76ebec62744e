// search_catalog, similar_tracks and describe_warehouse through the registry, as the agent
// calls them, and the `musicagent tool` command's exit codes.
#include <gmock/gmock.h>

#include "common/database.hpp"
#include "pipeline_fixture.hpp"
#include "tools/default_tools.hpp"

namespace musicagent::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class CatalogToolsTest : public PipelineFixture {
 protected:
  void SetUp() override {
    PipelineFixture::SetUp();
    copy_pipeline_project(home_.path());
    for (const char* folder : {"tools", "understanding"}) {
      std::filesystem::copy(std::filesystem::path(MUSICAGENT_SOURCE_DIR) / folder, home_.path() / folder,
                            std::filesystem::copy_options::recursive);
    }
    config_.home = home_.path();
    ASSERT_EQ(run().status, "success");
    auto connection = common::connect(database_url_);
    rag::CatalogIndex::build(connection, config_.index_dir(), {});
  }

  tools::ToolCallOutcome call(const std::string& name, const json& arguments) {
    if (!registry_)
      registry_.emplace(tools::make_default_registry(tools::ToolServices::from_config(config_)));
    return registry_->call(name, arguments);
  }

  TempDir home_;
  std::optional<tools::ToolRegistry> registry_;
};

TEST_F(CatalogToolsTest, SearchCatalogFindsMisspelledArtistsAndFiltersByKind) {
  const auto outcome =
      call("search_catalog", {{"query", "beatls"}, {"kind", "artists"}, {"limit", 2}});
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.error().message;
  const auto& results = outcome.result.value().at("results");
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results[0].at("name"), "The Beatles");
  for (const auto& result : results) EXPECT_EQ(result.at("kind"), "artist");
}

TEST_F(CatalogToolsTest, SearchCatalogWithUnknownGenreListsTheGenres) {
  const auto outcome = call("search_catalog", {{"query", "x"}, {"genre", "polka"}});
  ASSERT_FALSE(outcome.result.ok());
  EXPECT_EQ(outcome.result.error().code, "invalid_arguments");
  EXPECT_THAT(outcome.result.error().details.at("genres").dump(), HasSubstr("j-pop"));
}

TEST_F(CatalogToolsTest, SimilarTracksResolvesTitleByArtistAndExcludesTheSeed) {
  const auto outcome = call("similar_tracks", {{"track", "back in black by ac/dc"}, {"limit", 3}});
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.error().message;
  const auto& value = outcome.result.value();
  EXPECT_EQ(value.at("/track/id"_json_pointer), "6lfxq3CG4xtTiEg7opyCyx");
  ASSERT_EQ(value.at("tracks").size(), 3u);
  for (const auto& track : value.at("tracks")) EXPECT_NE(track.at("id"), "6lfxq3CG4xtTiEg7opyCyx");
  EXPECT_LE(value.at("/tracks/0/distance"_json_pointer).get<double>(),
            value.at("/tracks/1/distance"_json_pointer).get<double>());
}

TEST_F(CatalogToolsTest, SimilarTracksSameGenreStaysInTheSeedsGenres) {
  const auto outcome = call("similar_tracks", {{"track", "Something"}, {"same_genre", true}});
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.error().message;
  const auto& tracks = outcome.result.value().at("tracks");
  ASSERT_EQ(tracks.size(), 1u);  // the fixture's only other rock track
  EXPECT_EQ(tracks[0].at("name"), "Back In Black");
}

TEST_F(CatalogToolsTest, SimilarTracksUnknownTitleIsNotFound) {
  const auto outcome = call("similar_tracks", {{"track", "zzzz qqqq"}});
  ASSERT_FALSE(outcome.result.ok());
  EXPECT_EQ(outcome.result.error().code, "not_found");
}

TEST_F(CatalogToolsTest, DescribeWarehouseShowsColumnsDescriptionsAndCounts) {
  const auto all = call("describe_warehouse", json::object());
  ASSERT_TRUE(all.result.ok());
  std::vector<std::string> tables;
  for (const auto& table : all.result.value().at("tables")) tables.push_back(table.at("table"));
  EXPECT_THAT(tables, ::testing::IsSupersetOf(
                          {"marts.dim_tracks", "marts.dim_artists", "marts.fct_listens"}));

  const auto one = call("describe_warehouse", {{"table", "marts.dim_genres"}});
  ASSERT_TRUE(one.result.ok());
  const auto& table = one.result.value().at("/tables/0"_json_pointer);
  EXPECT_EQ(table.at("row_count"), FixtureFacts::kGenres);
  EXPECT_THAT(table.at("columns").dump(), HasSubstr("Mean danceability"));

  const auto missing = call("describe_warehouse", {{"table", "users"}});
  ASSERT_FALSE(missing.result.ok());
  EXPECT_THAT(missing.result.error().message, HasSubstr("marts.dim_tracks"));
}

TEST_F(CatalogToolsTest, ToolCommandExitCodes) {
  const std::string env = "env -u DATABASE_URL DATABASE_URL='" + database_url_ +
                          "' MUSICAGENT_HOME='" + home_.path().string() + "' " + MUSICAGENT_BINARY +
                          " ";
  const auto ok =
      run_command(env + "tool describe_warehouse '{\"table\": \"dim_genres\"}' 2>/dev/null");
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(json::parse(ok.output).at("/tables/0/table"_json_pointer), "marts.dim_genres");
  const auto refused =
      run_command(env + "tool similar_tracks '{\"track\": \"x\", \"limit\": 500}' 2>/dev/null");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(json::parse(refused.output).at("/error/code"_json_pointer), "invalid_arguments");
  const auto unknown = run_command(env + "tool no_such_tool '{}' 2>/dev/null");
  EXPECT_EQ(unknown.exit_code, 2);
  const auto not_json = run_command(env + "tool describe_warehouse 'not json' 2>/dev/null");
  EXPECT_EQ(not_json.exit_code, 2);
  const auto listed = run_command(env + "tools --json 2>/dev/null");
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_GE(json::parse(listed.output).size(), 3u);
}

}  // namespace
}  // namespace musicagent::testing
