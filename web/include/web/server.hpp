#pragma once

#include <chrono>
#include <memory>

#include "agent/agent_runtime.hpp"
#include "web/metrics.hpp"
#include "web/server_settings.hpp"

namespace musicagent::web {

// The Beast HTTP + WebSocket server: a listener on a few I/O threads, one strand per
// connection, and a worker pool where agent turns and blocking API calls run.
class Server {
 public:
  Server(std::shared_ptr<const agent::AgentRuntime> runtime, ServerSettings settings);
  ~Server();  // shuts down (without a grace period) when still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads; throws naming the address when it cannot listen.
  void start();
  unsigned short port() const;  // the bound port (after start)

  // Stops accepting, lets running turns finish until `deadline` (then cancels them), closes
  // every socket with "going away", and joins the threads. Safe to call more than once.
  void shutdown(std::chrono::milliseconds deadline);

  Metrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace musicagent::web
