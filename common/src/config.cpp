#include "common/config.hpp"

#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace musicagent::common {
namespace {

constexpr const char* kDefaultModel = "gpt-4o-mini";
constexpr const char* kDefaultLogLevel = "warn";
constexpr const char* kDefaultEmbeddingModel = "text-embedding-3-small";
constexpr const char* kFallbackDatabaseUrl = "postgresql:///musicagent";
constexpr const char* kDefaultSpotifyApiBaseUrl = "https://api.spotify.com/v1";
constexpr const char* kDefaultSpotifyAccountsBaseUrl = "https://accounts.spotify.com";
constexpr const char* kDefaultLastfmApiBaseUrl = "https://ws.audioscrobbler.com/2.0/";
constexpr long long kDefaultApiCacheTtlSeconds = 24 * 60 * 60;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    auto item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(item);
    start = end + 1;
  }
  return items;
}

std::filesystem::path default_data_dir(const std::filesystem::path& home) {
  // The shared data set sits beside the checkout in development and CI.
  const auto beside = home.parent_path() / "shared" / "data";
  std::error_code ec;
  if (std::filesystem::is_directory(beside, ec)) return beside;
  return home / "data";
}

std::string read_first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// A numeric setting, or a message naming the variable when it is not a number in range.
template <typename T>
std::optional<T> number_setting(const Environment& env, const std::string& name, T min, T max) {
  const auto text = env.get(name);
  if (!text || text->empty()) return std::nullopt;
  T value{};
  std::size_t used = 0;
  try {
    if constexpr (std::is_floating_point_v<T>)
      value = static_cast<T>(std::stod(*text, &used));
    else
      value = static_cast<T>(std::stoll(*text, &used));
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text->size() || value < min || value > max) {
    std::ostringstream message;
    message << name << " must be a number from " << min << " to " << max << ", not '" << *text
            << "'";
    throw std::runtime_error(message.str());
  }
  return value;
}

std::chrono::milliseconds ms_setting(const Environment& env, const std::string& name,
                                     std::chrono::milliseconds fallback) {
  constexpr long long kMaxMs = 24LL * 3600 * 1000;
  const auto value = number_setting<long long>(env, name, 0, kMaxMs);
  return value ? std::chrono::milliseconds(*value) : fallback;
}

bool flag_setting(const Environment& env, const std::string& name, bool fallback) {
  const auto text = env.get(name);
  if (!text || text->empty()) return fallback;
  if (*text == "1" || *text == "true" || *text == "yes" || *text == "on") return true;
  if (*text == "0" || *text == "false" || *text == "no" || *text == "off") return false;
  throw std::runtime_error(name + " must be 1 or 0, not '" + *text + "'");
}

std::string mask(const std::string& secret) {
  if (secret.empty()) return "(not set)";
  return "*** (" + std::to_string(secret.size()) + " chars)";
}

}  // namespace

Config load_config(const Environment& env) {
  Config config;
  config.home = std::filesystem::path(env.get_or("MUSICAGENT_HOME", MUSICAGENT_DEFAULT_HOME))
                    .lexically_normal();
  // "/x/checkout/" has an empty filename; without it parent_path() would not leave the checkout.
  if (!config.home.has_filename() && config.home.has_parent_path())
    config.home = config.home.parent_path();
  config.data_dir = env.get("MUSICAGENT_DATA_DIR")
                        ? std::filesystem::path(*env.get("MUSICAGENT_DATA_DIR"))
                        : default_data_dir(config.home);

  if (auto url = env.get("DATABASE_URL")) {
    config.database_url = *url;
    config.database_url_origin = "DATABASE_URL";
  } else if (const auto local = config.var_dir() / "database_url"; std::filesystem::exists(local)) {
    config.database_url = read_first_line(local);
    config.database_url_origin = local.string() + " (local cluster from scripts/setup.sh)";
  } else {
    config.database_url = kFallbackDatabaseUrl;
    config.database_url_origin = "default (no DATABASE_URL and no local cluster)";
  }

  config.openai_base_url = env.get_or("OPENAI_BASE_URL", "");
  config.openai_api_key = env.get_or("OPENAI_API_KEY", "");
  config.model = env.get_or("MUSICAGENT_MODEL", kDefaultModel);
  constexpr double kMaxTemperature = 2.0;
  constexpr long kMaxTokensLimit = 10'000'000;
  constexpr int kMaxAttemptsLimit = 20;
  config.temperature = number_setting<double>(env, "MUSICAGENT_TEMPERATURE", 0.0, kMaxTemperature);
  config.max_tokens = number_setting<long>(env, "MUSICAGENT_MAX_TOKENS", 1, kMaxTokensLimit);
  config.stream = flag_setting(env, "MUSICAGENT_STREAM", config.stream);
  config.llm_connect_timeout =
      ms_setting(env, "MUSICAGENT_LLM_CONNECT_TIMEOUT_MS", config.llm_connect_timeout);
  config.llm_first_byte_timeout =
      ms_setting(env, "MUSICAGENT_LLM_FIRST_BYTE_TIMEOUT_MS", config.llm_first_byte_timeout);
  config.llm_timeout = ms_setting(env, "MUSICAGENT_LLM_TIMEOUT_MS", config.llm_timeout);
  config.llm_max_attempts =
      number_setting<int>(env, "MUSICAGENT_LLM_MAX_ATTEMPTS", 1, kMaxAttemptsLimit)
          .value_or(config.llm_max_attempts);
  config.spotify_client_id = env.get_or("SPOTIFY_CLIENT_ID", "");
  config.spotify_client_secret = env.get_or("SPOTIFY_CLIENT_SECRET", "");
  config.lastfm_api_key = env.get_or("LASTFM_API_KEY", "");
  config.spotify_api_base_url = env.get_or("SPOTIFY_API_BASE_URL", kDefaultSpotifyApiBaseUrl);
  config.spotify_accounts_base_url =
      env.get_or("SPOTIFY_ACCOUNTS_BASE_URL", kDefaultSpotifyAccountsBaseUrl);
  config.lastfm_api_base_url = env.get_or("LASTFM_API_BASE_URL", kDefaultLastfmApiBaseUrl);
  config.lastfm_users = split_list(env.get_or("MUSICAGENT_LASTFM_USERS", ""));
  constexpr long long kMaxCacheTtlSeconds = 10LL * 365 * 24 * 3600;
  config.api_cache_ttl = std::chrono::seconds(
      number_setting<long long>(env, "MUSICAGENT_API_CACHE_TTL_S", 0, kMaxCacheTtlSeconds)
          .value_or(kDefaultApiCacheTtlSeconds));
  if (const auto connections = env.get("MUSICAGENT_DB_CONNECTIONS")) {
    std::size_t used = 0;
    long parsed = -1;
    try {
      parsed = std::stol(*connections, &used);
    } catch (const std::exception&) {
    }
    if (used != connections->size() || parsed < 1 || parsed > 256) {
      throw std::runtime_error("MUSICAGENT_DB_CONNECTIONS must be a whole number from 1 to 256, not '" +
                               *connections + "'");
    }
    config.database_connections = static_cast<std::size_t>(parsed);
  }
  config.log_level = env.get_or("MUSICAGENT_LOG_LEVEL", kDefaultLogLevel);
  config.embeddings = env.get_or("MUSICAGENT_EMBEDDINGS", "local");
  if (config.embeddings != "local" && config.embeddings != "openai") {
    throw std::runtime_error("MUSICAGENT_EMBEDDINGS must be 'local' or 'openai', not '" +
                             config.embeddings + "'");
  }
  config.embedding_base_url = env.get_or("MUSICAGENT_EMBEDDING_BASE_URL", config.openai_base_url);
  config.embedding_model = env.get_or("MUSICAGENT_EMBEDDING_MODEL", kDefaultEmbeddingModel);
  // std::stoul took "-1" and wrapped it to 2^64 - 1 dimensions.
  constexpr long kMaxEmbeddingDimensions = 65536;
  if (const auto dimensions =
          number_setting<long>(env, "MUSICAGENT_EMBEDDING_DIMENSIONS", 0, kMaxEmbeddingDimensions)) {
    config.embedding_dimensions = static_cast<std::size_t>(*dimensions);
  }
  if (config.embeddings == "openai" && config.embedding_base_url.empty()) {
    throw std::runtime_error(
        "MUSICAGENT_EMBEDDINGS=openai needs MUSICAGENT_EMBEDDING_BASE_URL or OPENAI_BASE_URL");
  }
  return config;
}

std::string mask_database_url(const std::string& url) {
  static const std::regex url_password(R"((://[^:/@]*:)[^@]*@)");
  static const std::regex kv_password(R"((password\s*=\s*)('[^']*'|\S+))", std::regex::icase);
  std::string masked = std::regex_replace(url, url_password, "$1***@");
  return std::regex_replace(masked, kv_password, "$1***");
}

std::vector<std::string> describe(const Config& config) {
  return {
      "MUSICAGENT_HOME=" + config.home.string(),
      "MUSICAGENT_DATA_DIR=" + config.data_dir.string(),
      "DATABASE_URL=" + mask_database_url(config.database_url) + "  [" +
          config.database_url_origin + "]",
      "OPENAI_BASE_URL=" +
          (config.openai_base_url.empty() ? "(not set: offline planner)" : config.openai_base_url),
      "OPENAI_API_KEY=" + mask(config.openai_api_key),
      "MUSICAGENT_MODEL=" + config.model,
      "MUSICAGENT_STREAM=" + std::string(config.stream ? "1" : "0") +
          (config.temperature ? ", MUSICAGENT_TEMPERATURE=" + std::to_string(*config.temperature)
                              : "") +
          (config.max_tokens ? ", MUSICAGENT_MAX_TOKENS=" + std::to_string(*config.max_tokens)
                             : "") +
          ", LLM timeouts connect/first byte/call " +
          std::to_string(config.llm_connect_timeout.count()) + "/" +
          std::to_string(config.llm_first_byte_timeout.count()) + "/" +
          std::to_string(config.llm_timeout.count()) + " ms, " +
          std::to_string(config.llm_max_attempts) + " attempts",
      "SPOTIFY_CLIENT_ID=" +
          (config.spotify_client_id.empty() ? "(not set)" : config.spotify_client_id),
      "SPOTIFY_CLIENT_SECRET=" + mask(config.spotify_client_secret),
      "LASTFM_API_KEY=" + mask(config.lastfm_api_key),
      "SPOTIFY_API_BASE_URL=" + config.spotify_api_base_url,
      "SPOTIFY_ACCOUNTS_BASE_URL=" + config.spotify_accounts_base_url,
      "LASTFM_API_BASE_URL=" + config.lastfm_api_base_url,
      "MUSICAGENT_LASTFM_USERS=" + std::to_string(config.lastfm_users.size()) + " user(s)",
      "MUSICAGENT_API_CACHE_TTL_S=" + std::to_string(config.api_cache_ttl.count()),
      "MUSICAGENT_DB_CONNECTIONS=" + std::to_string(config.database_connections),
      "MUSICAGENT_LOG_LEVEL=" + config.log_level,
      "MUSICAGENT_EMBEDDINGS=" + config.embeddings +
          (config.embeddings == "openai"
               ? " (" + config.embedding_model + " at " + config.embedding_base_url + ")"
               : ""),
  };
}

}  // namespace musicagent::common
