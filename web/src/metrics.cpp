#include "web/metrics.hpp"

#include <fmt/format.h>

#include <type_traits>
#include <variant>

namespace musicagent::web {
namespace {

// Label values escaped as the exposition format asks: backslash, quote and newline.
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::Histogram::observe(double seconds) {
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++counts[i];
  }
  ++count;
  sum += seconds;
}

void Metrics::observe(const agent::Event& event) {
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, agent::TurnEndEvent>) {
          std::lock_guard lock(mutex_);
          ++turns_[e.stop_reason];
          turn_seconds_.observe(e.timings.total_ms / 1000.0);
          if (e.steps > 0) model_seconds_.observe(e.timings.model_ms / 1000.0);
        } else if constexpr (std::is_same_v<T, agent::ToolResultEvent>) {
          std::lock_guard lock(mutex_);
          ++tool_calls_[{e.name, e.ok}];
          tool_seconds_[e.name].observe(e.elapsed_ms / 1000.0);
        } else if constexpr (std::is_same_v<T, agent::ErrorEvent>) {
          std::lock_guard lock(mutex_);
          ++errors_[e.code];
        }
      },
      event);
}

void Metrics::count_http_request(int status) {
  std::lock_guard lock(mutex_);
  ++http_requests_[status];
}

void Metrics::socket_opened() {
  ++open_sockets_;
  std::lock_guard lock(mutex_);
  ++sockets_total_;
}

void Metrics::socket_closed() { --open_sockets_; }

void Metrics::count_slow_reader() {
  std::lock_guard lock(mutex_);
  ++slow_readers_;
}

void Metrics::turn_started() { ++turns_in_progress_; }
void Metrics::turn_finished() { --turns_in_progress_; }

std::string Metrics::render() const {
  std::string out;
  auto histogram = [&out](const std::string& name, const std::string& labels, const Histogram& h) {
    const std::string sep = labels.empty() ? "" : ",";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBuckets[i],
                         h.counts[i]);
    }
    out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, h.count);
    const std::string braces = labels.empty() ? "" : "{" + labels + "}";
    out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, h.sum, name, braces, h.count);
  };

  std::lock_guard lock(mutex_);
  out += "# HELP musicagent_turns_total Agent turns finished, by stop reason.\n"
         "# TYPE musicagent_turns_total counter\n";
  for (const auto& [reason, n] : turns_) {
    out += fmt::format("musicagent_turns_total{{stop_reason=\"{}\"}} {}\n", label(reason), n);
  }
  out += "# HELP musicagent_turns_in_progress Agent turns running now.\n"
         "# TYPE musicagent_turns_in_progress gauge\n";
  out += fmt::format("musicagent_turns_in_progress {}\n", turns_in_progress_.load());
  out += "# HELP musicagent_turn_duration_seconds Whole agent turns.\n"
         "# TYPE musicagent_turn_duration_seconds histogram\n";
  histogram("musicagent_turn_duration_seconds", "", turn_seconds_);
  out += "# HELP musicagent_model_duration_seconds Time in the chat model per turn.\n"
         "# TYPE musicagent_model_duration_seconds histogram\n";
  histogram("musicagent_model_duration_seconds", "", model_seconds_);
  out += "# HELP musicagent_tool_duration_seconds Tool calls, by tool.\n"
         "# TYPE musicagent_tool_duration_seconds histogram\n";
  for (const auto& [tool, h] : tool_seconds_) {
    histogram("musicagent_tool_duration_seconds", fmt::format("tool=\"{}\"", label(tool)), h);
  }
  out += "# HELP musicagent_tool_calls_total Tool calls, by tool and outcome.\n"
         "# TYPE musicagent_tool_calls_total counter\n";
  for (const auto& [key, n] : tool_calls_) {
    out += fmt::format("musicagent_tool_calls_total{{tool=\"{}\",ok=\"{}\"}} {}\n",
                       label(key.first), key.second ? "true" : "false", n);
  }
  out += "# HELP musicagent_errors_total Error events sent, by code.\n"
         "# TYPE musicagent_errors_total counter\n";
  for (const auto& [code, n] : errors_) {
    out += fmt::format("musicagent_errors_total{{code=\"{}\"}} {}\n", label(code), n);
  }
  out += "# HELP musicagent_websocket_connections Open WebSocket connections.\n"
         "# TYPE musicagent_websocket_connections gauge\n";
  out += fmt::format("musicagent_websocket_connections {}\n", open_sockets_.load());
  out += "# HELP musicagent_websocket_connections_total WebSocket connections accepted.\n"
         "# TYPE musicagent_websocket_connections_total counter\n";
  out += fmt::format("musicagent_websocket_connections_total {}\n", sockets_total_);
  out += "# HELP musicagent_websocket_slow_readers_total Sockets closed for not reading.\n"
         "# TYPE musicagent_websocket_slow_readers_total counter\n";
  out += fmt::format("musicagent_websocket_slow_readers_total {}\n", slow_readers_);
  out += "# HELP musicagent_http_requests_total HTTP responses, by status.\n"
         "# TYPE musicagent_http_requests_total counter\n";
  for (const auto& [status, n] : http_requests_) {
    out += fmt::format("musicagent_http_requests_total{{status=\"{}\"}} {}\n", status, n);
  }
  return out;
}

}  // namespace musicagent::web
