#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/http_client.hpp"
#include "pipeline/api_response_store.hpp"
#include "pipeline/token_bucket.hpp"

namespace musicagent::pipeline {

// Spotify limits each app over a rolling 30-second window without publishing the number;
// 20 requests/s stays clear of it in bursts of tool calls, and a 429 is still retried.
inline constexpr double kSpotifyRequestsPerSecond = 20.0;

struct SpotifySettings {
  std::string client_id;
  std::string client_secret;  // secret: never logged, never landed
  std::string api_base_url = "https://api.spotify.com/v1";
  std::string accounts_base_url = "https://accounts.spotify.com";
  std::chrono::seconds cache_ttl{86400};
  common::RetryPolicy retry;
  double requests_per_second = kSpotifyRequestsPerSecond;
  std::chrono::seconds token_refresh_margin{60};  // refresh this long before expiry
  std::chrono::milliseconds timeout{15000};
  TokenBucket::Clock clock = [] { return std::chrono::steady_clock::now(); };

  static SpotifySettings from(const common::Config& config);
  bool configured() const { return !client_id.empty() && !client_secret.empty(); }
};

// The Spotify Web API with client-credentials auth. Every response (token responses with the
// token masked) lands in raw.spotify_api_responses, and a 200 younger than cache_ttl is
// reused instead of calling again. 429 (Retry-After) and 5xx are retried with backoff.
// Thread-safe: calls are serialised, which the rate limit would do anyway.
class SpotifyClient {
 public:
  SpotifyClient(SpotifySettings settings, std::shared_ptr<ApiResponseStore> store);

  // GET /search?type=artist: {"artists": {"items": [...]}}.
  JsonResult search_artists(const std::string& query, int limit = 5);
  JsonResult artist(const std::string& id);
  JsonResult artists(const std::vector<std::string>& ids);  // at most 50 ids
  JsonResult artist_top_tracks(const std::string& id, const std::string& market = "US");
  JsonResult artist_albums(const std::string& id, int limit = 20);

 private:
  JsonResult get(const std::string& endpoint, const std::string& path_and_query);
  std::optional<ApiError> ensure_token();
  common::RetriedResult send(const common::HttpRequest& request);
  void land(const std::string& endpoint, const std::string& key, long status,
            std::string_view body);

  SpotifySettings settings_;
  std::shared_ptr<ApiResponseStore> store_;
  std::mutex mutex_;
  common::HttpClient http_;
  std::mt19937_64 rng_;
  TokenBucket bucket_;
  std::string token_;
  std::chrono::steady_clock::time_point token_expires_{};
};

// Where this client's responses land: raw.spotify_api_responses, _source 'spotify.api'.
std::shared_ptr<ApiResponseStore> spotify_response_store(
    std::shared_ptr<common::ConnectionPool> database);

}  // namespace musicagent::pipeline
