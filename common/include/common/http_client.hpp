#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace musicagent::common {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{60000};
  // No byte of the response body within this long of the start fails with
  // HttpError::Kind::timeout (headers alone do not count); zero means no limit.
  std::chrono::milliseconds first_byte_timeout{0};
  // Polled while the transfer runs (every few tens of milliseconds, also while nothing
  // arrives); returning true stops it with HttpError::Kind::aborted.
  std::function<bool()> cancelled;
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers;  // of the final response, in arrival order
  std::string body;

  // First header with this name, compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
};

// A transfer that produced no complete HTTP response. HTTP 4xx/5xx are responses, not errors.
struct HttpError {
  enum class Kind {
    connect,      // name resolution or TCP/TLS connect failed
    timeout,      // connect_timeout or total_timeout ran out
    network,      // the connection broke after it was made
    invalid_url,  // the URL could not be parsed or its scheme is unsupported
    aborted,      // send_streaming's on_chunk returned false, or request.cancelled() said so
  };
  Kind kind = Kind::network;
  std::string message;
};

using HttpResult = std::variant<HttpResponse, HttpError>;

std::string_view to_string(HttpError::Kind kind);

// A blocking HTTP client over one reused libcurl handle, so consecutive requests to the same
// host share a kept-alive connection. Not thread-safe: use one per thread.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult send(const HttpRequest& request);

  // For server-sent events: on_chunk receives the body of a 2xx response as it arrives
  // (boundaries follow the network, not the server's chunks); return false to abort, which
  // yields HttpError::Kind::aborted. A non-2xx body is not streamed but collected into
  // HttpResponse::body, so the caller can read the error. The returned response's body is
  // empty for a streamed 2xx reply.
  HttpResult send_streaming(const HttpRequest& request,
                            const std::function<bool(std::string_view)>& on_chunk);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct RetryPolicy {
  int max_attempts = 4;  // including the first
  std::chrono::milliseconds base_delay{500};
  std::chrono::milliseconds max_delay{20000};
};

// 408, 429 and 5xx responses, and connect/network/timeout errors: outcomes a later attempt
// may change. invalid_url and aborted are final.
bool is_retryable(const HttpResult& result);

// The wait before attempt `attempt + 1`, after `attempt` (1-based) ended in `last`. A
// Retry-After (seconds or HTTP date) or OpenAI's retry-after-ms header is honoured as given;
// otherwise exponential backoff with full jitter, uniform in [0, base_delay * 2^(attempt-1)].
// Either way the result is at most max_delay. `now` resolves HTTP dates.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResult& last, std::mt19937_64& rng,
                                      std::chrono::system_clock::time_point now);
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResult& last, std::mt19937_64& rng);

// A Retry-After value as a wait from `now`; nullopt when it is neither delta-seconds nor an
// HTTP date. Dates in the past give zero.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

struct RetriedResult {
  HttpResult result;
  int attempts = 0;
};

// send() until the outcome is not retryable or policy.max_attempts is reached, sleeping
// retry_delay() in between. Returns the last outcome.
RetriedResult send_with_retry(HttpClient& client, const HttpRequest& request,
                              const RetryPolicy& policy, std::mt19937_64& rng);

// For logs and messages: the URL with the values of credential-like query parameters
// (api_key, token, secret, sig, ...) and any user:password replaced by ***.
std::string redact_url(std::string_view url);

// Authorization, Cookie, X-Api-Key and the like: headers whose values must never be logged.
bool is_secret_header(std::string_view name);

}  // namespace musicagent::common
