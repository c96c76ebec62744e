#include "common/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <exception>
#include <stdexcept>
#include <thread>

#include "common/logging.hpp"

namespace musicagent::common {
namespace {

constexpr const char* kUserAgent = "musicagent/0.1";
constexpr const char* kAllowedProtocols = "http,https";
constexpr const char* kRedacted = "***";
constexpr long kFirstSuccessStatus = 200;
constexpr long kFirstNonSuccessStatus = 300;
constexpr long kRequestTimeoutStatus = 408;
constexpr long kTooManyRequestsStatus = 429;
constexpr long kFirstServerErrorStatus = 500;
constexpr long kLastServerErrorStatus = 599;
// How long one wait for socket activity may last when a first-byte timeout or a cancellation
// check is pending; it bounds how late either is noticed.
constexpr std::chrono::milliseconds kWatchedPollInterval{25};
constexpr std::chrono::milliseconds kIdlePollInterval{1000};

// Query parameter and header names containing one of these carry credentials
// (Last.fm's api_key and api_sig, OAuth tokens, Authorization, X-Api-Key, cookies).
constexpr std::array<std::string_view, 7> kSecretNameParts = {"key", "token", "secret", "password",
                                                              "sig", "auth",  "cookie"};

// curl_global_init is not thread-safe and must run once before any handle exists; a
// function-local static gives exactly that, and cleans up after the last client is gone.
class CurlGlobal {
 public:
  CurlGlobal() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  }
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

void ensure_curl_global() {
  static const CurlGlobal global;
}

std::string to_lower(std::string_view text) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

bool looks_secret(std::string_view name) {
  const auto lowered = to_lower(name);
  return std::any_of(kSecretNameParts.begin(), kSecretNameParts.end(), [&](std::string_view part) {
    return lowered.find(part) != std::string::npos;
  });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct MultiDeleter {
  void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
};
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;

// State one transfer's callbacks share; lives on send()'s stack.
struct Transfer {
  CURL* handle = nullptr;
  HttpResponse response;
  const std::function<bool(std::string_view)>* on_chunk = nullptr;
  bool aborted = false;
  bool body_started = false;          // any body byte arrived (for first_byte_timeout)
  std::exception_ptr callback_error;  // exceptions must not unwind through libcurl's C frames
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  const auto line = trim(std::string_view(data, length));
  // A status line starts a new response (after 100 Continue, or a redirect): keep only the
  // final response's headers.
  if (line.starts_with("HTTP/")) {
    transfer.response.headers.clear();
    return length;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return length;
  transfer.response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                         std::string(trim(line.substr(colon + 1))));
  return length;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  if (length > 0) transfer.body_started = true;
  if (transfer.on_chunk != nullptr) {
    long status = 0;
    curl_easy_getinfo(transfer.handle, CURLINFO_RESPONSE_CODE, &status);
    if (status >= kFirstSuccessStatus && status < kFirstNonSuccessStatus) {
      try {
        if ((*transfer.on_chunk)(std::string_view(data, length))) return length;
      } catch (...) {
        transfer.callback_error = std::current_exception();
      }
      transfer.aborted = true;
      return 0;  // anything but `length` makes libcurl stop with CURLE_WRITE_ERROR
    }
  }
  transfer.response.body.append(data, length);
  return length;
}

HttpError::Kind classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      return HttpError::Kind::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpError::Kind::timeout;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return HttpError::Kind::invalid_url;
    default:
      return HttpError::Kind::network;
  }
}

long to_curl_ms(std::chrono::milliseconds duration) {
  return static_cast<long>(std::max<std::chrono::milliseconds::rep>(duration.count(), 0));
}

void append_header(Slist& list, const std::string& line) {
  curl_slist* appended = curl_slist_append(list.get(), line.c_str());
  if (appended == nullptr) throw std::bad_alloc();
  // On success the head is unchanged unless the list was empty.
  [[maybe_unused]] curl_slist* previous = list.release();
  list.reset(appended);
}

std::string describe_outcome(const HttpResult& result) {
  if (const auto* response = std::get_if<HttpResponse>(&result))
    return "HTTP " + std::to_string(response->status);
  const auto& error = std::get<HttpError>(result);
  return std::string(to_string(error.kind)) + " (" + error.message + ")";
}

std::optional<std::chrono::milliseconds> parse_non_negative_number(std::string_view text,
                                                                   double unit_ms) {
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !(value >= 0)) return std::nullopt;
  // Clamp before converting: a huge value would overflow the integer count.
  constexpr double kMaxMs = 1e12;
  return std::chrono::milliseconds(static_cast<long long>(std::min(value * unit_ms, kMaxMs)));
}

}  // namespace

std::string_view to_string(HttpError::Kind kind) {
  switch (kind) {
    case HttpError::Kind::connect:
      return "connect";
    case HttpError::Kind::timeout:
      return "timeout";
    case HttpError::Kind::network:
      return "network";
    case HttpError::Kind::invalid_url:
      return "invalid_url";
    case HttpError::Kind::aborted:
      return "aborted";
  }
  return "unknown";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

// Why run_transfer stopped a transfer that libcurl would have continued.
enum class Stop { none, cancelled, first_byte_timeout };

struct HttpClient::Impl {
  EasyHandle handle;
  // The transfer runs on a multi handle so it can be watched while nothing arrives; the
  // multi handle owns the connection cache, so it lives as long as the client.
  MultiHandle multi;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  std::shared_ptr<spdlog::logger> log = logger("http");

  HttpResult perform(const HttpRequest& request,
                     const std::function<bool(std::string_view)>* on_chunk);
  CURLcode run_transfer(const HttpRequest& request, const Transfer& transfer, Stop& stop);
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {
  ensure_curl_global();
  impl_->handle.reset(curl_easy_init());
  if (!impl_->handle) throw std::runtime_error("curl_easy_init failed");
  impl_->multi.reset(curl_multi_init());
  if (!impl_->multi) throw std::runtime_error("curl_multi_init failed");
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

HttpResult HttpClient::send(const HttpRequest& request) {
  return impl_->perform(request, nullptr);
}

HttpResult HttpClient::send_streaming(const HttpRequest& request,
                                      const std::function<bool(std::string_view)>& on_chunk) {
  return impl_->perform(request, &on_chunk);
}

HttpResult HttpClient::Impl::perform(const HttpRequest& request,
                                     const std::function<bool(std::string_view)>* on_chunk) {
  CURL* curl = handle.get();
  // Reset clears the previous request's options but keeps the connection cache (keep-alive).
  curl_easy_reset(curl);
  error_buffer[0] = '\0';

  Transfer transfer;
  transfer.handle = curl;
  transfer.on_chunk = on_chunk;

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, kAllowedProtocols);
  // Signals are process-wide; without this, timeouts use SIGALRM, unsafe with threads.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, to_curl_ms(request.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, to_curl_ms(request.total_timeout));
  curl_easy_setopt(curl, CURLOPT_USERAGENT, kUserAgent);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);

  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST")
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "POST" || !request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
    }
  }

  Slist headers;
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    has_expect = has_expect || iequals(name, "Expect");
    // "Name;" is libcurl's spelling of a header with an empty value.
    append_header(headers, value.empty() ? name + ";" : name + ": " + value);
  }
  // libcurl sends "Expect: 100-continue" for larger bodies and then waits up to a second for
  // servers that never answer it; every API we call reads the body without it.
  if (!has_expect) append_header(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

  const auto started = std::chrono::steady_clock::now();
  Stop stop = Stop::none;
  const CURLcode code = run_transfer(request, transfer, stop);
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  if (transfer.callback_error) std::rethrow_exception(transfer.callback_error);

  const auto shown_url = redact_url(request.url);
  if (code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    log->debug("{} {} -> {} in {} ms", request.method, shown_url, transfer.response.status,
               elapsed_ms);
    return std::move(transfer.response);
  }

  HttpError error;
  if (stop == Stop::first_byte_timeout) {
    error.kind = HttpError::Kind::timeout;
    error.message = request.method + " " + shown_url + ": no response within " +
                    std::to_string(request.first_byte_timeout.count()) + " ms (first byte timeout)";
  } else if (transfer.aborted || stop == Stop::cancelled) {
    error.kind = HttpError::Kind::aborted;
    error.message = request.method + " " + shown_url + ": aborted by the caller";
  } else {
    error.kind = classify(code);
    const std::string reason =
        error_buffer[0] != '\0' ? std::string(error_buffer.data()) : curl_easy_strerror(code);
    error.message = request.method + " " + shown_url + ": " + reason;
  }
  log->debug("{} after {} ms: {}", to_string(error.kind), elapsed_ms, error.message);
  return error;
}

// curl_easy_perform, but on the multi handle so that request.cancelled and
// request.first_byte_timeout are checked while the transfer waits.
CURLcode HttpClient::Impl::run_transfer(const HttpRequest& request, const Transfer& transfer,
                                        Stop& stop) {
  CURL* curl = handle.get();
  CURLM* m = multi.get();
  if (curl_multi_add_handle(m, curl) != CURLM_OK) return CURLE_FAILED_INIT;
  const bool watched =
      static_cast<bool>(request.cancelled) || request.first_byte_timeout.count() > 0;
  const auto poll_ms =
      static_cast<int>((watched ? kWatchedPollInterval : kIdlePollInterval).count());
  const auto started = std::chrono::steady_clock::now();
  CURLcode code = CURLE_OK;
  bool done = false;
  while (!done) {
    int running = 0;
    if (curl_multi_perform(m, &running) != CURLM_OK) {
      code = CURLE_FAILED_INIT;
      break;
    }
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(m, &queued)) {
      if (message->msg == CURLMSG_DONE && message->easy_handle == curl) {
        code = message->data.result;
        done = true;
      }
    }
    if (done) break;
    if (running == 0) {  // finished without a result message: not expected from libcurl
      code = CURLE_GOT_NOTHING;
      break;
    }
    if (request.cancelled && request.cancelled()) {
      stop = Stop::cancelled;
      break;
    }
    if (request.first_byte_timeout.count() > 0 && !transfer.body_started &&
        std::chrono::steady_clock::now() - started >= request.first_byte_timeout) {
      stop = Stop::first_byte_timeout;
      break;
    }
    if (curl_multi_poll(m, nullptr, 0, poll_ms, nullptr) != CURLM_OK) {
      code = CURLE_FAILED_INIT;
      break;
    }
  }
  // Removing an unfinished transfer stops it and closes its connection.
  curl_multi_remove_handle(m, curl);
  if (stop != Stop::none) code = CURLE_ABORTED_BY_CALLBACK;
  return code;
}

bool is_retryable(const HttpResult& result) {
  if (const auto* response = std::get_if<HttpResponse>(&result)) {
    return response->status == kRequestTimeoutStatus ||
           response->status == kTooManyRequestsStatus ||
           (response->status >= kFirstServerErrorStatus &&
            response->status <= kLastServerErrorStatus);
  }
  switch (std::get<HttpError>(result).kind) {
    case HttpError::Kind::connect:
    case HttpError::Kind::timeout:
    case HttpError::Kind::network:
      return true;
    case HttpError::Kind::invalid_url:
    case HttpError::Kind::aborted:
      return false;
  }
  return false;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](unsigned char c) { return std::isdigit(c) != 0; })) {
    constexpr double kMsPerSecond = 1000.0;
    return parse_non_negative_number(value, kMsPerSecond);
  }
  // Every HTTP date form names the day and month in letters; insisting on one keeps stray
  // numbers ("-1", "1.5") away from curl_getdate's lenient parser.
  if (std::none_of(value.begin(), value.end(),
                   [](unsigned char c) { return std::isalpha(c) != 0; }))
    return std::nullopt;
  const std::time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto wait = std::chrono::system_clock::from_time_t(when) - now;
  if (wait <= std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(wait);
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResult& last, std::mt19937_64& rng,
                                      std::chrono::system_clock::time_point now) {
  const long long cap = std::max<long long>(policy.max_delay.count(), 0);

  if (const auto* response = std::get_if<HttpResponse>(&last)) {
    std::optional<std::chrono::milliseconds> hint;
    // OpenAI sends retry-after-ms alongside Retry-After; it is the finer of the two.
    if (const auto ms = response->header("retry-after-ms"))
      hint = parse_non_negative_number(trim(*ms), 1.0);
    if (!hint) {
      if (const auto value = response->header("Retry-After")) hint = parse_retry_after(*value, now);
    }
    if (hint) return std::chrono::milliseconds(std::min<long long>(hint->count(), cap));
  }

  long long ceiling = std::max<long long>(policy.base_delay.count(), 0);
  for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  // Full jitter: clients that failed together spread out instead of retrying in lockstep.
  std::uniform_int_distribution<long long> jitter(0, ceiling);
  return std::chrono::milliseconds(jitter(rng));
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResult& last, std::mt19937_64& rng) {
  return retry_delay(policy, attempt, last, rng, std::chrono::system_clock::now());
}

RetriedResult send_with_retry(HttpClient& client, const HttpRequest& request,
                              const RetryPolicy& policy, std::mt19937_64& rng) {
  RetriedResult outcome{client.send(request), 1};
  while (outcome.attempts < policy.max_attempts && is_retryable(outcome.result)) {
    const auto delay = retry_delay(policy, outcome.attempts, outcome.result, rng);
    logger("http")->warn("{} {}: {}; retrying in {} ms (attempt {} of {})", request.method,
                         redact_url(request.url), describe_outcome(outcome.result), delay.count(),
                         outcome.attempts + 1, policy.max_attempts);
    std::this_thread::sleep_for(delay);
    outcome.result = client.send(request);
    ++outcome.attempts;
  }
  return outcome;
}

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());

  // user:password@ in the authority.
  const auto scheme_end = url.find("://");
  std::string_view rest = url;
  if (scheme_end != std::string_view::npos) {
    const auto authority_start = scheme_end + 3;
    const auto authority_end = url.find_first_of("/?#", authority_start);
    const auto authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                           ? std::string_view::npos
                                                           : authority_end - authority_start);
    out.append(url.substr(0, authority_start));
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
      const auto user = authority.substr(0, at);
      const auto colon = user.find(':');
      out.append(colon == std::string_view::npos ? user : user.substr(0, colon + 1));
      if (colon != std::string_view::npos) out.append(kRedacted);
      out.append(authority.substr(at));
    } else {
      out.append(authority);
    }
    rest = authority_end == std::string_view::npos ? std::string_view() : url.substr(authority_end);
  }

  const auto query_start = rest.find('?');
  if (query_start == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, query_start + 1));
  auto query = rest.substr(query_start + 1);
  std::string_view fragment;
  if (const auto hash = query.find('#'); hash != std::string_view::npos) {
    fragment = query.substr(hash);
    query = query.substr(0, hash);
  }
  bool first = true;
  while (true) {
    const auto amp = query.find('&');
    const auto param = query.substr(0, amp);
    if (!first) out.push_back('&');
    first = false;
    const auto equals = param.find('=');
    if (equals != std::string_view::npos && looks_secret(param.substr(0, equals))) {
      out.append(param.substr(0, equals + 1));
      out.append(kRedacted);
    } else {
      out.append(param);
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  out.append(fragment);
  return out;
}

bool is_secret_header(std::string_view name) {
  return looks_secret(name);
}

}  // namespace musicagent::common
