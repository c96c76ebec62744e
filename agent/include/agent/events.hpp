#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "agent/chat_types.hpp"

namespace musicagent::agent {

// The typed event stream of one turn (DESIGN.md), the same for every door: the terminal
// prints it, the WebSocket sends it as JSON frames, the evaluation harness scores it.

struct TurnStartEvent {
  std::string conversation_id;
  int turn = 0;  // 1-based within the conversation
  std::string model;
  bool offline = false;
};

struct TokenEvent {
  std::string text;
};

struct ToolCallEvent {
  std::string id;
  std::string name;
  nlohmann::json arguments;  // parsed; the raw text when the model sent invalid JSON
};

struct ToolResultEvent {
  std::string id;
  std::string name;
  bool ok = false;
  nlohmann::json result;  // the tool's result when ok
  nlohmann::json error;   // {"code", "message", ...} when not ok
  double elapsed_ms = 0;
};

struct MessageEvent {
  std::string text;  // the assistant's whole answer for this turn
};

struct ErrorEvent {
  std::string code;  // model_auth, model_unavailable, step_limit, cancelled, internal, ...
  std::string message;
};

struct TurnTimings {
  double total_ms = 0;
  double model_ms = 0;
  double tool_ms = 0;     // wall time spent waiting for tools (parallel calls overlap)
  double overhead_ms = 0; // total minus model and tool time: the loop's own cost
};

struct TurnEndEvent {
  Usage usage;
  TurnTimings timings;
  int steps = 0;            // model calls in this turn
  int tool_calls = 0;
  std::string stop_reason;  // answered | step_limit | cancelled | error
};

using Event = std::variant<TurnStartEvent, TokenEvent, ToolCallEvent, ToolResultEvent,
                           MessageEvent, ErrorEvent, TurnEndEvent>;

using EventSink = std::function<void(const Event&)>;

// "turn_start", "token", "tool_call", "tool_result", "message", "error", "turn_end".
const char* event_type(const Event& event);

// {"type": ..., fields...}: the wire form for JSON lines and WebSocket frames.
nlohmann::json to_json(const Event& event);

}  // namespace musicagent::agent
