#include "serve_command.hpp"

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "agent/agent_runtime.hpp"
#include "agent/offline_planner.hpp"
#include "common/environment.hpp"
#include "common/logging.hpp"
#include "web/server.hpp"

namespace musicagent::cli {
namespace {

struct ServeFlags {
  std::string host;
  int port = -1;
  int workers = 0;
  std::vector<std::string> allowed_origins;
  std::string static_dir;
  int shutdown_deadline_ms = -1;
};

int serve(const CommandContext& context, const ServeFlags& flags) {
  // SIGINT and SIGTERM are blocked on every thread (the server's threads inherit the mask)
  // and waited for here, so shutdown runs as ordinary code, not in a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto env = common::Environment::from_process();
  auto settings = web::ServerSettings::from_environment(env);
  if (!flags.host.empty()) settings.host = flags.host;
  if (flags.port >= 0) settings.port = static_cast<unsigned short>(flags.port);
  if (flags.workers > 0) settings.workers = flags.workers;
  for (const auto& origin : flags.allowed_origins) settings.allowed_origins.push_back(origin);
  if (!flags.static_dir.empty()) settings.static_dir = flags.static_dir;
  if (flags.shutdown_deadline_ms >= 0) {
    settings.shutdown_deadline = std::chrono::milliseconds(flags.shutdown_deadline_ms);
  }

  agent::RuntimeOptions options;
  options.agent = agent::AgentSettings::from_environment(env);
  auto runtime = std::make_shared<const agent::AgentRuntime>(
      agent::make_runtime(context.config, options));
  web::Server server(runtime, settings);
  server.start();
  // One line on stderr for people and for scripts that start the server on port 0.
  std::fprintf(stderr, "musicagent serve: http://%s:%u/ (%s)\n", settings.host.c_str(),
               static_cast<unsigned>(server.port()), runtime->agent->model().describe().c_str());
  if (runtime->agent->model().offline()) {
    std::fprintf(stderr, "%s\n", agent::OfflinePlanner::offline_notice());
  }
  std::fflush(stderr);

  int signal = 0;
  sigwait(&signals, &signal);
  std::fprintf(stderr, "musicagent serve: %s, letting running turns finish (up to %lld ms)\n",
               signal == SIGTERM ? "SIGTERM" : "SIGINT",
               static_cast<long long>(settings.shutdown_deadline.count()));
  server.shutdown(settings.shutdown_deadline);
  std::fprintf(stderr, "musicagent serve: stopped\n");
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ServeFlags>();
  auto* cmd = app.add_subcommand("serve", "the chat page, its WebSocket (/ws) and the HTTP API");
  cmd->add_option("--host", flags->host, "address to listen on (MUSICAGENT_WEB_HOST, 127.0.0.1)");
  cmd->add_option("--port", flags->port, "port, 0 for any free one (MUSICAGENT_WEB_PORT, 8080)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--workers", flags->workers,
                  "threads for agent turns and API calls (MUSICAGENT_WEB_WORKERS, 8)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--allow-origin", flags->allowed_origins,
                  "another origin allowed to use the socket and API, or * "
                  "(MUSICAGENT_WEB_ALLOWED_ORIGINS)");
  cmd->add_option("--static-dir", flags->static_dir, "the page's folder (default web/static)");
  cmd->add_option("--shutdown-deadline-ms", flags->shutdown_deadline_ms,
                  "how long running turns may finish on SIGTERM/SIGINT "
                  "(MUSICAGENT_WEB_SHUTDOWN_DEADLINE_MS, 10000)");
  cmd->callback([&action, flags] {
    action = [flags](const CommandContext& context) { return serve(context, *flags); };
  });
}

}  // namespace musicagent::cli
