// The OpenAI-compatible chat client over real HTTP against the scripted server: streamed
// answers and tool calls (OpenAI's and other servers' recorded streams replayed as chunked
// SSE), retries and what must never be retried, timeouts, errors a person can act on, the
// non-streamed mode, and cancellation.
#include "agent/openai_chat_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "llm_transcripts.hpp"
#include "scripted_http_server.hpp"

namespace musicagent::testing {
namespace {

using agent::CancellationToken;
using agent::ChatError;
using agent::ChatMessage;
using agent::ChatRequest;
using agent::ChatResult;
using agent::ChatSettings;
using agent::OpenAIChatClient;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kApiKey = "sk-test-Secret-0123456789";
constexpr const char* kModel = "test-model";
constexpr const char* kChatPath = "/v1/chat/completions";

// A transcript as chunked SSE: cut at random points, so events straddle network chunks.
std::vector<std::string> sse_chunks(const std::string& body, unsigned seed = 7,
                                    std::size_t max_piece = 97) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> piece(1, max_piece);
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < body.size();) {
    const auto length = std::min(piece(rng), body.size() - at);
    chunks.push_back(body.substr(at, length));
    at += length;
  }
  return chunks;
}

// One chunk per SSE event, for tests that watch tokens arrive.
std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> chunks;
  for (std::size_t at = 0; at < body.size();) {
    auto end = body.find("\n\n", at);
    end = end == std::string::npos ? body.size() : end + 2;
    chunks.push_back(body.substr(at, end - at));
    at = end;
  }
  return chunks;
}

std::string chunk_line(const std::string& content) {
  nlohmann::json chunk = {
      {"id", "chatcmpl-1"},
      {"object", "chat.completion.chunk"},
      {"model", kModel},
      {"choices", {{{"index", 0}, {"delta", {{"content", content}}}, {"finish_reason", nullptr}}}}};
  return "data: " + chunk.dump() + "\n\n";
}

std::string text_stream(const std::vector<std::string>& pieces) {
  std::string body =
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
  for (const auto& piece : pieces) body += chunk_line(piece);
  body += "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
  body +=
      "data: "
      "{\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}"
      "\n\n";
  body += "data: [DONE]\n\n";
  return body;
}

ScriptedResponse sse_response(std::vector<std::string> chunks,
                              std::chrono::milliseconds delay = {}) {
  auto response = stream_reply(std::move(chunks), delay);
  response.headers = {{"Content-Type", "text/event-stream"}};
  return response;
}

struct Tokens {
  std::mutex mutex;
  std::vector<std::pair<Clock::time_point, std::string>> seen;
  std::string joined() {
    std::lock_guard lock(mutex);
    std::string text;
    for (const auto& [when, piece] : seen) text += piece;
    return text;
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return seen.size();
  }
};

class OpenAIChatClientTest : public ::testing::Test {
 protected:
  ChatSettings settings() const {
    ChatSettings s;
    s.base_url = server_.base_url() + "/v1";
    s.api_key = kApiKey;
    s.model = kModel;
    s.connect_timeout = 2s;
    s.first_byte_timeout = 5s;
    s.timeout = 20s;
    s.retry.max_attempts = 3;
    s.retry.base_delay = 10ms;
    s.retry.max_delay = 3s;
    return s;
  }

  static ChatRequest question(nlohmann::json tools = nlohmann::json::array()) {
    ChatRequest request;
    request.messages = {ChatMessage::system("You recommend music."),
                        ChatMessage::user("Something like Nina Simone?")};
    request.tools = std::move(tools);
    return request;
  }

  ChatResult complete(OpenAIChatClient& client, const ChatRequest& request,
                      const CancellationToken& cancel = {}) {
    return client.complete(
        request,
        [this](std::string_view text) {
          std::lock_guard lock(tokens_.mutex);
          tokens_.seen.emplace_back(Clock::now(), std::string(text));
        },
        cancel);
  }

  ChatResult complete_with(const ChatSettings& s, const ChatRequest& request = question()) {
    OpenAIChatClient client(s);
    return complete(client, request);
  }

  std::size_t chat_requests() const {
    std::size_t n = 0;
    for (const auto& request : server_.requests()) n += request.target == kChatPath ? 1 : 0;
    return n;
  }

  ScriptedHttpServer server_;
  Tokens tokens_;
};

const nlohmann::json kTools = nlohmann::json::parse(R"([
  {"type": "function", "function": {"name": "get_country", "description": "d",
    "parameters": {"type": "object", "properties": {}}}},
  {"type": "function", "function": {"name": "get_product_name", "description": "d",
    "parameters": {"type": "object", "properties": {}}}}])");

TEST_F(OpenAIChatClientTest, StreamedAnswerArrivesTokenByToken) {
  const std::vector<std::string> pieces = {"Try",   " Billie", " Holiday", "'s",
                                           " Lady", " in",     " Satin",   "."};
  server_.script("POST", kChatPath, {sse_response(sse_events(text_stream(pieces)), 40ms)});

  const auto started = Clock::now();
  const auto result = complete_with(settings());
  const auto finished = Clock::now();

  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().content, "Try Billie Holiday's Lady in Satin.");
  EXPECT_EQ(result.value().finish_reason, "stop");
  EXPECT_EQ(result.value().usage.total_tokens, 8);
  EXPECT_EQ(tokens_.joined(), result.value().content);
  ASSERT_EQ(tokens_.count(), pieces.size());
  // Incremental: the first token came while the server was still sending the rest.
  EXPECT_LT(tokens_.seen.front().first, tokens_.seen.back().first);
  EXPECT_LT(tokens_.seen.front().first, finished);
  EXPECT_GT(tokens_.seen.front().first, started);

  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("Authorization"), std::string("Bearer ") + kApiKey);
  EXPECT_EQ(requests[0].header("Accept"), "text/event-stream");
  const auto body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body.at("model"), kModel);
  EXPECT_EQ(body.at("stream"), true);
  EXPECT_EQ(body.at("stream_options").at("include_usage"), true);
  EXPECT_EQ(body.at("messages").size(), 2u);
  EXPECT_EQ(body.at("messages").at(1).at("content"), "Something like Nina Simone?");
  EXPECT_FALSE(body.contains("tools"));
  EXPECT_FALSE(body.contains("tool_choice"));
  EXPECT_FALSE(body.contains("temperature"));  // unset: the server's default
}

TEST_F(OpenAIChatClientTest, ParallelToolCallsAndRequestSettings) {
  if (!have_llm_transcripts()) GTEST_SKIP() << "no transcripts at " << llm_transcripts_dir();
  server_.script("POST", kChatPath,
                 {sse_response(sse_chunks(transcript_as_sse(
                     "pydantic-ai__openai-gpt4o-stream-two-parallel-toolcalls.sse")))});
  auto s = settings();
  s.temperature = 0.3;
  s.max_tokens = 512;
  const auto result = complete_with(s, question(kTools));

  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& calls = result.value().tool_calls;
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].id, "call_q2UyBRP7eXNTzAoR8lEhjc9Z");
  EXPECT_EQ(calls[0].name, "get_country");
  EXPECT_EQ(calls[0].arguments, "{}");
  EXPECT_EQ(calls[1].id, "call_b51ijcpFkDiTQG1bQzsrmtW5");
  EXPECT_EQ(calls[1].name, "get_product_name");
  EXPECT_EQ(result.value().finish_reason, "tool_calls");
  EXPECT_EQ(result.value().usage.prompt_tokens, 364);
  EXPECT_EQ(tokens_.count(), 0u);

  const auto body = nlohmann::json::parse(server_.requests().at(0).body);
  EXPECT_EQ(body.at("tools"), kTools);
  EXPECT_EQ(body.at("tool_choice"), "auto");
  EXPECT_DOUBLE_EQ(body.at("temperature").get<double>(), 0.3);
  EXPECT_EQ(body.at("max_tokens"), 512);
}

struct Quirk {
  std::string file;
  std::string text;
  std::vector<std::pair<std::string, nlohmann::json>> calls;  // name, parsed arguments
};

TEST_F(OpenAIChatClientTest, RecordedServerQuirksReplayedAsChunkedStreams) {
  if (!have_llm_transcripts()) GTEST_SKIP() << "no transcripts at " << llm_transcripts_dir();
  const nlohmann::json sf = {{"location", "San Francisco"}};
  const nlohmann::json beijing = {{"location", "北京"}, {"format", "celsius"}};
  const nlohmann::json luoyang = {{"location", "洛阳"}, {"format", "celsius"}};
  const std::vector<Quirk> quirks = {
      {"vercel-ai__mistral-small-toolcall-noindex.chunks.jsonl", "", {{"weather", sf}}},
      {"vercel-ai__mistral-api-glm-incremental-toolcall.chunks.jsonl",
       "",
       {{"webSearchTool", {{"query", "current Berlin weather"}}}}},
      {"vercel-ai__alibaba-qwen3max-toolcall.chunks.jsonl", "", {{"weather", sf}}},
      {"vercel-ai__anthropic-openai-compat-toolcall-index1.sse",
       "Reading it.",
       {{"read_file", {{"path", "a.txt"}}}}},
      {"vercel-ai__groq-llama33-toolcall-onechunk.chunks.jsonl",
       "",
       {{"weather", nlohmann::json::object()}}},
      {"vercel-ai__xai-grok3mini-toolcall.chunks.jsonl", "", {{"weather", sf}}},
      {"vercel-ai__deepseek-reasoner-toolcall.chunks.jsonl", "", {{"weather", sf}}},
      {"vercel-ai__cerebras-glm47-reasoning-toolcall.chunks.jsonl",
       "{\"result\": \"2026\"}",
       {{"nonUsefulTool", nlohmann::json::object()}, {"nonUsefulTool", nlohmann::json::object()}}},
      {"ai4j-notes__doubao-seed-two-toolcalls-one-chunk.sse",
       "",
       {{"get_current_weather", beijing}, {"get_current_weather", luoyang}}},
      {"ai4j-notes__hunyuan-lite-toolcall-repeated-id-empty-name.sse",
       "",
       {{"get_current_weather", beijing}}},
      {"ai4j-notes__deepseek-chat-text-then-parallel-toolcalls.sse",
       "我可以帮。",
       {{"get_current_weather", beijing}, {"get_current_weather", luoyang}}},
      {"ai4j-notes__openai-gpt41nano-via-relay-parallel-toolcalls-fragmented.sse",
       "",
       {{"get_current_weather", beijing}, {"get_history_weather", luoyang}}},
      {"pydantic-ai__groq-gptoss120b-stream-toolcall-onechunk.sse",
       "",
       {{"get_something_by_name", {{"name", "example"}}}}},
  };
  OpenAIChatClient client(settings());
  for (const auto& quirk : quirks) {
    SCOPED_TRACE(quirk.file);
    server_.script("POST", kChatPath, {sse_response(sse_chunks(transcript_as_sse(quirk.file)))});
    const auto result = complete(client, question());
    ASSERT_TRUE(result.ok()) << result.error().message;
    if (!quirk.text.empty()) {
      EXPECT_EQ(result.value().content, quirk.text);
    }
    ASSERT_EQ(result.value().tool_calls.size(), quirk.calls.size());
    for (std::size_t i = 0; i < quirk.calls.size(); ++i) {
      const auto& call = result.value().tool_calls[i];
      EXPECT_EQ(call.name, quirk.calls[i].first);
      EXPECT_EQ(nlohmann::json::parse(call.arguments), quirk.calls[i].second);
      EXPECT_FALSE(call.id.empty());
    }
  }
}

TEST_F(OpenAIChatClientTest, MidStreamErrorEventBecomesTheServersMessage) {
  if (!have_llm_transcripts()) GTEST_SKIP() << "no transcripts at " << llm_transcripts_dir();
  server_.script("POST", kChatPath,
                 {sse_response(sse_chunks(transcript_as_sse(
                     "pydantic-ai__groq-gptoss120b-stream-event-error-tool_use_failed.sse")))});
  const auto result = complete_with(settings());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::bad_request);
  EXPECT_THAT(result.error().message, HasSubstr("Tool call validation failed"));
  EXPECT_EQ(chat_requests(), 1u);
}

TEST_F(OpenAIChatClientTest, RateLimitedWaitsForRetryAfterThenSucceeds) {
  std::mutex mutex;
  std::vector<Clock::time_point> arrivals;
  int served = 0;
  const auto limited =
      read_transcript("issue-transcript__openai-429-rate_limit_exceeded.error.json");
  server_.handle("POST", kChatPath, [&](const RecordedRequest&) {
    std::lock_guard lock(mutex);
    arrivals.push_back(Clock::now());
    if (served++ == 0)
      return reply(429, limited.empty() ? R"({"error":{"message":"slow down"}})" : limited,
                   {{"Retry-After", "1"}});
    return sse_response(sse_events(text_stream({"Hello"})));
  });
  const auto result = complete_with(settings());
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().content, "Hello");
  std::lock_guard lock(mutex);
  ASSERT_EQ(arrivals.size(), 2u);
  // base_delay is 10 ms: only Retry-After explains a wait near a second.
  EXPECT_GE(arrivals[1] - arrivals[0], 900ms);
}

TEST_F(OpenAIChatClientTest, RateLimitedTooLongGivesUpWithTheServersMessage) {
  server_.script(
      "POST", kChatPath,
      {reply(429, R"({"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}})",
             {{"retry-after-ms", "5"}})});
  const auto result = complete_with(settings());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::rate_limited);
  EXPECT_EQ(result.error().status, 429);
  EXPECT_THAT(result.error().message,
              AllOf(HasSubstr("Rate limit reached"), HasSubstr("3 attempts")));
  EXPECT_EQ(chat_requests(), 3u);
}

TEST_F(OpenAIChatClientTest, ServerErrorIsRetried) {
  server_.script("POST", kChatPath,
                 {reply(500, R"({"error":{"message":"internal error"}})"),
                  reply(503, "<html>Service Unavailable</html>", {{"Content-Type", "text/html"}}),
                  sse_response(sse_events(text_stream({"Back"})))});
  const auto result = complete_with(settings());
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().content, "Back");
  EXPECT_EQ(chat_requests(), 3u);
}

TEST_F(OpenAIChatClientTest, ClientErrorsAreNotRetriedAndCarryTheServersWords) {
  if (!have_llm_transcripts()) GTEST_SKIP() << "no transcripts at " << llm_transcripts_dir();
  server_.script(
      "POST", kChatPath,
      {reply(400, read_transcript("vercel-ai__openai-400-unsupported-parameter.error.json"))});
  auto s = settings();
  s.max_tokens = 100;
  const auto result = complete_with(s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::bad_request);
  EXPECT_THAT(result.error().message, AllOf(HasSubstr("Unsupported parameter: 'max_tokens'"),
                                            HasSubstr("MUSICAGENT_MAX_TOKENS")));
  EXPECT_EQ(chat_requests(), 1u);
}

TEST_F(OpenAIChatClientTest, DroppedBeforeAnyTokenIsRetried) {
  auto dropped = sse_response(
      {"data: "
       "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"});
  dropped.drop_connection_after_chunks = true;
  server_.script("POST", kChatPath, {dropped, sse_response(sse_events(text_stream({"Whole"})))});
  const auto result = complete_with(settings());
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().content, "Whole");
  EXPECT_EQ(tokens_.joined(), "Whole");  // nothing twice
  EXPECT_EQ(chat_requests(), 2u);
}

TEST_F(OpenAIChatClientTest, DroppedAfterTokensIsAnErrorNotARetry) {
  auto dropped = sse_response({chunk_line("Half"), chunk_line(" an answer")});
  dropped.drop_connection_after_chunks = true;
  server_.script("POST", kChatPath, {dropped, sse_response(sse_events(text_stream({"Again"})))});
  const auto result = complete_with(settings());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::network);
  EXPECT_THAT(result.error().message, HasSubstr("not retried"));
  EXPECT_EQ(tokens_.joined(), "Half an answer");
  EXPECT_EQ(chat_requests(), 1u);
}

TEST_F(OpenAIChatClientTest, FirstByteTimeout) {
  auto slow = sse_response(sse_events(text_stream({"late"})));
  slow.delay_before_response = 10s;
  server_.script("POST", kChatPath, {slow});
  auto s = settings();
  s.first_byte_timeout = 300ms;
  const auto started = Clock::now();
  const auto result = complete_with(s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::timeout);
  EXPECT_THAT(result.error().message, HasSubstr("MUSICAGENT_LLM_FIRST_BYTE_TIMEOUT_MS"));
  EXPECT_LT(Clock::now() - started, 5s);  // long before the server would have answered
  EXPECT_EQ(chat_requests(), 1u);
}

TEST_F(OpenAIChatClientTest, WholeCallTimeout) {
  server_.script("POST", kChatPath,
                 {sse_response(sse_events(text_stream({"a", "b", "c", "d", "e", "f"})), 400ms)});
  auto s = settings();
  s.timeout = 700ms;
  const auto result = complete_with(s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::timeout);
  EXPECT_THAT(result.error().message, HasSubstr("MUSICAGENT_LLM_TIMEOUT_MS"));
}

TEST_F(OpenAIChatClientTest, UnauthorizedNamesTheSettingButNeverTheKey) {
  // A server that echoes the key back in full must not get it into our message.
  server_.script(
      "POST", kChatPath,
      {reply(401, std::string(R"({"error":{"message":"Incorrect API key provided: )") + kApiKey +
                      R"(.","type":"invalid_request_error","code":"invalid_api_key"}})")});
  const auto result = complete_with(settings());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::auth);
  EXPECT_EQ(result.error().status, 401);
  EXPECT_THAT(result.error().message,
              AllOf(HasSubstr("OPENAI_API_KEY"), HasSubstr("Incorrect API key provided"),
                    Not(HasSubstr(kApiKey)), Not(HasSubstr("0123456789"))));
  EXPECT_EQ(chat_requests(), 1u);
}

TEST_F(OpenAIChatClientTest, UnknownModelNamesTheModelAndTheEndpoint) {
  if (!have_llm_transcripts()) GTEST_SKIP() << "no transcripts at " << llm_transcripts_dir();
  server_.script("POST", kChatPath,
                 {reply(404, read_transcript("pydantic-ai__groq-404-model_not_found.error.json"))});
  const auto result = complete_with(settings());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::model_not_found);
  EXPECT_THAT(
      result.error().message,
      AllOf(HasSubstr(std::string("'") + kModel + "'"), HasSubstr(server_.base_url() + kChatPath),
            HasSubstr("MUSICAGENT_MODEL"), HasSubstr("does not exist")));
  EXPECT_EQ(chat_requests(), 1u);
}

TEST_F(OpenAIChatClientTest, WrongBaseUrlIsReportedAsAnUnknownModelAtThatEndpoint) {
  auto s = settings();
  s.base_url = server_.base_url();  // missing /v1: the server's generic 404
  const auto result = complete_with(s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::model_not_found);
  EXPECT_THAT(result.error().message, AllOf(HasSubstr("/v1"), HasSubstr(kModel)));
}

TEST_F(OpenAIChatClientTest, NonStreamedModeParsesToolCalls) {
  if (!have_llm_transcripts()) GTEST_SKIP() << "no transcripts at " << llm_transcripts_dir();
  server_.script(
      "POST", kChatPath,
      {reply(200, read_transcript("pydantic-ai__openai-gpt4omini-toolcall.response.json")),
       reply(200, read_transcript(
                      "pydantic-ai__ollama-cloud-gptoss20b-text-with-reasoning.response.json"))});
  auto s = settings();
  s.stream = false;
  OpenAIChatClient client(s);

  const auto calls = complete(client, question(kTools));
  ASSERT_TRUE(calls.ok()) << calls.error().message;
  ASSERT_EQ(calls.value().tool_calls.size(), 1u);
  EXPECT_EQ(calls.value().tool_calls[0].id, "call_SkEQ3ZGSJC8m6AvaIGNuuKdm");
  EXPECT_EQ(calls.value().tool_calls[0].name, "get_capital");
  EXPECT_EQ(nlohmann::json::parse(calls.value().tool_calls[0].arguments),
            nlohmann::json({{"country", "England"}}));
  EXPECT_EQ(calls.value().usage.total_tokens, 120);
  EXPECT_EQ(tokens_.count(), 0u);

  const auto text = complete(client, question());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(text.value().content, "Paris.");
  EXPECT_EQ(tokens_.joined(), "Paris.");  // the whole text as one token

  const auto body = nlohmann::json::parse(server_.requests().at(0).body);
  EXPECT_EQ(body.at("stream"), false);
  EXPECT_FALSE(body.contains("stream_options"));
}

TEST_F(OpenAIChatClientTest, ServerThatIgnoresStreamingStillAnswers) {
  if (!have_llm_transcripts()) GTEST_SKIP() << "no transcripts at " << llm_transcripts_dir();
  server_.script("POST", kChatPath,
                 {reply(200, read_transcript("vercel-ai__mistral-small-toolcall.response.json"))});
  const auto result = complete_with(settings());
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result.value().tool_calls.size(), 1u);
  EXPECT_EQ(result.value().tool_calls[0].id, "gSIMJiOkT");
}

TEST_F(OpenAIChatClientTest, CancellingMidStreamReturnsPromptly) {
  std::vector<std::string> pieces(50, " la");
  server_.script("POST", kChatPath, {sse_response(sse_events(text_stream(pieces)), 100ms)});
  OpenAIChatClient client(settings());
  CancellationToken cancel;
  std::atomic<Clock::time_point> cancelled_at{Clock::time_point{}};
  const auto result = client.complete(
      question(),
      [&](std::string_view) {
        if (!cancel.cancelled()) {
          cancelled_at = Clock::now();
          // From another thread, as Ctrl-C or a WebSocket "cancel" would.
          std::thread([cancel] { cancel.cancel(); }).detach();
        }
      },
      cancel);
  const auto returned = Clock::now();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::cancelled);
  // The stream had seconds to go; the call ended within a few chunks of the cancel.
  EXPECT_LT(returned - cancelled_at.load(), 1s);
  EXPECT_EQ(chat_requests(), 1u);
}

TEST_F(OpenAIChatClientTest, CancellingWhileWaitingForTheServerReturnsPromptly) {
  auto slow = sse_response(sse_events(text_stream({"late"})));
  slow.delay_before_response = 10s;
  server_.script("POST", kChatPath, {slow});
  OpenAIChatClient client(settings());
  CancellationToken cancel;
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(200ms);
    cancel.cancel();
  });
  const auto started = Clock::now();
  const auto result = complete(client, question(), cancel);
  canceller.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::cancelled);
  EXPECT_LT(Clock::now() - started, 3s);
}

TEST_F(OpenAIChatClientTest, NothingListeningIsANetworkErrorNamingTheEndpoint) {
  auto s = settings();
  s.base_url = "http://127.0.0.1:9/v1";  // discard port: refused
  s.retry.max_attempts = 2;
  const auto result = complete_with(s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ChatError::Kind::network);
  EXPECT_THAT(result.error().message,
              AllOf(HasSubstr("127.0.0.1:9"), HasSubstr("OPENAI_BASE_URL")));
}

TEST_F(OpenAIChatClientTest, SettingsFromConfig) {
  common::Environment env({{"OPENAI_BASE_URL", "http://localhost:11434/v1/"},
                           {"OPENAI_API_KEY", kApiKey},
                           {"MUSICAGENT_MODEL", "qwen2.5:7b"},
                           {"MUSICAGENT_TEMPERATURE", "0.2"},
                           {"MUSICAGENT_MAX_TOKENS", "800"},
                           {"MUSICAGENT_STREAM", "0"},
                           {"MUSICAGENT_LLM_CONNECT_TIMEOUT_MS", "1500"},
                           {"MUSICAGENT_LLM_FIRST_BYTE_TIMEOUT_MS", "2500"},
                           {"MUSICAGENT_LLM_TIMEOUT_MS", "90000"},
                           {"MUSICAGENT_LLM_MAX_ATTEMPTS", "5"}});
  const auto s = ChatSettings::from_config(common::load_config(env));
  EXPECT_EQ(s.endpoint(), "http://localhost:11434/v1/chat/completions");
  EXPECT_EQ(s.model, "qwen2.5:7b");
  EXPECT_DOUBLE_EQ(s.temperature.value_or(-1), 0.2);
  EXPECT_EQ(s.max_tokens.value_or(-1), 800);
  EXPECT_FALSE(s.stream);
  EXPECT_EQ(s.connect_timeout, 1500ms);
  EXPECT_EQ(s.first_byte_timeout, 2500ms);
  EXPECT_EQ(s.timeout, 90000ms);
  EXPECT_EQ(s.retry.max_attempts, 5);
  EXPECT_EQ(OpenAIChatClient(s).describe(), "qwen2.5:7b at http://localhost:11434/v1/");
  using Values = std::map<std::string, std::string>;
  EXPECT_THROW(common::load_config(common::Environment(Values{{"MUSICAGENT_STREAM", "maybe"}})),
               std::runtime_error);
  EXPECT_THROW(common::load_config(common::Environment(Values{{"MUSICAGENT_TEMPERATURE", "hot"}})),
               std::runtime_error);
}

}  // namespace
}  // namespace musicagent::testing
