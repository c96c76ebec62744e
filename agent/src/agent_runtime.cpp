#include "agent/agent_runtime.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "agent/offline_planner.hpp"
#include "agent/openai_chat_client.hpp"
#include "common/logging.hpp"
#include "tools/default_tools.hpp"

namespace musicagent::agent {

std::string load_prompt(const std::filesystem::path& prompts_dir, const std::string& name) {
  const auto path = prompts_dir / name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the prompt " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find_first_not_of(" \t\r\n") == std::string::npos) {
    throw std::runtime_error("the prompt " + path.string() + " is empty");
  }
  return text.str();
}

std::shared_ptr<ChatModel> make_chat_model(const common::Config& config,
                                           const tools::ToolServices& services) {
  if (config.openai_base_url.empty()) return std::make_shared<OfflinePlanner>(services.understanding);
  return std::make_shared<OpenAIChatClient>(ChatSettings::from_config(config));
}

AgentRuntime make_runtime(const common::Config& config, RuntimeOptions options) {
  auto services = tools::ToolServices::from_config(config);
  AgentRuntime runtime;
  runtime.config = config;
  runtime.database = services.database;
  runtime.tools =
      std::make_shared<const tools::ToolRegistry>(tools::make_default_registry(services));
  runtime.sessions = std::make_shared<PostgresSessionStore>(services.database);
  auto model = options.model ? options.model : make_chat_model(config, services);
  runtime.agent = std::make_shared<const Agent>(
      std::move(model), runtime.tools, load_prompt(config.home / "prompts", "system.md"),
      options.agent);
  return runtime;
}

ChatSession AgentRuntime::open(const std::string& conversation_id) const {
  if (conversation_id.empty()) {
    return ChatSession(agent, sessions, sessions->create(agent->model().describe()), conversation_locks);
  }
  auto stored = sessions->load(conversation_id);
  if (!stored) {
    throw std::invalid_argument("no conversation with id " + conversation_id +
                                " (see `musicagent chat --list`)");
  }
  return ChatSession(agent, sessions, std::move(*stored), conversation_locks);
}

}  // namespace musicagent::agent
