#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "common/environment.hpp"

namespace musicagent::web {

// What `musicagent serve` is told: flags, else MUSICAGENT_WEB_* variables, else these defaults.
struct ServerSettings {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: an ephemeral port (tests)
  std::filesystem::path static_dir;  // the page; empty: <home>/web/static
  int io_threads = 2;                // Beast's I/O threads
  int workers = 8;                   // agent turns and blocking API calls run here
  // Origins allowed to open the WebSocket and POST to the API besides the server's own
  // host ("*" allows any). MUSICAGENT_WEB_ALLOWED_ORIGINS, comma separated.
  std::vector<std::string> allowed_origins;
  std::size_t max_message_bytes = 64 * 1024;     // largest WebSocket message accepted
  std::size_t max_text_chars = 4000;             // longest user message (MUSICAGENT_MAX_MESSAGE_CHARS)
  std::size_t max_http_body_bytes = 1024 * 1024;
  std::size_t send_queue_frames = 4096;          // per socket; past it the reader is too slow
  std::size_t send_queue_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds idle_timeout{120000};  // no frame (nor pong) from the client
  std::chrono::milliseconds http_timeout{30000};
  std::chrono::milliseconds shutdown_deadline{10000};  // running turns may finish within it

  // MUSICAGENT_WEB_HOST, _PORT, _WORKERS, _ALLOWED_ORIGINS, _IDLE_TIMEOUT_MS,
  // _SHUTDOWN_DEADLINE_MS, _MAX_MESSAGE_BYTES. Throws std::invalid_argument naming a bad value.
  static ServerSettings from_environment(const common::Environment& env);
};

}  // namespace musicagent::web
