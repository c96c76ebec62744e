#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace musicagent::rag {

// A searchable document from marts.search_documents, without its body once embedded.
struct CatalogDocument {
  std::string doc_id;     // "track:<id>" or "artist:<id>"
  std::string kind;       // track or artist
  std::string entity_id;  // track_id or artist_id
  std::string title;
  std::string subtitle;  // a track's artists, an artist's top genres
  std::vector<std::string> genres;
  int popularity = 0;
  std::string body;         // the whole text (names included); not kept in a loaded index
  std::string description;  // the text without names, which the description channel embeds
};

// All documents ordered by doc_id, so the same marts give the same index.
std::vector<CatalogDocument> read_catalog_documents(pqxx::connection& connection);

// Standardised audio features of every track (for "similar tracks"), ordered by track_id.
struct AudioFeatures {
  std::vector<std::string> track_ids;
  std::vector<std::string> names;  // feature names, in column order
  std::vector<float> raw;          // n x names.size(), as in dim_tracks
};
AudioFeatures read_audio_features(pqxx::connection& connection);

// FNV-1a over ids and bodies: detects a changed corpus without keeping it.
std::uint64_t corpus_checksum(const std::vector<CatalogDocument>& documents);

// Parses a PostgreSQL text[] literal such as {pop,"hip hop"}.
std::vector<std::string> parse_text_array(const std::string& literal);

}  // namespace musicagent::rag
