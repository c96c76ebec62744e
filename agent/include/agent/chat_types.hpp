#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musicagent::agent {

// A function call the model asked for. `arguments` is the JSON text exactly as the model sent
// it: it may be invalid, and the agent loop (not the client) reports that back to the model.
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;
};

enum class Role { system, user, assistant, tool };
const char* to_string(Role role);

struct ChatMessage {
  Role role = Role::user;
  std::string content;
  std::vector<ToolCall> tool_calls;  // assistant messages that call tools
  std::string tool_call_id;          // tool messages: the call they answer
  std::string name;                  // tool messages: the tool's name

  static ChatMessage system(std::string text);
  static ChatMessage user(std::string text);
  static ChatMessage assistant(std::string text, std::vector<ToolCall> calls = {});
  static ChatMessage tool(std::string call_id, std::string tool_name, std::string content);

  // The chat-completions wire form ({"role", "content", "tool_calls", "tool_call_id"}).
  nlohmann::json to_openai() const;
  static ChatMessage from_openai(const nlohmann::json& message);
};

struct Usage {
  long prompt_tokens = 0;
  long completion_tokens = 0;
  long total_tokens = 0;
  nlohmann::json to_json() const;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  nlohmann::json tools = nlohmann::json::array();  // OpenAI function tools; empty: none
};

struct ChatReply {
  std::string content;
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;  // stop, tool_calls, length, ...; empty when the server sent none
  Usage usage;
  std::string model;  // as the server reported it
};

}  // namespace musicagent::agent
