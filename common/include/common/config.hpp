#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/environment.hpp"

namespace musicagent::common {

// Every setting, parsed once at start-up from the environment (and `.env`).
struct Config {
  std::filesystem::path home;         // MUSICAGENT_HOME: models, prompts and the local var/ folder
  std::filesystem::path data_dir;     // MUSICAGENT_DATA_DIR
  std::string database_url;           // DATABASE_URL, else the local cluster's var/database_url
  std::string database_url_origin;    // where database_url came from, for messages
  std::string openai_base_url;        // OPENAI_BASE_URL; empty means the offline planner
  std::string openai_api_key;         // OPENAI_API_KEY (secret)
  std::string model;                  // MUSICAGENT_MODEL
  std::optional<double> temperature;  // MUSICAGENT_TEMPERATURE; unset: the server's default
  std::optional<long> max_tokens;     // MUSICAGENT_MAX_TOKENS; unset: the server's default
  bool stream = true;                 // MUSICAGENT_STREAM (1/0): stream chat replies
  std::chrono::milliseconds llm_connect_timeout{10000};     // MUSICAGENT_LLM_CONNECT_TIMEOUT_MS
  std::chrono::milliseconds llm_first_byte_timeout{60000};  // MUSICAGENT_LLM_FIRST_BYTE_TIMEOUT_MS
  std::chrono::milliseconds llm_timeout{300000};            // MUSICAGENT_LLM_TIMEOUT_MS, whole call
  int llm_max_attempts = 3;  // MUSICAGENT_LLM_MAX_ATTEMPTS, including the first
  std::string spotify_client_id;      // SPOTIFY_CLIENT_ID
  std::string spotify_client_secret;  // SPOTIFY_CLIENT_SECRET (secret)
  std::string lastfm_api_key;         // LASTFM_API_KEY (secret)
  std::string spotify_api_base_url;   // SPOTIFY_API_BASE_URL
  std::string spotify_accounts_base_url;  // SPOTIFY_ACCOUNTS_BASE_URL (token endpoint)
  std::string lastfm_api_base_url;        // LASTFM_API_BASE_URL
  std::vector<std::string> lastfm_users;  // MUSICAGENT_LASTFM_USERS: comma list for recent tracks
  std::chrono::seconds api_cache_ttl{86400};  // MUSICAGENT_API_CACHE_TTL_S: reuse API responses
  // MUSICAGENT_DB_CONNECTIONS: the tools' connection pool; the web server's workers share it.
  std::size_t database_connections = 8;
  std::string log_level;              // MUSICAGENT_LOG_LEVEL
  std::string embeddings;             // MUSICAGENT_EMBEDDINGS: local (default) or openai
  std::string embedding_base_url;     // MUSICAGENT_EMBEDDING_BASE_URL, default OPENAI_BASE_URL
  std::string embedding_model;        // MUSICAGENT_EMBEDDING_MODEL
  std::size_t embedding_dimensions = 0;  // MUSICAGENT_EMBEDDING_DIMENSIONS; 0 = the model's own

  std::filesystem::path var_dir() const { return home / "var"; }
  std::filesystem::path index_dir() const { return var_dir() / "index"; }
  std::filesystem::path models_dir() const { return home / "pipeline" / "models"; }
  std::filesystem::path bootstrap_sql() const {
    return home / "pipeline" / "sql" / "bootstrap.sql";
  }
};

Config load_config(const Environment& env);

// One line per setting, secrets masked, for start-up logs and `--verbose`.
std::vector<std::string> describe(const Config& config);

// Replaces the password in a libpq URL or key=value string with `***`.
std::string mask_database_url(const std::string& url);

}  // namespace musicagent::common
