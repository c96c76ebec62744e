#include "pipeline/lastfm_client.hpp"

#include <algorithm>
#include <cctype>

#include "common/logging.hpp"

namespace musicagent::pipeline {
namespace {

constexpr long kOk = 200;
constexpr const char* kLastfmSource = "lastfm.api";
constexpr const char* kLastfmTable = "raw.lastfm_api_responses";

std::string to_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

LastfmSettings LastfmSettings::from(const common::Config& config) {
  LastfmSettings settings;
  settings.api_key = config.lastfm_api_key;
  if (!config.lastfm_api_base_url.empty()) settings.base_url = config.lastfm_api_base_url;
  settings.cache_ttl = config.api_cache_ttl;
  return settings;
}

std::optional<ApiError> lastfm_body_error(const nlohmann::json& body, long http_status) {
  if (!body.is_object() || !body.contains("error")) return std::nullopt;
  ApiError error;
  error.http_status = http_status;
  const auto& code = body["error"];
  if (code.is_number_integer()) error.api_code = code.get<int>();
  error.message = "Last.fm error " + std::to_string(error.api_code) + ": " +
                  (body.contains("message") && body["message"].is_string()
                       ? body["message"].get<std::string>()
                       : std::string("(no message)"));
  return error;
}

LastfmClient::LastfmClient(LastfmSettings settings, std::shared_ptr<ApiResponseStore> store)
    : settings_(std::move(settings)),
      store_(std::move(store)),
      rng_(std::random_device{}()),
      bucket_(settings_.requests_per_second, settings_.requests_per_second) {}

JsonResult LastfmClient::call(const std::string& method, const Params& params, bool cacheable,
                              std::optional<std::int64_t> run_id) {
  std::lock_guard lock(mutex_);
  const auto log = common::logger("lastfm");
  const auto endpoint = to_lower(method);
  // The request key names the call without the key, in a stable order.
  auto sorted = params;
  std::sort(sorted.begin(), sorted.end());
  std::string key = "method=" + endpoint;
  for (const auto& [name, value] : sorted) key += "&" + name + "=" + url_encode(value);

  if (cacheable && store_) {
    if (auto cached = store_->find_fresh(endpoint, key, settings_.cache_ttl);
        cached && !lastfm_body_error(*cached, kOk)) {
      log->debug("{}: reused a stored response", key);
      return std::move(*cached);
    }
  }

  common::HttpRequest request;
  const char separator = settings_.base_url.find('?') == std::string::npos ? '?' : '&';
  request.url = settings_.base_url + separator + "method=" + url_encode(method);
  for (const auto& [name, value] : params) request.url += "&" + name + "=" + url_encode(value);
  request.url += "&api_key=" + url_encode(settings_.api_key) + "&format=json";
  request.headers = {{"Accept", "application/json"}};
  request.total_timeout = settings_.timeout;

  bucket_.acquire();
  const auto outcome = common::send_with_retry(http_, request, settings_.retry, rng_);
  if (const auto* error = std::get_if<common::HttpError>(&outcome.result))
    return ApiError{"Last.fm unreachable: " + error->message};  // the message's URL is redacted
  const auto& response = std::get<common::HttpResponse>(outcome.result);
  if (store_) store_->land(endpoint, key, response.status, response.body, run_id);
  log->debug("{} -> {} after {} attempt(s)", key, response.status, outcome.attempts);

  auto body = nlohmann::json::parse(strip_utf8_bom(response.body), nullptr, false);
  if (body.is_discarded()) {
    return ApiError{"Last.fm answered HTTP " + std::to_string(response.status) +
                        " with a body that is not JSON",
                    response.status};
  }
  if (auto error = lastfm_body_error(body, response.status)) return std::move(*error);
  if (response.status != kOk)
    return ApiError{"Last.fm answered HTTP " + std::to_string(response.status), response.status};
  return body;
}

JsonResult LastfmClient::artist_info(const std::string& artist) {
  return call("artist.getInfo", {{"artist", artist}, {"autocorrect", "1"}});
}

JsonResult LastfmClient::similar_artists(const std::string& artist, int limit) {
  return call("artist.getSimilar",
              {{"artist", artist}, {"autocorrect", "1"}, {"limit", std::to_string(limit)}});
}

JsonResult LastfmClient::recent_tracks(const std::string& user, int page, int limit,
                                       std::int64_t from, std::optional<std::int64_t> to,
                                       std::optional<std::int64_t> run_id) {
  Params params = {{"user", user}, {"page", std::to_string(page)}, {"limit", std::to_string(limit)}};
  // Last.fm's `from` is inclusive; the watermark is the newest scrobble already loaded.
  if (from > 0) params.emplace_back("from", std::to_string(from + 1));
  if (to) params.emplace_back("to", std::to_string(*to));
  return call("user.getRecentTracks", params, false, run_id);
}

std::shared_ptr<ApiResponseStore> lastfm_response_store(
    std::shared_ptr<common::ConnectionPool> database) {
  return std::make_shared<ApiResponseStore>(std::move(database), kLastfmTable, kLastfmSource);
}

}  // namespace musicagent::pipeline
