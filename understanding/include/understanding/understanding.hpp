#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "catalog/catalog_provider.hpp"
#include "understanding/entity_index.hpp"
#include "understanding/lexicon.hpp"
#include "understanding/mood_book.hpp"
#include "understanding/query_parser.hpp"

namespace musicagent::understanding {

// The lexicons, the moods learned from one catalogue snapshot, the names of that snapshot and
// a parser over them: what reading a request needs, built together and shared read-only.
struct Understanding {
  std::shared_ptr<const catalog::Snapshot> snapshot;
  std::shared_ptr<const Lexicon> lexicon;
  std::shared_ptr<const MoodBook> moods;
  std::shared_ptr<const EntityIndex> entities;
  std::shared_ptr<const QueryParser> parser;
  double build_ms = 0;

  static std::shared_ptr<const Understanding> build(
      std::shared_ptr<const Lexicon> lexicon, std::shared_ptr<const catalog::Snapshot> snapshot);
};

// understanding/lexicons under MUSICAGENT_HOME.
std::filesystem::path lexicon_dir(const std::filesystem::path& home);

// Builds the Understanding of the catalogue's current snapshot, and again when the snapshot
// changes. Thread-safe; get() throws what the catalogue throws when it cannot load.
class UnderstandingProvider {
 public:
  UnderstandingProvider(std::shared_ptr<catalog::CatalogProvider> catalog,
                        std::shared_ptr<const Lexicon> lexicon)
      : catalog_(std::move(catalog)), lexicon_(std::move(lexicon)) {}

  std::shared_ptr<const Understanding> get();
  // The lexicons alone, which need no catalogue (mood definitions for schemas, tests).
  const Lexicon& lexicon() const { return *lexicon_; }
  catalog::CatalogProvider& catalog() { return *catalog_; }

 private:
  std::shared_ptr<catalog::CatalogProvider> catalog_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::mutex mutex_;
  std::shared_ptr<const Understanding> built_;
};

}  // namespace musicagent::understanding
