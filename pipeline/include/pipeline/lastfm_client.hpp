#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/config.hpp"
#include "common/http_client.hpp"
#include "pipeline/api_response_store.hpp"
#include "pipeline/token_bucket.hpp"

namespace musicagent::pipeline {

// Last.fm asks API users to stay under five requests a second per key.
inline constexpr double kLastfmRequestsPerSecond = 5.0;

struct LastfmSettings {
  std::string api_key;  // secret: redacted from every URL that is logged or landed
  std::string base_url = "https://ws.audioscrobbler.com/2.0/";
  std::chrono::seconds cache_ttl{86400};
  common::RetryPolicy retry;
  double requests_per_second = kLastfmRequestsPerSecond;
  std::chrono::milliseconds timeout{15000};

  static LastfmSettings from(const common::Config& config);
  bool configured() const { return !api_key.empty(); }
};

// The Last.fm API (JSON format). Handles its quirks: errors as {"error": N, "message": ...}
// bodies, sometimes with HTTP 200, and bodies that begin with a UTF-8 byte-order mark.
// Every response lands in raw.lastfm_api_responses; cacheable calls reuse a successful one
// younger than cache_ttl. Thread-safe (calls are serialised).
class LastfmClient {
 public:
  using Params = std::vector<std::pair<std::string, std::string>>;

  LastfmClient(LastfmSettings settings, std::shared_ptr<ApiResponseStore> store);

  // Any API method, e.g. call("artist.getInfo", {{"artist", "Cher"}}).
  JsonResult call(const std::string& method, const Params& params, bool cacheable = true,
                  std::optional<std::int64_t> run_id = std::nullopt);

  JsonResult artist_info(const std::string& artist);
  JsonResult similar_artists(const std::string& artist, int limit = 20);
  // One page of scrobbles after `from` (unix seconds, exclusive) up to `to`; never cached.
  JsonResult recent_tracks(const std::string& user, int page, int limit, std::int64_t from,
                           std::optional<std::int64_t> to, std::optional<std::int64_t> run_id);

 private:
  LastfmSettings settings_;
  std::shared_ptr<ApiResponseStore> store_;
  std::mutex mutex_;
  common::HttpClient http_;
  std::mt19937_64 rng_;
  TokenBucket bucket_;
};

// The error a Last.fm body reports ({"error": 6, "message": "..."}), if any.
std::optional<ApiError> lastfm_body_error(const nlohmann::json& body, long http_status);

// Where this client's responses land: raw.lastfm_api_responses, _source 'lastfm.api'.
std::shared_ptr<ApiResponseStore> lastfm_response_store(
    std::shared_ptr<common::ConnectionPool> database);

}  // namespace musicagent::pipeline
