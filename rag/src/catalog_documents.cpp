#include "rag/catalog_documents.hpp"

#include <stdexcept>

#include "rag/text_features.hpp"

namespace musicagent::rag {

std::vector<std::string> parse_text_array(const std::string& literal) {
  std::vector<std::string> items;
  if (literal.size() < 2 || literal.front() != '{' || literal.back() != '}') return items;
  std::string current;
  bool quoted = false;
  bool any = false;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (quoted) {
      if (c == '\\' && i + 2 < literal.size())
        current += literal[++i];
      else if (c == '"')
        quoted = false;
      else
        current += c;
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      items.push_back(std::move(current));
      current.clear();
      any = false;
    } else {
      current += c;
      any = true;
    }
  }
  if (any || !current.empty() || !items.empty()) items.push_back(std::move(current));
  return items;
}

std::vector<CatalogDocument> read_catalog_documents(pqxx::connection& connection) {
  pqxx::read_transaction tx(connection);
  if (tx.exec1("select to_regclass('marts.search_documents') is null")[0].as<bool>()) {
    throw std::runtime_error(
        "marts.search_documents does not exist: run `musicagent pipeline run` first");
  }
  std::vector<CatalogDocument> documents;
  const auto rows = tx.exec(
      "select doc_id, kind, entity_id, title, coalesce(subtitle, ''), coalesce(genres, "
      "'{}')::text, "
      "coalesce(popularity, 0), body, description "
      "from marts.search_documents order by doc_id");
  documents.reserve(rows.size());
  for (const auto& row : rows) {
    documents.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                         row[2].as<std::string>(), row[3].as<std::string>(),
                         row[4].as<std::string>(), parse_text_array(row[5].as<std::string>()),
                         row[6].as<int>(), row[7].as<std::string>(), row[8].as<std::string>()});
  }
  return documents;
}

AudioFeatures read_audio_features(pqxx::connection& connection) {
  AudioFeatures features;
  features.names = {"danceability", "energy",   "valence",     "acousticness", "instrumentalness",
                    "speechiness",  "liveness", "loudness_db", "tempo_bpm"};
  std::string columns;
  for (const auto& name : features.names) columns += ", coalesce(" + name + ", 0)";
  pqxx::read_transaction tx(connection);
  const auto rows =
      tx.exec("select track_id" + columns + " from marts.dim_tracks order by track_id");
  features.track_ids.reserve(rows.size());
  features.raw.reserve(rows.size() * features.names.size());
  for (const auto& row : rows) {
    features.track_ids.push_back(row[0].as<std::string>());
    for (std::size_t i = 0; i < features.names.size(); ++i)
      features.raw.push_back(row[static_cast<int>(i + 1)].as<float>());
  }
  return features;
}

std::uint64_t corpus_checksum(const std::vector<CatalogDocument>& documents) {
  std::uint64_t hash = fnv1a("");
  for (const auto& document : documents) {
    hash = fnv1a(document.doc_id, hash);
    hash = fnv1a("\t", hash);
    hash = fnv1a(document.body, hash);
    hash = fnv1a(document.description, hash);
    hash = fnv1a(std::to_string(document.popularity) + "\n", hash);
  }
  return hash;
}

}  // namespace musicagent::rag
