#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace musicagent::pipeline {

// A token bucket: `rate` tokens a second, at most `burst` saved up. reserve() takes a token
// and says how long the caller must wait before using it, so waiting callers queue in order.
// The clock is injectable so tests need no sleeps. Thread-safe.
class TokenBucket {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  TokenBucket(double rate_per_second, double burst,
              Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Takes one token; returns the wait before it may be used (zero when one was saved up).
  std::chrono::nanoseconds reserve();
  // reserve() and sleep for the wait.
  void acquire();

 private:
  double rate_;
  double burst_;
  Clock clock_;
  std::mutex mutex_;
  double tokens_;  // may go negative: tokens promised to callers still waiting
  std::chrono::steady_clock::time_point updated_;
};

}  // namespace musicagent::pipeline
