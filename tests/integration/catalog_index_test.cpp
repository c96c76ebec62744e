// The catalogue index built from the fixture's marts: search quality on names and words,
// filters, staleness, crash safety of the build and the CLI around it.
#include "rag/catalog_index.hpp"

#include <gmock/gmock.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/database.hpp"
#include "pipeline_fixture.hpp"

namespace musicagent::testing {
namespace {

using ::testing::HasSubstr;

class CatalogIndexTest : public PipelineFixture {
 protected:
  void SetUp() override {
    PipelineFixture::SetUp();
    ASSERT_EQ(run().status, "success");
  }

  rag::IndexBuildReport build(bool force = false,
                              const std::string& text_index = rag::kDefaultTextIndex) {
    auto connection = common::connect(database_url_);
    rag::IndexBuildOptions options;
    options.force = force;
    options.text_factory = text_index;
    return rag::CatalogIndex::build(connection, root_.path(), options);
  }

  static std::vector<std::string> titles(const std::vector<rag::CatalogHit>& hits) {
    std::vector<std::string> out;
    for (const auto& hit : hits) out.push_back(hit.document->title);
    return out;
  }

  rag::CatalogQuery query(const std::string& text, const std::string& kind = "any",
                          std::size_t limit = 10) {
    rag::CatalogQuery q;
    q.text = text;
    q.kind = kind;
    q.limit = limit;
    return q;
  }

  TempDir root_;
};

TEST_F(CatalogIndexTest, BuildWritesAManifestDescribingTheIndex) {
  const auto report = build();
  EXPECT_FALSE(report.unchanged);
  EXPECT_EQ(report.documents, static_cast<std::size_t>(count("marts.search_documents")));
  const auto& manifest = report.manifest;
  EXPECT_EQ(manifest.at("documents"), report.documents);
  EXPECT_EQ(manifest.at("/text/description/embedder/name"_json_pointer), "hashing-tfidf");
  EXPECT_EQ(manifest.at("/text/description/count"_json_pointer), report.documents);
  EXPECT_EQ(manifest.at("/audio/count"_json_pointer), FixtureFacts::kDistinctTracks);
  EXPECT_FALSE(manifest.at("corpus_checksum").get<std::string>().empty());
  EXPECT_TRUE(std::filesystem::is_symlink(root_.path() / "current"));
  // The layouts are recorded, so an index built otherwise is detected.
  EXPECT_EQ(manifest.at("/settings/description_index"_json_pointer), rag::kDefaultTextIndex);
  EXPECT_EQ(manifest.at("/settings/name_index"_json_pointer), rag::kSparseIndex);
  EXPECT_EQ(manifest.at("/text/description/index"_json_pointer), rag::kDefaultTextIndex);
  EXPECT_EQ(manifest.at("/text/name/index"_json_pointer), rag::kSparseIndex);
  EXPECT_TRUE(std::filesystem::exists(
      report.path / manifest.at("/text/name/file"_json_pointer).get<std::string>()));
}

TEST_F(CatalogIndexTest, AFaissLayoutFindsWhatTheDefaultFinds) {
  build();
  const auto sparse = rag::CatalogIndex::load(root_.path());
  TempDir other;
  auto connection = common::connect(database_url_);
  rag::IndexBuildOptions options;
  options.text_factory = "Flat";
  const auto report = rag::CatalogIndex::build(connection, other.path(), options);
  EXPECT_EQ(report.manifest.at("/text/description/index"_json_pointer), "Flat");
  const auto flat = rag::CatalogIndex::load(other.path());
  for (const auto* text : {"calm acoustic folk", "beatles", "upbeat dance pop", "radiohed"}) {
    const auto a = sparse.search(query(text, "track", 5));
    const auto b = flat.search(query(text, "track", 5));
    ASSERT_EQ(a.size(), b.size()) << text;
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i].score, b[i].score, 1e-4) << text;
  }
}

TEST_F(CatalogIndexTest, AnIndexBuiltWithOtherSettingsIsRejectedAndRebuilt) {
  const auto first = build();
  // What an index of an older version looks like: another manifest format and other settings.
  auto manifest = first.manifest;
  manifest["format"] = 1;
  manifest["settings"]["format"] = 1;
  manifest["settings"].erase("description_index");
  manifest["settings"]["text_index"] = "Flat";
  std::ofstream(first.path / "manifest.json") << manifest.dump(2);
  try {
    rag::CatalogIndex::load(root_.path());
    FAIL() << "loaded an index built with other settings";
  } catch (const rag::IndexUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("other settings"));
    EXPECT_THAT(e.what(), HasSubstr("musicagent index build"));
  }
  auto connection = common::connect(database_url_);
  const auto state = rag::index_state(connection, root_.path());
  EXPECT_EQ(state.at("state"), "stale");
  EXPECT_THAT(state.at("reason").get<std::string>(), HasSubstr("musicagent index build"));
  // Without --force, the build sees the settings differ and rebuilds.
  const auto rebuilt = build();
  EXPECT_FALSE(rebuilt.unchanged);
  EXPECT_NO_THROW(rag::CatalogIndex::load(root_.path()));
  // And a build with another layout is not mistaken for the current one.
  EXPECT_FALSE(build(false, "Flat").unchanged);
  EXPECT_TRUE(build(false, "Flat").unchanged);
}

TEST_F(CatalogIndexTest, MisspelledAndUnaccentedNamesFindTheArtist) {
  build();
  const auto index = rag::CatalogIndex::load(root_.path());
  EXPECT_EQ(index.search(query("beyonce", "artist", 3)).at(0).document->title, "Beyoncé");
  EXPECT_EQ(index.search(query("the beatls", "artist", 3)).at(0).document->title, "The Beatles");
  EXPECT_EQ(index.search(query("ACDC", "artist", 3)).at(0).document->title, "AC/DC");
}

TEST_F(CatalogIndexTest, NonLatinNamesAreFound) {
  build();
  const auto index = rag::CatalogIndex::load(root_.path());
  const auto hits = index.search(query("米津玄師", "any", 3));
  ASSERT_FALSE(hits.empty());
  EXPECT_THAT(hits[0].document->title + hits[0].document->subtitle, HasSubstr("米津玄師"));
}

TEST_F(CatalogIndexTest, DescriptiveWordsFindTracksWithThoseFeatures) {
  build();
  const auto index = rag::CatalogIndex::load(root_.path());
  // Mercedes Sosa's "Zamba" is the only track with acousticness >= 0.7 and energy < 0.3.
  const auto hits = index.search(query("calm acoustic folk", "track", 1));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].document->title, "Zamba");
}

TEST_F(CatalogIndexTest, FiltersApplyInsideTheSearchAndKeepTheLimit) {
  build();
  const auto index = rag::CatalogIndex::load(root_.path());
  auto rock = query("popular", "track", 10);
  rock.genre = "rock";
  const auto hits = index.search(rock);
  // Both rock tracks come back even though the query words match nothing in particular.
  EXPECT_THAT(titles(hits), ::testing::UnorderedElementsAre("Something", "Back In Black"));
  auto popular = query("beatles", "track", 10);
  popular.min_popularity = 81;
  for (const auto& hit : index.search(popular)) EXPECT_GE(hit.document->popularity, 81);
  auto unknown = query("x");
  unknown.genre = "no-such-genre";
  EXPECT_THROW(index.search(unknown), std::invalid_argument);
}

TEST_F(CatalogIndexTest, SimilarTracksComeFromTheAudioFeaturesAndExcludeTheSeed) {
  build();
  const auto index = rag::CatalogIndex::load(root_.path());
  const auto similar = index.similar_tracks("6lfxq3CG4xtTiEg7opyCyx", 3);
  ASSERT_EQ(similar.size(), 3u);
  for (const auto& track : similar) EXPECT_NE(track.track_id, "6lfxq3CG4xtTiEg7opyCyx");
  EXPECT_LE(similar[0].distance, similar[1].distance);
  EXPECT_THROW(index.similar_tracks("nope", 3), std::invalid_argument);
}

TEST_F(CatalogIndexTest, MissingIndexNamesTheCommandThatBuildsIt) {
  try {
    rag::CatalogIndex::load(root_.path());
    FAIL() << "loaded an index that does not exist";
  } catch (const rag::IndexUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("musicagent index build"));
  }
}

TEST_F(CatalogIndexTest, UnchangedCorpusIsNotRebuiltAndForceRebuildsAside) {
  const auto first = build();
  const auto second = build();
  EXPECT_TRUE(second.unchanged);
  const auto forced = build(true);
  EXPECT_FALSE(forced.unchanged);
  EXPECT_NE(forced.path, first.path);
  EXPECT_FALSE(std::filesystem::exists(first.path));  // older builds are cleaned up
  EXPECT_EQ(std::filesystem::canonical(root_.path() / "current"),
            std::filesystem::canonical(forced.path));
}

TEST_F(CatalogIndexTest, AHalfWrittenBuildDoesNotDisturbTheCurrentIndex) {
  build();
  // What a crash mid-build leaves: a build folder with some files and no manifest.
  const auto crashed = root_.path() / "build-0-0";
  std::filesystem::create_directories(crashed);
  std::ofstream(crashed / "description.faiss") << "partial";
  const auto index = rag::CatalogIndex::load(root_.path());
  EXPECT_FALSE(index.search(query("beatles")).empty());
  build(true);
  EXPECT_FALSE(std::filesystem::exists(crashed));
}

TEST_F(CatalogIndexTest, IndexIsStaleAfterThePipelineRebuildsTheDocuments) {
  build();
  auto connection = common::connect(database_url_);
  auto index = rag::CatalogIndex::load(root_.path());
  EXPECT_NO_THROW(index.check_fresh(connection));
  ASSERT_EQ(run().status, "success");  // rebuilds marts.search_documents
  try {
    index.check_fresh(connection);
    FAIL() << "a stale index passed the check";
  } catch (const rag::IndexUnavailable& e) {
    EXPECT_THAT(e.what(), HasSubstr("stale"));
    EXPECT_THAT(e.what(), HasSubstr("musicagent index build"));
  }
  build();  // same corpus: recorded as current without re-embedding
  EXPECT_NO_THROW(rag::CatalogIndex::load(root_.path()).check_fresh(connection));
}

TEST_F(CatalogIndexTest, CliSearchAfterPipelineRunWithItsIndexStep) {
  TempDir home;  // the CLI keeps its index under MUSICAGENT_HOME/var
  copy_pipeline_project(home.path());
  const std::string env = "env -u DATABASE_URL DATABASE_URL='" + database_url_ +
                          "' MUSICAGENT_DATA_DIR='" + data_.path().string() +
                          "' MUSICAGENT_HOME='" + home.path().string() + "' ";
  const auto missing = run_command(env + MUSICAGENT_BINARY + " search beatles 2>&1");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.output, HasSubstr("musicagent index build"));

  const auto pipeline =
      run_command(env + MUSICAGENT_BINARY + " pipeline run -q --json 2>/dev/null");
  ASSERT_EQ(pipeline.exit_code, 0) << pipeline.output;
  const auto summary = nlohmann::json::parse(pipeline.output);
  EXPECT_EQ(summary.at("steps").back().at("kind"), "index");
  EXPECT_EQ(
      scalar("select status from ops.step_runs where kind = 'index' order by step_id desc limit 1"),
      "success");

  const auto found =
      run_command(env + MUSICAGENT_BINARY + " search 'beyonse' --kind artists --json 2>&1");
  ASSERT_EQ(found.exit_code, 0) << found.output;
  EXPECT_EQ(nlohmann::json::parse(found.output).at("results").at(0).at("title"), "Beyoncé");
}

}  // namespace
}  // namespace musicagent::testing
