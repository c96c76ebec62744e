#include "rag/openai_embedder.hpp"

#include <cmath>
#include <mutex>
#include <stdexcept>

#include "common/http_connection_pool.hpp"
#include "common/logging.hpp"

namespace musicagent::rag {
namespace {

constexpr const char* kProbeText = "dimension probe";
constexpr std::size_t kMaxIdleConnections = 8;
constexpr std::size_t kMaxQuotedBodyChars = 300;
constexpr long kUnauthorized = 401;
constexpr long kForbidden = 403;
constexpr long kNotFound = 404;
constexpr long kTooManyRequests = 429;
constexpr long kFirstSuccessStatus = 200;
constexpr long kFirstNonSuccessStatus = 300;

using common::HttpResponse;

// One borrowed connection: HttpClient is single-threaded, and each keeps its own jitter source
// so concurrent callers need no shared random state.
using Connection = common::PooledConnection;

// error.message from an OpenAI-style error body ({"error": {...}} or {"error": "..."}), else
// the start of the raw body.
std::string server_message(const std::string& body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error")) {
    const auto& error = parsed.at("error");
    if (error.is_string()) return error.get<std::string>();
    if (error.is_object() && error.contains("message") && error.at("message").is_string())
      return error.at("message").get<std::string>();
  }
  if (body.empty()) return "empty body";
  return body.size() <= kMaxQuotedBodyChars ? body : body.substr(0, kMaxQuotedBodyChars) + "...";
}

// error.code, which some providers send as a number (OpenRouter) and some omit.
std::string server_code(const std::string& body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("error") || !parsed.at("error").is_object())
    return {};
  const auto& error = parsed.at("error");
  if (!error.contains("code")) return {};
  const auto& code = error.at("code");
  if (code.is_string()) return code.get<std::string>();
  if (code.is_number()) return code.dump();
  return {};
}

void normalise(std::vector<float>& vector, std::size_t position) {
  double sum = 0;
  for (const float value : vector) {
    if (!std::isfinite(value))
      throw std::runtime_error("embedding for input " + std::to_string(position) +
                               " contains a non-finite value");
    sum += static_cast<double>(value) * value;
  }
  if (sum == 0) {
    // A zero vector has no direction; leave it so one odd text does not fail a whole index.
    common::logger("rag")->warn("embedding for input {} is all zeros", position);
    return;
  }
  const double inverse = 1.0 / std::sqrt(sum);
  for (float& value : vector) value = static_cast<float>(value * inverse);
}

}  // namespace

struct OpenAiEmbedder::State {
  std::mutex mutex;
  common::HttpConnectionPool connections{kMaxIdleConnections};
  std::optional<std::size_t> dimension;           // guarded by mutex

  std::unique_ptr<Connection> borrow() { return connections.borrow(); }
  void give_back(std::unique_ptr<Connection> connection) { connections.give_back(std::move(connection)); }

  std::optional<std::size_t> known_dimension() {
    std::lock_guard lock(mutex);
    return dimension;
  }
};

OpenAiEmbedder::OpenAiEmbedder(OpenAiEmbedderOptions options)
    : options_(std::move(options)), state_(std::make_unique<State>()) {
  if (options_.base_url.empty())
    throw std::invalid_argument(
        "the OpenAI embedder needs a base URL (OPENAI_BASE_URL), e.g. https://api.openai.com/v1");
  if (options_.model.empty()) throw std::invalid_argument("the OpenAI embedder needs a model");
  if (options_.batch_size == 0) throw std::invalid_argument("embedding batch_size must be > 0");
  if (options_.dimensions && *options_.dimensions == 0)
    throw std::invalid_argument("embedding dimensions must be > 0 when set");

  std::string base = options_.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  endpoint_ = base + "/embeddings";
  state_->dimension = options_.dimensions;
}

OpenAiEmbedder::~OpenAiEmbedder() = default;

std::size_t OpenAiEmbedder::dimension() const {
  if (const auto known = state_->known_dimension()) return *known;
  embed({kProbeText});
  return state_->known_dimension().value();
}

nlohmann::json OpenAiEmbedder::describe() const {
  return {{"name", "openai"},
          {"model", options_.model},
          {"dimensions", dimension()},
          {"base_url", common::redact_url(options_.base_url)}};
}

std::vector<float> OpenAiEmbedder::embed(const std::vector<std::string>& texts) const {
  if (texts.empty()) return {};

  auto expected = state_->known_dimension();
  std::vector<float> matrix;
  for (std::size_t first = 0; first < texts.size(); first += options_.batch_size) {
    const std::size_t count = std::min(options_.batch_size, texts.size() - first);
    auto rows = embed_batch(texts, first, count);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto& row = rows[i];
      const std::size_t position = first + i;
      if (!expected) {
        if (row.empty())
          throw std::runtime_error(endpoint_ + " returned an empty embedding for model '" +
                                   options_.model + "'");
        expected = row.size();
        matrix.reserve(texts.size() * *expected);
      }
      if (row.size() != *expected) {
        const std::string hint =
            options_.dimensions ? " (dimensions is configured; the server may not support it)" : "";
        throw std::runtime_error("embedding for input " + std::to_string(position) + " from " +
                                 endpoint_ + " (model '" + options_.model + "') has length " +
                                 std::to_string(row.size()) + ", expected " +
                                 std::to_string(*expected) + hint);
      }
      normalise(row, position);
      matrix.insert(matrix.end(), row.begin(), row.end());
    }
  }

  {
    std::lock_guard lock(state_->mutex);
    if (!state_->dimension) state_->dimension = expected;
  }
  return matrix;
}

std::vector<std::vector<float>> OpenAiEmbedder::embed_batch(const std::vector<std::string>& texts,
                                                            std::size_t first,
                                                            std::size_t count) const {
  nlohmann::json body = {{"model", options_.model}};
  auto& input = body["input"] = nlohmann::json::array();
  for (std::size_t i = first; i < first + count; ++i) input.push_back(texts[i]);
  if (options_.dimensions) body["dimensions"] = *options_.dimensions;

  common::HttpRequest request;
  request.method = "POST";
  request.url = endpoint_;
  request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!options_.api_key.empty())
    request.headers.emplace_back("Authorization", "Bearer " + options_.api_key);
  request.body = body.dump();
  request.connect_timeout = options_.connect_timeout;
  request.total_timeout = options_.request_timeout;

  auto connection = state_->borrow();
  auto outcome =
      common::send_with_retry(connection->client, request, options_.retry, connection->rng);
  state_->give_back(std::move(connection));

  if (const auto* error = std::get_if<common::HttpError>(&outcome.result)) {
    throw std::runtime_error("cannot reach the embeddings endpoint " + endpoint_ + " (" +
                             std::string(common::to_string(error->kind)) + " after " +
                             std::to_string(outcome.attempts) +
                             " attempt(s)): " + scrub(error->message) + "; check OPENAI_BASE_URL");
  }
  const auto& response = std::get<HttpResponse>(outcome.result);
  if (response.status < kFirstSuccessStatus || response.status >= kFirstNonSuccessStatus)
    fail_response(response, outcome.attempts);

  std::vector<std::vector<float>> rows(count);
  std::vector<bool> seen(count, false);
  try {
    const auto parsed = nlohmann::json::parse(response.body);
    const auto& data = parsed.at("data");
    if (!data.is_array() || data.size() != count)
      throw std::runtime_error("expected " + std::to_string(count) +
                               " embeddings in \"data\", got " +
                               (data.is_array() ? std::to_string(data.size()) : "no array"));
    for (std::size_t position = 0; position < data.size(); ++position) {
      const auto& item = data.at(position);
      // The API documents `index` as the input's position; it is not promised to match the
      // order of `data`. Servers that omit it are taken to answer in order.
      const std::size_t index =
          item.contains("index") ? item.at("index").get<std::size_t>() : position;
      if (index >= count || seen[index])
        throw std::runtime_error("embedding index " + std::to_string(index) +
                                 " is out of range or repeated");
      seen[index] = true;
      rows[index] = item.at("embedding").get<std::vector<float>>();
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("unexpected response from " + endpoint_ + " (model '" +
                             options_.model + "'): " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("unexpected response from " + endpoint_ + " (model '" +
                             options_.model + "'): " + e.what());
  }
  return rows;
}

void OpenAiEmbedder::fail_response(const HttpResponse& response, int attempts) const {
  const std::string status = "HTTP " + std::to_string(response.status);
  const std::string message = scrub(server_message(response.body));
  const std::string code = server_code(response.body);

  if (response.status == kUnauthorized || response.status == kForbidden) {
    throw std::runtime_error(
        "the embeddings endpoint " + endpoint_ + " refused the API key (" + status + ": " +
        message + "); check OPENAI_API_KEY" + (options_.api_key.empty() ? " (it is not set)" : "") +
        (response.status == kForbidden ? " and that it may use model '" + options_.model + "'"
                                       : ""));
  }
  if (response.status == kNotFound || code == "model_not_found") {
    throw std::runtime_error("embedding model '" + options_.model + "' was not found at " +
                             endpoint_ + " (" + status + ": " + message +
                             "); check the model name and that OPENAI_BASE_URL points at an "
                             "OpenAI-compatible API (usually ending in /v1)");
  }
  if (response.status == kTooManyRequests) {
    const std::string advice = code == "insufficient_quota"
                                   ? "; the account's quota is used up: check billing"
                                   : "; wait and retry, or lower the batch size";
    throw std::runtime_error("the embeddings endpoint " + endpoint_ +
                             " is still rate limiting after " + std::to_string(attempts) +
                             " attempt(s) (" + status + ": " + message + ")" + advice);
  }
  throw std::runtime_error("the embeddings endpoint " + endpoint_ + " answered " + status +
                           " for model '" + options_.model + "' after " + std::to_string(attempts) +
                           " attempt(s): " + message);
}

std::string OpenAiEmbedder::scrub(std::string text) const {
  // Some relays echo the key back in full; it must not reach logs or exception messages.
  if (options_.api_key.empty()) return text;
  for (auto at = text.find(options_.api_key); at != std::string::npos;
       at = text.find(options_.api_key, at))
    text.replace(at, options_.api_key.size(), "***");
  return text;
}

}  // namespace musicagent::rag
