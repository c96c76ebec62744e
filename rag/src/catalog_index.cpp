#include "rag/catalog_index.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/progress.hpp"
#include "rag/hashing_embedder.hpp"

namespace musicagent::rag {
namespace {

namespace fs = std::filesystem;
// 2: per-channel layouts ("Sparse" or a FAISS factory) and a name channel of 2^16 dimensions.
constexpr int kManifestFormat = 2;
constexpr const char* kRebuild = "run `musicagent index build`";

std::string hex(std::uint64_t value) {
  std::ostringstream out;
  out << std::hex << value;
  return out.str();
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::int64_t latest_documents_run(pqxx::connection& connection) {
  pqxx::read_transaction tx(connection);
  if (tx.exec1("select to_regclass('ops.step_runs') is null")[0].as<bool>()) return 0;
  const auto row = tx.exec1(
      "select coalesce(max(run_id), 0) from ops.step_runs where step = 'model "
      "marts.search_documents' "
      "and status = 'success'");
  return row[0].as<std::int64_t>();
}

// Embeds on every core: the hashing embedder is stateless once fitted.
std::vector<float> embed_corpus(const Embedder& embedder, const std::vector<std::string>& texts,
                                bool progress) {
  const std::size_t d = embedder.dimension();
  std::vector<float> vectors(texts.size() * d);
  if (const auto* local = dynamic_cast<const HashingEmbedder*>(&embedder)) {
    const std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = t; i < texts.size(); i += threads)
          local->embed_one(texts[i], &vectors[i * d]);
      });
    }
    for (auto& worker : workers) worker.join();
    return vectors;
  }
  constexpr std::size_t kBatch = 512;
  common::Progress bar("embed documents", texts.size(), progress);
  for (std::size_t start = 0; start < texts.size(); start += kBatch) {
    const std::vector<std::string> batch(
        texts.begin() + static_cast<std::ptrdiff_t>(start),
        texts.begin() + static_cast<std::ptrdiff_t>(std::min(texts.size(), start + kBatch)));
    const auto part = embedder.embed(batch);
    std::copy(part.begin(), part.end(), vectors.begin() + static_cast<std::ptrdiff_t>(start * d));
    bar.update(std::min(texts.size(), start + kBatch));
  }
  bar.finish("done");
  return vectors;
}

// What the name channel embeds: a track's title with its artists, or an artist's name.
std::string name_text(const CatalogDocument& doc) {
  return doc.kind == "track" ? doc.title + " " + doc.subtitle : doc.title;
}

// The sparse vectors of a corpus, on every core.
std::vector<SparseVector> embed_corpus_sparse(const HashingEmbedder& embedder,
                                              const std::vector<std::string>& texts) {
  std::vector<SparseVector> vectors(texts.size());
  const std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::size_t i = t; i < texts.size(); i += threads)
        vectors[i] = embedder.embed_sparse(texts[i]);
    });
  }
  for (auto& worker : workers) worker.join();
  return vectors;
}

// The layout a channel gets: the sparse store needs the local embedder's sparse vectors.
std::string channel_layout(const std::string& requested, const Embedder& embedder) {
  if (requested == kSparseIndex && dynamic_cast<const HashingEmbedder*>(&embedder) == nullptr)
    return "Flat";
  return requested;
}

// Embeds `texts` with `embedder` into a new store of `layout` saved at `stem` + its extension;
// returns the manifest entry describing the channel.
nlohmann::json build_channel(const Embedder& embedder, const std::vector<std::string>& texts,
                             const std::string& layout, const fs::path& stem, bool progress) {
  nlohmann::json entry = {{"embedder", embedder.describe()},
                          {"dimension", embedder.dimension()},
                          {"index", layout},
                          {"metric", "inner_product"}};
  if (layout == kSparseIndex) {
    const auto& local = dynamic_cast<const HashingEmbedder&>(embedder);
    SparseStore store(embedder.dimension());
    store.add_sparse(embed_corpus_sparse(local, texts));
    const fs::path path = fs::path(stem).replace_extension(".sparse");
    store.save(path);
    entry["count"] = store.size();
    entry["non_zeros"] = store.non_zeros();
    entry["file"] = path.filename().string();
    return entry;
  }
  const auto vectors = embed_corpus(embedder, texts, progress);
  FaissStoreOptions options{layout, Metric::inner_product};
  FaissStore store(embedder.dimension(), options);
  store.add(texts.size(), vectors.data());
  const fs::path path = fs::path(stem).replace_extension(".faiss");
  store.save(path);
  entry["count"] = store.size();
  entry["ef_search"] = options.ef_search;  // what an HNSW layout searches with
  entry["file"] = path.filename().string();
  return entry;
}

std::unique_ptr<HashingEmbedder> fit_local(const HashingEmbedderOptions& options,
                                           const std::vector<std::string>& corpus,
                                           const fs::path& path) {
  auto embedder = std::make_unique<HashingEmbedder>(options);
  embedder->fit(corpus);
  embedder->save(path);
  return embedder;
}

// Everything besides the corpus that shapes the index: when it changes, so must the index.
nlohmann::json build_settings(const IndexBuildOptions& options, const Embedder* remote) {
  auto local_description = description_channel_options();
  local_description.dimension = options.description_dimension;
  const HashingEmbedder local(local_description);
  const Embedder& description = remote != nullptr ? *remote : local;
  return {{"format", kManifestFormat},
          {"description_embedder", description.describe()},
          {"name_embedder", HashingEmbedder(name_channel_options()).describe()},
          {"description_index", channel_layout(options.text_factory, description)},
          {"name_index", kSparseIndex},
          {"hnsw_ef_search", FaissStoreOptions{}.ef_search},
          {"audio_index", options.audio_factory}};
}

void write_documents(const fs::path& path, const std::vector<CatalogDocument>& documents) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& doc : documents) {
    out << nlohmann::json{{"id", doc.doc_id},   {"k", doc.kind},     {"e", doc.entity_id},
                          {"t", doc.title},     {"s", doc.subtitle}, {"g", doc.genres},
                          {"p", doc.popularity}}
               .dump()
        << '\n';
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<CatalogDocument> read_documents(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw IndexUnavailable("cannot read " + path.string() + "; " + kRebuild);
  std::vector<CatalogDocument> documents;
  std::string line;
  while (std::getline(in, line)) {
    const auto json = nlohmann::json::parse(line);
    documents.push_back({json.at("id").get<std::string>(), json.at("k").get<std::string>(),
                         json.at("e").get<std::string>(), json.at("t").get<std::string>(),
                         json.at("s").get<std::string>(),
                         json.at("g").get<std::vector<std::string>>(), json.at("p").get<int>(), "",
                         ""});
  }
  return documents;
}

void write_json(const fs::path& path, const nlohmann::json& json) {
  std::ofstream out(path, std::ios::trunc);
  out << json.dump(2) << '\n';
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Points `<root>/current` at `build` atomically (rename of a symlink), then removes older builds.
void publish(const fs::path& root, const fs::path& build) {
  const fs::path link = root / "current";
  const fs::path staged = root / ("current.tmp-" + std::to_string(::getpid()));
  fs::remove(staged);
  fs::create_directory_symlink(build.filename(), staged);
  fs::rename(staged, link);
  for (const auto& entry : fs::directory_iterator(root)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && !entry.is_symlink() && name.rfind("build-", 0) == 0 &&
        name != build.filename()) {
      std::error_code ec;
      fs::remove_all(entry.path(), ec);
    }
  }
}

struct Standardised {
  std::vector<float> mean, scale;
};

Standardised standardise(std::vector<float>& matrix, std::size_t columns) {
  const std::size_t rows = columns == 0 ? 0 : matrix.size() / columns;
  Standardised s{std::vector<float>(columns, 0), std::vector<float>(columns, 1)};
  for (std::size_t c = 0; c < columns; ++c) {
    double sum = 0, squares = 0;
    for (std::size_t r = 0; r < rows; ++r) sum += matrix[r * columns + c];
    const double mean = rows ? sum / static_cast<double>(rows) : 0;
    for (std::size_t r = 0; r < rows; ++r) squares += std::pow(matrix[r * columns + c] - mean, 2);
    const double sd = rows > 1 ? std::sqrt(squares / static_cast<double>(rows - 1)) : 1;
    s.mean[c] = static_cast<float>(mean);
    s.scale[c] = static_cast<float>(sd > 1e-9 ? sd : 1);
    for (std::size_t r = 0; r < rows; ++r) {
      matrix[r * columns + c] = (matrix[r * columns + c] - s.mean[c]) / s.scale[c];
    }
  }
  return s;
}

std::string normalise_genre(std::string genre) {
  std::transform(genre.begin(), genre.end(), genre.begin(), [](unsigned char c) {
    return c == ' ' || c == '_' ? '-' : static_cast<char>(std::tolower(c));
  });
  return genre;
}

}  // namespace

IndexBuildReport CatalogIndex::build(pqxx::connection& connection, const fs::path& index_root,
                                     const IndexBuildOptions& options,
                                     std::unique_ptr<Embedder> embedder) {
  const auto started = std::chrono::steady_clock::now();
  IndexBuildReport report;
  auto documents = read_catalog_documents(connection);
  const auto checksum = hex(corpus_checksum(documents));
  const auto run_id = options.run_id != 0 ? options.run_id : latest_documents_run(connection);
  report.documents = documents.size();

  // Same corpus and same settings: keep the index and only record that it is current.
  const auto settings = build_settings(options, embedder.get());
  const fs::path current = index_root / "current";
  if (!options.force && fs::exists(current / "manifest.json")) {
    std::ifstream in(current / "manifest.json");
    auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (!manifest.is_discarded() && manifest.value("corpus_checksum", "") == checksum &&
        manifest.value("settings", nlohmann::json()) == settings) {
      manifest["built_from_run_id"] = run_id;
      write_json(fs::canonical(current) / "manifest.json", manifest);
      report.unchanged = true;
      report.tracks = manifest.value("/audio/count"_json_pointer, std::size_t{0});
      report.manifest = manifest;
      report.path = fs::canonical(current);
      report.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return report;
    }
  }

  fs::create_directories(index_root);
  const fs::path build =
      index_root /
      ("build-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) +
       "-" + std::to_string(::getpid()));
  fs::create_directories(build);
  try {
    std::vector<std::string> bodies, descriptions, names;
    bodies.reserve(documents.size());
    descriptions.reserve(documents.size());
    names.reserve(documents.size());
    for (const auto& doc : documents) {
      bodies.push_back(doc.body);
      descriptions.push_back(doc.description);
      names.push_back(name_text(doc));
    }
    // Descriptions: the configured remote embedder, or the local one fitted on this corpus.
    std::unique_ptr<Embedder> description = std::move(embedder);
    if (!description) {
      auto local_options = description_channel_options();
      local_options.dimension = options.description_dimension;
      description = fit_local(local_options, descriptions, build / "description_embedder.bin");
    }
    const auto description_entry = build_channel(*description, descriptions,
                                                 channel_layout(options.text_factory, *description),
                                                 build / "description", options.progress);
    // Names are matched by spelling, which the local embedder does best whatever embeds
    // descriptions.
    const auto name = fit_local(name_channel_options(), names, build / "name_embedder.bin");
    const auto name_entry = build_channel(*name, names, kSparseIndex, build / "name", false);
    write_documents(build / "documents.jsonl", documents);
    // Every word of the corpus is "known": only words found nowhere get corrected.
    std::vector<std::string> all_text = bodies;
    all_text.insert(all_text.end(), names.begin(), names.end());
    SpellingCorrector(all_text).save(build / "vocabulary.tsv");

    auto audio = read_audio_features(connection);
    const auto scaling = standardise(audio.raw, audio.names.size());
    FaissStore audio_store(audio.names.size(), {options.audio_factory, Metric::l2});
    audio_store.add(audio.track_ids.size(), audio.raw.data());
    audio_store.save(build / "audio.faiss");
    {
      std::ofstream ids(build / "audio_track_ids.txt", std::ios::trunc);
      for (const auto& id : audio.track_ids) ids << id << '\n';
    }
    report.tracks = audio.track_ids.size();

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report.manifest = {
        {"format", kManifestFormat},
        {"built_at", utc_now()},
        {"built_from_run_id", run_id},
        {"corpus_checksum", checksum},
        {"documents", documents.size()},
        {"build_seconds", seconds},
        {"settings", settings},
        {"text", {{"description", description_entry}, {"name", name_entry}}},
        {"audio",
         {{"features", audio.names},
          {"mean", scaling.mean},
          {"scale", scaling.scale},
          {"index", options.audio_factory},
          {"metric", "l2"},
          {"count", audio_store.size()}}},
    };
    write_json(build / "manifest.json", report.manifest);
    publish(index_root, build);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(build, ec);
    throw;
  }
  report.path = build;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

CatalogIndex CatalogIndex::load(const fs::path& index_root,
                                std::unique_ptr<Embedder> remote_embedder) {
  const fs::path dir = index_root / "current";
  if (!fs::exists(dir / "manifest.json")) {
    throw IndexUnavailable("no catalogue index at " + dir.string() + "; " + kRebuild);
  }
  CatalogIndex index;
  {
    std::ifstream in(dir / "manifest.json");
    index.manifest_ = nlohmann::json::parse(in, nullptr, false);
  }
  if (index.manifest_.is_discarded()) {
    throw IndexUnavailable("the catalogue index at " + dir.string() +
                           " has an unreadable manifest; " + kRebuild);
  }
  if (const int format = index.manifest_.value("format", 0); format != kManifestFormat) {
    throw IndexUnavailable("the catalogue index at " + dir.string() +
                           " was built with other settings (manifest format " +
                           std::to_string(format) + ", this version reads format " +
                           std::to_string(kManifestFormat) + "); " + kRebuild);
  }
  try {
    const auto& text = index.manifest_.at("text");
    auto load_channel = [&](const nlohmann::json& entry, const std::string& local_file,
                            std::unique_ptr<Embedder> remote) -> Channel {
      Channel channel;
      const auto& built_with = entry.at("embedder");
      if (built_with.value("name", "") == "hashing-tfidf") {
        channel.embedder =
            std::make_unique<HashingEmbedder>(HashingEmbedder::load(dir / local_file));
      } else if (remote && remote->describe() == built_with) {
        channel.embedder = std::move(remote);
      } else {
        throw IndexUnavailable("the catalogue index was built with embedder " + built_with.dump() +
                               (remote ? ", but the configured one is " + remote->describe().dump()
                                       : ", which is not configured now") +
                               "; " + kRebuild);
      }
      if (channel.embedder->dimension() != entry.at("dimension").get<std::size_t>()) {
        throw IndexUnavailable("embedder dimension does not match the index; " +
                               std::string(kRebuild));
      }
      const auto layout = entry.at("index").get<std::string>();
      const fs::path file = dir / entry.at("file").get<std::string>();
      if (layout == kSparseIndex) {
        channel.store = std::make_unique<SparseStore>(SparseStore::load(file));
      } else {
        FaissStoreOptions options{layout, Metric::inner_product};
        options.ef_search = entry.value("ef_search", options.ef_search);
        channel.store = std::make_unique<FaissStore>(FaissStore::load(file, options));
      }
      if (channel.store->dimension() != channel.embedder->dimension()) {
        throw IndexUnavailable("the vectors in " + file.string() +
                               " do not match the embedder's dimension; " + kRebuild);
      }
      return channel;
    };
    index.description_ = load_channel(text.at("description"), "description_embedder.bin",
                                      std::move(remote_embedder));
    index.name_ = load_channel(text.at("name"), "name_embedder.bin", nullptr);
    index.documents_ = read_documents(dir / "documents.jsonl");
    if (index.documents_.size() != index.description_.store->size() ||
        index.documents_.size() != index.name_.store->size()) {
      throw IndexUnavailable(
          "the catalogue index is inconsistent (documents and vectors differ); " +
          std::string(kRebuild));
    }
    const auto& audio = index.manifest_.at("audio");
    index.audio_store_ = std::make_unique<FaissStore>(
        FaissStore::load(dir / "audio.faiss", {audio.at("index").get<std::string>(), Metric::l2}));
  } catch (const IndexUnavailable&) {
    throw;
  } catch (const std::exception& e) {
    throw IndexUnavailable("cannot load the catalogue index at " + dir.string() + ": " + e.what() +
                           "; " + kRebuild);
  }
  {
    std::ifstream ids(dir / "audio_track_ids.txt");
    std::string id;
    while (std::getline(ids, id)) {
      index.audio_row_of_track_.emplace(id,
                                        static_cast<std::int64_t>(index.audio_track_ids_.size()));
      index.audio_track_ids_.push_back(id);
    }
  }
  index.tracks_only_.assign(index.documents_.size(), false);
  index.artists_only_.assign(index.documents_.size(), false);
  for (std::size_t i = 0; i < index.documents_.size(); ++i) {
    (index.documents_[i].kind == "track" ? index.tracks_only_ : index.artists_only_)[i] = true;
    for (const auto& genre : index.documents_[i].genres) {
      auto& ids = index.docs_of_genre_[genre];
      if (ids.empty()) index.genre_names_.push_back(genre);
      ids.push_back(static_cast<std::int64_t>(i));
    }
  }
  std::sort(index.genre_names_.begin(), index.genre_names_.end());
  try {
    index.speller_ = SpellingCorrector::load(dir / "vocabulary.tsv");
  } catch (const std::exception& e) {
    throw IndexUnavailable(std::string(e.what()) + "; " + kRebuild);
  }
  return index;
}

nlohmann::json index_state(pqxx::connection& connection, const fs::path& index_root) {
  const fs::path manifest_path = index_root / "current" / "manifest.json";
  if (!fs::exists(manifest_path)) {
    return {{"state", "missing"},
            {"reason",
             std::string("no index at ") + (index_root / "current").string() + "; " + kRebuild}};
  }
  std::ifstream in(manifest_path);
  const auto manifest = nlohmann::json::parse(in, nullptr, false);
  if (manifest.is_discarded())
    return {{"state", "missing"}, {"reason", std::string("unreadable manifest; ") + kRebuild}};
  if (const int format = manifest.value("format", 0); format != kManifestFormat) {
    return {{"state", "stale"},
            {"built_at", manifest.value("built_at", "")},
            {"reason", "the index was built with other settings (manifest format " +
                           std::to_string(format) + ", this version reads format " +
                           std::to_string(kManifestFormat) + "); " + kRebuild}};
  }
  const auto latest = latest_documents_run(connection);
  const auto built_from = manifest.value("built_from_run_id", std::int64_t{0});
  nlohmann::json state = {
      {"state", latest > built_from ? "stale" : "ready"},
      {"built_at", manifest.value("built_at", "")},
      {"documents", manifest.value("documents", std::size_t{0})},
      {"built_from_run_id", built_from},
      {"text_index", manifest.value("/text/description/index"_json_pointer, std::string())},
      {"embedder", manifest.value("/text/description/embedder/name"_json_pointer, std::string())}};
  if (latest > built_from) {
    state["reason"] = "marts.search_documents was rebuilt by pipeline run " +
                      std::to_string(latest) + " after the index was built (from run " +
                      std::to_string(built_from) + "); " + kRebuild;
  }
  return state;
}

void CatalogIndex::check_fresh(pqxx::connection& connection) const {
  const auto latest = latest_documents_run(connection);
  const auto built_from = manifest_.value("built_from_run_id", std::int64_t{0});
  if (latest > built_from) {
    throw IndexUnavailable(
        "the catalogue index is stale: marts.search_documents was rebuilt by pipeline run " +
        std::to_string(latest) + " after the index was built (from run " +
        std::to_string(built_from) + "); " + kRebuild);
  }
}

std::vector<float> CatalogIndex::Channel::embed(const std::string& text) const {
  if (const auto* local = dynamic_cast<const HashingEmbedder*>(embedder.get())) {
    std::vector<float> vector(local->dimension());
    local->embed_one(text, vector.data());
    return vector;
  }
  return embedder->embed({text});
}

std::vector<SearchHit> CatalogIndex::Channel::search(const std::string& text, std::size_t k,
                                                     const AllowedIds* allowed) const {
  const auto* local = dynamic_cast<const HashingEmbedder*>(embedder.get());
  const auto* sparse = dynamic_cast<const SparseStore*>(store.get());
  if (local != nullptr && sparse != nullptr)
    return sparse->search_sparse(local->embed_sparse(text), k, allowed);
  return store->search(embed(text).data(), k, allowed);
}

const AllowedIds* CatalogIndex::allowed_for(const CatalogQuery& query, AllowedIds& storage) const {
  if (query.kind != "any" && query.kind != "track" && query.kind != "artist") {
    throw std::invalid_argument("kind must be track, artist or any, not '" + query.kind + "'");
  }
  if (!query.genre && !query.min_popularity) {
    if (query.kind == "any") return nullptr;
    return query.kind == "track" ? &tracks_only_ : &artists_only_;
  }
  AllowedIds& allowed = storage;
  allowed.assign(documents_.size(), false);
  auto admit = [&](std::size_t i) {
    const auto& doc = documents_[i];
    allowed[i] = (query.kind == "any" || doc.kind == query.kind) &&
                 (!query.min_popularity || doc.popularity >= *query.min_popularity);
  };
  if (query.genre) {
    const auto it = docs_of_genre_.find(normalise_genre(*query.genre));
    if (it == docs_of_genre_.end())
      throw std::invalid_argument("unknown genre '" + *query.genre + "'");
    for (const auto id : it->second) admit(static_cast<std::size_t>(id));
  } else {
    for (std::size_t i = 0; i < documents_.size(); ++i) admit(i);
  }
  return &allowed;
}

std::vector<CatalogHit> CatalogIndex::search(const CatalogQuery& query) const {
  AllowedIds storage;
  const AllowedIds* filter = allowed_for(query, storage);
  // Each channel proposes candidates; a document scores its better channel, and a name
  // counts only when it clearly matches (otherwise it is hashing noise).
  const std::size_t candidates = std::max<std::size_t>(query.limit * 2, 20);
  std::unordered_map<std::int64_t, float> best;
  float best_description = 0;
  // Misspelled words are corrected for the descriptions; a name keeps what was typed as well.
  const auto corrected = speller_.correct(query.text);
  const auto& description_query = corrected.empty() ? query.text : corrected;
  const auto name_query = corrected.empty() ? query.text : query.text + " " + corrected;
  for (const auto& hit : description_.search(description_query, candidates, filter)) {
    if (hit.score <= kMinimumScore) continue;  // shares nothing with the query
    best[hit.id] = hit.score;
    best_description = std::max(best_description, hit.score);
  }
  // A query the descriptions answer well ("upbeat jazz") needs a closer name match to let a
  // name ("Utah Jazz") in than a query that is only a name ("radiohed").
  const float name_threshold = best_description >= kDescriptiveQueryScore
                                   ? kNameMatchThresholdDescriptive
                                   : kNameMatchThreshold;
  for (const auto& hit : name_.search(name_query, candidates, filter)) {
    if (hit.score < name_threshold) continue;
    auto& score = best[hit.id];
    score = std::max(score, hit.score);
  }
  std::vector<CatalogHit> hits;
  hits.reserve(best.size());
  for (const auto& [id, score] : best) {
    const auto& doc = documents_[static_cast<std::size_t>(id)];
    hits.push_back({&doc, score + kPopularityPrior * static_cast<float>(doc.popularity) / 100.0f});
  }
  std::sort(hits.begin(), hits.end(), [](const CatalogHit& a, const CatalogHit& b) {
    return a.score != b.score ? a.score > b.score : a.document->doc_id < b.document->doc_id;
  });
  if (hits.size() > query.limit) hits.resize(query.limit);
  return hits;
}

std::vector<SimilarTrack> CatalogIndex::similar_tracks(
    const std::string& track_id, std::size_t limit,
    const std::optional<std::vector<std::string>>& restrict_to) const {
  const auto it = audio_row_of_track_.find(track_id);
  if (it == audio_row_of_track_.end())
    throw std::invalid_argument("unknown track id '" + track_id + "'");
  const auto seed = audio_store_->reconstruct(it->second);
  AllowedIds allowed(audio_store_->size(), !restrict_to.has_value());
  if (restrict_to) {
    for (const auto& id : *restrict_to) {
      if (auto row = audio_row_of_track_.find(id); row != audio_row_of_track_.end()) {
        allowed[static_cast<std::size_t>(row->second)] = true;
      }
    }
  }
  allowed[static_cast<std::size_t>(it->second)] = false;  // a track is not similar to itself
  std::vector<SimilarTrack> similar;
  for (const auto& hit : audio_store_->search(seed.data(), limit, &allowed)) {
    similar.push_back({audio_track_ids_[static_cast<std::size_t>(hit.id)],
                       std::sqrt(std::max(0.0f, -hit.score))});
  }
  return similar;
}

}  // namespace musicagent::rag
