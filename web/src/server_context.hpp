#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "agent/agent_runtime.hpp"
#include "web/http_api.hpp"
#include "web/metrics.hpp"
#include "web/origin_policy.hpp"
#include "web/server_settings.hpp"

namespace musicagent::web {

class WebSocketSession;

// What every connection of one server shares. The Server owns it; the io_context is declared
// after what sessions touch, so handlers destroyed with it still find metrics and settings.
struct ServerContext {
  ServerContext(std::shared_ptr<const agent::AgentRuntime> runtime_in, ServerSettings settings_in)
      : runtime(std::move(runtime_in)),
        settings(std::move(settings_in)),
        metrics(std::make_shared<Metrics>()),
        api(runtime, settings, metrics),
        origins(settings.allowed_origins),
        ioc(settings.io_threads),
        workers(static_cast<std::size_t>(settings.workers)) {}

  std::shared_ptr<const agent::AgentRuntime> runtime;
  ServerSettings settings;
  std::shared_ptr<Metrics> metrics;
  HttpApi api;
  OriginPolicy origins;
  boost::asio::io_context ioc;
  boost::asio::thread_pool workers;  // agent turns and blocking API calls
  std::atomic<bool> shutting_down{false};

  void add_session(const std::shared_ptr<WebSocketSession>& session) {
    std::lock_guard lock(sessions_mutex);
    std::erase_if(sessions, [](const auto& weak) { return weak.expired(); });
    sessions.push_back(session);
  }
  std::vector<std::shared_ptr<WebSocketSession>> live_sessions() {
    std::lock_guard lock(sessions_mutex);
    std::vector<std::shared_ptr<WebSocketSession>> out;
    for (const auto& weak : sessions) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }

  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<WebSocketSession>> sessions;
};

}  // namespace musicagent::web
