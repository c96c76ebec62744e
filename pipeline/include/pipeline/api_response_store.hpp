#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/connection_pool.hpp"
#include "common/result.hpp"

namespace musicagent::pipeline {

// An expected failure of a live API call: the service is down, refused us, or answered with
// an error body. Never carries credentials.
struct ApiError {
  std::string message;
  long http_status = 0;  // 0 when no HTTP response arrived
  int api_code = 0;      // the service's own error code (Last.fm's "error": 6), else 0
};

using JsonResult = common::Result<nlohmann::json, ApiError>;

// Lands every API response in raw.<table> (endpoint, request key, status, body as jsonb,
// fetched_at, _run_id, _source) and finds a recent successful one to reuse. Database errors
// throw: without its raw rows a response is not part of the warehouse.
class ApiResponseStore {
 public:
  ApiResponseStore(std::shared_ptr<common::ConnectionPool> database, std::string table,
                   std::string source);

  // The body of the newest 200 for (endpoint, request_key) fetched less than `ttl` ago.
  std::optional<nlohmann::json> find_fresh(const std::string& endpoint,
                                           const std::string& request_key,
                                           std::chrono::seconds ttl);
  // `body` is stored as JSON when it parses, else as a JSON string.
  void land(const std::string& endpoint, const std::string& request_key, long status,
            std::string_view body, std::optional<std::int64_t> run_id);

  const std::string& table() const { return table_; }

 private:
  std::shared_ptr<common::ConnectionPool> database_;
  std::string table_;  // schema-qualified, e.g. raw.spotify_api_responses
  std::string source_;
};

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string url_encode(std::string_view text);

// Some Last.fm bodies start with a UTF-8 byte-order mark, which JSON parsers refuse.
std::string_view strip_utf8_bom(std::string_view text);

}  // namespace musicagent::pipeline
