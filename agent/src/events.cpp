#include "agent/events.hpp"

namespace musicagent::agent {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace

const char* event_type(const Event& event) {
  return std::visit(
      Overloaded{
          [](const TurnStartEvent&) { return "turn_start"; },
          [](const TokenEvent&) { return "token"; },
          [](const ToolCallEvent&) { return "tool_call"; },
          [](const ToolResultEvent&) { return "tool_result"; },
          [](const MessageEvent&) { return "message"; },
          [](const ErrorEvent&) { return "error"; },
          [](const TurnEndEvent&) { return "turn_end"; },
      },
      event);
}

nlohmann::json to_json(const Event& event) {
  nlohmann::json out = std::visit(
      Overloaded{
          [](const TurnStartEvent& e) {
            return nlohmann::json{{"conversation_id", e.conversation_id},
                                  {"turn", e.turn},
                                  {"model", e.model},
                                  {"offline", e.offline}};
          },
          [](const TokenEvent& e) { return nlohmann::json{{"text", e.text}}; },
          [](const ToolCallEvent& e) {
            return nlohmann::json{{"id", e.id}, {"name", e.name}, {"arguments", e.arguments}};
          },
          [](const ToolResultEvent& e) {
            nlohmann::json j{{"id", e.id}, {"name", e.name}, {"ok", e.ok}, {"ms", e.elapsed_ms}};
            if (e.ok) {
              j["result"] = e.result;
            } else {
              j["error"] = e.error;
            }
            return j;
          },
          [](const MessageEvent& e) { return nlohmann::json{{"text", e.text}}; },
          [](const ErrorEvent& e) {
            return nlohmann::json{{"code", e.code}, {"message", e.message}};
          },
          [](const TurnEndEvent& e) {
            return nlohmann::json{{"usage", e.usage.to_json()},
                                  {"timings",
                                   {{"total_ms", e.timings.total_ms},
                                    {"model_ms", e.timings.model_ms},
                                    {"tool_ms", e.timings.tool_ms},
                                    {"overhead_ms", e.timings.overhead_ms}}},
                                  {"steps", e.steps},
                                  {"tool_calls", e.tool_calls},
                                  {"stop_reason", e.stop_reason}};
          },
      },
      event);
  out["type"] = event_type(event);
  return out;
}

}  // namespace musicagent::agent
