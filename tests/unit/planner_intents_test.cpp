#include <gtest/gtest.h>

#include <sstream>

#include "agent/planner_intents.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

// The 114 genres of the Kaggle dataset, as marts.dim_genres names them.
std::vector<std::string> genres() {
  std::vector<std::string> out;
  std::istringstream in(
      "acoustic afrobeat alt-rock alternative ambient anime black-metal bluegrass blues brazil "
      "breakbeat british cantopop chicago-house children chill classical club comedy country "
      "dance dancehall death-metal deep-house detroit-techno disco disney drum-and-bass dub "
      "dubstep edm electro electronic emo folk forro french funk garage german gospel goth "
      "grindcore groove grunge guitar happy hard-rock hardcore hardstyle heavy-metal hip-hop "
      "honky-tonk house idm indian indie indie-pop industrial iranian j-dance j-idol j-pop "
      "j-rock jazz k-pop kids latin latino malay mandopop metal metalcore minimal-techno mpb "
      "new-age opera pagode party piano pop pop-film power-pop progressive-house psych-rock "
      "punk punk-rock r-n-b reggae reggaeton rock rock-n-roll rockabilly romance sad salsa samba "
      "sertanejo show-tunes singer-songwriter ska sleep songwriter soul spanish study swedish "
      "synth-pop tango techno trance trip-hop turkish world-music");
  for (std::string g; in >> g;) out.push_back(g);
  return out;
}

struct Case {
  std::string text;
  std::string tool;  // empty: a direct reply
  json expected;     // arguments that must be present with these values
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.text; }

class PlannerPhrasings : public ::testing::TestWithParam<Case> {};

TEST_P(PlannerPhrasings, PicksTheToolAndArguments) {
  const auto& c = GetParam();
  const Plan plan = plan_request(c.text, genres(), PlannerMemory{});
  if (c.tool.empty()) {
    EXPECT_TRUE(plan.calls.empty()) << plan.calls[0].tool << " " << plan.calls[0].arguments;
    EXPECT_FALSE(plan.reply.empty());
    return;
  }
  ASSERT_EQ(plan.calls.size(), 1u) << "intent " << plan.intent << ": " << plan.reply;
  EXPECT_EQ(plan.calls[0].tool, c.tool) << plan.calls[0].arguments;
  for (const auto& [key, value] : c.expected.items()) {
    ASSERT_TRUE(plan.calls[0].arguments.contains(key)) << key << " in " << plan.calls[0].arguments;
    if (value.is_string() && value.get<std::string>().rfind("~", 0) == 0) {
      // "~text": the argument contains this text, case-insensitively.
      std::string actual = plan.calls[0].arguments[key].get<std::string>();
      std::string wanted = value.get<std::string>().substr(1);
      for (auto* s : {&actual, &wanted}) {
        for (auto& ch : *s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      EXPECT_NE(actual.find(wanted), std::string::npos) << key << ": " << actual;
    } else {
      EXPECT_EQ(plan.calls[0].arguments[key], value) << key;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Requests, PlannerPhrasings,
    ::testing::Values(
        // A genre, with moods and options.
        Case{"some upbeat jazz", "recommend_by_genre", {{"genre", "jazz"}, {"mood", "happy"}}},
        Case{"Play me some sad indie songs", "recommend_by_genre", {{"genre", "indie"}, {"mood", "sad"}}},
        Case{"I want energetic hip hop for the gym", "recommend_by_genre", {{"genre", "hip-hop"}, {"mood", "energetic"}}},
        Case{"recommend 5 calm classical tracks", "recommend_by_genre", {{"genre", "classical"}, {"mood", "calm"}, {"limit", 5}}},
        Case{"danceable latin music please", "recommend_by_genre", {{"genre", "latin"}, {"mood", "danceable"}}},
        Case{"R&B songs", "recommend_by_genre", {{"genre", "r-n-b"}}},
        Case{"drum n bass", "recommend_by_genre", {{"genre", "drum-and-bass"}}},
        Case{"kpop hits", "recommend_by_genre", {{"genre", "k-pop"}, {"min_popularity", 50}}},
        Case{"clean country songs for a road trip with kids", "recommend_by_genre", {{"genre", "country"}, {"exclude_explicit", true}}},
        Case{"instrumental piano music", "recommend_by_genre", {{"genre", "piano"}, {"mood", "instrumental"}}},
        Case{"some happy songs", "recommend_by_genre", {{"genre", "happy"}}},
        Case{"give me 20 metal tracks", "recommend_by_genre", {{"genre", "metal"}, {"limit", 20}}},
        Case{"acoustic folk", "recommend_by_genre", {{"genre", "folk"}, {"mood", "acoustic"}}},
        Case{"Some polka music", "recommend_by_genre", {{"genre", "polka"}}},
        // Artists.
        Case{"who is Radiohead", "lookup_artist", {{"name", "Radiohead"}}},
        Case{"Who is Radiohead, what should I play first?", "lookup_artist", {{"name", "Radiohead"}}},
        Case{"tell me about Taylor Swift", "lookup_artist", {{"name", "Taylor Swift"}}},
        Case{"What do you know about Daft Punk?", "lookup_artist", {{"name", "Daft Punk"}}},
        Case{"what should I listen to first by Björk", "lookup_artist", {{"name", "Björk"}}},
        Case{"top songs by Queen", "lookup_artist", {{"name", "Queen"}}},
        Case{"Adele's best songs", "lookup_artist", {{"name", "Adele"}}},
        Case{"who are the beatles", "lookup_artist", {{"name", "the beatles"}}},
        Case{"can we add some tracks by Bach?", "lookup_artist", {{"name", "Bach"}}},
        Case{"I need a rock playlist to help me relax", "recommend_by_genre", {{"genre", "rock"}, {"mood", "calm"}}},
        // Similar artists.
        Case{"artists like Daft Punk", "similar_artists", {{"artist", "Daft Punk"}}},
        Case{"bands similar to Nirvana", "similar_artists", {{"artist", "Nirvana"}}},
        Case{"similar artists to Coldplay", "similar_artists", {{"artist", "Coldplay"}}},
        Case{"who sounds like Massive Attack?", "similar_artists", {{"artist", "Massive Attack"}}},
        Case{"singers like Adele please", "similar_artists", {{"artist", "Adele"}}},
        // Similar tracks.
        Case{"songs like Yesterday by The Beatles", "similar_tracks", {{"track", "Yesterday by The Beatles"}}},
        Case{"something similar to Bohemian Rhapsody", "similar_tracks", {{"track", "Bohemian Rhapsody"}}},
        Case{"tracks that sound like Blinding Lights", "similar_tracks", {{"track", "Blinding Lights"}}},
        Case{"songs like Hotel California in the same genre", "similar_tracks", {{"same_genre", true}}},
        // Warehouse questions.
        Case{"which genres are the most danceable?", "warehouse_query", {{"sql", "~order by avg_danceability desc"}}},
        Case{"What are the least energetic genres", "warehouse_query", {{"sql", "~order by avg_energy asc"}}},
        Case{"saddest genres", "warehouse_query", {{"sql", "~order by avg_valence asc"}}},
        Case{"genres with the highest tempo", "warehouse_query", {{"sql", "~order by avg_tempo_bpm desc"}}},
        Case{"how many jazz tracks are there", "warehouse_query", {{"sql", "~'jazz' = any(genres)"}}},
        Case{"how many artists are in the catalogue", "warehouse_query", {{"sql", "~from marts.dim_artists"}}},
        Case{"most popular songs in k-pop", "warehouse_query", {{"sql", "~order by popularity desc"}}},
        Case{"average tempo of techno", "warehouse_query", {{"sql", "~where genre = 'techno'"}}},
        Case{"the longest tracks", "warehouse_query", {{"sql", "~duration_ms desc"}}},
        Case{"SELECT count(*) FROM marts.dim_tracks", "warehouse_query", {{"sql", "SELECT count(*) FROM marts.dim_tracks"}}},
        Case{"DROP TABLE marts.dim_tracks", "warehouse_query", {{"sql", "DROP TABLE marts.dim_tracks"}}},
        Case{"run this sql: delete from marts.dim_artists", "warehouse_query", {{"sql", "delete from marts.dim_artists"}}},
        // Descriptions go to the catalogue search.
        Case{"calm songs for a rainy evening drive", "search_catalog", {{"kind", "tracks"}}},
        Case{"dreamy female vocals with reverb", "search_catalog", {{"query", "dreamy female vocals with reverb"}}},
        Case{"a band that mixes punk and reggae", "search_catalog", {{"kind", "artists"}}},
        // No tool at all.
        Case{"hello", "", {}},
        Case{"what can you do?", "", {}},
        Case{"what's the weather in Paris tomorrow?", "", {}},
        Case{"write me a poem about cats", "", {}},
        Case{"please delete all the tracks from the database", "", {}}));

TEST(PlannerFollowUps, MoreRepeatsTheLastRecommendationWithoutWhatWasShown) {
  PlannerMemory memory;
  memory.last_recommendation = PlannedCall{"recommend_by_genre", {{"genre", "jazz"}, {"mood", "happy"}, {"limit", 10}}};
  memory.shown_track_ids = {"t1", "t2"};
  const Plan plan = plan_request("more please", genres(), memory);
  ASSERT_EQ(plan.calls.size(), 1u);
  EXPECT_EQ(plan.calls[0].tool, "recommend_by_genre");
  EXPECT_EQ(plan.calls[0].arguments["genre"], "jazz");
  EXPECT_EQ(plan.calls[0].arguments["mood"], "happy");
  EXPECT_EQ(plan.calls[0].arguments["exclude_track_ids"], json::array({"t1", "t2"}));
}

TEST(PlannerFollowUps, OnlyTheAcousticOnesChangesTheMood) {
  PlannerMemory memory;
  memory.last_recommendation = PlannedCall{"recommend_by_genre", {{"genre", "folk"}, {"limit", 10}}};
  const Plan plan = plan_request("only the acoustic ones", genres(), memory);
  ASSERT_EQ(plan.calls.size(), 1u);
  EXPECT_EQ(plan.calls[0].arguments["genre"], "folk");
  EXPECT_EQ(plan.calls[0].arguments["mood"], "acoustic");
}

TEST(PlannerFollowUps, WhatAboutAnotherGenreKeepsTheMood) {
  PlannerMemory memory;
  memory.last_recommendation = PlannedCall{"recommend_by_genre", {{"genre", "jazz"}, {"mood", "calm"}}};
  const Plan plan = plan_request("what about blues?", genres(), memory);
  ASSERT_EQ(plan.calls.size(), 1u);
  EXPECT_EQ(plan.calls[0].arguments["genre"], "blues");
  EXPECT_EQ(plan.calls[0].arguments["mood"], "calm");
}

TEST(PlannerFollowUps, MoreLikeTheSecondOneUsesThatTrackId) {
  PlannerMemory memory;
  memory.last_tracks = {json{{"id", "a"}, {"name", "First"}}, json{{"id", "b"}, {"name", "Second"}}};
  const Plan plan = plan_request("more like the second one", genres(), memory);
  ASSERT_EQ(plan.calls.size(), 1u);
  EXPECT_EQ(plan.calls[0].tool, "similar_tracks");
  EXPECT_EQ(plan.calls[0].arguments["track"], "b");
}

TEST(PlannerOrdinals, ReadsPositionsAndRejectsOnesOutOfRange) {
  EXPECT_EQ(ordinal_reference("the third one", 5), 2u);
  EXPECT_EQ(ordinal_reference("#4", 5), 3u);
  EXPECT_EQ(ordinal_reference("number 1", 5), 0u);
  EXPECT_EQ(ordinal_reference("the 2nd track", 5), 1u);
  EXPECT_EQ(ordinal_reference("the last one", 5), 4u);
  EXPECT_EQ(ordinal_reference("the ninth", 5), std::nullopt);
  EXPECT_EQ(ordinal_reference("Bohemian Rhapsody", 5), std::nullopt);
  EXPECT_EQ(ordinal_reference("the first", 0), std::nullopt);
}

}  // namespace
}  // namespace musicagent::agent
