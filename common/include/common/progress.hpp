#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace musicagent::common {

// Progress for long steps: a redrawn line on a terminal, plain start/finish lines otherwise
// (so logs and CI output stay readable). Writes to stderr; silent when disabled.
class Progress {
 public:
  Progress(std::string label, std::uint64_t total, bool enabled, std::FILE* out = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(std::uint64_t done);
  void finish(const std::string& summary);

 private:
  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  bool interactive_;
  bool finished_ = false;
  std::FILE* out_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace musicagent::common
