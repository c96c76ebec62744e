#include "pipeline/spotify_client.hpp"

#include <openssl/evp.h>

#include "common/logging.hpp"

namespace musicagent::pipeline {
namespace {

constexpr long kOk = 200;
constexpr long kUnauthorized = 401;
constexpr const char* kSpotifySource = "spotify.api";
constexpr const char* kSpotifyTable = "raw.spotify_api_responses";
constexpr std::size_t kMaxIdsPerRequest = 50;

std::string base64(std::string_view text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Spotify's error bodies: {"error": {"status": 429, "message": "..."}} from the API,
// {"error": "invalid_client", "error_description": "..."} from the accounts service.
std::string error_text(long status, std::string_view body) {
  std::string text = "Spotify answered HTTP " + std::to_string(status);
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("error")) {
    const auto& error = parsed["error"];
    if (error.is_object() && error.contains("message") && error["message"].is_string())
      text += ": " + error["message"].get<std::string>();
    else if (error.is_string())
      text += ": " + error.get<std::string>() +
              (parsed.contains("error_description") && parsed["error_description"].is_string()
                   ? " (" + parsed["error_description"].get<std::string>() + ")"
                   : "");
  }
  return text;
}

}  // namespace

SpotifySettings SpotifySettings::from(const common::Config& config) {
  SpotifySettings settings;
  settings.client_id = config.spotify_client_id;
  settings.client_secret = config.spotify_client_secret;
  if (!config.spotify_api_base_url.empty()) settings.api_base_url = config.spotify_api_base_url;
  if (!config.spotify_accounts_base_url.empty())
    settings.accounts_base_url = config.spotify_accounts_base_url;
  settings.cache_ttl = config.api_cache_ttl;
  return settings;
}

SpotifyClient::SpotifyClient(SpotifySettings settings, std::shared_ptr<ApiResponseStore> store)
    : settings_(std::move(settings)),
      store_(std::move(store)),
      rng_(std::random_device{}()),
      bucket_(settings_.requests_per_second, settings_.requests_per_second, settings_.clock) {
  settings_.api_base_url = trim_slash(settings_.api_base_url);
  settings_.accounts_base_url = trim_slash(settings_.accounts_base_url);
}

JsonResult SpotifyClient::search_artists(const std::string& query, int limit) {
  return get("search", "/search?q=" + url_encode(query) + "&type=artist&limit=" +
                           std::to_string(limit));
}

JsonResult SpotifyClient::artist(const std::string& id) {
  return get("artist", "/artists/" + url_encode(id));
}

JsonResult SpotifyClient::artists(const std::vector<std::string>& ids) {
  if (ids.empty() || ids.size() > kMaxIdsPerRequest)
    return ApiError{"several artists takes 1 to 50 ids, not " + std::to_string(ids.size())};
  std::string joined;
  for (const auto& id : ids) joined += (joined.empty() ? "" : ",") + url_encode(id);
  return get("artists", "/artists?ids=" + joined);
}

JsonResult SpotifyClient::artist_top_tracks(const std::string& id, const std::string& market) {
  return get("artist_top_tracks",
             "/artists/" + url_encode(id) + "/top-tracks?market=" + url_encode(market));
}

JsonResult SpotifyClient::artist_albums(const std::string& id, int limit) {
  return get("artist_albums", "/artists/" + url_encode(id) +
                                  "/albums?include_groups=album,single&limit=" +
                                  std::to_string(limit));
}

common::RetriedResult SpotifyClient::send(const common::HttpRequest& request) {
  bucket_.acquire();
  return common::send_with_retry(http_, request, settings_.retry, rng_);
}

void SpotifyClient::land(const std::string& endpoint, const std::string& key, long status,
                         std::string_view body) {
  if (store_) store_->land(endpoint, key, status, body, std::nullopt);
}

std::optional<ApiError> SpotifyClient::ensure_token() {
  const auto now = settings_.clock();
  if (!token_.empty() && now + settings_.token_refresh_margin < token_expires_) return std::nullopt;
  token_.clear();

  common::HttpRequest request;
  request.method = "POST";
  request.url = settings_.accounts_base_url + "/api/token";
  request.headers = {
      {"Authorization", "Basic " + base64(settings_.client_id + ":" + settings_.client_secret)},
      {"Content-Type", "application/x-www-form-urlencoded"}};
  request.body = "grant_type=client_credentials";
  request.total_timeout = settings_.timeout;
  const auto outcome = send(request);
  if (const auto* error = std::get_if<common::HttpError>(&outcome.result))
    return ApiError{"Spotify accounts service unreachable: " + error->message};
  const auto& response = std::get<common::HttpResponse>(outcome.result);

  auto body = nlohmann::json::parse(response.body, nullptr, false);
  // Landed for the audit trail with the token itself masked.
  if (body.is_object() && body.contains("access_token")) {
    auto masked = body;
    masked["access_token"] = "***";
    land("token", "/api/token", response.status, masked.dump());
  } else {
    land("token", "/api/token", response.status, response.body);
  }
  if (response.status != kOk) return ApiError{error_text(response.status, response.body), response.status};
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string())
    return ApiError{"Spotify token response has no access_token", response.status};
  token_ = body["access_token"].get<std::string>();
  const auto lifetime = std::chrono::seconds(body.value("expires_in", 3600));
  token_expires_ = now + lifetime;
  common::logger("spotify")->debug("new access token, valid for {} s", lifetime.count());
  return std::nullopt;
}

JsonResult SpotifyClient::get(const std::string& endpoint, const std::string& path_and_query) {
  std::lock_guard lock(mutex_);
  const auto log = common::logger("spotify");
  if (store_) {
    if (auto cached = store_->find_fresh(endpoint, path_and_query, settings_.cache_ttl)) {
      log->debug("GET {}: reused a stored response", path_and_query);
      return std::move(*cached);
    }
  }

  for (int authorisations = 0;; ++authorisations) {
    if (auto error = ensure_token()) return std::move(*error);
    common::HttpRequest request;
    request.url = settings_.api_base_url + path_and_query;
    request.headers = {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
    request.total_timeout = settings_.timeout;
    const auto outcome = send(request);
    if (const auto* error = std::get_if<common::HttpError>(&outcome.result))
      return ApiError{"Spotify unreachable: " + error->message};
    const auto& response = std::get<common::HttpResponse>(outcome.result);
    land(endpoint, path_and_query, response.status, response.body);
    log->debug("GET {} -> {} after {} attempt(s)", path_and_query, response.status,
               outcome.attempts);
    // A token revoked before its expiry: fetch a new one, once.
    if (response.status == kUnauthorized && authorisations == 0) {
      token_.clear();
      continue;
    }
    if (response.status != kOk)
      return ApiError{error_text(response.status, response.body), response.status};
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded()) return ApiError{"Spotify sent a body that is not JSON", kOk};
    return body;
  }
}

std::shared_ptr<ApiResponseStore> spotify_response_store(
    std::shared_ptr<common::ConnectionPool> database) {
  return std::make_shared<ApiResponseStore>(std::move(database), kSpotifyTable, kSpotifySource);
}

}  // namespace musicagent::pipeline
