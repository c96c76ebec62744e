#include "agent/offline_planner.hpp"

#include <cctype>
#include <map>

#include "agent/answer_writer.hpp"
#include "agent/planner_intents.hpp"
#include "common/text.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

std::optional<std::size_t> last_user(const std::vector<ChatMessage>& messages) {
  for (std::size_t i = messages.size(); i-- > 0;) {
    if (messages[i].role == Role::user) return i;
  }
  return std::nullopt;
}

json parse_or_null(const std::string& text) {
  auto parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json() : parsed;
}

// Follow-ups refer to what earlier turns showed: the latest recommendation and track list.
PlannerMemory remember(const std::vector<ChatMessage>& messages, std::size_t end) {
  PlannerMemory memory;
  std::map<std::string, ToolCall> calls;
  for (std::size_t i = 0; i < end; ++i) {
    const auto& m = messages[i];
    for (const auto& call : m.tool_calls) calls[call.id] = call;
    if (m.role != Role::tool) continue;
    const auto found = calls.find(m.tool_call_id);
    if (found == calls.end()) continue;
    const json result = parse_or_null(m.content);
    if (!result.is_object() || result.contains("error")) continue;
    const std::string& tool = found->second.name;
    const json* tracks = nullptr;
    if (tool == "recommend_by_genre") {
      memory.last_recommendation = PlannedCall{tool, parse_or_null(found->second.arguments)};
      if (memory.last_recommendation->arguments.is_object()) {
        memory.last_recommendation->arguments.erase("exclude_track_ids");
      }
    }
    if ((tool == "recommend_by_genre" || tool == "similar_tracks") && result.contains("tracks")) {
      tracks = &result["tracks"];
    } else if (tool == "lookup_artist" && result.contains("top_tracks")) {
      tracks = &result["top_tracks"];
    }
    if (tracks != nullptr && tracks->is_array() && !tracks->empty()) {
      memory.last_tracks.assign(tracks->begin(), tracks->end());
      for (const auto& t : *tracks) {
        if (t.contains("id")) memory.shown_track_ids.push_back(t["id"].get<std::string>());
      }
    }
  }
  return memory;
}

std::string call_id(std::size_t message_count, std::size_t index) {
  return "call_" + std::to_string(message_count) + "_" + std::to_string(index);
}

ChatReply call_tools(const std::vector<PlannedCall>& planned, std::size_t message_count) {
  ChatReply reply;
  reply.finish_reason = "tool_calls";
  reply.model = "offline-planner";
  for (std::size_t i = 0; i < planned.size(); ++i) {
    reply.tool_calls.push_back({call_id(message_count, i), planned[i].tool,
                                planned[i].arguments.dump()});
  }
  return reply;
}

// One retry with another tool when the first one found nothing: a title that is really an
// artist ("songs like Radiohead"), an artist name that is not in the warehouse.
std::optional<PlannedCall> fallback(const ToolCall& call, const json& result) {
  if (!result.is_object()) return std::nullopt;
  const json arguments = parse_or_null(call.arguments);
  // "songs like Radiohead": no track has that title, and the closest title ("Radio") is not
  // what was meant; the name may be an artist's.
  if (call.name == "similar_tracks" && !result.contains("error") && arguments.contains("track")) {
    const std::string asked = common::ascii_lower(arguments["track"].get<std::string>());
    const std::string found = common::ascii_lower(result.value("track", json::object()).value("name", std::string()));
    if (asked.find(" by ") == std::string::npos && found != asked &&
        asked.rfind(found + " ", 0) != 0) {
      return PlannedCall{"similar_artists", json{{"artist", arguments["track"]}}};
    }
    return std::nullopt;
  }
  if (!result.contains("error")) return std::nullopt;
  if (result["error"].value("code", std::string()) != "not_found") return std::nullopt;
  if (call.name == "similar_tracks" && arguments.contains("track")) {
    return PlannedCall{"similar_artists", json{{"artist", arguments["track"]}}};
  }
  if (call.name == "lookup_artist" && arguments.contains("name")) {
    return PlannedCall{"search_catalog",
                       json{{"query", arguments["name"]}, {"kind", "artists"}, {"limit", 5}}};
  }
  return std::nullopt;
}

}  // namespace

const char* OfflinePlanner::offline_notice() {
  return "Running without a language model: answers come from a built-in planner. Set "
         "OPENAI_BASE_URL (and OPENAI_API_KEY, MUSICAGENT_MODEL) to use one.";
}

ChatResult OfflinePlanner::complete(const ChatRequest& request, const TokenSink& on_token,
                                    const CancellationToken& cancel) {
  if (cancel.cancelled()) return ChatError{ChatError::Kind::cancelled, "cancelled", 0};
  const auto& messages = request.messages;
  const auto user = last_user(messages);
  if (!user) return ChatError{ChatError::Kind::bad_request, "no user message to answer", 0};

  // This turn's tool exchanges so far, each the results of one assistant message.
  std::vector<std::vector<std::pair<ToolCall, json>>> exchanges_results;
  std::map<std::string, ToolCall> calls;
  for (std::size_t i = *user + 1; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.role == Role::assistant && !m.tool_calls.empty()) {
      exchanges_results.emplace_back();
      for (const auto& call : m.tool_calls) calls[call.id] = call;
    }
    if (m.role == Role::tool && calls.count(m.tool_call_id) && !exchanges_results.empty()) {
      exchanges_results.back().emplace_back(calls[m.tool_call_id], parse_or_null(m.content));
    }
  }
  const std::size_t exchanges = exchanges_results.size();
  auto failed = [](const std::vector<std::pair<ToolCall, json>>& exchange) {
    for (const auto& [call, result] : exchange) {
      if (!result.is_object() || !result.contains("error")) return false;
    }
    return true;
  };
  // Answer from the latest exchange, unless the fallback found nothing where the first
  // call found something.
  std::vector<std::pair<ToolCall, json>> results;
  if (exchanges > 0) {
    results = exchanges_results.back();
    if (exchanges == 2 && failed(results) && !failed(exchanges_results.front())) {
      results = exchanges_results.front();
    }
  }

  std::string text;
  if (exchanges == 0) {
    const Plan plan = plan_request(messages[*user].content, genres_, remember(messages, *user));
    if (!plan.calls.empty()) return call_tools(plan.calls, messages.size());
    text = plan.reply;
  } else {
    if (exchanges == 1 && results.size() == 1) {
      if (auto next = fallback(results[0].first, results[0].second)) {
        return call_tools({*next}, messages.size());
      }
    }
    for (const auto& [call, result] : results) {
      if (!text.empty()) text += "\n\n";
      text += result.is_null()
                  ? "The " + call.name + " result was too long to read back; ask for fewer items."
                  : write_answer(call.name, parse_or_null(call.arguments), result);
    }
  }

  bool answered_before = false;
  for (std::size_t i = 0; i < *user; ++i) {
    if (messages[i].role == Role::assistant) answered_before = true;
  }
  if (!answered_before) text += std::string("\n\n_") + offline_notice() + "_";

  // Streamed a few words at a time, like a model, so every door renders it the same way.
  std::size_t start = 0;
  int words = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ' ' && ++words % 4 == 0)) {
      if (cancel.cancelled()) return ChatError{ChatError::Kind::cancelled, "cancelled", 0};
      if (i > start) on_token(std::string_view(text).substr(start, i - start));
      start = i;
    }
  }
  ChatReply reply;
  reply.content = std::move(text);
  reply.finish_reason = "stop";
  reply.model = "offline-planner";
  return reply;
}

}  // namespace musicagent::agent
