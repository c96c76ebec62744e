#include "common/config.hpp"

#include <fstream>
#include <regex>
#include <stdexcept>

namespace musicagent::common {
namespace {

constexpr const char* kDefaultModel = "gpt-4o-mini";
constexpr const char* kDefaultLogLevel = "warn";
constexpr const char* kDefaultEmbeddingModel = "text-embedding-3-small";
constexpr const char* kFallbackDatabaseUrl = "postgresql:///musicagent";

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
  config.spotify_client_id = env.get_or("SPOTIFY_CLIENT_ID", "");
  config.spotify_client_secret = env.get_or("SPOTIFY_CLIENT_SECRET", "");
  config.lastfm_api_key = env.get_or("LASTFM_API_KEY", "");
  config.log_level = env.get_or("MUSICAGENT_LOG_LEVEL", kDefaultLogLevel);
  config.embeddings = env.get_or("MUSICAGENT_EMBEDDINGS", "local");
  if (config.embeddings != "local" && config.embeddings != "openai") {
    throw std::runtime_error("MUSICAGENT_EMBEDDINGS must be 'local' or 'openai', not '" +
                             config.embeddings + "'");
  }
  config.embedding_base_url = env.get_or("MUSICAGENT_EMBEDDING_BASE_URL", config.openai_base_url);
  config.embedding_model = env.get_or("MUSICAGENT_EMBEDDING_MODEL", kDefaultEmbeddingModel);
  if (const auto dimensions = env.get("MUSICAGENT_EMBEDDING_DIMENSIONS")) {
    try {
      config.embedding_dimensions = std::stoul(*dimensions);
    } catch (const std::exception&) {
      throw std::runtime_error("MUSICAGENT_EMBEDDING_DIMENSIONS must be a whole number, not '" +
                               *dimensions + "'");
    }
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
      "SPOTIFY_CLIENT_ID=" +
          (config.spotify_client_id.empty() ? "(not set)" : config.spotify_client_id),
      "SPOTIFY_CLIENT_SECRET=" + mask(config.spotify_client_secret),
      "LASTFM_API_KEY=" + mask(config.lastfm_api_key),
      "MUSICAGENT_LOG_LEVEL=" + config.log_level,
      "MUSICAGENT_EMBEDDINGS=" + config.embeddings +
          (config.embeddings == "openai"
               ? " (" + config.embedding_model + " at " + config.embedding_base_url + ")"
               : ""),
  };
}

}  // namespace musicagent::common
