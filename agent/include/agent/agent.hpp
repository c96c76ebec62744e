#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/cancellation.hpp"
#include "agent/chat_model.hpp"
#include "agent/events.hpp"
#include "common/environment.hpp"
#include "tools/tool_registry.hpp"

namespace musicagent::agent {

struct AgentSettings {
  int max_steps = 6;  // model calls per turn before the loop stops with a stated reason
  // A rough budget for what is sent to the model (about 4 characters per token). Older turns
  // are dropped whole, with a one-line summary, so a tool exchange is never cut in half.
  std::size_t context_budget_chars = 48000;
  std::size_t max_tool_result_chars = 12000;  // longer tool results are cut for the model
  std::size_t retrieval_hits = 0;  // >0: the top catalogue hits for the message go in as context
  // The longest message a turn takes, in bytes; every door refuses longer ones with this limit.
  std::size_t max_message_chars = 4000;

  // MUSICAGENT_MAX_STEPS, MUSICAGENT_CONTEXT_CHARS, MUSICAGENT_TOOL_RESULT_CHARS,
  // MUSICAGENT_RETRIEVAL_HITS, MUSICAGENT_MAX_MESSAGE_CHARS. Throws std::invalid_argument naming a
  // malformed value.
  static AgentSettings from_environment(const common::Environment& env);
};

// What the agent remembers of a conversation: its id and every message after the system
// prompt, in wire order.
struct Conversation {
  std::string id;
  std::vector<ChatMessage> messages;
  int turns = 0;
};

// One tool call as it happened, for the audit trail and recommendation records.
struct ToolCallRecord {
  std::string id;
  std::string name;
  nlohmann::json arguments;
  bool ok = false;
  nlohmann::json result;  // the whole result when ok
  std::string error_code;
  std::size_t result_chars = 0;
  double elapsed_ms = 0;
};

struct TurnOutcome {
  int turn = 0;
  std::string answer;
  std::string stop_reason;  // answered | step_limit | cancelled | error
  std::size_t first_new_message = 0;  // index in Conversation::messages of this turn's user message
  std::vector<ToolCallRecord> tool_calls;
  Usage usage;
  TurnTimings timings;
  int steps = 0;
};

// The agent loop: sends the conversation to the model with the tools, runs every tool call
// of a reply (parallel calls concurrently), answers each tool_call_id in order, feeds errors
// back to the model, and stops on an answer, the step limit, an error or cancellation.
class Agent {
 public:
  Agent(std::shared_ptr<ChatModel> model, std::shared_ptr<const tools::ToolRegistry> tools,
        std::string system_prompt, AgentSettings settings = {});

  // Appends the turn's messages to `conversation` and emits its events to `sink`. A cancelled
  // or failed turn leaves the user message and a short assistant note, never a half tool
  // exchange, so the conversation can go on. A message longer than max_message_chars is refused
  // (an error event "too_long", stop reason "error") and leaves the conversation as it was.
  TurnOutcome run_turn(Conversation& conversation, const std::string& user_text,
                       const EventSink& sink, const CancellationToken& cancel) const;

  const ChatModel& model() const { return *model_; }
  const tools::ToolRegistry& tools() const { return *tools_; }
  const AgentSettings& settings() const { return settings_; }
  // Why a message cannot be a turn ("the message is N bytes; at most M ..."), or empty.
  std::string refusal(const std::string& user_text) const;

  // The messages sent to the model for `conversation`: system prompt, an optional retrieval
  // note, and as many recent whole turns as the budget allows.
  std::vector<ChatMessage> context_for(const Conversation& conversation,
                                       const std::string& retrieval_note) const;

 private:
  std::string retrieval_note(const std::string& user_text) const;

  std::shared_ptr<ChatModel> model_;
  std::shared_ptr<const tools::ToolRegistry> tools_;
  std::string system_prompt_;
  AgentSettings settings_;
  nlohmann::json openai_tools_;
};

}  // namespace musicagent::agent
