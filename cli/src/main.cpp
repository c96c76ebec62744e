#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "chat_command.hpp"
#include "command_context.hpp"
#include "common/logging.hpp"
#include "eval_command.hpp"
#include "index_command.hpp"
#include "pipeline_command.hpp"
#include "serve_command.hpp"
#include "tool_command.hpp"
#include "understand_command.hpp"

int main(int argc, char** argv) {
  using namespace musicagent;
  CLI::App app{"musicagent: a conversational music recommender over real music data"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "musicagent 0.1.0");

  std::string log_level;
  bool show_config = false;
  app.add_option("--log-level", log_level,
                 "trace, debug, info, warn, error or off (MUSICAGENT_LOG_LEVEL)");
  app.add_flag("--show-config", show_config, "print the settings (secrets masked) to stderr first");

  cli::Action action;
  cli::add_pipeline_command(app, action);
  cli::add_index_commands(app, action);
  cli::add_tool_commands(app, action);
  cli::add_chat_command(app, action);
  cli::add_serve_command(app, action);
  cli::add_eval_command(app, action);
  cli::add_understand_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    cli::CommandContext context{common::load_config(common::Environment::from_process())};
    common::init_logging(log_level.empty() ? context.config.log_level : log_level);
    if (show_config) {
      for (const auto& line : common::describe(context.config))
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    return action ? action(context) : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "musicagent: %s\n", e.what());
    return 2;
  }
}
