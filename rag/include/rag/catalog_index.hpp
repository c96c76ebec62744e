#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rag/catalog_documents.hpp"
#include "rag/embedder.hpp"
#include "rag/faiss_store.hpp"
#include "rag/sparse_store.hpp"
#include "rag/spelling.hpp"

namespace musicagent::rag {

// Thrown when the index on disk cannot serve: missing, stale or built differently. The
// message names the command that rebuilds it.
class IndexUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The layout of a text channel: kSparseIndex is a SparseStore (exact search over posting lists,
// for the local embedder's sparse vectors); anything else is a FAISS factory string.
inline constexpr const char* kSparseIndex = "Sparse";
// Chosen by measured recall, latency and build time (benchmarks/RESULTS.md): exact search in
// well under 5 ms a query on the full catalogue, where Flat took ~90 ms and HNSW32 missed 17%
// of the exact top 10.
inline constexpr const char* kDefaultTextIndex = kSparseIndex;

struct IndexBuildOptions {
  // The description channel's layout. A remote embedder's vectors are dense, so there
  // kSparseIndex means "Flat". The name channel is always kSparseIndex: its local vectors have
  // 2^16 dimensions, of which a name fills a few hundred.
  std::string text_factory = kDefaultTextIndex;
  std::string audio_factory = "Flat";
  std::size_t description_dimension = 1024;  // of the local description embedder
  bool force = false;                        // rebuild even when the corpus is unchanged
  bool progress = false;
  std::int64_t run_id = 0;  // the pipeline run this build belongs to (0 outside a run)
};

struct IndexBuildReport {
  bool unchanged = false;
  std::size_t documents = 0;
  std::size_t tracks = 0;
  double seconds = 0;
  std::filesystem::path path;
  nlohmann::json manifest;
};

struct CatalogQuery {
  std::string text;
  std::string kind = "any";          // track, artist or any
  std::optional<std::string> genre;  // exact genre name, as in dim_genres
  std::optional<int> min_popularity;
  std::size_t limit = 10;
};

struct CatalogHit {
  const CatalogDocument* document;
  float score;
};

struct SimilarTrack {
  std::string track_id;
  float distance;  // in standard deviations of the audio features
};

// What `pipeline status` shows about the index without loading it: state is "ready",
// "stale" or "missing", with the manifest's build time, counts and a reason.
nlohmann::json index_state(pqxx::connection& connection, const std::filesystem::path& index_root);

// The text index over track and artist documents plus the audio-feature index over tracks,
// stored under `<index_root>/current` with a manifest. Builds go to a new folder and a
// symlink is swapped, so a crash never leaves a half-written index in use.
class CatalogIndex {
 public:
  // `embedder` null means the local hashing embedder, fitted on this corpus and saved with it.
  static IndexBuildReport build(pqxx::connection& connection,
                                const std::filesystem::path& index_root,
                                const IndexBuildOptions& options,
                                std::unique_ptr<Embedder> embedder = nullptr);

  // Loads `<index_root>/current`; throws IndexUnavailable when it is missing, unreadable, or
  // built with a remote embedder other than `remote_embedder` (needed to embed queries then).
  static CatalogIndex load(const std::filesystem::path& index_root,
                           std::unique_ptr<Embedder> remote_embedder = nullptr);

  // Throws IndexUnavailable when the marts changed after the index was built.
  void check_fresh(pqxx::connection& connection) const;

  std::vector<CatalogHit> search(const CatalogQuery& query) const;
  // Neighbours of a track in the standardised audio-feature space (the track itself excluded).
  std::vector<SimilarTrack> similar_tracks(
      const std::string& track_id, std::size_t limit,
      const std::optional<std::vector<std::string>>& restrict_to = {}) const;

  // One text channel: an embedder and the store of its document vectors (a SparseStore or
  // a FaissStore, as the manifest's "index" says).
  struct Channel {
    std::unique_ptr<Embedder> embedder;
    std::unique_ptr<VectorStore> store;
    std::vector<float> embed(const std::string& text) const;
    // Embeds and searches; sparse all the way when the embedder and the store allow it.
    std::vector<SearchHit> search(const std::string& text, std::size_t k,
                                  const AllowedIds* allowed) const;
  };

  const nlohmann::json& manifest() const { return manifest_; }
  const std::vector<CatalogDocument>& documents() const { return documents_; }
  const Channel& description_channel() const { return description_; }
  const Channel& name_channel() const { return name_; }
  const std::vector<std::string>& genres() const { return genre_names_; }

  // A name match at least this close ranks with the description matches; below it, name
  // similarity is indistinguishable from hashing noise.
  static constexpr float kNameMatchThreshold = 0.35f;
  static constexpr float kNameMatchThresholdDescriptive = 0.6f;
  static constexpr float kDescriptiveQueryScore =
      0.3f;  // best description score of a descriptive query
  static constexpr float kMinimumScore = 0.01f;
  // Among equally good matches, the better-known track or artist comes first.
  static constexpr float kPopularityPrior = 0.05f;

 private:
  CatalogIndex() = default;
  // The filter of a query (null: none); kind-only filters are kept, others built in `storage`.
  const AllowedIds* allowed_for(const CatalogQuery& query, AllowedIds& storage) const;

  nlohmann::json manifest_;
  std::vector<CatalogDocument> documents_;
  Channel description_;        // what a document says: genres, mood, tempo, tags ...
  Channel name_;               // what it is called: track title and artists, or artist name
  SpellingCorrector speller_;  // over the words of names, titles and genres
  std::unique_ptr<FaissStore> audio_store_;
  std::vector<std::string> audio_track_ids_;
  std::unordered_map<std::string, std::int64_t> audio_row_of_track_;
  std::vector<std::string> genre_names_;
  std::unordered_map<std::string, std::vector<std::int64_t>> docs_of_genre_;
  AllowedIds tracks_only_, artists_only_;
};

}  // namespace musicagent::rag
