#include "agent/openai_chat_client.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "agent/sse_parser.hpp"
#include "agent/stream_assembler.hpp"
#include "common/http_connection_pool.hpp"
#include "common/logging.hpp"

namespace musicagent::agent {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kChatPath = "/chat/completions";
constexpr long kFirstSuccessStatus = 200;
constexpr long kFirstNonSuccessStatus = 300;
constexpr long kTooManyRequests = 429;
constexpr long kFirstServerError = 500;
constexpr long kLastServerError = 599;
constexpr std::size_t kMaxIdleConnections = 8;
// A streamed request answered with one JSON object instead of events (servers that ignore
// "stream": true) is kept up to this size to be read whole.
constexpr std::size_t kMaxUnstreamedBody = 8 * 1024 * 1024;
constexpr milliseconds kCancelCheckInterval{20};
constexpr const char* kRedacted = "***";

// One borrowed connection: HttpClient is single-threaded; each has its own jitter source.
using Connection = common::PooledConnection;

// The outcome of one HTTP attempt.
struct Attempt {
  std::optional<ChatResult> result;  // set: final (a reply, or an error worth no retry)
  ChatError error;                   // otherwise: the error, which a later attempt may fix
  common::HttpResult http;           // what the server did, for retry_delay (Retry-After)
};

Attempt final_outcome(ChatResult result) {
  Attempt attempt;
  attempt.result = std::move(result);
  return attempt;
}

Attempt retryable_outcome(ChatError error, common::HttpResult http) {
  Attempt attempt;
  attempt.error = std::move(error);
  attempt.http = std::move(http);
  return attempt;
}

ChatError cancelled_error() {
  return ChatError{ChatError::Kind::cancelled, "the model call was cancelled", 0};
}

bool is_success(long status) {
  return status >= kFirstSuccessStatus && status < kFirstNonSuccessStatus;
}

bool retryable_status(long status) {
  return status == kTooManyRequests || (status >= kFirstServerError && status <= kLastServerError);
}

bool retryable_kind(ChatError::Kind kind) {
  return kind == ChatError::Kind::rate_limited || kind == ChatError::Kind::server ||
         kind == ChatError::Kind::network;
}

// Sleeps `delay` unless cancelled first; returns false when cancelled.
bool sleep_unless_cancelled(milliseconds delay, const CancellationToken& cancel) {
  const auto until = Clock::now() + delay;
  while (Clock::now() < until) {
    if (cancel.cancelled()) return false;
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    std::this_thread::sleep_for(std::min(left, kCancelCheckInterval));
  }
  return !cancel.cancelled();
}

}  // namespace

struct OpenAIChatClient::Pool {
  common::HttpConnectionPool connections{kMaxIdleConnections};

  std::unique_ptr<Connection> borrow() { return connections.borrow(); }
  void give_back(std::unique_ptr<Connection> connection) { connections.give_back(std::move(connection)); }
};

ChatSettings ChatSettings::from_config(const common::Config& config) {
  ChatSettings settings;
  settings.base_url = config.openai_base_url;
  settings.api_key = config.openai_api_key;
  settings.model = config.model;
  settings.temperature = config.temperature;
  settings.max_tokens = config.max_tokens;
  settings.stream = config.stream;
  settings.connect_timeout = config.llm_connect_timeout;
  settings.first_byte_timeout = config.llm_first_byte_timeout;
  settings.timeout = config.llm_timeout;
  settings.retry.max_attempts = config.llm_max_attempts;
  return settings;
}

std::string ChatSettings::endpoint() const {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.ends_with(kChatPath)) return url;
  return url + kChatPath;
}

OpenAIChatClient::OpenAIChatClient(ChatSettings settings)
    : settings_(std::move(settings)), pool_(std::make_unique<Pool>()) {
  if (settings_.base_url.empty()) {
    throw std::invalid_argument(
        "the chat model client needs OPENAI_BASE_URL, e.g. https://api.openai.com/v1 or "
        "http://localhost:11434/v1");
  }
  if (settings_.model.empty())
    throw std::invalid_argument("the chat model client needs a model (MUSICAGENT_MODEL)");
  settings_.retry.max_attempts = std::max(settings_.retry.max_attempts, 1);
}

OpenAIChatClient::~OpenAIChatClient() = default;

std::string OpenAIChatClient::describe() const {
  return settings_.model + " at " + common::redact_url(settings_.base_url);
}

nlohmann::json OpenAIChatClient::request_body(const ChatRequest& request) const {
  nlohmann::json body = {{"model", settings_.model}, {"messages", nlohmann::json::array()}};
  for (const auto& message : request.messages) body["messages"].push_back(message.to_openai());
  if (request.tools.is_array() && !request.tools.empty()) {
    body["tools"] = request.tools;
    body["tool_choice"] = "auto";
  }
  if (settings_.temperature) body["temperature"] = *settings_.temperature;
  if (settings_.max_tokens) body["max_tokens"] = *settings_.max_tokens;
  body["stream"] = settings_.stream;
  if (settings_.stream) body["stream_options"] = {{"include_usage", true}};
  return body;
}

namespace {

// Everything complete() needs while it runs one call.
class Call {
 public:
  Call(const ChatSettings& settings, Connection& connection, const ChatModel::TokenSink& on_token,
       const CancellationToken& cancel)
      : settings_(settings),
        connection_(connection),
        on_token_(on_token),
        cancel_(cancel),
        endpoint_(settings.endpoint()),
        shown_endpoint_(common::redact_url(endpoint_)),
        log_(common::logger("llm")) {}

  ChatResult run(const std::string& body) {
    const auto deadline = Clock::now() + settings_.timeout;
    for (int attempt = 1;; ++attempt) {
      if (cancel_.cancelled()) return cancelled_error();
      const auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (remaining <= milliseconds::zero()) return whole_call_timeout();

      common::HttpRequest request;
      request.method = "POST";
      request.url = endpoint_;
      request.body = body;
      request.headers = {{"Content-Type", "application/json"},
                         {"Accept", settings_.stream ? "text/event-stream" : "application/json"}};
      if (!settings_.api_key.empty())
        request.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
      request.connect_timeout = std::min(settings_.connect_timeout, remaining);
      request.total_timeout = remaining;
      request.cancelled = [this] { return cancel_.cancelled(); };

      auto outcome = settings_.stream ? stream_once(request) : send_once(request);
      if (outcome.result) return scrubbed(std::move(*outcome.result));

      ChatError& error = outcome.error;
      if (tokens_sent_ || attempt >= settings_.retry.max_attempts) {
        if (attempt > 1)
          error.message += " (gave up after " + std::to_string(attempt) + " attempts)";
        return scrubbed(std::move(error));
      }
      const auto delay =
          common::retry_delay(settings_.retry, attempt, outcome.http, connection_.rng);
      if (Clock::now() + delay >= deadline) {
        error.message += " (not retried: waiting " + std::to_string(delay.count()) +
                         " ms would pass MUSICAGENT_LLM_TIMEOUT_MS)";
        return scrubbed(std::move(error));
      }
      log_->warn("{}; retrying in {} ms (attempt {} of {})", scrub(error.message), delay.count(),
                 attempt + 1, settings_.retry.max_attempts);
      if (!sleep_unless_cancelled(delay, cancel_)) return cancelled_error();
    }
  }

 private:
  void emit(const std::string& text) {
    if (text.empty()) return;
    tokens_sent_ = true;
    if (on_token_) on_token_(text);
  }

  Attempt stream_once(common::HttpRequest& request) {
    request.first_byte_timeout = settings_.first_byte_timeout;
    SseParser parser;
    StreamAssembler assembler;
    std::string raw;  // the body while it has produced no chunk, in case it is plain JSON
    bool received = false;
    const auto on_chunk = [&](std::string_view bytes) {
      received = true;
      if (cancel_.cancelled()) return false;
      if (assembler.empty() && raw.size() + bytes.size() <= kMaxUnstreamedBody) raw.append(bytes);
      for (const auto& event : parser.feed(bytes)) {
        emit(assembler.add_event(event));
        if (assembler.failed()) return false;
      }
      return true;
    };
    auto http = connection_.client.send_streaming(request, on_chunk);
    if (cancel_.cancelled()) return final_outcome(cancelled_error());

    if (const auto* response = std::get_if<common::HttpResponse>(&http)) {
      if (!is_success(response->status)) return status_outcome(std::move(http));
      for (const auto& event : parser.finish()) emit(assembler.add_event(event));
      if (assembler.empty() && !assembler.failed()) {
        const auto whole = nlohmann::json::parse(raw, nullptr, false);
        if (!whole.is_discarded()) return unstreamed_outcome(whole, std::move(http));
      }
      return assembled_outcome(assembler, std::move(http));
    }
    if (std::get<common::HttpError>(http).kind == common::HttpError::Kind::aborted &&
        assembler.failed())
      return assembled_outcome(assembler, std::move(http));
    return transport_outcome(received, request, std::move(http));
  }

  Attempt send_once(const common::HttpRequest& request) {
    auto http = connection_.client.send(request);
    if (cancel_.cancelled()) return final_outcome(cancelled_error());
    if (const auto* response = std::get_if<common::HttpResponse>(&http)) {
      if (!is_success(response->status)) return status_outcome(std::move(http));
      const auto body = nlohmann::json::parse(response->body, nullptr, false);
      if (body.is_discarded()) {
        return final_outcome(ChatError{ChatError::Kind::bad_response,
                                       shown_endpoint_ +
                                           " answered with a body that is not JSON: " +
                                           parse_error_body(response->body).message,
                                       response->status});
      }
      return unstreamed_outcome(body, std::move(http));
    }
    return transport_outcome(false, request, std::move(http));
  }

  Attempt unstreamed_outcome(const nlohmann::json& body, common::HttpResult http) {
    auto result = parse_chat_completion(body);
    if (!result.ok()) return assembled_error(result.error(), std::move(http));
    emit(result.value().content);
    return final_outcome(std::move(result));
  }

  Attempt assembled_outcome(const StreamAssembler& assembler, common::HttpResult http) {
    auto result = assembler.finish();
    if (result.ok()) return final_outcome(std::move(result));
    return assembled_error(result.error(), std::move(http));
  }

  // An error the server reported inside a 2xx body.
  Attempt assembled_error(const ChatError& reported, common::HttpResult http) {
    ChatError error = reported;
    error.message = shown_endpoint_ + ": " + error.message;
    if (error.kind == ChatError::Kind::auth) error.message += ". Check OPENAI_API_KEY.";
    if (error.kind == ChatError::Kind::model_not_found) error.message += model_hint();
    if (retryable_kind(error.kind)) return retryable_outcome(std::move(error), std::move(http));
    return final_outcome(std::move(error));
  }

  Attempt status_outcome(common::HttpResult http) {
    const auto& response = std::get<common::HttpResponse>(http);
    const auto server = parse_error_body(response.body);
    ChatError error;
    error.status = response.status;
    error.kind = kind_for_status(response.status);
    if (server.code == "model_not_found") error.kind = ChatError::Kind::model_not_found;
    const std::string said = "HTTP " + std::to_string(response.status) + ": " +
                             (server.message.empty() ? "no details" : server.message);
    switch (error.kind) {
      case ChatError::Kind::auth:
        error.message = shown_endpoint_ + " refused the request (" + said +
                        "). Check OPENAI_API_KEY" +
                        (settings_.api_key.empty() ? " (it is not set)." : ".");
        break;
      case ChatError::Kind::model_not_found:
        error.message = "model '" + settings_.model + "' was not found at " + shown_endpoint_ +
                        " (" + said + ")." + model_hint();
        break;
      case ChatError::Kind::rate_limited:
        error.message = shown_endpoint_ + " is rate-limiting requests (" + said + ")";
        break;
      case ChatError::Kind::server:
        error.message = shown_endpoint_ + " failed (" + said + ")";
        break;
      default:
        error.message = shown_endpoint_ + " rejected the request (" + said + ")" +
                        parameter_hint(server.param, server.message);
        break;
    }
    if (!retryable_status(response.status)) return final_outcome(std::move(error));
    return retryable_outcome(std::move(error), std::move(http));
  }

  Attempt transport_outcome(bool received, const common::HttpRequest& request,
                            common::HttpResult http) {
    using Kind = common::HttpError::Kind;
    // A copy: `http` moves into the outcome below.
    common::HttpError failure = std::get<common::HttpError>(http);
    // The client's message starts "POST <url>: "; the endpoint is named once already.
    const std::string prefix = request.method + " " + shown_endpoint_ + ": ";
    if (failure.message.starts_with(prefix)) failure.message.erase(0, prefix.size());
    ChatError error;
    switch (failure.kind) {
      case Kind::timeout:
        error.kind = ChatError::Kind::timeout;
        if (!received && request.first_byte_timeout.count() > 0 &&
            request.first_byte_timeout < request.total_timeout) {
          error.message = shown_endpoint_ + " sent nothing within " +
                          std::to_string(request.first_byte_timeout.count()) +
                          " ms (MUSICAGENT_LLM_FIRST_BYTE_TIMEOUT_MS)";
        } else {
          return final_outcome(whole_call_timeout());
        }
        return final_outcome(std::move(error));
      case Kind::connect:
        error.kind = ChatError::Kind::network;
        error.message = "could not connect to " + shown_endpoint_ + " (" + failure.message +
                        "); is the server running and OPENAI_BASE_URL right?";
        return retryable_outcome(std::move(error), std::move(http));
      case Kind::network:
        error.kind = ChatError::Kind::network;
        if (tokens_sent_) {
          error.message = "the connection to " + shown_endpoint_ +
                          " broke after the reply had started; not retried, so no text is "
                          "repeated (" +
                          failure.message + ")";
          return final_outcome(std::move(error));
        }
        error.message = "the connection to " + shown_endpoint_ + " broke (" + failure.message + ")";
        return retryable_outcome(std::move(error), std::move(http));
      case Kind::invalid_url:
        error.kind = ChatError::Kind::bad_request;
        error.message = "OPENAI_BASE_URL is not a usable http(s) URL: " + failure.message;
        return final_outcome(std::move(error));
      case Kind::aborted:
        return final_outcome(cancelled_error());
    }
    return final_outcome(cancelled_error());
  }

  ChatError whole_call_timeout() const {
    return ChatError{ChatError::Kind::timeout,
                     "no complete reply from " + shown_endpoint_ + " within " +
                         std::to_string(settings_.timeout.count()) +
                         " ms (MUSICAGENT_LLM_TIMEOUT_MS)",
                     0};
  }

  std::string model_hint() const {
    return " Check MUSICAGENT_MODEL against the models this endpoint serves, and that "
           "OPENAI_BASE_URL is right (it usually ends in /v1).";
  }

  std::string parameter_hint(const std::string& param, const std::string& message) const {
    const auto mentions = [&](const char* name) {
      return param == name || message.find(name) != std::string::npos;
    };
    if (settings_.max_tokens && mentions("max_tokens"))
      return ". Unset MUSICAGENT_MAX_TOKENS for this model.";
    if (settings_.temperature && mentions("temperature"))
      return ". Unset MUSICAGENT_TEMPERATURE for this model.";
    return "";
  }

  std::string scrub(std::string text) const {
    const auto& key = settings_.api_key;
    if (key.empty()) return text;
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at))
      text.replace(at, key.size(), kRedacted);
    return text;
  }

  ChatResult scrubbed(ChatResult result) const {
    if (result.ok()) return result;
    ChatError error = result.error();
    error.message = scrub(std::move(error.message));
    if (error.kind != ChatError::Kind::cancelled)
      log_->warn("chat completion failed ({}): {}", to_string(error.kind), error.message);
    return error;
  }

  const ChatSettings& settings_;
  Connection& connection_;
  const ChatModel::TokenSink& on_token_;
  const CancellationToken& cancel_;
  std::string endpoint_;
  std::string shown_endpoint_;
  std::shared_ptr<spdlog::logger> log_;
  bool tokens_sent_ = false;
};

}  // namespace

ChatResult OpenAIChatClient::complete(const ChatRequest& request, const TokenSink& on_token,
                                      const CancellationToken& cancel) {
  // Tool results may hold invalid UTF-8 (cut strings); replace it rather than throw.
  const auto body =
      request_body(request).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto connection = pool_->borrow();
  ChatResult result = Call(settings_, *connection, on_token, cancel).run(body);
  pool_->give_back(std::move(connection));
  return result;
}

}  // namespace musicagent::agent
