// The token bucket behind the Spotify and Last.fm clients' rate limits, on a fake clock.
#include "pipeline/token_bucket.hpp"

#include <gtest/gtest.h>

namespace musicagent::pipeline {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

class FakeClock {
 public:
  std::chrono::steady_clock::time_point now() const { return now_; }
  void advance(milliseconds by) { now_ += by; }
  TokenBucket::Clock function() {
    return [this] { return now(); };
  }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::seconds(1000)};
};

TEST(TokenBucketTest, ABurstIsFreeThenRequestsAreSpacedAtTheRate) {
  FakeClock clock;
  TokenBucket bucket(20.0, 20.0, clock.function());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(bucket.reserve(), nanoseconds(0)) << "request " << i;
  // The 21st waits one interval (50 ms at 20/s), the 22nd two: waiting callers queue.
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.reserve()), milliseconds(50));
  EXPECT_EQ(std::chrono::duration_cast<milliseconds>(bucket.reserve()), milliseconds(100));
}

TEST(TokenBucketTest, TokensRefillWithTimeUpToTheBurst) {
  FakeClock clock;
  TokenBucket bucket(20.0, 20.0, clock.function());
  for (int i = 0; i < 20; ++i) bucket.reserve();
  clock.advance(milliseconds(100));  // two tokens back
  EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  EXPECT_GT(bucket.reserve(), nanoseconds(0));

  clock.advance(std::chrono::hours(1));  // a long pause saves up no more than the burst
  for (int i = 0; i < 20; ++i) EXPECT_EQ(bucket.reserve(), nanoseconds(0));
  EXPECT_GT(bucket.reserve(), nanoseconds(0));
}

TEST(TokenBucketTest, SustainedRateNeverExceedsTheLimit) {
  FakeClock clock;
  TokenBucket bucket(5.0, 1.0, clock.function());
  // A caller that sleeps each wait (on the fake clock) gets exactly 5 requests a second.
  int granted = 0;
  const auto start = clock.now();
  while (clock.now() - start < std::chrono::seconds(10)) {
    clock.advance(std::chrono::duration_cast<milliseconds>(bucket.reserve()));
    ++granted;
  }
  EXPECT_LE(granted, 51);
  EXPECT_GE(granted, 50);
}

}  // namespace
}  // namespace musicagent::pipeline
