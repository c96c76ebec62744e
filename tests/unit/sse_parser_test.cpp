// The incremental SSE parser: every line ending, comments and keep-alives, multi-line data,
// event names, and bytes split at arbitrary points (random splits must not change a thing).
#include "agent/sse_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "llm_transcripts.hpp"

namespace musicagent::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

auto Event(const std::string& name, const std::string& data) {
  return ::testing::AllOf(Field(&SseEvent::event, name), Field(&SseEvent::data, data));
}

std::vector<SseEvent> parse_whole(std::string_view body) {
  SseParser parser;
  auto events = parser.feed(body);
  for (auto& event : parser.finish()) events.push_back(std::move(event));
  return events;
}

// Feeds `body` in pieces cut at random points (empty pieces included).
std::vector<SseEvent> parse_split(std::string_view body, std::mt19937& rng) {
  SseParser parser;
  std::vector<SseEvent> events;
  std::size_t at = 0;
  std::uniform_int_distribution<std::size_t> piece(0, 7);
  while (at < body.size()) {
    const auto length = std::min(piece(rng), body.size() - at);
    for (auto& event : parser.feed(body.substr(at, length))) events.push_back(std::move(event));
    at += length;
  }
  for (auto& event : parser.finish()) events.push_back(std::move(event));
  return events;
}

bool same(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  return true;
}

TEST(SseParserTest, DataLinesEndEventsAtBlankLines) {
  EXPECT_THAT(parse_whole("data: {\"a\":1}\n\ndata: [DONE]\n\n"),
              ElementsAre(Event("message", "{\"a\":1}"), Event("message", "[DONE]")));
}

TEST(SseParserTest, LfCrlfAndBareCrAllEndLines) {
  const auto expected = ElementsAre(Event("message", "one"), Event("message", "two"));
  EXPECT_THAT(parse_whole("data: one\n\ndata: two\n\n"), expected);
  EXPECT_THAT(parse_whole("data: one\r\n\r\ndata: two\r\n\r\n"), expected);
  EXPECT_THAT(parse_whole("data: one\r\rdata: two\r\r"), expected);
  EXPECT_THAT(parse_whole("data: one\r\n\ndata: two\n\r\n"), expected);
}

TEST(SseParserTest, MultiLineDataJoinsWithNewlines) {
  EXPECT_THAT(parse_whole("data: first\ndata: second\ndata:\ndata:  indented\n\n"),
              ElementsAre(Event("message", "first\nsecond\n\n indented")));
}

TEST(SseParserTest, EventNamesApplyToOneEventOnly) {
  EXPECT_THAT(parse_whole("event: error\ndata: {\"error\":{}}\n\ndata: next\n\n"),
              ElementsAre(Event("error", "{\"error\":{}}"), Event("message", "next")));
}

TEST(SseParserTest, CommentsKeepAlivesAndEmptyEventsAreNotReported) {
  const auto events = parse_whole(
      ": OPENROUTER PROCESSING\n\n\n\n:keep-alive\r\n\r\nevent: ping\n\ndata: real\n\n");
  EXPECT_THAT(events, ElementsAre(Event("message", "real")));
}

TEST(SseParserTest, NoSpaceAfterColonAndUnknownFieldsAndNonFieldLines) {
  const auto events = parse_whole("data:{\"x\":1}\nretry: 3000\nfoo: bar\n......\nid: 7\n\n");
  ASSERT_THAT(events, ElementsAre(Event("message", "{\"x\":1}")));
  EXPECT_EQ(events[0].id, "7");
}

TEST(SseParserTest, ByteOrderMarkAtTheStartIsDropped) {
  EXPECT_THAT(parse_whole("\xEF\xBB\xBF"
                          "data: a\n\n"),
              ElementsAre(Event("message", "a")));
  EXPECT_THAT(parse_whole("\xEF\xBB\xBF\ndata: a\n\n"), ElementsAre(Event("message", "a")));
}

TEST(SseParserTest, FinishReportsAnEventMissingItsBlankLine) {
  SseParser parser;
  EXPECT_THAT(parser.feed("data: complete\n\ndata: trailing"),
              ElementsAre(Event("message", "complete")));
  EXPECT_THAT(parser.finish(), ElementsAre(Event("message", "trailing")));
  EXPECT_TRUE(parser.finish().empty());
}

TEST(SseParserTest, EventsArriveAsSoonAsTheirBlankLineDoes) {
  SseParser parser;
  EXPECT_TRUE(parser.feed("data: tok").empty());
  EXPECT_TRUE(parser.feed("en\n").empty());
  EXPECT_THAT(parser.feed("\n"), ElementsAre(Event("message", "token")));
}

TEST(SseParserTest, CrAndLfSplitAcrossFeedsCountAsOneLineEnd) {
  SseParser parser;
  EXPECT_TRUE(parser.feed("data: a\r").empty());
  EXPECT_TRUE(parser.feed("\n").empty());  // the LF of the CRLF, not a blank line
  EXPECT_THAT(parser.feed("\r\n"), ElementsAre(Event("message", "a")));
}

TEST(SseParserTest, RandomSplitPointsGiveTheSameEvents) {
  const std::string body =
      "\xEF\xBB\xBF: hello\r\n\r\nevent: error\r\ndata: {\"error\":\r\ndata: 1}\r\n\r\n"
      "data: caf\xC3\xA9 \xE5\x8C\x97\xE4\xBA\xAC\n\n\n\rdata: x\rdata: y\r\r"
      "id: 42\ndata:no-space\n\ndata: [DONE]\n\n";
  const auto expected = parse_whole(body);
  ASSERT_EQ(expected.size(), 5u);
  for (unsigned seed = 0; seed < 500; ++seed) {
    std::mt19937 rng(seed);
    ASSERT_TRUE(same(parse_split(body, rng), expected)) << "seed " << seed;
  }
}

TEST(SseParserTest, RecordedStreamsParseTheSameInAnyPieces) {
  if (!testing::have_llm_transcripts())
    GTEST_SKIP() << "no transcripts at " << testing::llm_transcripts_dir();
  int files = 0;
  for (const auto& name : testing::transcript_files()) {
    if (!name.ends_with(".sse")) continue;
    ++files;
    const auto body = testing::read_transcript(name);
    const auto expected = parse_whole(body);
    EXPECT_FALSE(expected.empty()) << name;
    for (unsigned seed = 0; seed < 20; ++seed) {
      std::mt19937 rng(seed);
      EXPECT_TRUE(same(parse_split(body, rng), expected)) << name << " seed " << seed;
    }
  }
  EXPECT_GE(files, 11);
}

}  // namespace
}  // namespace musicagent::agent
