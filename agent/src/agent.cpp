#include "agent/agent.hpp"

#include <chrono>
#include <future>
#include <stdexcept>

#include "agent/tool_call_ids.hpp"
#include "common/logging.hpp"
#include "common/text.hpp"

namespace musicagent::agent {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::size_t parse_size(const common::Environment& env, const std::string& name,
                       std::size_t fallback) {
  const auto value = env.get(name);
  if (!value || value->empty()) return fallback;
  try {
    std::size_t used = 0;
    const long long parsed = std::stoll(*value, &used);
    if (used == value->size() && parsed >= 0) return static_cast<std::size_t>(parsed);
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(name + " must be a non-negative whole number, got '" + *value + "'");
}

std::string error_code(ChatError::Kind kind) {
  switch (kind) {
    case ChatError::Kind::auth:
      return "model_auth";
    case ChatError::Kind::model_not_found:
      return "model_not_found";
    case ChatError::Kind::rate_limited:
      return "model_rate_limited";
    case ChatError::Kind::cancelled:
      return "cancelled";
    default:
      return "model_unavailable";
  }
}

// What one call produced, before it is reported in order.
struct CallOutcome {
  ToolCallRecord record;
  std::string content;  // the tool message for the model
};

std::string cut(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  return common::utf8_prefix(text, limit) + " ... [cut: the result was longer; ask for fewer items]";
}

CallOutcome run_call(const tools::ToolRegistry& registry, const ToolCall& call,
                     std::size_t max_chars) {
  CallOutcome out;
  out.record.id = call.id;
  out.record.name = call.name;
  const auto arguments = nlohmann::json::parse(call.arguments.empty() ? "{}" : call.arguments,
                                               nullptr, false);
  if (arguments.is_discarded() || !arguments.is_object()) {
    out.record.arguments = call.arguments;
    out.record.error_code = "invalid_json";
    const tools::ToolError error{
        "invalid_json",
        "the arguments of " + call.name + " are not a JSON object: " + cut(call.arguments, 200) +
            ". Send the arguments as one JSON object that matches the tool's schema."};
    out.record.result = error.to_json();
    out.content = out.record.result.dump();
    out.record.result_chars = out.content.size();
    return out;
  }
  auto outcome = registry.call(call.name, arguments);
  out.record.arguments = outcome.arguments.is_null() ? arguments : outcome.arguments;
  out.record.elapsed_ms = outcome.elapsed_ms;
  if (outcome.result.ok()) {
    out.record.ok = true;
    out.record.result = std::move(outcome.result.value());
  } else {
    out.record.error_code = outcome.result.error().code;
    out.record.result = outcome.result.error().to_json();
  }
  const std::string text = out.record.result.dump();
  out.record.result_chars = text.size();
  out.content = cut(text, max_chars);
  return out;
}

}  // namespace

AgentSettings AgentSettings::from_environment(const common::Environment& env) {
  AgentSettings settings;
  settings.max_steps = static_cast<int>(parse_size(env, "MUSICAGENT_MAX_STEPS", 6));
  if (settings.max_steps < 1) throw std::invalid_argument("MUSICAGENT_MAX_STEPS must be at least 1");
  settings.context_budget_chars =
      parse_size(env, "MUSICAGENT_CONTEXT_CHARS", settings.context_budget_chars);
  settings.max_tool_result_chars =
      parse_size(env, "MUSICAGENT_TOOL_RESULT_CHARS", settings.max_tool_result_chars);
  settings.retrieval_hits = parse_size(env, "MUSICAGENT_RETRIEVAL_HITS", 0);
  settings.max_message_chars = parse_size(env, "MUSICAGENT_MAX_MESSAGE_CHARS", settings.max_message_chars);
  if (settings.max_message_chars < 1)
    throw std::invalid_argument("MUSICAGENT_MAX_MESSAGE_CHARS must be at least 1");
  return settings;
}

Agent::Agent(std::shared_ptr<ChatModel> model, std::shared_ptr<const tools::ToolRegistry> tools,
             std::string system_prompt, AgentSettings settings)
    : model_(std::move(model)),
      tools_(std::move(tools)),
      system_prompt_(std::move(system_prompt)),
      settings_(settings),
      openai_tools_(tools_->openai_tools()) {}

std::vector<ChatMessage> Agent::context_for(const Conversation& conversation,
                                            const std::string& retrieval_note) const {
  const auto& messages = conversation.messages;
  // Turn boundaries: each user message starts a turn; cutting only there keeps every
  // assistant tool call next to its tool results.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role == Role::user) starts.push_back(i);
  }
  auto size_of = [](const ChatMessage& m) {
    std::size_t n = m.content.size() + 16;
    for (const auto& call : m.tool_calls) n += call.name.size() + call.arguments.size() + 32;
    return n;
  };
  std::size_t total = system_prompt_.size() + retrieval_note.size();
  for (const auto& m : messages) total += size_of(m);

  std::size_t first = 0;
  std::size_t dropped_turns = 0;
  // Keep at least the latest turn whatever its size.
  while (total > settings_.context_budget_chars && dropped_turns + 1 < starts.size()) {
    const std::size_t next = starts[dropped_turns + 1];
    for (std::size_t i = first; i < next; ++i) total -= size_of(messages[i]);
    first = next;
    ++dropped_turns;
  }

  std::vector<ChatMessage> out;
  out.reserve(messages.size() - first + 3);
  out.push_back(ChatMessage::system(system_prompt_));
  if (dropped_turns > 0) {
    std::string summary = "Earlier in this conversation (" + std::to_string(dropped_turns) +
                          " older turns left out to fit the context) the user asked:";
    for (std::size_t t = 0; t < dropped_turns; ++t) {
      summary += "\n- " + cut(messages[starts[t]].content, 160);
    }
    out.push_back(ChatMessage::system(std::move(summary)));
  }
  if (!retrieval_note.empty()) out.push_back(ChatMessage::system(retrieval_note));
  for (std::size_t i = first; i < messages.size(); ++i) out.push_back(messages[i]);
  return out;
}

std::string Agent::retrieval_note(const std::string& user_text) const {
  if (settings_.retrieval_hits == 0 || tools_->find("search_catalog") == nullptr) return {};
  const auto outcome = tools_->call(
      "search_catalog", {{"query", user_text}, {"limit", settings_.retrieval_hits}});
  if (!outcome.result.ok()) return {};
  const auto& results = outcome.result.value().value("results", nlohmann::json::array());
  if (results.empty()) return {};
  std::string note =
      "Catalogue entries that may be relevant to the user's message (from search_catalog; "
      "use them only if they fit):";
  for (const auto& hit : results) {
    note += "\n- " + hit.value("kind", std::string()) + " " + hit.value("id", std::string()) +
            ": " + hit.value("name", std::string());
  }
  return note;
}

std::string Agent::refusal(const std::string& user_text) const {
  if (user_text.size() <= settings_.max_message_chars) return {};
  return "the message is " + std::to_string(user_text.size()) + " bytes; at most " +
         std::to_string(settings_.max_message_chars) +
         " are taken (MUSICAGENT_MAX_MESSAGE_CHARS): shorten it or split it into several messages";
}

TurnOutcome Agent::run_turn(Conversation& conversation, const std::string& user_text,
                            const EventSink& sink, const CancellationToken& cancel) const {
  const auto turn_start = Clock::now();
  TurnOutcome outcome;
  if (const auto why = refusal(user_text); !why.empty()) {
    outcome.stop_reason = "error";
    outcome.first_new_message = conversation.messages.size();
    sink(ErrorEvent{"too_long", why});
    outcome.timings.total_ms = ms_since(turn_start);
    sink(TurnEndEvent{outcome.usage, outcome.timings, 0, 0, outcome.stop_reason});
    return outcome;
  }
  outcome.turn = ++conversation.turns;
  outcome.first_new_message = conversation.messages.size();
  sink(TurnStartEvent{conversation.id, outcome.turn, model_->describe(), model_->offline()});

  conversation.messages.push_back(ChatMessage::user(user_text));
  const std::string note = retrieval_note(user_text);
  double model_ms = 0;
  double tool_ms = 0;

  auto finish = [&](std::string reason, std::string answer) {
    outcome.stop_reason = std::move(reason);
    outcome.answer = std::move(answer);
    outcome.timings.total_ms = ms_since(turn_start);
    outcome.timings.model_ms = model_ms;
    outcome.timings.tool_ms = tool_ms;
    outcome.timings.overhead_ms = std::max(0.0, outcome.timings.total_ms - model_ms - tool_ms);
    sink(TurnEndEvent{outcome.usage, outcome.timings, outcome.steps,
                      static_cast<int>(outcome.tool_calls.size()), outcome.stop_reason});
    return outcome;
  };
  // A turn that cannot finish drops its unfinished exchange and leaves a short note, so the
  // history stays valid for the next turn.
  auto abandon = [&](std::string reason, std::string code, std::string message) {
    conversation.messages.resize(outcome.first_new_message + 1);
    std::string note_text = reason == "cancelled" ? "(The answer was cancelled.)"
                                                  : "(No answer: " + message + ")";
    conversation.messages.push_back(ChatMessage::assistant(note_text));
    sink(ErrorEvent{std::move(code), std::move(message)});
    return finish(std::move(reason), std::string());
  };

  ToolCallIds ids;
  for (const auto& m : conversation.messages) {
    for (const auto& call : m.tool_calls) ids.remember(call.id);
  }

  while (outcome.steps < settings_.max_steps) {
    if (cancel.cancelled()) return abandon("cancelled", "cancelled", "the turn was cancelled");
    ChatRequest request{context_for(conversation, note), openai_tools_};
    ++outcome.steps;
    const auto model_start = Clock::now();
    auto reply = model_->complete(
        request, [&](std::string_view text) { sink(TokenEvent{std::string(text)}); }, cancel);
    model_ms += ms_since(model_start);
    if (!reply.ok()) {
      const auto& error = reply.error();
      if (error.kind == ChatError::Kind::cancelled || cancel.cancelled()) {
        return abandon("cancelled", "cancelled", "the turn was cancelled");
      }
      return abandon("error", error_code(error.kind), error.message);
    }
    ChatReply answer = std::move(reply.value());
    outcome.usage.prompt_tokens += answer.usage.prompt_tokens;
    outcome.usage.completion_tokens += answer.usage.completion_tokens;
    outcome.usage.total_tokens += answer.usage.total_tokens;

    if (answer.tool_calls.empty()) {
      conversation.messages.push_back(ChatMessage::assistant(answer.content));
      sink(MessageEvent{answer.content});
      return finish("answered", std::move(answer.content));
    }

    // Ids must be present and unique within the conversation, or results cannot be matched.
    for (auto& call : answer.tool_calls) call.id = ids.claim(call.id);
    conversation.messages.push_back(ChatMessage::assistant(answer.content, answer.tool_calls));
    for (const auto& call : answer.tool_calls) {
      auto parsed = nlohmann::json::parse(call.arguments.empty() ? "{}" : call.arguments, nullptr,
                                          false);
      sink(ToolCallEvent{call.id, call.name,
                         parsed.is_discarded() ? nlohmann::json(call.arguments) : parsed});
    }

    const auto tools_start = Clock::now();
    std::vector<CallOutcome> results;
    if (answer.tool_calls.size() == 1) {
      results.push_back(run_call(*tools_, answer.tool_calls[0], settings_.max_tool_result_chars));
    } else {
      std::vector<std::future<CallOutcome>> pending;
      for (const auto& call : answer.tool_calls) {
        pending.push_back(std::async(std::launch::async, [this, &call] {
          return run_call(*tools_, call, settings_.max_tool_result_chars);
        }));
      }
      for (auto& p : pending) results.push_back(p.get());
    }
    tool_ms += ms_since(tools_start);

    for (auto& result : results) {
      auto& record = result.record;
      sink(ToolResultEvent{record.id, record.name, record.ok,
                           record.ok ? record.result : nlohmann::json(),
                           record.ok ? nlohmann::json() : record.result.value("error", record.result),
                           record.elapsed_ms});
      conversation.messages.push_back(
          ChatMessage::tool(record.id, record.name, std::move(result.content)));
      outcome.tool_calls.push_back(std::move(record));
    }
  }

  const std::string reason = "stopped after " + std::to_string(settings_.max_steps) +
                             " model calls without a final answer (MUSICAGENT_MAX_STEPS)";
  common::logger("agent")->warn("conversation {}: {}", conversation.id, reason);
  // The tool results stay in the history: they are complete exchanges, and useful next turn.
  const std::string answer_text =
      "I could not finish this request: I " + reason + ". Please rephrase or narrow it.";
  conversation.messages.push_back(ChatMessage::assistant(answer_text));
  sink(ErrorEvent{"step_limit", reason});
  sink(MessageEvent{answer_text});
  return finish("step_limit", answer_text);
}

}  // namespace musicagent::agent
