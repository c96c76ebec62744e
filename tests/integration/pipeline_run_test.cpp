// A full pipeline run on the small fixture: what lands in raw, what the marts hold, and
// that running again changes nothing.
#include <gmock/gmock.h>

#include "pipeline_fixture.hpp"

namespace musicagent::testing {
namespace {

using ::testing::HasSubstr;

class PipelineRunTest : public PipelineFixture {};

TEST_F(PipelineRunTest, FullRunBuildsEveryMartWithPassingTests) {
  const auto summary = run();
  ASSERT_EQ(summary.status, "success") << summary.error;
  EXPECT_EQ(summary.loads.size(), 6u);
  for (const auto& model : summary.models) {
    EXPECT_EQ(model.status, "success") << model.model << ": " << model.error;
    for (const auto& test : model.tests)
      EXPECT_EQ(test.status, "pass") << model.model << " " << test.test_name;
  }
  EXPECT_EQ(count("marts.dim_tracks"), FixtureFacts::kDistinctTracks);
  EXPECT_EQ(count("marts.dim_genres"), FixtureFacts::kGenres);
  EXPECT_EQ(count("raw.kaggle_tracks"), FixtureFacts::kTrackRows);
  EXPECT_EQ(count("select count(*) from ops.test_results where status <> 'pass'"), 0);
  EXPECT_EQ(scalar("select status from ops.pipeline_runs order by run_id desc limit 1"), "success");
}

TEST_F(PipelineRunTest, TrackListedUnderTwoGenresIsOneRowWithBothGenresAndHighestPopularity) {
  ASSERT_EQ(run().status, "success");
  EXPECT_EQ(
      scalar("select genres::text from marts.dim_tracks where track_id = '5SuOikwiRyPMVoIQDJUgSV'"),
      "{acoustic,j-pop}");
  EXPECT_EQ(
      scalar("select popularity from marts.dim_tracks where track_id = '5SuOikwiRyPMVoIQDJUgSV'"),
      "73");
  EXPECT_EQ(
      scalar("select album_name from marts.dim_tracks where track_id = '5SuOikwiRyPMVoIQDJUgSV'"),
      "Comedy, \"Live\"");
  EXPECT_EQ(scalar("select instrumentalness from marts.dim_tracks where track_id = "
                   "'5SuOikwiRyPMVoIQDJUgSV'"),
            "1.01e-06");
}

TEST_F(PipelineRunTest, MultiArtistCreditsSplitInOrder) {
  ASSERT_EQ(run().status, "success");
  EXPECT_EQ(
      scalar(
          "select string_agg(artist_name || ':' || artist_position, ',' order by artist_position) "
          "from marts.bridge_track_artists where track_id = '5SuOikwiRyPMVoIQDJUgSV'"),
      "Gen Hoshino:1,Ben Woodward:2");
  EXPECT_EQ(scalar("select track_count from marts.dim_artists where artist_name = 'Ben Woodward'"),
            "1");
  EXPECT_EQ(scalar("select genres::text from marts.dim_artists where artist_name = 'Gen Hoshino'"),
            "{acoustic,j-pop}");
}

TEST_F(PipelineRunTest, NonLatinTextEmojiAndMultilineFieldsSurvive) {
  ASSERT_EQ(run().status, "success");
  EXPECT_EQ(
      scalar("select track_name from marts.dim_tracks where track_id = '1iJBSr7s7jYXzM8EGcbK5b'"),
      "Formation 🐝");
  EXPECT_EQ(
      scalar(
          "select artist_names[1] from marts.dim_tracks where track_id = '2Ej9bLjUSxvULA5wVaNjfF'"),
      "米津玄師");
  EXPECT_EQ(
      scalar("select track_name from marts.dim_tracks where track_id = '2Ej9bLjUSxvULA5wVaNjfF'"),
      "Lemon\nmultiline");
}

TEST_F(PipelineRunTest, LastfmNamesMatchAfterNormalisingCaseAccentsPunctuationAndThe) {
  const auto summary = run();
  ASSERT_EQ(summary.status, "success");
  auto matched = [&](const std::string& lastfm_name) {
    return scalar(
        "select coalesce(a.artist_name, '<none>') from marts.fct_listens f left join "
        "marts.dim_artists a "
        "using (artist_id) where f.lastfm_artist_name = '" +
        lastfm_name + "' limit 1");
  };
  EXPECT_EQ(matched("the beatles"), "The Beatles");
  EXPECT_EQ(matched("Beyonce"), "Beyoncé");
  EXPECT_EQ(matched("ACDC"), "AC/DC");
  EXPECT_EQ(matched("Unknown Band"), "<none>");
  // Unmatched listening is kept with its Last.fm name, not dropped.
  EXPECT_EQ(count("marts.fct_listens"), FixtureFacts::kUserArtistRows);
  ASSERT_TRUE(summary.match_rate.has_value());
  EXPECT_EQ(summary.match_rate->lastfm_artists, FixtureFacts::kLastfmArtists);
  EXPECT_EQ(summary.match_rate->matched_artists, 4);
  EXPECT_EQ(
      scalar("select lastfm_listeners from marts.dim_artists where artist_name = 'The Beatles'"),
      "2");
  EXPECT_EQ(scalar("select lastfm_plays from marts.dim_artists where artist_name = 'The Beatles'"),
            "1300");
}

TEST_F(PipelineRunTest, Latin1TagsAreStoredAsUtf8) {
  ASSERT_EQ(run().status, "success");
  EXPECT_EQ(count("select count(*) from staging.stg_lastfm__tags where tag = 'électronique'"), 1);
  EXPECT_EQ(count("select count(*) from staging.stg_lastfm__tags where tag = 'grün'"), 1);
  EXPECT_EQ(
      scalar("select lastfm_top_tags::text from marts.dim_artists where artist_name = 'Beyoncé'"),
      "{pop,électronique}");
}

TEST_F(PipelineRunTest, ColumnDescriptionsBecomeComments) {
  ASSERT_EQ(run().status, "success");
  EXPECT_THAT(
      scalar("select col_description('marts.dim_tracks'::regclass, "
             "(select attnum from pg_attribute where attrelid = 'marts.dim_tracks'::regclass "
             "and attname = 'valence'))"),
      HasSubstr("positiveness"));
  EXPECT_THAT(scalar("select obj_description('marts.dim_genres'::regclass, 'pg_class')"),
              HasSubstr("genres"));
}

TEST_F(PipelineRunTest, SecondRunLoadsNothingAndGivesIdenticalMarts) {
  ASSERT_EQ(run().status, "success");
  const auto before = mart_fingerprints();
  const auto raw_before = count("raw.kaggle_tracks");

  const auto again = run();
  ASSERT_EQ(again.status, "success") << again.error;
  for (const auto& load : again.loads) EXPECT_TRUE(load.unchanged) << load.source;
  EXPECT_EQ(count("raw.kaggle_tracks"), raw_before);
  EXPECT_EQ(mart_fingerprints(), before);
}

TEST_F(PipelineRunTest, FullRefreshLoadsNewBatchesWithoutDuplicatingMarts) {
  ASSERT_EQ(run().status, "success");
  const auto before = mart_fingerprints();
  pipeline::PipelineOptions options;
  options.full_refresh = true;
  const auto again = run(options);
  ASSERT_EQ(again.status, "success") << again.error;
  for (const auto& load : again.loads) EXPECT_FALSE(load.unchanged) << load.source;
  // raw keeps both batches; the models read only the latest.
  EXPECT_EQ(count("raw.kaggle_tracks"), 2 * FixtureFacts::kTrackRows);
  EXPECT_EQ(mart_fingerprints(), before);
}

TEST_F(PipelineRunTest, ChangedFileBecomesANewBatchThatTheModelsUse) {
  ASSERT_EQ(run().status, "success");
  write_fixture(data_.path(), {.popularity_of_first = 99});
  const auto again = run();
  ASSERT_EQ(again.status, "success") << again.error;
  EXPECT_FALSE(again.loads[0].unchanged);
  EXPECT_TRUE(again.loads[1].unchanged);
  EXPECT_EQ(count("select count(distinct _batch_id) from raw.kaggle_tracks"), 2);
  EXPECT_EQ(
      scalar("select popularity from marts.dim_tracks where track_id = '5SuOikwiRyPMVoIQDJUgSV'"),
      "99");
  EXPECT_EQ(count("marts.dim_tracks"), FixtureFacts::kDistinctTracks);
}

TEST_F(PipelineRunTest, KaggleDownloadFormWithIndexColumnAndGzipLoadsTheSame) {
  ASSERT_EQ(run().status, "success");
  const auto plain = fingerprint("marts.dim_tracks");

  TempDir other;
  write_fixture(other.path(), {.kaggle_index_column = true, .kaggle_gzip = true});
  pipeline::PipelineOptions options;
  options.data_dir = other.path();
  const auto again = run(options);
  ASSERT_EQ(again.status, "success") << again.error;
  EXPECT_FALSE(again.loads[0].unchanged);  // different bytes, so a new batch
  EXPECT_EQ(fingerprint("marts.dim_tracks"), plain);
}

TEST_F(PipelineRunTest, BadRowsAreRejectedWithReasonsAndCounted) {
  write_fixture(data_.path(), {.bad_rows = true});
  const auto summary = run();
  ASSERT_EQ(summary.status, "success") << summary.error;
  const auto& tracks = summary.loads[0];
  EXPECT_EQ(tracks.rows_read, FixtureFacts::kTrackRows + FixtureFacts::kBadRows);
  EXPECT_EQ(tracks.rows_loaded, FixtureFacts::kTrackRows);
  EXPECT_EQ(tracks.rows_rejected, FixtureFacts::kBadRows);
  EXPECT_EQ(tracks.rows_read, tracks.rows_loaded + tracks.rows_rejected);

  auto reason_at_line = [&](int line) {
    return scalar("select reason from ops.rejected_rows where line_number = " +
                  std::to_string(line));
  };
  // Header is line 1; the fixture's seven good rows include one two-line record (lines 7-8).
  EXPECT_EQ(reason_at_line(10), "empty track_id");
  EXPECT_EQ(reason_at_line(11), "danceability: 1.5 is outside 0..1");
  EXPECT_EQ(reason_at_line(12), "expected 20 fields, got 6");
  EXPECT_EQ(reason_at_line(13), "popularity: 'abc' is not a whole number");
  EXPECT_EQ(reason_at_line(14), "explicit: 'Maybe' is not a boolean");
  EXPECT_THAT(scalar("select raw_text from ops.rejected_rows where line_number = 11"),
              HasSubstr("Too Danceable"));
  EXPECT_EQ(
      scalar("select rows_read = rows_loaded + rows_rejected from ops.load_batches where source = "
             "'kaggle.tracks'"),
      "t");
  EXPECT_EQ(tracks.rejects_by_reason.at("danceability: out of range"), 1);
}

}  // namespace
}  // namespace musicagent::testing
