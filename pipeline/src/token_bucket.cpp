#include "pipeline/token_bucket.hpp"

#include <algorithm>
#include <cassert>
#include <thread>

namespace musicagent::pipeline {

TokenBucket::TokenBucket(double rate_per_second, double burst, Clock clock)
    : rate_(rate_per_second), burst_(std::max(burst, 1.0)), clock_(std::move(clock)),
      tokens_(burst_), updated_(clock_()) {
  assert(rate_per_second > 0);
}

std::chrono::nanoseconds TokenBucket::reserve() {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  if (now > updated_) {
    const double elapsed = std::chrono::duration<double>(now - updated_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    updated_ = now;
  }
  tokens_ -= 1.0;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(-tokens_ / rate_));
}

void TokenBucket::acquire() {
  const auto wait = reserve();
  if (wait.count() > 0) std::this_thread::sleep_for(wait);
}

}  // namespace musicagent::pipeline
