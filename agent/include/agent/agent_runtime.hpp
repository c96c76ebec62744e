#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "agent/chat_session.hpp"
#include "agent/session_store.hpp"
#include "common/config.hpp"
#include "common/connection_pool.hpp"
#include "tools/tool_registry.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::agent {

// Everything a door (terminal, web, evaluation) needs to hold conversations: the model
// (an OpenAI-compatible endpoint, or the offline planner when none is configured), the tools,
// the system prompt and the session store.
struct AgentRuntime {
  common::Config config;
  std::shared_ptr<common::ConnectionPool> database;
  std::shared_ptr<const tools::ToolRegistry> tools;
  std::shared_ptr<SessionStore> sessions;
  // Shared by every session open() makes: one turn at a time per conversation.
  std::shared_ptr<ConversationLocks> conversation_locks = std::make_shared<ConversationLocks>();
  std::shared_ptr<const Agent> agent;

  // A new conversation, or the stored one with this id (std::invalid_argument if unknown).
  ChatSession open(const std::string& conversation_id = {}) const;
};

struct RuntimeOptions {
  AgentSettings agent;
  std::shared_ptr<ChatModel> model;  // null: from the settings (endpoint or offline planner)
};

AgentRuntime make_runtime(const common::Config& config, RuntimeOptions options);

// The model the settings ask for: OpenAIChatClient when OPENAI_BASE_URL is set, else the
// offline planner over the tools' understanding of the catalogue.
std::shared_ptr<ChatModel> make_chat_model(const common::Config& config,
                                           const tools::ToolServices& services);

// prompts/<name>; throws naming the file when it is missing or empty.
std::string load_prompt(const std::filesystem::path& prompts_dir, const std::string& name);

}  // namespace musicagent::agent
