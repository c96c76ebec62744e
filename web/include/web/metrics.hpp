#pragma once

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "agent/events.hpp"

namespace musicagent::web {

// Counters, gauges and latency histograms in Prometheus' text exposition format. Hand-written
// (about a hundred lines) rather than prometheus-cpp, which would add a library and its
// civetweb/pull machinery for a handful of series served by our own HTTP server.
class Metrics {
 public:
  // Observes a turn's events: turns by stop reason, turn/model/tool latency, tool calls, errors.
  void observe(const agent::Event& event);
  void count_http_request(int status);
  void socket_opened();
  void socket_closed();
  void count_slow_reader();
  void turn_started();
  void turn_finished();

  int open_sockets() const { return open_sockets_.load(); }
  int turns_in_progress() const { return turns_in_progress_.load(); }

  // text/plain; version=0.0.4
  std::string render() const;

 private:
  static constexpr std::array<double, 12> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                   0.5,   1,    2.5,   5,    10,  30};
  struct Histogram {
    std::array<long, kBuckets.size()> counts{};
    long count = 0;
    double sum = 0;
    void observe(double seconds);
  };

  mutable std::mutex mutex_;
  std::map<std::string, long> turns_;                    // stop_reason
  std::map<std::string, long> errors_;                   // code
  std::map<std::pair<std::string, bool>, long> tool_calls_;  // tool, ok
  std::map<int, long> http_requests_;                    // status
  Histogram turn_seconds_;
  Histogram model_seconds_;
  std::map<std::string, Histogram> tool_seconds_;
  long sockets_total_ = 0;
  long slow_readers_ = 0;
  std::atomic<int> open_sockets_{0};
  std::atomic<int> turns_in_progress_{0};
};

}  // namespace musicagent::web
