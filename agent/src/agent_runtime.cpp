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

std::vector<std::string> load_genres(common::ConnectionPool& database) {
  std::vector<std::string> genres;
  try {
    auto connection = database.lease();
    pqxx::read_transaction tx(*connection);
    for (const auto& row : tx.exec("select genre from marts.dim_genres order by genre")) {
      genres.push_back(row[0].as<std::string>());
    }
  } catch (const std::exception& e) {
    common::logger("agent")->warn(
        "the offline planner cannot read marts.dim_genres ({}); genre requests will go to "
        "the catalogue search. Run `musicagent pipeline run`.",
        e.what());
  }
  return genres;
}

std::shared_ptr<ChatModel> make_chat_model(const common::Config& config,
                                           common::ConnectionPool& database) {
  if (config.openai_base_url.empty()) {
    return std::make_shared<OfflinePlanner>(load_genres(database));
  }
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
  auto model = options.model ? options.model : make_chat_model(config, *services.database);
  runtime.agent = std::make_shared<const Agent>(
      std::move(model), runtime.tools, load_prompt(config.home / "prompts", "system.md"),
      options.agent);
  return runtime;
}

ChatSession AgentRuntime::open(const std::string& conversation_id) const {
  if (conversation_id.empty()) {
    return ChatSession(agent, sessions, sessions->create(agent->model().describe()));
  }
  auto stored = sessions->load(conversation_id);
  if (!stored) {
    throw std::invalid_argument("no conversation with id " + conversation_id +
                                " (see `musicagent chat --list`)");
  }
  return ChatSession(agent, sessions, std::move(*stored));
}

}  // namespace musicagent::agent
