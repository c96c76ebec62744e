// Which HTTP outcomes are retried, and how long to wait: backoff, jitter and Retry-After.
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "common/http_client.hpp"

namespace musicagent::common {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

constexpr std::uint64_t kSeed = 20240601;
constexpr int kSamples = 2000;

HttpResult response(long status, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

HttpResult error(HttpError::Kind kind) {
  return HttpError{kind, "test"};
}

// 2015-10-21T07:28:00Z, the date in RFC 9110's Retry-After example.
std::chrono::system_clock::time_point example_now() {
  return std::chrono::sys_days{std::chrono::year{2015} / 10 / 21} + 7h + 28min;
}

TEST(HttpRetryTest, RetriesRateLimitsServerErrorsAndTransportFailures) {
  EXPECT_TRUE(is_retryable(response(429)));
  EXPECT_TRUE(is_retryable(response(408)));
  EXPECT_TRUE(is_retryable(response(500)));
  EXPECT_TRUE(is_retryable(response(502)));
  EXPECT_TRUE(is_retryable(response(503)));
  EXPECT_TRUE(is_retryable(response(599)));
  EXPECT_TRUE(is_retryable(error(HttpError::Kind::connect)));
  EXPECT_TRUE(is_retryable(error(HttpError::Kind::network)));
  EXPECT_TRUE(is_retryable(error(HttpError::Kind::timeout)));
}

TEST(HttpRetryTest, DoesNotRetrySuccessClientErrorsOrFinalFailures) {
  for (const long status : {200L, 201L, 204L, 301L, 400L, 401L, 403L, 404L, 422L})
    EXPECT_FALSE(is_retryable(response(status))) << status;
  EXPECT_FALSE(is_retryable(error(HttpError::Kind::invalid_url)));
  EXPECT_FALSE(is_retryable(error(HttpError::Kind::aborted)));
}

TEST(HttpRetryTest, BackoffCeilingDoublesPerAttemptAndIsCapped) {
  const RetryPolicy policy{10, 100ms, 1000ms};
  std::mt19937_64 rng(kSeed);
  const milliseconds expected_ceiling[] = {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms, 1000ms};
  for (int attempt = 1; attempt <= 7; ++attempt) {
    milliseconds largest{0};
    for (int i = 0; i < kSamples; ++i) {
      const auto delay = retry_delay(policy, attempt, response(503), rng);
      ASSERT_GE(delay, 0ms);
      ASSERT_LE(delay, expected_ceiling[attempt - 1]) << "attempt " << attempt;
      largest = std::max(largest, delay);
    }
    // Full jitter spreads over the whole range, so the top decile is reached.
    EXPECT_GE(largest.count(), expected_ceiling[attempt - 1].count() * 9 / 10)
        << "attempt " << attempt;
  }
}

TEST(HttpRetryTest, JitterIsSpreadAndReproducibleWithASeed) {
  const RetryPolicy policy{4, 1000ms, 20000ms};
  std::mt19937_64 first(kSeed);
  std::mt19937_64 second(kSeed);
  long long sum = 0;
  for (int i = 0; i < kSamples; ++i) {
    const auto a = retry_delay(policy, 1, error(HttpError::Kind::network), first);
    const auto b = retry_delay(policy, 1, error(HttpError::Kind::network), second);
    ASSERT_EQ(a, b);
    sum += a.count();
  }
  // Uniform over [0, 1000]: the mean is near 500.
  const double mean = static_cast<double>(sum) / kSamples;
  EXPECT_GT(mean, 400);
  EXPECT_LT(mean, 600);
}

TEST(HttpRetryTest, HugeAttemptNumbersDoNotOverflow) {
  const RetryPolicy policy{4, 500ms, 20000ms};
  std::mt19937_64 rng(kSeed);
  for (const int attempt : {64, 1000, 1 << 30}) {
    const auto delay = retry_delay(policy, attempt, response(500), rng);
    EXPECT_GE(delay, 0ms);
    EXPECT_LE(delay, 20000ms);
  }
}

TEST(HttpRetryTest, RetryAfterSecondsIsHonouredExactly) {
  const RetryPolicy policy{4, 500ms, 20000ms};
  std::mt19937_64 rng(kSeed);
  EXPECT_EQ(retry_delay(policy, 1, response(429, {{"Retry-After", "3"}}), rng), 3000ms);
  EXPECT_EQ(retry_delay(policy, 3, response(503, {{"retry-after", " 7 "}}), rng), 7000ms);
  EXPECT_EQ(retry_delay(policy, 1, response(429, {{"Retry-After", "0"}}), rng), 0ms);
}

TEST(HttpRetryTest, RetryAfterIsCappedAtMaxDelay) {
  const RetryPolicy policy{4, 500ms, 20000ms};
  std::mt19937_64 rng(kSeed);
  EXPECT_EQ(retry_delay(policy, 1, response(429, {{"Retry-After", "3600"}}), rng), 20000ms);
  EXPECT_EQ(retry_delay(policy, 1, response(429, {{"Retry-After", "99999999999999999999"}}), rng),
            20000ms);
}

TEST(HttpRetryTest, RetryAfterHttpDateIsHonouredAndCapped) {
  const RetryPolicy policy{4, 500ms, 20000ms};
  std::mt19937_64 rng(kSeed);
  const auto now = example_now();
  EXPECT_EQ(
      retry_delay(policy, 1, response(503, {{"Retry-After", "Wed, 21 Oct 2015 07:28:12 GMT"}}), rng,
                  now),
      12000ms);
  EXPECT_EQ(
      retry_delay(policy, 1, response(503, {{"Retry-After", "Wed, 21 Oct 2015 08:28:00 GMT"}}), rng,
                  now),
      20000ms);
  // A date already past means "now".
  EXPECT_EQ(
      retry_delay(policy, 1, response(503, {{"Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT"}}), rng,
                  now),
      0ms);
}

TEST(HttpRetryTest, OpenAiRetryAfterMsIsPreferred) {
  const RetryPolicy policy{4, 500ms, 20000ms};
  std::mt19937_64 rng(kSeed);
  EXPECT_EQ(
      retry_delay(policy, 1, response(429, {{"retry-after-ms", "6"}, {"Retry-After", "1"}}), rng),
      6ms);
}

TEST(HttpRetryTest, MalformedRetryAfterFallsBackToBackoff) {
  const RetryPolicy policy{4, 100ms, 20000ms};
  std::mt19937_64 rng(kSeed);
  for (const char* value : {"soon", "-5", "1.5", ""}) {
    const auto delay = retry_delay(policy, 1, response(429, {{"Retry-After", value}}), rng);
    EXPECT_LE(delay, 100ms) << value;
  }
}

TEST(HttpRetryTest, ParseRetryAfterAcceptsEveryHttpDateForm) {
  const auto now = example_now();
  EXPECT_EQ(parse_retry_after("120", now), milliseconds(120000));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now), milliseconds(60000));
  EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), milliseconds(60000));
  EXPECT_EQ(parse_retry_after("Wed Oct 21 07:29:00 2015", now), milliseconds(60000));
  EXPECT_EQ(parse_retry_after("tomorrow-ish", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
}

TEST(HttpRetryTest, ResponseHeaderLookupIgnoresCase) {
  HttpResponse r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Request-Id", "abc"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("X-REQUEST-ID"), "abc");
  EXPECT_EQ(r.header("Retry-After"), std::nullopt);
}

TEST(HttpRetryTest, RedactUrlHidesCredentials) {
  EXPECT_EQ(redact_url("https://ws.audioscrobbler.com/2.0/?method=track.getInfo&api_key=abc123"
                       "&format=json"),
            "https://ws.audioscrobbler.com/2.0/?method=track.getInfo&api_key=***&format=json");
  EXPECT_EQ(redact_url("https://user:hunter2@example.com/v1?access_token=t#frag"),
            "https://user:***@example.com/v1?access_token=***#frag");
  EXPECT_EQ(redact_url("http://localhost:11434/v1/embeddings"),
            "http://localhost:11434/v1/embeddings");
  EXPECT_TRUE(is_secret_header("Authorization"));
  EXPECT_TRUE(is_secret_header("x-api-key"));
  EXPECT_FALSE(is_secret_header("Content-Type"));
}

}  // namespace
}  // namespace musicagent::common
