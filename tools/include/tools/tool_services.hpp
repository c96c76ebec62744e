#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/config.hpp"
#include "common/connection_pool.hpp"
#include "pipeline/lastfm_client.hpp"
#include "pipeline/spotify_client.hpp"
#include "catalog/catalog_provider.hpp"
#include "common/result.hpp"
#include "rag/catalog_index.hpp"
#include "tools/tool.hpp"
#include "understanding/understanding.hpp"

namespace musicagent::tools {

// Loads the catalogue index on first use and keeps it; tools that never search never pay
// for loading it. Thread-safe.
class IndexProvider {
 public:
  explicit IndexProvider(common::Config config) : config_(std::move(config)) {}
  // Throws rag::IndexUnavailable (missing, stale or mismatched) with the command that fixes it.
  const rag::CatalogIndex& get();

 private:
  common::Config config_;
  std::mutex mutex_;
  std::unique_ptr<rag::CatalogIndex> index_;
};

// What tools share: settings, database connections (owner role), the search index, the
// marts in memory and the reading of requests over them.
struct ToolServices {
  common::Config config;
  std::shared_ptr<common::ConnectionPool> database;
  std::shared_ptr<IndexProvider> index;
  std::shared_ptr<catalog::CatalogProvider> catalog;
  std::shared_ptr<understanding::UnderstandingProvider> understanding;
  // Live sources, set when their credentials are configured (else null).
  std::shared_ptr<pipeline::SpotifyClient> spotify;
  std::shared_ptr<pipeline::LastfmClient> lastfm;

  static ToolServices from_config(const common::Config& config);
  // The current Understanding, or "unavailable" naming the command that builds the warehouse.
  common::Result<std::shared_ptr<const understanding::Understanding>, ToolError> understood() const;
  std::filesystem::path schema_dir() const { return config.home / "tools" / "schemas"; }
};

// tools/schemas/<name>.schema.json; throws naming the file when it is missing or invalid.
nlohmann::json load_schema(const std::filesystem::path& schema_dir, const std::string& name);

// A tool's description for the model (the schema's top-level "description") and its
// parameters (the schema without it).
struct ToolSchema {
  std::string description;
  nlohmann::json parameters;
};
ToolSchema load_tool_schema(const std::filesystem::path& schema_dir, const std::string& name);

// A PostgreSQL text[] literal, for passing lists as one query parameter.
std::string text_array_literal(const std::vector<std::string>& values);

// Track rows from marts.dim_tracks as tool results, in the order of `track_ids`.
nlohmann::json track_details(pqxx::connection& connection,
                             const std::vector<std::string>& track_ids);

}  // namespace musicagent::tools
