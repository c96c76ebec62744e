// The stream assembler and the reply parser against every recorded server reply in
// ../shared/data/llm_transcripts (OpenAI and the servers that differ from it), plus the
// quirks no recording shows, written as small streams.
#include "agent/stream_assembler.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <regex>

#include "llm_transcripts.hpp"

namespace musicagent::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct ExpectedCall {
  std::string id;  // empty: generated, so 9 letters and digits
  std::string name;
  nlohmann::json arguments;  // compared parsed
};

struct Expected {
  std::string text;  // exact, unless text_prefix is used
  std::string text_prefix;
  std::size_t text_bytes = 0;  // with text_prefix
  std::vector<ExpectedCall> calls;
  std::string finish_reason;
  Usage usage;
  std::string model;
};

void expect_reply(const ChatReply& reply, const Expected& expected, const std::string& name) {
  SCOPED_TRACE(name);
  if (expected.text_prefix.empty()) {
    EXPECT_EQ(reply.content, expected.text);
  } else {
    EXPECT_THAT(reply.content, StartsWith(expected.text_prefix));
    EXPECT_EQ(reply.content.size(), expected.text_bytes);
  }
  ASSERT_EQ(reply.tool_calls.size(), expected.calls.size());
  for (std::size_t i = 0; i < expected.calls.size(); ++i) {
    const auto& call = reply.tool_calls[i];
    const auto& want = expected.calls[i];
    if (want.id.empty()) {
      EXPECT_TRUE(std::regex_match(call.id, std::regex("[A-Za-z0-9]{9}"))) << call.id;
    } else {
      EXPECT_EQ(call.id, want.id);
    }
    EXPECT_EQ(call.name, want.name);
    const auto arguments = nlohmann::json::parse(call.arguments, nullptr, false);
    EXPECT_EQ(arguments, want.arguments) << call.arguments;
  }
  EXPECT_EQ(reply.finish_reason, expected.finish_reason);
  EXPECT_EQ(reply.usage.prompt_tokens, expected.usage.prompt_tokens);
  EXPECT_EQ(reply.usage.completion_tokens, expected.usage.completion_tokens);
  EXPECT_EQ(reply.usage.total_tokens, expected.usage.total_tokens);
  EXPECT_EQ(reply.model, expected.model);
}

Usage usage(long prompt, long completion, long total) {
  Usage u;
  u.prompt_tokens = prompt;
  u.completion_tokens = completion;
  u.total_tokens = total;
  return u;
}

const nlohmann::json kWeatherBeijing = {{"location", "北京"}, {"format", "celsius"}};
const nlohmann::json kWeatherLuoyang = {{"location", "洛阳"}, {"format", "celsius"}};
const nlohmann::json kSanFrancisco = {{"location", "San Francisco"}};
const nlohmann::json kEmpty = nlohmann::json::object();

// What each streamed or whole reply must assemble to.
const std::map<std::string, Expected>& expected_replies() {
  static const std::map<std::string, Expected> table = {
      {"ai4j-notes__deepseek-chat-text-then-parallel-toolcalls.sse",
       // The two "......" lines glue two chunks into one event; both are still read.
       {"我可以帮。",
        "",
        0,
        {{"call_00_JQSxFX1xOHGH6ajdpN88RMXO", "get_current_weather", kWeatherBeijing},
         {"call_01_L8UtYbkfaMFr7hzsToGPWGfI", "get_current_weather", kWeatherLuoyang}},
        "tool_calls",
        usage(491, 129, 620),
        "deepseek-chat"}},
      {"ai4j-notes__doubao-seed-two-toolcalls-one-chunk.sse",
       {"",
        "",
        0,
        {{"call_pwdm5g0i3dwe825aghkb1t8j", "get_current_weather", kWeatherBeijing},
         {"call_k6mgf4zrsf3hh51lxl67gjgg", "get_current_weather", kWeatherLuoyang}},
        "tool_calls",
        usage(0, 0, 0),
        "doubao-seed-code-preview-251028"}},
      {"ai4j-notes__hunyuan-lite-toolcall-repeated-id-empty-name.sse",
       {"",
        "我们将使用get_current_weather工具来获取北京的天气",
        426,
        {{"call_d4nekv42c3mas4ig9k30",
          "get_current_weather",
          {{"format", "celsius"}, {"location", "北京"}}}},
        "tool_calls",
        usage(0, 0, 0),
        "hunyuan-lite"}},
      {"ai4j-notes__openai-gpt41nano-via-relay-parallel-toolcalls-fragmented.sse",
       {"",
        "",
        0,
        {{"call_8wSWhuzOhClEzH8c2pYjRIiz",
          "get_current_weather",
          {{"format", "celsius"}, {"location", "北京"}}},
         {"call_RbImHA6tBOwuzwIAvsQKFOox",
          "get_history_weather",
          {{"format", "celsius"}, {"location", "洛阳"}}}},
        "tool_calls",
        usage(172, 57, 229),
        "gpt-4.1-nano-2025-04-14"}},
      {"pydantic-ai__groq-gptoss120b-stream-text-after-retry.sse",
       {"The tool returned the expected result for the valid call.",
        "",
        0,
        {},
        "stop",
        usage(339, 58, 397),
        "openai/gpt-oss-120b"}},
      {"pydantic-ai__groq-gptoss120b-stream-toolcall-onechunk.sse",
       {"",
        "",
        0,
        {{"fc_bfb39741-3748-4def-9886-a93fc9c64a90",
          "get_something_by_name",
          {{"name", "example"}}}},
        "tool_calls",
        usage(304, 49, 353),
        "openai/gpt-oss-120b"}},
      {"pydantic-ai__openai-gpt4o-stream-two-parallel-toolcalls.sse",
       {"",
        "",
        0,
        {{"call_q2UyBRP7eXNTzAoR8lEhjc9Z", "get_country", kEmpty},
         {"call_b51ijcpFkDiTQG1bQzsrmtW5", "get_product_name", kEmpty}},
        "tool_calls",
        usage(364, 40, 404),
        "gpt-4o-2024-08-06"}},
      {"pydantic-ai__openai-gpt4omini-stream-text-after-toolresult.sse",
       {"The capital of the UK is London.",
        "",
        0,
        {},
        "stop",
        usage(78, 9, 87),
        "gpt-4o-mini-2024-07-18"}},
      {"pydantic-ai__openai-gpt4omini-stream-toolcall-fragmented.sse",
       {"",
        "",
        0,
        {{"call_ZR5UUuTt3pf61kjwAJIYdVMj", "get_capital", {{"country", "UK"}}}},
        "tool_calls",
        usage(53, 15, 68),
        "gpt-4o-mini-2024-07-18"}},
      {"vercel-ai__anthropic-openai-compat-toolcall-index1.sse",
       {"Reading it.",
        "",
        0,
        {{"toolu_sanitized", "read_file", {{"path", "a.txt"}}}},
        "tool_calls",
        usage(0, 0, 0),
        "claude-haiku-4-5-20251001"}},
      {"vercel-ai__alibaba-qwen3max-toolcall.chunks.jsonl",
       {"",
        "",
        0,
        {{"call_eee11723464a4b9eb8cee71d", "weather", kSanFrancisco}},
        "tool_calls",
        usage(295, 22, 317),
        "qwen3-max"}},
      {"vercel-ai__cerebras-glm47-reasoning-toolcall.chunks.jsonl",
       // Two streams in one file: index 0 again with a new id is a second call.
       {"{\"result\": \"2026\"}",
        "",
        0,
        {{"bbd2b9d98", "nonUsefulTool", kEmpty}, {"e0ecf32e0", "nonUsefulTool", kEmpty}},
        "tool_calls",
        usage(433, 122, 555),
        "zai-glm-4.7"}},
      {"vercel-ai__deepseek-reasoner-toolcall.chunks.jsonl",
       {"",
        "",
        0,
        {{"call_00_ioIn7yN9p1ZOMNpDLwd4MgAF", "weather", kSanFrancisco}},
        "tool_calls",
        usage(339, 83, 422),
        "deepseek-reasoner"}},
      {"vercel-ai__groq-llama33-toolcall-onechunk.chunks.jsonl",
       {"",
        "",
        0,
        {{"tk85n1k4m", "weather", kEmpty}},
        "tool_calls",
        usage(210, 15, 225),
        "llama-3.3-70b-versatile"}},
      {"vercel-ai__mistral-api-glm-incremental-toolcall.chunks.jsonl",
       {"",
        "",
        0,
        {{"chatcmpl-tool-9f149c74c42f265b",
          "webSearchTool",
          {{"query", "current Berlin weather"}}}},
        "tool_calls",
        usage(171, 14, 185),
        "zai-glm-5-2"}},
      {"vercel-ai__mistral-small-toolcall-noindex.chunks.jsonl",
       {"",
        "",
        0,
        {{"gSIMJiOkT", "weather", kSanFrancisco}},
        "tool_calls",
        usage(124, 22, 146),
        "mistral-small-latest"}},
      {"vercel-ai__openai-gpt41nano-text.chunks.jsonl",
       {"",
        "**Holiday Name:** Harmony Day\n\n**Date:** Celebrated annually",
        1730,
        {},
        "stop",
        usage(16, 300, 316),
        "gpt-4.1-nano-2025-04-14"}},
      {"vercel-ai__openai-gpt4o-after-toolresult.chunks.jsonl",
       {"POST_TOOL", "", 0, {}, "stop", usage(86, 2, 88), "gpt-4o-2024-08-06"}},
      {"vercel-ai__openai-gpt4o-text-then-toolcall.chunks.jsonl",
       {"PRE_TOOL",
        "",
        0,
        {{"call_NZa7xqfefoaMI2YYHowVXVlU", "weather", kEmpty}},
        "tool_calls",
        usage(58, 12, 70),
        "gpt-4o-2024-08-06"}},
      {"vercel-ai__xai-grok3mini-toolcall.chunks.jsonl",
       {"",
        "",
        0,
        {{"call_55117580", "weather", kSanFrancisco}},
        "tool_calls",
        usage(291, 26, 513),
        "grok-3-mini"}},
      // Whole (non-streamed) bodies.
      {"pydantic-ai__gemini-openai-compat-toolcall-empty-id.response.json",
       {"",
        "",
        0,
        {{"", "get_current_time", kEmpty}},
        "tool_calls",
        usage(35, 12, 109),
        "gemini-2.5-pro-preview-05-06"}},
      {"pydantic-ai__ollama-cloud-gptoss20b-text-with-reasoning.response.json",
       {"Paris.", "", 0, {}, "stop", usage(134, 122, 256), "gpt-oss:20b"}},
      {"pydantic-ai__ollama-cloud-gptoss20b-toolcall-with-index.response.json",
       {"",
        "",
        0,
        {{"call_o2vnpxrw", "final_result", {{"city", "Paris"}, {"country", "France"}}}},
        "tool_calls",
        usage(206, 194, 400),
        "gpt-oss:20b"}},
      {"pydantic-ai__ollama-local-qwen3-0.6b-json-schema.response.json",
       {"{ \"city\": \"Paris\", \"country\": \"France\" }",
        "",
        0,
        {},
        "stop",
        usage(136, 15, 151),
        "qwen3:0.6b"}},
      {"pydantic-ai__openai-gpt4omini-toolcall.response.json",
       {"",
        "",
        0,
        {{"call_SkEQ3ZGSJC8m6AvaIGNuuKdm", "get_capital", {{"country", "England"}}}},
        "tool_calls",
        usage(104, 16, 120),
        "gpt-4o-mini-2024-07-18"}},
      {"vercel-ai__groq-llama33-toolcall.response.json",
       {"",
        "",
        0,
        {{"ax9fskhev", "weather", kEmpty}},
        "tool_calls",
        usage(218, 15, 233),
        "llama-3.3-70b-versatile"}},
      {"vercel-ai__mistral-small-toolcall.response.json",
       {"",
        "",
        0,
        {{"gSIMJiOkT", "weather", kSanFrancisco}},
        "tool_calls",
        usage(124, 22, 146),
        "mistral-small-latest"}},
      {"vercel-ai__openai-gpt41nano-text.response.json",
       {"",
        "**Holiday Name:** Galaxy Day",
        1844,
        {},
        "stop",
        usage(16, 363, 379),
        "gpt-4.1-nano-2025-04-14"}},
  };
  return table;
}

struct ExpectedError {
  ChatError::Kind kind;  // for streams: the ChatError; for bodies: what the status maps to
  long status;           // the HTTP status the body came with (0 for streams)
  std::string message_part;
  std::string code;
};

const std::map<std::string, ExpectedError>& expected_errors() {
  static const std::map<std::string, ExpectedError> table = {
      {"pydantic-ai__groq-gptoss120b-stream-event-error-tool_use_failed.sse",
       {ChatError::Kind::bad_request, 0,
        "did not match schema: errors: [missing properties: 'name'", "tool_use_failed"}},
      {"issue-transcript__openai-401-invalid_api_key.error.json",
       {ChatError::Kind::auth, 401, "Incorrect API key provided", "invalid_api_key"}},
      {"issue-transcript__openai-429-rate_limit_exceeded.error.json",
       {ChatError::Kind::rate_limited, 429, "Rate limit reached for 10KTPM-200RPM",
        "rate_limit_exceeded"}},
      {"pydantic-ai__groq-404-model_not_found.error.json",
       {ChatError::Kind::model_not_found, 404, "The model `non-existent` does not exist",
        "model_not_found"}},
      {"pydantic-ai__groq-gptoss120b-400-tool_use_failed-no-toolcall.error.json",
       {ChatError::Kind::bad_request, 400, "Tool choice is required", "tool_use_failed"}},
      {"pydantic-ai__groq-gptoss120b-400-tool_use_failed.error.json",
       {ChatError::Kind::bad_request, 400, "Tool call validation failed", "tool_use_failed"}},
      {"pydantic-ai__openrouter-429-upstream-ratelimit.error.json",
       {ChatError::Kind::rate_limited, 429,
        "Provider returned error: google/gemini-2.0-flash-exp:free is temporarily rate-limited",
        "429"}},
      {"vercel-ai__openai-400-unsupported-parameter.error.json",
       {ChatError::Kind::bad_request, 400, "Unsupported parameter: 'max_tokens'",
        "unsupported_parameter"}},
      {"vercel-ai__qwen-dashscope-400-invalid-arguments.error.json",
       {ChatError::Kind::bad_request, 400, "must be in JSON format", "invalid_parameter_error"}},
  };
  return table;
}

struct Assembled {
  ChatResult result;
  std::string tokens;  // what add_event returned, in order
  bool done;
};

Assembled assemble(const std::vector<SseEvent>& events) {
  StreamAssembler assembler;
  std::string tokens;
  for (const auto& event : events) tokens += assembler.add_event(event);
  return {assembler.finish(), tokens, assembler.done()};
}

ChatResult assemble_file(const std::string& name, std::string* tokens = nullptr) {
  if (name.ends_with(".response.json"))
    return parse_chat_completion(nlohmann::json::parse(testing::read_transcript(name)));
  auto assembled = assemble(testing::transcript_events(name));
  if (tokens != nullptr) *tokens = assembled.tokens;
  return assembled.result;
}

SseEvent data(std::string text) {
  SseEvent event;
  event.data = std::move(text);
  return event;
}

class TranscriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_llm_transcripts())
      GTEST_SKIP() << "no transcripts at " << testing::llm_transcripts_dir();
  }
};

TEST_F(TranscriptTest, EveryFileHasAnExpectation) {
  const auto files = testing::transcript_files();
  EXPECT_EQ(files.size(), 37u);
  for (const auto& name : files) {
    EXPECT_TRUE(expected_replies().contains(name) || expected_errors().contains(name))
        << name << " has no expectation";
  }
}

TEST_F(TranscriptTest, RepliesAssembleToTheRecordedCallsAndText) {
  for (const auto& [name, expected] : expected_replies()) {
    std::string tokens;
    const auto result = assemble_file(name, &tokens);
    ASSERT_TRUE(result.ok()) << name << ": " << result.error().message;
    expect_reply(result.value(), expected, name);
    // Streams hand out exactly the text the reply holds, piece by piece.
    if (!name.ends_with(".response.json")) {
      EXPECT_EQ(tokens, result.value().content) << name;
    }
  }
}

TEST_F(TranscriptTest, ErrorsCarryTheServersMessage) {
  for (const auto& [name, expected] : expected_errors()) {
    SCOPED_TRACE(name);
    if (name.ends_with(".sse")) {
      const auto result = assemble_file(name);
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error().kind, expected.kind) << result.error().message;
      EXPECT_THAT(result.error().message, HasSubstr(expected.message_part));
      EXPECT_THAT(result.error().message, HasSubstr("mid-stream"));
      continue;
    }
    const auto body = testing::read_transcript(name);
    const auto parsed = parse_error_body(body);
    EXPECT_THAT(parsed.message, HasSubstr(expected.message_part));
    EXPECT_EQ(parsed.code, expected.code);
    EXPECT_EQ(kind_for_status(expected.status), expected.kind);
    // The same body inside a 200 reply is an error too, not an empty answer.
    const auto as_reply = parse_chat_completion(nlohmann::json::parse(body));
    ASSERT_FALSE(as_reply.ok());
    EXPECT_THAT(as_reply.error().message, HasSubstr(expected.message_part));
  }
}

TEST_F(TranscriptTest, StreamsGiveTheSameReplyInAnyPieces) {
  for (const auto& [name, expected] : expected_replies()) {
    if (name.ends_with(".response.json")) continue;
    const auto body = testing::transcript_as_sse(name);
    for (unsigned seed = 0; seed < 5; ++seed) {
      std::mt19937 rng(seed);
      std::uniform_int_distribution<std::size_t> piece(1, 64);
      SseParser parser;
      StreamAssembler assembler;
      for (std::size_t at = 0; at < body.size();) {
        const auto length = std::min(piece(rng), body.size() - at);
        for (const auto& event : parser.feed(std::string_view(body).substr(at, length)))
          assembler.add_event(event);
        at += length;
      }
      for (const auto& event : parser.finish()) assembler.add_event(event);
      const auto result = assembler.finish();
      ASSERT_TRUE(result.ok()) << name;
      expect_reply(result.value(), expected, name + " seed " + std::to_string(seed));
    }
  }
}

TEST_F(TranscriptTest, DeepseekNotesWithElisionsReadWhatCanBeRead) {
  const auto name = "ai4j-notes__deepseek-chat-text-then-parallel-toolcalls.sse";
  const auto events = testing::transcript_events(name);
  // The "......" lines are not fields; the event around them holds two chunks.
  const auto glued = std::count_if(events.begin(), events.end(), [](const SseEvent& event) {
    return event.data.find('\n') != std::string::npos;
  });
  EXPECT_EQ(glued, 1);
  const auto result = assemble(events).result;
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value().tool_calls.size(), 2u);
}

// Quirks no recording shows.

TEST(StreamAssemblerTest, UsageChunkWithNullChoicesAndNoDone) {
  const auto assembled = assemble({
      data(R"({"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]})"),
      data(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"),
      data(
          R"({"choices":null,"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})"),
  });
  ASSERT_TRUE(assembled.result.ok());
  EXPECT_FALSE(assembled.done);
  EXPECT_EQ(assembled.result.value().content, "Hi");
  EXPECT_EQ(assembled.result.value().usage.total_tokens, 4);
  EXPECT_EQ(assembled.result.value().finish_reason, "stop");
}

TEST(StreamAssemblerTest, IndexZeroReusedForSeveralCallsWithDifferentIds) {
  // Ollama: every call is index 0; continuations without an id follow the latest call.
  const auto assembled = assemble({
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"search_catalog","arguments":"{\"query\":"}}]}}]})"),
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"jazz\"}"}}]}}]})"),
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_b","function":{"name":"lookup_artist","arguments":"{\"name\":\"Nina Simone\"}"}}]}}]})"),
      data(R"({"choices":[{"delta":{},"finish_reason":"tool_calls"}]})"),
      data("[DONE]"),
  });
  ASSERT_TRUE(assembled.result.ok());
  const auto& calls = assembled.result.value().tool_calls;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].id, "call_a");
  EXPECT_EQ(calls[0].name, "search_catalog");
  EXPECT_EQ(calls[0].arguments, R"({"query":"jazz"})");
  EXPECT_EQ(calls[1].id, "call_b");
  EXPECT_EQ(calls[1].name, "lookup_artist");
  EXPECT_EQ(calls[1].arguments, R"({"name":"Nina Simone"})");
}

TEST(StreamAssemblerTest, NoIndexMatchesById) {
  const auto assembled = assemble({
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"id":"a1","function":{"name":"f","arguments":"{\"x\""}}]}}]})"),
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"id":"b2","function":{"name":"g","arguments":"{}"}}]}}]})"),
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"id":"a1","function":{"name":"f","arguments":":1}"}}]}}]})"),
  });
  ASSERT_TRUE(assembled.result.ok());
  const auto& calls = assembled.result.value().tool_calls;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].arguments, R"({"x":1})");
  EXPECT_EQ(calls[1].name, "g");
}

TEST(StreamAssemblerTest, MissingIdsAreGeneratedAndUnique) {
  const auto assembled = assemble({
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"f","arguments":""}}]}}]})"),
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"index":1,"id":"","function":{"name":"g","arguments":"{}"}}]}}]})"),
  });
  ASSERT_TRUE(assembled.result.ok());
  const auto& calls = assembled.result.value().tool_calls;
  ASSERT_EQ(calls.size(), 2u);
  for (const auto& call : calls)
    EXPECT_TRUE(std::regex_match(call.id, std::regex("[A-Za-z0-9]{9}"))) << call.id;
  EXPECT_NE(calls[0].id, calls[1].id);
  EXPECT_EQ(calls[0].arguments, "{}");  // empty arguments become an empty object
}

TEST(StreamAssemblerTest, WholeCallRepeatedIsNotDoubled) {
  const auto assembled = assemble({
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"a\":1}"}}]}}]})"),
      data(
          R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}]})"),
  });
  ASSERT_TRUE(assembled.result.ok());
  ASSERT_EQ(assembled.result.value().tool_calls.size(), 1u);
  EXPECT_EQ(assembled.result.value().tool_calls[0].arguments, R"({"a":1})");
}

TEST(StreamAssemblerTest, ErrorChunkWithoutEventNameStopsTheStream) {
  StreamAssembler assembler;
  EXPECT_EQ(assembler.add_event(data(R"({"choices":[{"delta":{"content":"Hel"}}]})")), "Hel");
  assembler.add_event(data(R"({"error":{"message":"overloaded, try again","code":503}})"));
  EXPECT_TRUE(assembler.failed());
  EXPECT_EQ(assembler.add_event(data(R"({"choices":[{"delta":{"content":"lo"}}]})")), "");
  const auto result = assembler.finish();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::server);
  EXPECT_THAT(result.error().message, HasSubstr("overloaded, try again"));
}

TEST(StreamAssemblerTest, VllmStyleErrorObject) {
  const auto result =
      assemble(
          {data(
              R"({"object":"error","message":"This model's maximum context length is 4096 tokens","type":"BadRequestError","param":null,"code":400})")})
          .result;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::bad_request);
  EXPECT_THAT(result.error().message, HasSubstr("maximum context length"));
}

TEST(StreamAssemblerTest, EventErrorWithPlainTextData) {
  SseEvent event;
  event.event = "error";
  event.data = "upstream connect error";
  const auto result = assemble({event}).result;
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.error().message, HasSubstr("upstream connect error"));
}

TEST(StreamAssemblerTest, GarbageIsAClearErrorNotACrash) {
  const auto result =
      assemble({data("{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n......")}).result;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::bad_response);
  EXPECT_THAT(result.error().message, HasSubstr("not JSON"));
  EXPECT_FALSE(assemble({data("[1,2]")}).result.ok());
  EXPECT_FALSE(assemble({}).result.ok());  // nothing arrived
}

TEST(StreamAssemblerTest, ReasoningIsNotAnswerTextAndOtherChoicesAreIgnored) {
  const auto assembled = assemble({
      data(R"({"choices":[{"index":0,"delta":{"reasoning_content":"hmm","reasoning":"hmm"}}]})"),
      data(
          R"({"choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":"ok"}}]})"),
  });
  ASSERT_TRUE(assembled.result.ok());
  EXPECT_EQ(assembled.result.value().content, "ok");
}

TEST(ParseChatCompletionTest, ContentPartsAndObjectArguments) {
  const auto result = parse_chat_completion(nlohmann::json::parse(R"({
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant",
      "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
      "tool_calls": [{"id": "x", "function": {"name": "f", "arguments": {"k": 1}}}]}}]})"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value().content, "ab");
  ASSERT_EQ(result.value().tool_calls.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(result.value().tool_calls[0].arguments),
            nlohmann::json({{"k", 1}}));
  EXPECT_FALSE(parse_chat_completion(nlohmann::json::parse(R"({"choices": []})")).ok());
}

TEST(ChatMessageTest, OpenAiWireFormRoundTrips) {
  const auto assistant = ChatMessage::assistant("", {{"call_1", "lookup_artist", ""}});
  const auto wire = assistant.to_openai();
  EXPECT_EQ(wire.at("role"), "assistant");
  EXPECT_TRUE(wire.at("content").is_null());
  EXPECT_EQ(wire.at("tool_calls").at(0).at("type"), "function");
  EXPECT_EQ(wire.at("tool_calls").at(0).at("function").at("arguments"), "{}");
  const auto back = ChatMessage::from_openai(wire);
  EXPECT_EQ(back.role, Role::assistant);
  ASSERT_EQ(back.tool_calls.size(), 1u);
  EXPECT_EQ(back.tool_calls[0].id, "call_1");

  const auto tool = ChatMessage::tool("call_1", "lookup_artist", R"({"ok":true})").to_openai();
  EXPECT_EQ(tool,
            nlohmann::json(
                {{"role", "tool"}, {"content", R"({"ok":true})"}, {"tool_call_id", "call_1"}}));
  EXPECT_EQ(ChatMessage::user("hi").to_openai(),
            nlohmann::json({{"role", "user"}, {"content", "hi"}}));
  EXPECT_THROW(ChatMessage::from_openai(nlohmann::json::object()), nlohmann::json::exception);
  EXPECT_EQ(Usage{}.to_json().at("total_tokens"), 0);
  EXPECT_STREQ(to_string(ChatError::Kind::model_not_found), "model_not_found");
}

}  // namespace
}  // namespace musicagent::agent
