#include "agent/chat_types.hpp"

#include <stdexcept>

#include "agent/chat_model.hpp"

namespace musicagent::agent {
namespace {

// A message's content as text: a string, null, or an array of parts ({"type":"text","text"}).
std::string content_text(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_string()) {
        text += part.get<std::string>();
      } else if (part.is_object() && part.contains("text") && part.at("text").is_string()) {
        text += part.at("text").get<std::string>();
      }
    }
  }
  return text;
}

std::string string_or_empty(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return {};
  return found->get<std::string>();
}

}  // namespace

const char* to_string(Role role) {
  switch (role) {
    case Role::system:
      return "system";
    case Role::user:
      return "user";
    case Role::assistant:
      return "assistant";
    case Role::tool:
      return "tool";
  }
  return "user";
}

const char* to_string(ChatError::Kind kind) {
  switch (kind) {
    case ChatError::Kind::auth:
      return "auth";
    case ChatError::Kind::model_not_found:
      return "model_not_found";
    case ChatError::Kind::rate_limited:
      return "rate_limited";
    case ChatError::Kind::server:
      return "server";
    case ChatError::Kind::bad_request:
      return "bad_request";
    case ChatError::Kind::network:
      return "network";
    case ChatError::Kind::timeout:
      return "timeout";
    case ChatError::Kind::bad_response:
      return "bad_response";
    case ChatError::Kind::cancelled:
      return "cancelled";
  }
  return "unknown";
}

ChatMessage ChatMessage::system(std::string text) {
  ChatMessage message;
  message.role = Role::system;
  message.content = std::move(text);
  return message;
}

ChatMessage ChatMessage::user(std::string text) {
  ChatMessage message;
  message.role = Role::user;
  message.content = std::move(text);
  return message;
}

ChatMessage ChatMessage::assistant(std::string text, std::vector<ToolCall> calls) {
  ChatMessage message;
  message.role = Role::assistant;
  message.content = std::move(text);
  message.tool_calls = std::move(calls);
  return message;
}

ChatMessage ChatMessage::tool(std::string call_id, std::string tool_name, std::string content) {
  ChatMessage message;
  message.role = Role::tool;
  message.tool_call_id = std::move(call_id);
  message.name = std::move(tool_name);
  message.content = std::move(content);
  return message;
}

nlohmann::json ChatMessage::to_openai() const {
  nlohmann::json wire = {{"role", to_string(role)}};
  if (role == Role::assistant && !tool_calls.empty()) {
    // OpenAI wants null, not "", beside tool calls; some servers reject "".
    wire["content"] = content.empty() ? nlohmann::json(nullptr) : nlohmann::json(content);
    auto calls = nlohmann::json::array();
    for (const auto& call : tool_calls) {
      calls.push_back({{"id", call.id},
                       {"type", "function"},
                       {"function",
                        {{"name", call.name},
                         // Servers that replay arguments insist on JSON text.
                         {"arguments", call.arguments.empty() ? "{}" : call.arguments}}}});
    }
    wire["tool_calls"] = std::move(calls);
  } else {
    wire["content"] = content;
  }
  // The tool's name is not part of OpenAI's tool message; the call id links it.
  if (role == Role::tool) wire["tool_call_id"] = tool_call_id;
  return wire;
}

ChatMessage ChatMessage::from_openai(const nlohmann::json& message) {
  ChatMessage result;
  const auto role = message.at("role").get<std::string>();
  if (role == "system" || role == "developer") {
    result.role = Role::system;
  } else if (role == "user") {
    result.role = Role::user;
  } else if (role == "assistant") {
    result.role = Role::assistant;
  } else if (role == "tool") {
    result.role = Role::tool;
  } else {
    throw std::invalid_argument("unknown chat message role '" + role + "'");
  }
  if (const auto content = message.find("content"); content != message.end())
    result.content = content_text(*content);
  result.tool_call_id = string_or_empty(message, "tool_call_id");
  result.name = string_or_empty(message, "name");
  if (const auto calls = message.find("tool_calls"); calls != message.end() && calls->is_array()) {
    for (const auto& call : *calls) {
      ToolCall parsed;
      parsed.id = string_or_empty(call, "id");
      const auto function = call.find("function");
      if (function != call.end() && function->is_object()) {
        parsed.name = string_or_empty(*function, "name");
        const auto arguments = function->find("arguments");
        if (arguments != function->end()) {
          parsed.arguments =
              arguments->is_string() ? arguments->get<std::string>() : arguments->dump();
        }
      }
      result.tool_calls.push_back(std::move(parsed));
    }
  }
  return result;
}

nlohmann::json Usage::to_json() const {
  return {{"prompt_tokens", prompt_tokens},
          {"completion_tokens", completion_tokens},
          {"total_tokens", total_tokens}};
}

}  // namespace musicagent::agent
