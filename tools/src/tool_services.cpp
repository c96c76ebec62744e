#include "tools/tool_services.hpp"

#include <fstream>
#include <stdexcept>

#include "common/database.hpp"
#include "rag/embedder_factory.hpp"

namespace musicagent::tools {
const rag::CatalogIndex& IndexProvider::get() {
  std::lock_guard lock(mutex_);
  if (!index_) {
    auto loaded = rag::CatalogIndex::load(config_.index_dir(), rag::configured_embedder(config_));
    auto connection = common::connect(config_.database_url);
    loaded.check_fresh(connection);
    index_ = std::make_unique<rag::CatalogIndex>(std::move(loaded));
  }
  return *index_;
}

ToolServices ToolServices::from_config(const common::Config& config) {
  auto database = std::make_shared<common::ConnectionPool>(config.database_url, config.database_connections);
  auto catalog = std::make_shared<catalog::CatalogProvider>([database] {
    auto connection = database->lease();
    return catalog::Snapshot::load(*connection);
  });
  auto lexicon = std::make_shared<const understanding::Lexicon>(
      understanding::Lexicon::load(understanding::lexicon_dir(config.home)));
  ToolServices services{config,
                        database,
                        std::make_shared<IndexProvider>(config),
                        catalog,
                        std::make_shared<understanding::UnderstandingProvider>(catalog, std::move(lexicon)),
                        nullptr,
                        nullptr};
  if (auto spotify = pipeline::SpotifySettings::from(config); spotify.configured()) {
    services.spotify = std::make_shared<pipeline::SpotifyClient>(
        std::move(spotify), pipeline::spotify_response_store(services.database));
  }
  if (auto lastfm = pipeline::LastfmSettings::from(config); lastfm.configured()) {
    services.lastfm = std::make_shared<pipeline::LastfmClient>(
        std::move(lastfm), pipeline::lastfm_response_store(services.database));
  }
  return services;
}

common::Result<std::shared_ptr<const understanding::Understanding>, ToolError> ToolServices::understood() const {
  try {
    return understanding->get();
  } catch (const catalog::CatalogUnavailable& e) {
    return ToolError{"unavailable", e.what()};
  } catch (const pqxx::broken_connection& e) {
    return ToolError{"unavailable", std::string("the warehouse cannot be reached: ") + e.what()};
  }
}

nlohmann::json load_schema(const std::filesystem::path& schema_dir, const std::string& name) {
  const auto path = schema_dir / (name + ".schema.json");
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("tool schema not found: " + path.string() + " (set MUSICAGENT_HOME)");
  auto schema = nlohmann::json::parse(in, nullptr, false);
  if (schema.is_discarded() || !schema.is_object())
    throw std::runtime_error("tool schema is not a JSON object: " + path.string());
  return schema;
}

std::string text_array_literal(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (const auto& value : values) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

ToolSchema load_tool_schema(const std::filesystem::path& schema_dir, const std::string& name) {
  auto parameters = load_schema(schema_dir, name);
  ToolSchema schema{parameters.value("description", ""), parameters};
  schema.parameters.erase("description");
  return schema;
}

nlohmann::json track_details(pqxx::connection& connection,
                             const std::vector<std::string>& track_ids) {
  nlohmann::json tracks = nlohmann::json::array();
  if (track_ids.empty()) return tracks;
  pqxx::read_transaction tx(connection);
  const std::string ids = text_array_literal(track_ids);
  const auto rows = tx.exec_params(
      "select t.track_id, t.track_name, array_to_json(t.artist_names)::text, t.album_name, "
      "array_to_json(t.genres)::text, "
      "t.popularity, t.is_explicit, t.duration_ms, t.danceability, t.energy, t.valence, "
      "t.acousticness, "
      "t.instrumentalness, t.speechiness, t.liveness, t.tempo_bpm, t.loudness_db "
      "from unnest($1::text[]) with ordinality as wanted(track_id, position) "
      "join marts.dim_tracks t using (track_id) order by wanted.position",
      ids);
  for (const auto& row : rows) {
    tracks.push_back({{"id", row[0].as<std::string>()},
                      {"name", row[1].is_null() ? "" : row[1].as<std::string>()},
                      {"artists", nlohmann::json::parse(row[2].c_str())},
                      {"album", row[3].is_null() ? "" : row[3].as<std::string>()},
                      {"genres", nlohmann::json::parse(row[4].c_str())},
                      {"popularity", row[5].as<int>()},
                      {"explicit", row[6].as<bool>()},
                      {"duration_ms", row[7].as<std::int64_t>()},
                      {"audio_features",
                       {{"danceability", row[8].as<double>()},
                        {"energy", row[9].as<double>()},
                        {"valence", row[10].as<double>()},
                        {"acousticness", row[11].as<double>()},
                        {"instrumentalness", row[12].as<double>()},
                        {"speechiness", row[13].as<double>()},
                        {"liveness", row[14].as<double>()},
                        {"tempo_bpm", row[15].as<double>()},
                        {"loudness_db", row[16].as<double>()}}}});
  }
  return tracks;
}

}  // namespace musicagent::tools
