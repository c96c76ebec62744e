#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <thread>

#include "agent/agent.hpp"
#include "agent/session_store.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

// Replies in order, and keeps every request it was sent.
class ScriptedModel : public ChatModel {
 public:
  explicit ScriptedModel(std::deque<ChatResult> replies) : replies_(std::move(replies)) {}
  std::string describe() const override { return "scripted"; }
  ChatResult complete(const ChatRequest& request, const TokenSink& on_token,
                      const CancellationToken& cancel) override {
    requests.push_back(request);
    if (cancel.cancelled()) return ChatError{ChatError::Kind::cancelled, "cancelled", 0};
    if (replies_.empty()) return ChatError{ChatError::Kind::bad_response, "script ran out", 0};
    auto reply = replies_.front();
    if (replies_.size() > 1) replies_.pop_front();
    if (reply.ok() && !reply.value().content.empty()) on_token(reply.value().content);
    return reply;
  }
  std::vector<ChatRequest> requests;

 private:
  std::deque<ChatResult> replies_;
};

ChatReply text(std::string content) {
  ChatReply r;
  r.content = std::move(content);
  r.finish_reason = "stop";
  r.usage = {10, 5, 15};
  return r;
}

ChatReply calls(std::vector<ToolCall> tool_calls) {
  ChatReply r;
  r.tool_calls = std::move(tool_calls);
  r.finish_reason = "tool_calls";
  r.usage = {20, 7, 27};
  return r;
}

// A tool that sleeps, so parallel calls can be seen overlapping, and echoes its arguments.
class SleepTool : public tools::Tool {
 public:
  explicit SleepTool(std::atomic<int>& running, std::atomic<int>& peak) : running_(running), peak_(peak) {}
  std::string name() const override { return "sleep"; }
  std::string description() const override { return "sleeps"; }
  const json& parameters() const override { return schema_; }
  tools::ToolResult invoke(const json& arguments) const override {
    const int now = ++running_;
    int seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(arguments.at("ms").get<int>()));
    --running_;
    if (arguments.at("ms").get<int>() == 13) return tools::ToolError{"unlucky", "13 fails", {}};
    return json{{"slept", arguments.at("ms")}, {"tracks", json::array({json{{"id", "t" + arguments.at("ms").dump()}}})}};
  }

 private:
  std::atomic<int>& running_;
  std::atomic<int>& peak_;
  json schema_ = json::parse(R"({"type": "object", "properties": {"ms": {"type": "integer", "minimum": 0}},
                               "required": ["ms"], "additionalProperties": false})");
};

struct Fixture {
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::shared_ptr<tools::ToolRegistry> registry = [this] {
    auto r = std::make_shared<tools::ToolRegistry>();
    r->add(std::make_unique<SleepTool>(running, peak));
    return r;
  }();
  std::vector<Event> events;
  EventSink sink() {
    return [this](const Event& e) { events.push_back(e); };
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(event_type(e));
    return out;
  }
};

TEST(AgentLoop, PlainAnswerStreamsTokensAndEndsTheTurn) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{text("Hello there")});
  Agent agent(model, f.registry, "system prompt");
  Conversation conversation{"c1", {}, 0};
  const auto outcome = agent.run_turn(conversation, "hi", f.sink(), CancellationToken{});
  EXPECT_EQ(outcome.stop_reason, "answered");
  EXPECT_EQ(outcome.answer, "Hello there");
  EXPECT_EQ(f.types(), (std::vector<std::string>{"turn_start", "token", "message", "turn_end"}));
  ASSERT_EQ(conversation.messages.size(), 2u);
  EXPECT_EQ(model->requests[0].messages[0].role, Role::system);
  EXPECT_EQ(model->requests[0].tools.size(), 1u);
  EXPECT_EQ(std::get<TurnEndEvent>(f.events.back()).usage.total_tokens, 15);
}

TEST(AgentLoop, RunsParallelCallsConcurrentlyAndAnswersEachIdInOrder) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{
      calls({{"a", "sleep", R"({"ms": 150})"}, {"b", "sleep", R"({"ms": 20})"}, {"c", "sleep", R"({"ms": 13})"}}),
      text("done")});
  Agent agent(model, f.registry, "sys");
  Conversation conversation{"c1", {}, 0};
  const auto outcome = agent.run_turn(conversation, "go", f.sink(), CancellationToken{});
  EXPECT_EQ(outcome.stop_reason, "answered");
  EXPECT_GE(f.peak.load(), 2);  // overlapped
  // user, assistant(calls), tool a, tool b, tool c, assistant
  ASSERT_EQ(conversation.messages.size(), 6u);
  EXPECT_EQ(conversation.messages[2].tool_call_id, "a");
  EXPECT_EQ(conversation.messages[3].tool_call_id, "b");
  EXPECT_EQ(conversation.messages[4].tool_call_id, "c");
  EXPECT_NE(conversation.messages[4].content.find("unlucky"), std::string::npos);
  ASSERT_EQ(outcome.tool_calls.size(), 3u);
  EXPECT_TRUE(outcome.tool_calls[0].ok);
  EXPECT_FALSE(outcome.tool_calls[2].ok);
  EXPECT_EQ(outcome.tool_calls[2].error_code, "unlucky");
  // The second request carries the tool results back to the model.
  ASSERT_EQ(model->requests.size(), 2u);
  EXPECT_EQ(model->requests[1].messages.back().role, Role::tool);
}

TEST(AgentLoop, FeedsInvalidJsonAndUnknownToolsBackToTheModel) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{
      calls({{"x", "sleep", R"({"ms": )"}, {"y", "no_such_tool", "{}"}, {"z", "sleep", R"({"ms": "slow"})"}}),
      text("sorry")});
  Agent agent(model, f.registry, "sys");
  Conversation conversation{"c1", {}, 0};
  const auto outcome = agent.run_turn(conversation, "go", f.sink(), CancellationToken{});
  ASSERT_EQ(outcome.tool_calls.size(), 3u);
  EXPECT_EQ(outcome.tool_calls[0].error_code, "invalid_json");
  EXPECT_EQ(outcome.tool_calls[1].error_code, "unknown_tool");
  EXPECT_EQ(outcome.tool_calls[2].error_code, "invalid_arguments");
  EXPECT_EQ(outcome.stop_reason, "answered");
}

TEST(AgentLoop, StopsAtTheStepLimitWithAStatedReason) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(
      std::deque<ChatResult>{calls({{"", "sleep", R"({"ms": 0})"}})});  // forever
  AgentSettings settings;
  settings.max_steps = 3;
  Agent agent(model, f.registry, "sys", settings);
  Conversation conversation{"c1", {}, 0};
  const auto outcome = agent.run_turn(conversation, "loop", f.sink(), CancellationToken{});
  EXPECT_EQ(outcome.stop_reason, "step_limit");
  EXPECT_EQ(model->requests.size(), 3u);
  EXPECT_NE(outcome.answer.find("3 model calls"), std::string::npos);
  // Missing ids were generated, and each is unique.
  std::set<std::string> ids;
  for (const auto& call : outcome.tool_calls) ids.insert(call.id);
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(conversation.messages.back().role, Role::assistant);
}

// The cap every door relies on (terminal, chat --once, HTTP, WebSocket): an over-long message
// is refused with an error naming the limit, before any model call, and leaves no turn behind.
TEST(AgentLoop, RefusesAMessageOverTheLimitBeforeCallingTheModel) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{text("ok")});
  AgentSettings settings;
  settings.max_message_chars = 100;
  Agent agent(model, f.registry, "sys", settings);
  Conversation conversation{"c1", {}, 0};
  const auto refused =
      agent.run_turn(conversation, std::string(100'000, 'a'), f.sink(), CancellationToken{});
  EXPECT_EQ(refused.stop_reason, "error");
  EXPECT_TRUE(model->requests.empty());
  EXPECT_TRUE(conversation.messages.empty());
  EXPECT_EQ(conversation.turns, 0);
  ASSERT_EQ(f.types(), (std::vector<std::string>{"error", "turn_end"}));
  const auto& error = std::get<ErrorEvent>(f.events.front());
  EXPECT_EQ(error.code, "too_long");
  EXPECT_NE(error.message.find("MUSICAGENT_MAX_MESSAGE_CHARS"), std::string::npos);
  // At the limit it is a turn like any other.
  const auto taken =
      agent.run_turn(conversation, std::string(100, 'a'), f.sink(), CancellationToken{});
  EXPECT_EQ(taken.stop_reason, "answered");
  EXPECT_EQ(conversation.turns, 1);
}

TEST(AgentLoop, CancellationLeavesAValidHistory) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{
      calls({{"a", "sleep", R"({"ms": 1})"}}), text("never")});
  Agent agent(model, f.registry, "sys");
  Conversation conversation{"c1", {}, 0};
  CancellationToken cancel;
  const auto outcome = agent.run_turn(
      conversation, "go",
      [&](const Event& e) {
        f.events.push_back(e);
        if (std::holds_alternative<ToolResultEvent>(e)) cancel.cancel();
      },
      cancel);
  EXPECT_EQ(outcome.stop_reason, "cancelled");
  ASSERT_EQ(conversation.messages.size(), 2u);  // the user message and a note
  EXPECT_EQ(conversation.messages[1].role, Role::assistant);
  EXPECT_TRUE(conversation.messages[1].tool_calls.empty());
}

TEST(AgentLoop, ModelErrorsBecomeErrorEvents) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{
      ChatError{ChatError::Kind::auth, "check OPENAI_API_KEY", 401}});
  Agent agent(model, f.registry, "sys");
  Conversation conversation{"c1", {}, 0};
  const auto outcome = agent.run_turn(conversation, "hi", f.sink(), CancellationToken{});
  EXPECT_EQ(outcome.stop_reason, "error");
  bool saw = false;
  for (const auto& e : f.events) {
    if (const auto* error = std::get_if<ErrorEvent>(&e)) {
      saw = true;
      EXPECT_EQ(error->code, "model_auth");
    }
  }
  EXPECT_TRUE(saw);
}

TEST(AgentContext, DropsWholeOldTurnsWithinTheBudgetAndSummarisesThem) {
  Fixture f;
  auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{text("ok")});
  AgentSettings settings;
  settings.context_budget_chars = 600;
  Agent agent(model, f.registry, "sys", settings);
  Conversation conversation{"c1", {}, 0};
  for (int i = 0; i < 10; ++i) {
    conversation.messages.push_back(ChatMessage::user("question " + std::to_string(i)));
    conversation.messages.push_back(ChatMessage::assistant("", {{"id" + std::to_string(i), "sleep", "{}"}}));
    conversation.messages.push_back(ChatMessage::tool("id" + std::to_string(i), "sleep", std::string(100, 'x')));
    conversation.messages.push_back(ChatMessage::assistant("answer " + std::to_string(i)));
  }
  const auto context = agent.context_for(conversation, "");
  ASSERT_GE(context.size(), 3u);
  EXPECT_EQ(context[0].role, Role::system);
  EXPECT_EQ(context[1].role, Role::system);
  EXPECT_NE(context[1].content.find("question 0"), std::string::npos);
  EXPECT_EQ(context[2].role, Role::user);  // a kept turn starts with its user message
  EXPECT_EQ(context.back().content, "answer 9");
  std::size_t size = 0;
  for (const auto& m : context) size += m.content.size();
  EXPECT_LT(size, 900u);
}

// Stands in for search_catalog: the retrieval note is built from its results.
class FakeSearch : public tools::Tool {
 public:
  std::string name() const override { return "search_catalog"; }
  std::string description() const override { return "search"; }
  const json& parameters() const override { return schema_; }
  tools::ToolResult invoke(const json& arguments) const override {
    last_query = arguments.at("query");
    return json{{"results", json::array({json{{"kind", "track"}, {"id", "t9"}, {"name", "Rainy Day Song"}}})}};
  }
  mutable std::string last_query;

 private:
  json schema_ = json::parse(R"({"type": "object", "properties": {"query": {"type": "string"},
      "limit": {"type": "integer"}}, "required": ["query"]})");
};

TEST(AgentContext, RetrievalHitsGoInAsContextWhenEnabled) {
  auto registry = std::make_shared<tools::ToolRegistry>();
  auto search = std::make_unique<FakeSearch>();
  const FakeSearch* probe = search.get();
  registry->add(std::move(search));
  for (std::size_t hits : {0u, 3u}) {
    auto model = std::make_shared<ScriptedModel>(std::deque<ChatResult>{text("ok")});
    AgentSettings settings;
    settings.retrieval_hits = hits;
    Agent agent(model, registry, "sys", settings);
    Conversation conversation{"c", {}, 0};
    agent.run_turn(conversation, "songs for a rainy day", [](const Event&) {}, CancellationToken{});
    const auto& sent = model->requests.at(0).messages;
    bool noted = false;
    for (const auto& m : sent) {
      noted = noted || (m.role == Role::system && m.content.find("Rainy Day Song") != std::string::npos);
    }
    EXPECT_EQ(noted, hits > 0);
    if (hits > 0) {
      EXPECT_EQ(probe->last_query, "songs for a rainy day");
    }
  }
}

TEST(Recommendations, ItemsOfEachToolResult) {
  const auto tracks = recommended_items("recommend_by_genre", json{{"tracks", json::array({json{{"id", "x"}}, json{{"id", "y"}}})}});
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(tracks[1].id, "y");
  EXPECT_EQ(tracks[1].rank, 2);
  const auto hits = recommended_items("search_catalog", json{{"results", json::array({json{{"kind", "artist"}, {"id", "ar_1"}}})}});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].kind, "artist");
  const auto artists = recommended_items("similar_artists", json{{"similar", json::array({json{{"artist_id", "ar_2"}}})}});
  ASSERT_EQ(artists.size(), 1u);
  EXPECT_EQ(artists[0].id, "ar_2");
  EXPECT_TRUE(recommended_items("warehouse_query", json{{"rows", json::array()}}).empty());
}

}  // namespace
}  // namespace musicagent::agent
