#include <gtest/gtest.h>

#include "agent/sse_parser.hpp"
#include "agent/stream_assembler.hpp"
#include "eval/cassette.hpp"
#include "eval/eval_case.hpp"
#include "eval/matchers.hpp"
#include "eval/scorer.hpp"

namespace musicagent::eval {
namespace {

using nlohmann::json;

TEST(EvalMatchers, EachRule) {
  const json jazz = "Jazz";
  EXPECT_TRUE(match_argument("Jazz", &jazz).ok);
  EXPECT_FALSE(match_argument("jazz", &jazz).ok);
  EXPECT_TRUE(match_argument({{"iequals", "jazz"}}, &jazz).ok);
  EXPECT_TRUE(match_argument({{"one_of", {"blues", "JAZZ"}}}, &jazz).ok);
  EXPECT_FALSE(match_argument({{"one_of", {"blues"}}}, &jazz).ok);
  EXPECT_TRUE(match_argument({{"contains", "az"}}, &jazz).ok);
  const json ids = json::array({"a", "b"});
  EXPECT_TRUE(match_argument({{"contains", "b"}}, &ids).ok);
  EXPECT_FALSE(match_argument({{"contains", "c"}}, &ids).ok);
  const json five = 5;
  EXPECT_TRUE(match_argument({{"range", {1, 10}}}, &five).ok);
  EXPECT_TRUE(match_argument({{"range", {nullptr, 5}}}, &five).ok);
  EXPECT_FALSE(match_argument({{"range", {6, nullptr}}}, &five).ok);
  EXPECT_TRUE(match_argument(5.0, &five).ok);  // numbers compare by value
  EXPECT_TRUE(match_argument({{"present", true}}, &five).ok);
  EXPECT_FALSE(match_argument({{"present", true}}, nullptr).ok);
  EXPECT_TRUE(match_argument({{"absent", true}}, nullptr).ok);
  const auto missing = match_argument("jazz", nullptr);
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.reason.find("absent"), std::string::npos);
  EXPECT_THROW(check_matcher({{"equal", 1}}, "x"), std::invalid_argument);
}

TEST(EvalCases, ErrorsNameTheFileAndPath) {
  const json bad = json::parse(R"({"id": "x", "turns": [{"user": "hi", "expect": {"tools": [{"nam": "a"}]}}]})");
  try {
    parse_case(bad, "cases.json");
    FAIL() << "accepted a call without a name";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cases.json: $.turns[0].expect.tools[0].nam"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_case(json::parse(R"({"id": "x", "turns": []})"), "f.json"), std::invalid_argument);
  EXPECT_THROW(parse_case(json::parse(R"({"id": "x", "turns": [{"user": "hi", "expect": {"no_tools": true,
      "tools": [{"name": "a"}]}}]})"), "f.json"),
               std::invalid_argument);
}

TurnRecord record(std::vector<CallRecord> calls, std::string answer) {
  TurnRecord r;
  r.calls = std::move(calls);
  r.answer = std::move(answer);
  r.stop_reason = "answered";
  r.steps = 2;
  return r;
}

TEST(EvalScoring, ToolSelectionArgumentsAndOrder) {
  const auto eval_case = parse_case(json::parse(R"({"id": "x", "turns": [{"user": "u", "expect": {
      "tools": [{"name": "a", "arguments": {"genre": {"iequals": "jazz"}, "limit": 5}},
                {"name": "b"}], "order": "strict"}}]})"),
                                    "f.json");
  const auto& turn = eval_case.turns[0];
  auto good = score_turn(turn, record({{"c1", "a", {{"genre", "Jazz"}, {"limit", 5}}, true, {}}, {"c2", "b", {}, true, {}}}, "x"));
  EXPECT_TRUE(good.passed);
  EXPECT_EQ(good.selected_tools, 2);
  EXPECT_EQ(good.matched_arguments, 2);

  auto wrong_argument = score_turn(turn, record({{"c1", "a", {{"genre", "blues"}, {"limit", 5}}, true, {}}, {"c2", "b", {}, true, {}}}, "x"));
  EXPECT_FALSE(wrong_argument.passed);
  EXPECT_EQ(wrong_argument.selected_tools, 2);
  EXPECT_EQ(wrong_argument.matched_arguments, 1);
  ASSERT_EQ(wrong_argument.failures.size(), 1u);
  EXPECT_NE(wrong_argument.failures[0].find("a.genre"), std::string::npos);

  auto out_of_order = score_turn(turn, record({{"c1", "b", {}, true, {}}, {"c2", "a", {{"genre", "jazz"}, {"limit", 5}}, true, {}}}, "x"));
  EXPECT_FALSE(out_of_order.passed);
}

TEST(EvalScoring, IrrelevanceForbiddenToolsAndAnswers) {
  const auto eval_case = parse_case(json::parse(R"({"id": "x", "turns": [
      {"user": "weather?", "expect": {"no_tools": true, "answer": {"regex": ["only .* music"]}}},
      {"user": "jazz", "expect": {"forbidden_tools": ["warehouse_query"],
        "answer": {"contains": ["here"], "not_contains": ["sorry"], "mentions_tool_item": true},
        "max_steps": 1}}]})"),
                                    "f.json");
  auto quiet = score_turn(eval_case.turns[0], record({}, "I only know music."));
  EXPECT_TRUE(quiet.passed);
  EXPECT_TRUE(quiet.irrelevance_ok);
  auto called = score_turn(eval_case.turns[0], record({{"c1", "search_catalog", {}, true, {}}}, "I only know music."));
  EXPECT_FALSE(called.passed);
  EXPECT_FALSE(called.irrelevance_ok);

  const json result = {{"tracks", json::array({json{{"id", "t1"}, {"name", "September"}}})}};
  auto mentioned = record({{"c1", "recommend_by_genre", {}, true, result}}, "Here: September by EWF");
  mentioned.steps = 1;
  EXPECT_TRUE(score_turn(eval_case.turns[1], mentioned).passed);
  auto invented = record({{"c1", "recommend_by_genre", {}, true, result}}, "Here: a song I made up");
  invented.steps = 1;
  EXPECT_FALSE(score_turn(eval_case.turns[1], invented).passed);
  auto slow = record({{"c1", "warehouse_query", {}, true, result}}, "sorry, here: September");
  const auto failures = score_turn(eval_case.turns[1], slow).failures;
  EXPECT_EQ(failures.size(), 3u);  // forbidden tool, "sorry", two steps
}

// Results go to the call with their id: two parallel calls of one tool keep their own results.
TEST(EvalScoring, ResultsAreMatchedToCallsById) {
  TurnRecord record;
  record.add(agent::ToolCallEvent{"c1", "lookup_artist", {{"name", "Adele"}}});
  record.add(agent::ToolCallEvent{"c2", "lookup_artist", {{"name", "Queen"}}});
  record.add(agent::ToolResultEvent{"c2", "lookup_artist", true, {{"name", "Queen"}}, {}, 1.0});
  record.add(agent::ToolResultEvent{"c1", "lookup_artist", false, {}, {{"code", "not_found"}}, 1.0});
  ASSERT_EQ(record.calls.size(), 2u);
  EXPECT_FALSE(record.calls[0].ok);
  EXPECT_EQ(record.calls[0].result.value("code", ""), "not_found");
  EXPECT_TRUE(record.calls[1].ok);
  EXPECT_EQ(record.calls[1].result.value("name", ""), "Queen");
}

// Naming the artist the user asked about back is not naming something the tools found.
TEST(EvalScoring, EchoingTheUsersOwnArtistDoesNotMentionAToolItem) {
  const auto eval_case = parse_case(json::parse(R"({"id": "x", "turns": [{"user": "tell me about Radiohead",
      "expect": {"answer": {"mentions_tool_item": true}}}]})"), "f.json");
  const auto& expected = eval_case.turns[0];
  const json result = {{"name", "Radiohead"}, {"top_tracks", json::array({json{{"id", "t"}, {"name", "Creep"}}})}};
  auto echo = record({{"c1", "lookup_artist", {}, true, result}}, "**Radiohead** is great.");
  echo.user = "tell me about Radiohead";
  EXPECT_FALSE(score_turn(expected, echo).passed);
  auto found = record({{"c1", "lookup_artist", {}, true, result}}, "**Radiohead**: start with Creep.");
  found.user = "tell me about Radiohead";
  EXPECT_TRUE(score_turn(expected, found).passed);
}

// Result checks look at the tracks whichever tool returned them.
TEST(EvalScoring, ResultChecksReadTheReturnedTracks) {
  const auto eval_case = parse_case(json::parse(R"({"id": "x", "turns": [{"user": "katy perry, no metal",
      "expect": {"results": {"artists": ["Katy Perry"], "genres": ["pop"], "not_genres": ["metal"],
                             "not_artists": ["Metallica"], "min_tracks": 2}}}]})"), "f.json");
  const auto& expected = eval_case.turns[0];
  auto track = [](std::string name, std::string artist, std::string genre) {
    return json{{"id", name}, {"name", name}, {"artists", json::array({artist})}, {"genres", json::array({genre})}};
  };
  const json good = {{"tracks", json::array({track("Roar", "Katy Perry", "pop"), track("Hello", "Adele", "soul")})}};
  EXPECT_TRUE(score_turn(expected, record({{"c1", "recommend_from_seeds", {}, true, good}}, "x")).passed);
  // The same tracks from another tool (search results nest them) pass too.
  const json nested = {{"results", json::array({track("Roar", "Katy Perry", "pop"), track("Hello", "Adele", "soul")})}};
  EXPECT_TRUE(score_turn(expected, record({{"c1", "search_catalog", {}, true, nested}}, "x")).passed);

  const json bad = {{"tracks", json::array({track("One", "Metallica", "metal")})}};
  const auto failures = score_turn(expected, record({{"c1", "recommend_by_genre", {}, true, bad}}, "x")).failures;
  EXPECT_EQ(failures.size(), 5u);  // too few, no Katy Perry, no pop, a metal track, a Metallica track
  // A failed call's error object returns no tracks.
  EXPECT_FALSE(score_turn(expected, record({{"c1", "recommend_from_seeds", {}, false, good}}, "x")).passed);
  EXPECT_THROW(parse_case(json::parse(R"({"id": "x", "turns": [{"user": "u", "expect": {"results":
      {"artist": ["A"]}}}]})"), "f.json"), std::invalid_argument);
}

// A recorded reply comes back unchanged through the client's own SSE parser and assembler.
TEST(EvalCassettes, RecordedRepliesRoundTripThroughTheStreamAssembler) {
  agent::ChatReply reply;
  reply.content = "Here are two tracks";
  reply.tool_calls = {{"call_1", "recommend_by_genre", R"({"genre":"jazz"})"},
                      {"call_2", "lookup_artist", R"({"name":"Adele"})"}};
  reply.finish_reason = "tool_calls";
  reply.usage = {10, 4, 14};
  const std::string sse = to_sse(reply, "m");
  agent::SseParser parser;
  agent::StreamAssembler assembler;
  for (const auto& event : parser.feed(sse)) assembler.add_event(event);
  EXPECT_TRUE(assembler.done());
  const auto back = assembler.finish();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().content, reply.content);
  ASSERT_EQ(back.value().tool_calls.size(), 2u);
  EXPECT_EQ(back.value().tool_calls[1].id, "call_2");
  EXPECT_EQ(back.value().tool_calls[1].arguments, R"({"name":"Adele"})");
  EXPECT_EQ(back.value().usage.total_tokens, 14);
  EXPECT_EQ(back.value().finish_reason, "tool_calls");
}

TEST(EvalCassettes, RequestKeyIsTheLastMessage) {
  const json user = json::array({{{"role", "system"}, {"content", "s"}}, {{"role", "user"}, {"content", "hi"}}});
  EXPECT_EQ(request_key(user), (json{{"last_role", "user"}, {"last_content", "hi"}}));
  const json tool = json::array({{{"role", "tool"}, {"tool_call_id", "c1"}, {"content", "{...}"}}});
  EXPECT_EQ(request_key(tool), (json{{"last_role", "tool"}, {"last_tool_call_id", "c1"}}));
}

}  // namespace
}  // namespace musicagent::eval
