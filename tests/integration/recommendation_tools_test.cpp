// recommend_by_genre, lookup_artist and similar_artists on the fixture's marts, called through
// a ToolRegistry as the agent calls them (schema validation and defaults apply). A few tests
// add rows to the marts to make cases the fixture is too small for.
#include <gmock/gmock.h>

#include <functional>
#include <map>

#include "pipeline_fixture.hpp"
#include "tools/lookup_artist_tool.hpp"
#include "tools/recommend_by_genre_tool.hpp"
#include "tools/similar_artists_tool.hpp"
#include "tools/tool_registry.hpp"

namespace musicagent::testing {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr const char* kBackInBlack = "6lfxq3CG4xtTiEg7opyCyx";  // AC/DC, rock, 81
constexpr const char* kSomething = "4qPNDBW1i3p13qLCt0Ki3A";    // The Beatles, rock, 80
constexpr const char* kFormation = "1iJBSr7s7jYXzM8EGcbK5b";    // Beyoncé, pop, explicit

class RecommendationToolsTest : public PipelineFixture {
 protected:
  void SetUp() override {
    PipelineFixture::SetUp();
    ASSERT_EQ(run().status, "success");
    const auto services = tools::ToolServices::from_config(config_);
    registry_.add(std::make_unique<tools::RecommendByGenreTool>(services));
    registry_.add(std::make_unique<tools::LookupArtistTool>(services));
    registry_.add(std::make_unique<tools::SimilarArtistsTool>(services));
  }

  json call_ok(const std::string& tool, const json& arguments) {
    const auto outcome = registry_.call(tool, arguments);
    EXPECT_TRUE(outcome.result.ok())
        << tool << " " << arguments.dump() << ": "
        << (outcome.result.ok() ? "" : outcome.result.error().to_json().dump());
    return outcome.result.ok() ? outcome.result.value() : json::object();
  }

  tools::ToolError call_error(const std::string& tool, const json& arguments) {
    const auto outcome = registry_.call(tool, arguments);
    EXPECT_FALSE(outcome.result.ok())
        << tool << " " << arguments.dump()
        << " succeeded: " << (outcome.result.ok() ? outcome.result.value().dump() : "");
    return outcome.result.ok() ? tools::ToolError{} : outcome.result.error();
  }

  void execute(const std::string& sql) {
    pqxx::connection connection(database_url_);
    pqxx::work tx(connection);
    tx.exec(sql);
    tx.commit();
  }

  std::string artist_id(const std::string& name) {
    return scalar("select artist_id from marts.dim_artists where artist_name = " +
                  pqxx::connection(database_url_).quote(name));
  }

  static std::vector<std::string> names(const json& list, const std::string& key = "name") {
    std::vector<std::string> out;
    for (const auto& item : list) out.push_back(item.at(key).get<std::string>());
    return out;
  }

  // `count` rock tracks credited to `artist` (as on an existing track), popularity from
  // `popularity` down, with the given valence.
  void add_rock_tracks(const std::string& prefix, const std::string& like_track, int count,
                       int popularity, double valence) {
    execute(
        "insert into marts.dim_tracks (track_id, track_name, album_name, artist_names, artist_ids, "
        "genres, "
        "popularity, is_explicit, duration_ms, danceability, energy, valence, acousticness, "
        "instrumentalness, "
        "speechiness, liveness, loudness_db, tempo_bpm, musical_key, is_major, time_signature) "
        "select '" +
        prefix + "' || n, '" + prefix +
        " song ' || n, 'Extra', artist_names, artist_ids, "
        "array['rock'], " +
        std::to_string(popularity) + " - n, false, 200000, 0.5, 0.5, " + std::to_string(valence) +
        ", 0.1, 0.0, 0.05, 0.1, -6.0, 120.0, 1, true, 4 "
        "from marts.dim_tracks, generate_series(1, " +
        std::to_string(count) + ") n where track_id = '" + like_track + "'");
  }

  tools::ToolRegistry registry_;
};

// --- recommend_by_genre -----------------------------------------------------------------

TEST_F(RecommendationToolsTest, GenreWordsMapToTheWarehouseGenres) {
  const auto rock = call_ok("recommend_by_genre", {{"genre", "Rock"}});
  EXPECT_EQ(rock.at("genre"), "rock");
  EXPECT_THAT(names(rock.at("tracks"), "id"),
              ElementsAre(kBackInBlack, kSomething));  // by popularity

  const auto jpop = call_ok("recommend_by_genre", {{"genre", "JPop"}});
  EXPECT_EQ(jpop.at("genre"), "j-pop");
  EXPECT_THAT(names(jpop.at("tracks")), ElementsAre("Lemon\nmultiline", "Comedy"));

  const auto alias = call_ok("recommend_by_genre", {{"genre", "japanese pop"}, {"limit", 1}});
  EXPECT_EQ(alias.at("genre"), "j-pop");
  EXPECT_EQ(alias.at("genre_match"), json({{"input", "japanese pop"}, {"method", "alias"}}));
  EXPECT_EQ(alias.at("tracks").size(), 1u);
  EXPECT_FALSE(alias.contains("note"));  // as many as asked
}

TEST_F(RecommendationToolsTest, TracksCarryTheirDetailsAndAReason) {
  const auto result = call_ok("recommend_by_genre", {{"genre", "rock"}, {"mood", "happy"}});
  // One rock track is happy; the other rock track fills the list, said so.
  ASSERT_EQ(result.at("tracks").size(), 2u);
  EXPECT_EQ(result.at("/tracks/1/id"_json_pointer), kSomething);
  EXPECT_THAT(result.at("/tracks/1/reason"_json_pointer).get<std::string>(),
              HasSubstr("nearest to happy among the rest"));
  const auto& track = result.at("tracks")[0];
  EXPECT_EQ(track.at("id"), kBackInBlack);
  EXPECT_EQ(track.at("name"), "Back In Black");
  EXPECT_EQ(track.at("artists"), json::array({"AC/DC"}));
  EXPECT_EQ(track.at("album"), "Back in Black");
  EXPECT_EQ(track.at("genres"), json::array({"rock"}));
  EXPECT_EQ(track.at("popularity"), 81);
  EXPECT_EQ(track.at("explicit"), false);
  EXPECT_EQ(track.at("duration_ms"), 255493);
  for (const char* feature :
       {"danceability", "energy", "valence", "acousticness", "instrumentalness", "speechiness",
        "liveness", "tempo_bpm", "loudness_db"}) {
    EXPECT_TRUE(track.at("audio_features").at(feature).is_number()) << feature;
  }
  EXPECT_EQ(track.at("reason"), "hit rock track (popularity 81); high valence 0.76 (happy)");
  EXPECT_EQ(result.at("mood"), "happy");
  EXPECT_THAT(result.at("note").get<std::string>(), HasSubstr("only 1 rock tracks that are happy"));
  EXPECT_THAT(result.at("note").get<std::string>(), HasSubstr("the other 1 are the nearest of the rest"));
}

TEST_F(RecommendationToolsTest, MoodsFilterOnTheirAudioFeature) {
  const std::map<std::string, std::pair<std::string, std::function<bool(double)>>> moods = {
      {"happy", {"valence", [](double v) { return v >= 0.6; }}},
      {"sad", {"valence", [](double v) { return v <= 0.35; }}},
      {"energetic", {"energy", [](double v) { return v >= 0.7; }}},
      {"calm", {"energy", [](double v) { return v <= 0.4; }}},
      {"danceable", {"danceability", [](double v) { return v >= 0.7; }}},
      {"acoustic", {"acousticness", [](double v) { return v >= 0.6; }}},
      {"instrumental", {"instrumentalness", [](double v) { return v >= 0.5; }}},
  };
  std::size_t returned = 0;
  for (const std::string genre : {"rock", "pop", "j-pop", "folk", "acoustic"}) {
    for (const auto& [mood, check] : moods) {
      const auto result = call_ok("recommend_by_genre", {{"genre", genre}, {"mood", mood}, {"fill", false}});
      for (const auto& track : result.at("tracks")) {
        const double value = track.at("audio_features").at(check.first).get<double>();
        EXPECT_TRUE(check.second(value)) << genre << " " << mood << ": " << track.at("name")
                                         << " has " << check.first << " " << value;
        EXPECT_THAT(track.at("reason").get<std::string>(), HasSubstr("(" + mood + ")"));
        ++returned;
      }
    }
  }
  EXPECT_GT(returned, 5u);  // the checks above did check something

  EXPECT_THAT(
      names(call_ok("recommend_by_genre", {{"genre", "rock"}, {"mood", "calm"}, {"fill", false}}).at("tracks"),
            "id"),
      ElementsAre(kSomething));
  EXPECT_THAT(
      names(call_ok("recommend_by_genre", {{"genre", "folk"}, {"mood", "sad"}, {"fill", false}}).at("tracks")),
      ElementsAre("Zamba"));
  EXPECT_TRUE(call_ok("recommend_by_genre", {{"genre", "folk"}, {"mood", "danceable"}, {"fill", false}})
                  .at("tracks")
                  .empty());
  // With the default fill, the folk tracks nearest to danceable come instead of nothing.
  const auto filled = call_ok("recommend_by_genre", {{"genre", "folk"}, {"mood", "danceable"}});
  ASSERT_FALSE(filled.at("tracks").empty());
  for (const auto& track : filled.at("tracks")) {
    EXPECT_THAT(track.at("reason").get<std::string>(), HasSubstr("nearest to danceable among the rest"));
  }
}

TEST_F(RecommendationToolsTest, ExplicitPopularityAndExcludedTracksAreLeftOut) {
  const auto pop = call_ok("recommend_by_genre", {{"genre", "pop"}});
  ASSERT_EQ(pop.at("tracks").size(), 1u);
  EXPECT_EQ(pop.at("/tracks/0/id"_json_pointer), kFormation);
  EXPECT_EQ(pop.at("/tracks/0/explicit"_json_pointer), true);

  const auto clean = call_ok("recommend_by_genre", {{"genre", "pop"}, {"exclude_explicit", true}});
  EXPECT_TRUE(clean.at("tracks").empty());
  EXPECT_THAT(clean.at("note").get<std::string>(), HasSubstr("without explicit lyrics"));

  const auto rest =
      call_ok("recommend_by_genre", {{"genre", "rock"}, {"exclude_track_ids", {kBackInBlack}}});
  EXPECT_THAT(names(rest.at("tracks"), "id"), ElementsAre(kSomething));

  const auto popular = call_ok("recommend_by_genre", {{"genre", "rock"}, {"min_popularity", 81}});
  EXPECT_THAT(names(popular.at("tracks"), "id"), ElementsAre(kBackInBlack));
}

TEST_F(RecommendationToolsTest, AtMostTwoSongsPerArtistAndOneVersionOfEachSong) {
  add_rock_tracks("ACDCEXTRA", kBackInBlack, 4, 95, 0.5);  // AC/DC's four most popular rock tracks
  // Another version of Something (same title and artist, another id) more popular than it.
  execute(
      "insert into marts.dim_tracks select 'SomethingRemaster00001', track_name, 'Remastered', "
      "artist_names, "
      "artist_ids, genres, 85, is_explicit, duration_ms, danceability, energy, valence, "
      "acousticness, "
      "instrumentalness, speechiness, liveness, loudness_db, tempo_bpm, musical_key, is_major, "
      "time_signature "
      "from marts.dim_tracks where track_id = '" +
      std::string(kSomething) + "'");

  const auto result = call_ok("recommend_by_genre", {{"genre", "rock"}, {"limit", 10}});
  std::map<std::string, int> per_artist;
  for (const auto& track : result.at("tracks"))
    ++per_artist[track.at("/artists/0"_json_pointer).get<std::string>()];
  EXPECT_EQ(per_artist["AC/DC"], 2);
  EXPECT_EQ(per_artist["The Beatles"], 1);
  EXPECT_THAT(names(result.at("tracks"), "id"),
              ElementsAre("ACDCEXTRA1", "ACDCEXTRA2", "SomethingRemaster00001"));
  EXPECT_THAT(result.at("note").get<std::string>(), HasSubstr("at most 2 per artist"));

  // Excluding a song also excludes its other versions.
  const auto rest = call_ok("recommend_by_genre",
                            {{"genre", "rock"}, {"exclude_track_ids", {"SomethingRemaster00001"}}});
  for (const auto& track : rest.at("tracks")) EXPECT_NE(track.at("name"), "Something");
}

TEST_F(RecommendationToolsTest, MoodRankingBlendsPopularityWithTheFeature) {
  add_rock_tracks("JOYFUL", kSomething, 1, 51, 0.99);   // popularity 50, valence 0.99
  add_rock_tracks("PLEASANT", kFormation, 1, 61, 0.6);  // popularity 60, valence 0.60
  // 0.6 * 0.50 + 0.4 * 0.99 = 0.696 > 0.6 * 0.60 + 0.4 * 0.60 = 0.600 > ... and AC/DC:
  // 0.6 * 0.81 + 0.4 * 0.76 = 0.790 first.
  const auto result = call_ok("recommend_by_genre", {{"genre", "rock"}, {"mood", "happy"}, {"fill", false}});
  EXPECT_THAT(names(result.at("tracks"), "id"), ElementsAre(kBackInBlack, "JOYFUL1", "PLEASANT1"));
  const auto plain = call_ok("recommend_by_genre", {{"genre", "rock"}});
  EXPECT_THAT(names(plain.at("tracks"), "id"),
              ElementsAre(kBackInBlack, kSomething, "PLEASANT1", "JOYFUL1"));
}

TEST_F(RecommendationToolsTest, UnknownGenresComeWithSuggestions) {
  const auto error = call_error("recommend_by_genre", {{"genre", "polka"}});
  EXPECT_EQ(error.code, "not_found");
  const auto suggestions = error.details.at("suggestions");
  ASSERT_EQ(suggestions.size(), 5u);  // the fixture has exactly five genres
  EXPECT_EQ(suggestions[0], "folk");
  EXPECT_THAT(error.message, HasSubstr("folk"));
  EXPECT_THAT(error.message, HasSubstr("polka"));

  EXPECT_EQ(call_error("recommend_by_genre", {{"genre", "hip hop"}}).code,
            "not_found");  // not in the fixture

  const auto ambiguous = call_error("recommend_by_genre", {{"genre", "pop rock"}});
  EXPECT_EQ(ambiguous.code, "ambiguous");
  EXPECT_EQ(ambiguous.details.at("candidates"), json::array({"pop", "rock"}));
}

TEST_F(RecommendationToolsTest, ArgumentsAreValidatedAgainstTheSchema) {
  EXPECT_EQ(call_error("recommend_by_genre", {{"genre", "rock"}, {"mood", "angry"}}).code,
            "invalid_arguments");
  EXPECT_EQ(call_error("recommend_by_genre", {{"genre", "rock"}, {"limit", 51}}).code,
            "invalid_arguments");
  EXPECT_EQ(call_error("recommend_by_genre", {{"genre", "rock"}, {"min_popularity", 101}}).code,
            "invalid_arguments");
  EXPECT_EQ(
      call_error("recommend_by_genre", {{"genre", "rock"}, {"exclude_track_ids", json::array({1})}})
          .code,
      "invalid_arguments");
  EXPECT_EQ(call_error("recommend_by_genre", {{"genre", "rock"}, {"colour", "red"}}).code,
            "invalid_arguments");
  EXPECT_EQ(call_error("lookup_artist", {{"name", "x"}, {"tracks_limit", 0}}).code,
            "invalid_arguments");
  EXPECT_EQ(call_error("similar_artists", json::object()).code, "invalid_arguments");
}

// --- lookup_artist ---------------------------------------------------------------------

TEST_F(RecommendationToolsTest, LookupFindsExactNamesIgnoringCaseAccentsAndPunctuation) {
  const auto beatles = call_ok("lookup_artist", {{"name", "the beatles"}});
  EXPECT_EQ(beatles.at("name"), "The Beatles");
  EXPECT_EQ(beatles.at("matched"), "exact");
  EXPECT_EQ(beatles.at("genres"), json::array({"rock"}));
  EXPECT_EQ(beatles.at("track_count"), 1);
  EXPECT_EQ(beatles.at("/popularity/max"_json_pointer), 80);
  EXPECT_DOUBLE_EQ(beatles.at("/features/energy"_json_pointer).get<double>(), 0.3);
  EXPECT_EQ(beatles.at("/top_tracks/0/name"_json_pointer), "Something");
  EXPECT_EQ(beatles.at("albums"), json::parse(R"([{"name": "Abbey Road", "track_count": 1}])"));
  EXPECT_EQ(beatles.at("/lastfm/listeners"_json_pointer), 2);
  EXPECT_EQ(beatles.at("/lastfm/plays"_json_pointer), 1300);
  EXPECT_EQ(beatles.at("/lastfm/top_tags"_json_pointer), json::array({"rock"}));
  EXPECT_EQ(beatles.at("/similar_artists/method"_json_pointer), "tags");
  EXPECT_TRUE(beatles.at("spotify").is_null());

  EXPECT_EQ(call_ok("lookup_artist", {{"name", "Beyonce"}}).at("name"), "Beyoncé");
  EXPECT_EQ(call_ok("lookup_artist", {{"name", "beatles"}}).at("name"), "The Beatles");
  const auto acdc = call_ok("lookup_artist", {{"name", "ACDC"}});
  EXPECT_EQ(acdc.at("name"), "AC/DC");
  EXPECT_EQ(acdc.at("matched"), "exact");
  EXPECT_EQ(call_ok("lookup_artist", {{"name", "米津玄師"}}).at("/top_tracks/0/id"_json_pointer),
            "2Ej9bLjUSxvULA5wVaNjfF");

  const auto sosa = call_ok("lookup_artist", {{"name", "MERCEDES SOSA"}, {"tracks_limit", 1}});
  EXPECT_TRUE(sosa.at("lastfm").is_null());  // not in the Last.fm data
  EXPECT_EQ(sosa.at("top_tracks").size(), 1u);

  const auto gen =
      call_ok("lookup_artist", {{"name", "Gen Hoshino"}});  // credited with Ben Woodward
  EXPECT_EQ(gen.at("/top_tracks/0/artists"_json_pointer),
            json::array({"Gen Hoshino", "Ben Woodward"}));
  EXPECT_EQ(gen.at("/albums/0/name"_json_pointer), "Comedy, \"Live\"");
}

TEST_F(RecommendationToolsTest, LookupMatchesMisspellingsFuzzily) {
  const auto beatles = call_ok("lookup_artist", {{"name", "Beatls"}});
  EXPECT_EQ(beatles.at("name"), "The Beatles");
  EXPECT_EQ(beatles.at("matched"), "fuzzy");
  EXPECT_EQ(beatles.at("query"), "Beatls");
  EXPECT_GT(beatles.at("match_score").get<double>(), 0.7);
  EXPECT_LT(beatles.at("match_score").get<double>(), 1.0);

  EXPECT_EQ(call_ok("lookup_artist", {{"name", "Mercedes Soza"}}).at("name"), "Mercedes Sosa");
  EXPECT_EQ(call_ok("lookup_artist", {{"name", "hoshino"}}).at("name"),
            "Gen Hoshino");  // a word of the name
}

TEST_F(RecommendationToolsTest, LookupOfAnUnknownNameListsTheClosest) {
  const auto error = call_error("lookup_artist", {{"name", "Ben Woodwork Quartet"}});
  EXPECT_EQ(error.code, "not_found");
  ASSERT_FALSE(error.details.at("candidates").empty());
  EXPECT_EQ(error.details.at("/candidates/0/name"_json_pointer), "Ben Woodward");
  EXPECT_THAT(error.message, HasSubstr("Ben Woodward"));

  EXPECT_EQ(call_error("lookup_artist", {{"name", "ar_0000000000000000"}}).code, "not_found");
}

TEST_F(RecommendationToolsTest, LookupOfASharedNameIsAmbiguousUnlessOneIsClearlyMorePopular) {
  execute(
      "insert into marts.dim_artists (artist_id, artist_name, track_count, genres, "
      "popularity_mean, popularity_max) "
      "values ('ar_00000000000000a1', 'Aurora', 3, '{pop}', 40, 50), "
      "       ('ar_00000000000000a2', 'AURORA', 5, '{pop}', 35, 45)");
  const auto error = call_error("lookup_artist", {{"name", "aurora"}});
  EXPECT_EQ(error.code, "ambiguous");
  EXPECT_THAT(names(error.details.at("candidates")), UnorderedElementsAre("Aurora", "AURORA"));
  EXPECT_THAT(names(error.details.at("candidates"), "id"), Contains("ar_00000000000000a2"));
  EXPECT_EQ(error.details.at("/candidates/0/track_count"_json_pointer), 3);
  EXPECT_EQ(error.details.at("/candidates/0/popularity/max"_json_pointer), 50);

  // The same case as given decides; an id from the candidates always does.
  EXPECT_EQ(call_ok("lookup_artist", {{"name", "AURORA"}}).at("artist_id"), "ar_00000000000000a2");
  EXPECT_EQ(call_ok("lookup_artist", {{"name", "ar_00000000000000a1"}}).at("name"), "Aurora");
  EXPECT_EQ(call_error("similar_artists", {{"artist", "aurora"}}).code, "ambiguous");

  execute(
      "update marts.dim_artists set popularity_max = 79 where artist_id = 'ar_00000000000000a2'");
  const auto clear = call_ok("lookup_artist", {{"name", "aurora"}});
  EXPECT_EQ(clear.at("name"), "AURORA");
  EXPECT_EQ(clear.at("/also_matched/0/name"_json_pointer), "Aurora");
}

TEST_F(RecommendationToolsTest, LookupOfNearEqualFuzzyNamesIsAmbiguous) {
  execute(
      "insert into marts.dim_artists (artist_id, artist_name, track_count, genres, "
      "popularity_mean, popularity_max) "
      "values ('ar_00000000000000b1', 'Ben Woodwart', 1, '{pop}', 70, 70)");
  const auto error = call_error("lookup_artist", {{"name", "Ben Woodwarx"}});
  EXPECT_EQ(error.code, "ambiguous");
  EXPECT_THAT(names(error.details.at("candidates")),
              UnorderedElementsAre("Ben Woodward", "Ben Woodwart"));
}

// --- similar_artists -------------------------------------------------------------------

TEST_F(RecommendationToolsTest, SimilarArtistsNeedTwoSharedListenersThenFallBackToTags) {
  // Users 2 and 3 listen to The Beatles; user 2 also to Beyoncé, user 3 to AC/DC: one shared
  // listener each, which is not enough. Both bands are tagged "rock".
  const auto beatles = call_ok("similar_artists", {{"artist", "The Beatles"}});
  EXPECT_EQ(beatles.at("method"), "tags");
  EXPECT_THAT(names(beatles.at("similar")), ElementsAre("AC/DC"));
  EXPECT_EQ(beatles.at("/similar/0/shared_tags"_json_pointer), json::array({"rock"}));
  EXPECT_THAT(beatles.at("note").get<std::string>(),
              HasSubstr("no other artist shares at least 2 of the artist's 2 Last.fm listeners"));

  const auto acdc = call_ok("similar_artists", {{"artist", "acdc"}});
  EXPECT_EQ(acdc.at("method"), "tags");
  EXPECT_THAT(names(acdc.at("similar")), ElementsAre("The Beatles"));
}

TEST_F(RecommendationToolsTest, SimilarArtistsByCoListening) {
  // Two more users: 5 plays The Beatles and Beyoncé, 6 all three of The Beatles, Beyoncé and
  // AC/DC. The Beatles then share 3 listeners with Beyoncé and 2 with AC/DC.
  execute(
      "insert into marts.fct_listens (user_id, lastfm_artist_id, lastfm_artist_name, artist_id, "
      "match_method, plays) "
      "select u.user_id, l.lastfm_artist_id, l.lastfm_artist_name, l.artist_id, l.match_method, "
      "100 "
      "from (values (5, 1), (5, 2), (6, 1), (6, 2), (6, 3)) as u (user_id, lastfm_artist_id) "
      "join (select distinct lastfm_artist_id, lastfm_artist_name, artist_id, match_method "
      "      from marts.fct_listens) l using (lastfm_artist_id)");
  const auto result = call_ok("similar_artists", {{"artist", "The Beatles"}});
  EXPECT_EQ(result.at("method"), "co-listening");
  EXPECT_EQ(result.at("/artist/name"_json_pointer), "The Beatles");
  EXPECT_EQ(result.at("/artist/lastfm_listeners"_json_pointer), 2);  // dim_artists: as loaded
  const auto& similar = result.at("similar");
  EXPECT_THAT(names(similar), ElementsAre("Beyoncé", "AC/DC"));
  EXPECT_EQ(similar[0].at("shared_listeners"), 3);
  EXPECT_EQ(similar[1].at("shared_listeners"), 2);
  EXPECT_EQ(similar[0].at("artist_id"), artist_id("Beyoncé"));
  // Cosine of ln(1 + plays) vectors damped by shared / (shared + 5): 0.811 * 3/8 and 0.661 * 2/7.
  EXPECT_NEAR(similar[0].at("score").get<double>(), 0.304, 0.002);
  EXPECT_NEAR(similar[1].at("score").get<double>(), 0.189, 0.002);
  EXPECT_EQ(similar[0].at("genres"), json::array({"pop"}));
  EXPECT_EQ(similar[0].at("/popularity/max"_json_pointer), 77);
  EXPECT_FALSE(result.contains("note"));

  EXPECT_THAT(
      names(call_ok("similar_artists", {{"artist", "The Beatles"}, {"limit", 1}}).at("similar")),
      ElementsAre("Beyoncé"));
  EXPECT_EQ(call_ok("lookup_artist", {{"name", "The Beatles"}})
                .at("/similar_artists/method"_json_pointer),
            "co-listening");
  // Gen Hoshino's only listener (user 4) shares no one else's artists twice.
  EXPECT_NE(call_ok("similar_artists", {{"artist", "Gen Hoshino"}}).at("method"), "co-listening");
}

TEST_F(RecommendationToolsTest, SimilarArtistsFallBackToAudioFeaturesWithinSharedGenres) {
  const auto yonezu = call_ok("similar_artists", {{"artist", "米津玄師"}});  // not on Last.fm
  EXPECT_EQ(yonezu.at("method"), "audio-features");
  EXPECT_THAT(names(yonezu.at("similar")), UnorderedElementsAre("Gen Hoshino", "Ben Woodward"));
  for (const auto& artist : yonezu.at("similar")) {
    EXPECT_THAT(artist.at("shared_genres"), Contains("j-pop"));
    EXPECT_GT(artist.at("score").get<double>(), 0.0);
    EXPECT_LE(artist.at("score").get<double>(), 1.0);
  }

  const auto sosa =
      call_ok("similar_artists", {{"artist", "Mercedes Sosa"}});  // the only folk artist
  EXPECT_EQ(sosa.at("method"), "audio-features");
  EXPECT_TRUE(sosa.at("similar").empty());
  EXPECT_THAT(sosa.at("note").get<std::string>(), HasSubstr("no other artist shares a genre"));

  // Listened to (by one user) and tagged (uniquely), but neither is shared: audio features.
  const auto gen = call_ok("similar_artists", {{"artist", "Gen Hoshino"}});
  EXPECT_EQ(gen.at("method"), "audio-features");
  EXPECT_THAT(names(gen.at("similar")), UnorderedElementsAre("Ben Woodward", "米津玄師"));
  EXPECT_THAT(gen.at("note").get<std::string>(),
              HasSubstr("no Last.fm tags shared with other artists"));

  const auto lookup = call_ok("lookup_artist", {{"name", "Ben Woodward"}});
  EXPECT_EQ(lookup.at("/similar_artists/method"_json_pointer), "audio-features");
  EXPECT_THAT(names(lookup.at("/similar_artists/artists"_json_pointer)), Contains("Gen Hoshino"));
}

TEST_F(RecommendationToolsTest, SimilarArtistsOfAnUnknownArtistIsNotFound) {
  const auto error = call_error("similar_artists", {{"artist", "Zzyzx"}});
  EXPECT_EQ(error.code, "not_found");
  EXPECT_TRUE(error.details.at("candidates").is_array());
}

TEST_F(RecommendationToolsTest, ToolsSayWhenTheWarehouseIsNotBuilt) {
  auto config = config_;
  config.database_url = TestPostgres::instance().create_database("unbuilt");
  const auto services = tools::ToolServices::from_config(config);
  tools::ToolRegistry registry;
  registry.add(std::make_unique<tools::RecommendByGenreTool>(services));
  registry.add(std::make_unique<tools::LookupArtistTool>(services));
  registry.add(std::make_unique<tools::SimilarArtistsTool>(services));
  for (const auto& [tool, arguments] : std::vector<std::pair<std::string, json>>{
           {"recommend_by_genre", {{"genre", "rock"}}},
           {"lookup_artist", {{"name", "The Beatles"}}},
           {"similar_artists", {{"artist", "The Beatles"}}}}) {
    const auto outcome = registry.call(tool, arguments);
    ASSERT_FALSE(outcome.result.ok()) << tool;
    EXPECT_EQ(outcome.result.error().code, "unavailable") << tool;
    EXPECT_THAT(outcome.result.error().message, HasSubstr("musicagent pipeline run")) << tool;
  }
}

}  // namespace
}  // namespace musicagent::testing
