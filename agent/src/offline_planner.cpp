#include "agent/offline_planner.hpp"

#include <map>

#include "agent/answer_writer.hpp"
#include "agent/planner.hpp"
#include "common/logging.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

std::optional<std::size_t> last_user(const std::vector<ChatMessage>& messages) {
  for (std::size_t i = messages.size(); i-- > 0;) {
    if (messages[i].role == Role::user) return i;
  }
  return std::nullopt;
}

std::string call_id(std::size_t message_count, std::size_t index) {
  return "call_" + std::to_string(message_count) + "_" + std::to_string(index);
}

ChatReply call_tools(const std::vector<PlannedCall>& planned, std::size_t message_count) {
  ChatReply reply;
  reply.finish_reason = "tool_calls";
  reply.model = "offline-planner";
  for (std::size_t i = 0; i < planned.size(); ++i) {
    reply.tool_calls.push_back({call_id(message_count, i), planned[i].tool, planned[i].arguments.dump()});
  }
  return reply;
}

bool not_found(const json& result) {
  return result.is_object() && result.contains("error") &&
         result["error"].value("code", std::string()) == "not_found";
}

// One retry with another tool when the first found nothing: a name the catalogue does not
// know goes to the catalogue search, which also reads descriptions.
std::optional<PlannedCall> fallback(const ToolCall& call, const json& result, const std::string& user_text) {
  if (!not_found(result)) return std::nullopt;
  const json arguments = parse_or_null(call.arguments);
  if (call.name == "lookup_artist" && arguments.contains("name")) {
    return PlannedCall{"search_catalog", json{{"query", arguments["name"]}, {"kind", "artists"}, {"limit", 5}}};
  }
  if (call.name == "recommend_from_seeds" || call.name == "similar_tracks" || call.name == "similar_artists") {
    return PlannedCall{"search_catalog", json{{"query", user_text}, {"kind", "any"}, {"limit", 10}}};
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
  const std::string& user_text = messages[*user].content;

  // This turn's tool exchanges so far, each the results of one assistant message.
  std::vector<std::vector<std::pair<ToolCall, json>>> exchanges;
  std::map<std::string, ToolCall> calls;
  for (std::size_t i = *user + 1; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.role == Role::assistant && !m.tool_calls.empty()) {
      exchanges.emplace_back();
      for (const auto& call : m.tool_calls) calls[call.id] = call;
    }
    if (m.role == Role::tool && calls.count(m.tool_call_id) && !exchanges.empty()) {
      exchanges.back().emplace_back(calls[m.tool_call_id], parse_or_null(m.content));
    }
  }

  std::string text;
  std::shared_ptr<const understanding::Understanding> understood;
  try {
    understood = understanding_->get();
  } catch (const std::exception& e) {
    common::logger("agent")->warn("offline planner: {}", e.what());
    text = std::string("I can't read the catalogue yet: ") + e.what();
  }
  if (understood) {
    const auto parse = understood->parser->parse(user_text);
    const Plan plan = agent::plan(parse, *understood->parser, remember(messages, *user));
    if (exchanges.empty()) {
      if (!plan.calls.empty()) return call_tools(plan.calls, messages.size());
      text = plan.reply;
    } else {
      // Answer from the latest exchange, unless the fallback found nothing where the first
      // call found something.
      auto results = exchanges.back();
      auto failed = [](const std::vector<std::pair<ToolCall, json>>& exchange) {
        for (const auto& [call, result] : exchange) {
          if (!result.is_object() || !result.contains("error")) return false;
        }
        return true;
      };
      if (exchanges.size() == 2 && failed(results) && !failed(exchanges.front())) results = exchanges.front();
      if (exchanges.size() == 1) {
        std::vector<PlannedCall> retries;
        for (const auto& [call, result] : results) {
          if (auto next = fallback(call, result, user_text)) retries.push_back(*next);
        }
        if (!retries.empty() && retries.size() == results.size()) return call_tools(retries, messages.size());
      }
      AnswerContext context{parse, plan.reply};
      for (const auto& [call, result] : results) {
        if (!text.empty()) text += "\n\n";
        text += result.is_null() ? "The " + call.name + " result was too long to read back; ask for fewer items."
                                 : write_answer(call.name, parse_or_null(call.arguments), result, context);
      }
      if (!plan.reply.empty()) text = plan.reply + "\n\n" + text;
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
