// Retrieval benchmark of the catalogue index (rag/). Three parts, all on the full data:
//
//  1. Quality: precision@10 of CatalogIndex::search(kind=track, limit 10) on the queries of
//     benchmarks/rag_queries.json, each graded by its SQL check over marts.dim_tracks, beside
//     two PostgreSQL full-text baselines over the same track documents (websearch_to_tsquery,
//     and an OR of the query's words), both ranked by ts_rank_cd.
//  2. Recall@10 of the Sparse store and FAISS indexes against exact search on the description
//     channel (its fitted embedder, the same document vectors; the queries above plus document
//     descriptions sampled with a fixed seed), with build time, single-thread latency
//     (embedding included) and memory per index type.
//  3. Whole-index figures: CatalogIndex::build, load, end-to-end search() latency, RSS.
//
// Loads and end-to-end searches run in a fresh child process (this binary with --child-load),
// so their RSS is that of a process holding only the loaded index. Seeds are fixed.
// Prints Markdown tables to stdout, progress to stderr, and writes the raw results as JSON.
// See benchmarks/rag_bench.sh, or run with --help.

#include <faiss/Index.h>
#include <faiss/IndexHNSW.h>
#include <faiss/index_io.h>
#include <malloc.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "common/database.hpp"
#include "rag/catalog_documents.hpp"
#include "rag/catalog_index.hpp"
#include "rag/faiss_store.hpp"
#include "rag/hashing_embedder.hpp"
#include "rag/sparse_store.hpp"

#ifndef MUSICAGENT_SOURCE_DIR
#define MUSICAGENT_SOURCE_DIR "."
#endif

namespace {

namespace fs = std::filesystem;
namespace rag = musicagent::rag;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kTopK = 10;
constexpr double kMiB = 1024.0 * 1024.0;

const Clock::time_point kStarted = Clock::now();

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

__attribute__((format(printf, 1, 2))) void say(const char* format, ...) {
  std::fprintf(stderr, "rag_bench [%7.1f s] ", seconds_since(kStarted));
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), pattern, value);
  return text;
}

// A field of /proc/self/status in kB (VmRSS, VmHWM), or -1.
long status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

// Gives freed heap pages back to the kernel so that an RSS delta measures what is alive.
long settled_rss_kb() {
  malloc_trim(0);
  return status_kb("VmRSS");
}

// The 1-minute load average: the machine is shared, so timings carry it.
double load_average() {
  std::ifstream in("/proc/loadavg");
  double one = -1;
  in >> one;
  return one;
}

struct Percentiles {
  double p50 = 0, p99 = 0, mean = 0;
  std::size_t samples = 0;
};

// Nearest-rank percentiles.
Percentiles percentiles(std::vector<double> samples) {
  Percentiles p;
  p.samples = samples.size();
  if (samples.empty()) return p;
  std::sort(samples.begin(), samples.end());
  auto rank = [&](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
    return samples[std::min(samples.size(), std::max<std::size_t>(i, 1)) - 1];
  };
  p.p50 = rank(0.50);
  p.p99 = rank(0.99);
  double sum = 0;
  for (const double s : samples) sum += s;
  p.mean = sum / static_cast<double>(samples.size());
  return p;
}

json to_json(const Percentiles& p) {
  return {{"p50_ms", p.p50}, {"p99_ms", p.p99}, {"mean_ms", p.mean}, {"samples", p.samples}};
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A PostgreSQL text[] literal.
std::string text_array(const std::vector<std::string>& items) {
  std::string literal = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) literal += ',';
    literal += '"';
    for (const char c : items[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

std::uintmax_t directory_bytes(const fs::path& dir) {
  std::uintmax_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

// ------------------------------------------------------------------------------------------
// Arguments

struct Args {
  std::string database_url;
  fs::path queries = fs::path(MUSICAGENT_SOURCE_DIR) / "benchmarks" / "rag_queries.json";
  fs::path index_root;  // empty: a temporary folder, removed at the end
  fs::path output;  // empty: benchmarks/results/rag_bench.json (rag_bench_quick.json with --quick)
  bool quick = false;
  bool slow = false;  // also the index types that take minutes to build on this machine
  bool keep_index = false;
  std::size_t recall_queries = 200;
  std::uint64_t seed = 42;
  int rounds = 5;        // end-to-end latency: passes over the queries
  int fts_rounds = 3;    // full-text latency: passes over the queries
  int load_repeats = 3;  // CatalogIndex::load timings per index
  fs::path child_load;   // internal: load this index root, search, print JSON
};

constexpr const char* kUsage = R"(usage: rag_bench [options]
  --database-url URL     PostgreSQL with the marts (default: $DATABASE_URL, else var/database_url)
  --queries FILE         queries with their checks (default: benchmarks/rag_queries.json)
  --index-root DIR       where the benchmark builds its indexes (default: a temporary folder,
                         removed at the end; the product's var/index is never touched)
  --output FILE          JSON results (default: benchmarks/results/rag_bench.json, or
                         rag_bench_quick.json with --quick)
  --quick                fewer configurations and queries (a smoke run of a few minutes)
  --slow                 also build the index types that take minutes here (HNSW32 and
                         PCA64,HNSW32 on the description vectors, HNSW32 as a whole index)
  --recall-queries N     queries for recall and latency of index types (default 200)
  --rounds N             passes over the queries for end-to-end search latency (default 5)
  --seed N               seed of the sampled document queries (default 42)
  --keep-index           keep the temporary index folder
)";

Args parse_args(int argc, char** argv) {
  Args args;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  auto number = [&](int& i) -> long {
    const std::string flag = argv[i];
    const std::string text = value(i);
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || *end != '\0' || n <= 0) {
      throw std::invalid_argument(flag + " needs a positive whole number, not '" + text + "'");
    }
    return n;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--database-url")
      args.database_url = value(i);
    else if (flag == "--queries")
      args.queries = value(i);
    else if (flag == "--index-root")
      args.index_root = value(i);
    else if (flag == "--output")
      args.output = value(i);
    else if (flag == "--quick")
      args.quick = true;
    else if (flag == "--slow")
      args.slow = true;
    else if (flag == "--keep-index")
      args.keep_index = true;
    else if (flag == "--recall-queries")
      args.recall_queries = static_cast<std::size_t>(number(i));
    else if (flag == "--rounds")
      args.rounds = static_cast<int>(number(i));
    else if (flag == "--seed")
      args.seed = static_cast<std::uint64_t>(number(i));
    else if (flag == "--child-load")
      args.child_load = value(i);
    else if (flag == "--load-repeats")
      args.load_repeats = static_cast<int>(number(i));
    else if (flag == "-h" || flag == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument " + flag + " (try --help)");
    }
  }
  if (args.output.empty()) {
    args.output = fs::path(MUSICAGENT_SOURCE_DIR) / "benchmarks" / "results" /
                  (args.quick ? "rag_bench_quick.json" : "rag_bench.json");
  }
  if (args.quick) {
    args.recall_queries = std::min<std::size_t>(args.recall_queries, 100);
    args.rounds = std::min(args.rounds, 2);
    args.fts_rounds = 1;
    args.load_repeats = 1;
  }
  if (args.database_url.empty() && args.child_load.empty()) {
    if (const char* env = std::getenv("DATABASE_URL"); env != nullptr && *env != '\0') {
      args.database_url = env;
    } else {
      const fs::path file = fs::path(MUSICAGENT_SOURCE_DIR) / "var" / "database_url";
      std::ifstream in(file);
      std::getline(in, args.database_url);
      if (args.database_url.empty()) {
        throw std::invalid_argument("no database: pass --database-url, set DATABASE_URL or write " +
                                    file.string());
      }
    }
  }
  return args;
}

// ------------------------------------------------------------------------------------------
// Queries

struct Query {
  std::string text;
  std::string check;  // SQL boolean over marts.dim_tracks
  std::string words;  // "in" or "out" of the document vocabulary
  long matching = 0;  // tracks satisfying the check
  double base_rate = 0;
};

std::vector<Query> read_queries(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  const auto document = json::parse(in);
  const auto& list = document.is_array() ? document : document.at("queries");
  std::vector<Query> queries;
  for (const auto& item : list) {
    queries.push_back({item.at("query").get<std::string>(), item.at("check").get<std::string>(),
                       item.value("words", "in")});
  }
  if (queries.empty()) throw std::runtime_error(path.string() + " has no queries");
  return queries;
}

// Counts the tracks each check accepts; a check that is not valid SQL fails here, by name.
void measure_base_rates(pqxx::connection& connection, std::vector<Query>& queries) {
  pqxx::read_transaction tx(connection);
  const double total = tx.exec1("select count(*) from marts.dim_tracks")[0].as<double>();
  for (auto& query : queries) {
    try {
      query.matching =
          tx.exec1("select count(*) from marts.dim_tracks where (" + query.check + ")")[0]
              .as<long>();
    } catch (const std::exception& e) {
      throw std::runtime_error("check of query '" + query.text + "' fails: " + e.what());
    }
    query.base_rate = total > 0 ? static_cast<double>(query.matching) / total : 0;
  }
}

// How many of `ids` satisfy each query's check.
std::vector<int> count_relevant(pqxx::connection& connection, const std::vector<Query>& queries,
                                const std::vector<std::vector<std::string>>& ids) {
  pqxx::read_transaction tx(connection);
  std::vector<int> relevant;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    if (ids[q].empty()) {
      relevant.push_back(0);
      continue;
    }
    const auto row = tx.exec_params1(
        "select count(*) from marts.dim_tracks where track_id = any($1::text[]) and (" +
            queries[q].check + ")",
        text_array(ids[q]));
    relevant.push_back(row[0].as<int>());
  }
  return relevant;
}

// ------------------------------------------------------------------------------------------
// Methods graded on the queries

struct Method {
  std::string key;                            // short name in tables and JSON
  std::string label;                          // what it is
  std::vector<std::vector<std::string>> ids;  // returned track ids per query
  std::vector<int> relevant;                  // per query
  Percentiles latency;
  json extra = json::object();

  double precision(std::size_t q) const {
    return static_cast<double>(relevant[q]) / static_cast<double>(kTopK);
  }
  double mean_precision(const std::vector<Query>& queries, const std::string& words = "") const {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t q = 0; q < queries.size(); ++q) {
      if (!words.empty() && queries[q].words != words) continue;
      sum += precision(q);
      ++n;
    }
    return n ? sum / static_cast<double>(n) : 0;
  }
  std::size_t short_lists() const {
    return static_cast<std::size_t>(std::count_if(
        ids.begin(), ids.end(), [](const auto& list) { return list.size() < kTopK; }));
  }
};

// --- PostgreSQL full-text baselines -------------------------------------------------------

// Lower-case ASCII words of a query joined with " | " (anything else separates words), for
// to_tsquery; empty when the query has no word.
std::string or_query(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && std::find(words.begin(), words.end(), word) == words.end())
      words.push_back(word);
    word.clear();
  };
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80)
      word += static_cast<char>(std::tolower(u));
    else
      flush();
  }
  flush();
  std::string joined;
  for (const auto& w : words) joined += (joined.empty() ? "" : " | ") + w;
  return joined;
}

struct FullText {
  double setup_seconds = 0;
  std::size_t documents = 0;
  Method web, any_word;
};

FullText full_text_baselines(const std::string& database_url, const std::vector<Query>& queries,
                             int rounds) {
  FullText fts;
  fts.web.key = "fts_web";
  fts.web.label = "PostgreSQL FTS: websearch_to_tsquery('english', q), ts_rank_cd";
  fts.any_word.key = "fts_or";
  fts.any_word.label = "PostgreSQL FTS: to_tsquery('english', 'w1 | w2 | ...'), ts_rank_cd";
  auto connection = musicagent::common::connect(database_url);
  {
    const auto started = Clock::now();
    pqxx::nontransaction tx(connection);  // the temporary table lives as long as the session
    tx.exec("set client_min_messages = warning");  // to_tsquery notices about stop words
    tx.exec(
        "create temp table bench_fts as select entity_id, to_tsvector('english', body) as tsv "
        "from marts.search_documents where kind = 'track'");
    tx.exec("create index on bench_fts using gin (tsv)");
    tx.exec("analyze bench_fts");
    fts.documents = tx.exec1("select count(*) from bench_fts")[0].as<std::size_t>();
    fts.setup_seconds = seconds_since(started);
  }
  const std::string ranked_web =
      "select entity_id from bench_fts, websearch_to_tsquery('english', $1) q where tsv @@ q "
      "order by ts_rank_cd(tsv, q) desc, entity_id limit 10";
  const std::string ranked_or =
      "select entity_id from bench_fts, to_tsquery('english', $1) q where tsv @@ q "
      "order by ts_rank_cd(tsv, q) desc, entity_id limit 10";
  auto run = [&](Method& method, const std::string& sql, auto&& argument) {
    std::vector<double> samples;
    method.ids.assign(queries.size(), {});
    json arguments = json::array();
    for (int round = 0; round < rounds; ++round) {
      for (std::size_t q = 0; q < queries.size(); ++q) {
        const std::string arg = argument(queries[q].text);
        if (round == 0) arguments.push_back(arg);
        const auto started = Clock::now();
        std::vector<std::string> ids;
        if (!arg.empty()) {
          pqxx::nontransaction tx(connection);
          for (const auto& row : tx.exec_params(sql, arg)) ids.push_back(row[0].as<std::string>());
        }
        samples.push_back(ms_since(started));
        if (round == 0) method.ids[q] = std::move(ids);
      }
    }
    method.latency = percentiles(samples);
    method.extra["tsquery_arguments"] = arguments;
  };
  run(fts.web, ranked_web, [](const std::string& text) { return text; });
  run(fts.any_word, ranked_or, [](const std::string& text) { return or_query(text); });
  return fts;
}

// --- CatalogIndex in a child process ------------------------------------------------------

// --child-load: loads the index, measures load time and RSS, then runs every query `rounds`
// times through CatalogIndex::search on one thread. Prints JSON on stdout.
int child_main(const Args& args) {
  omp_set_num_threads(1);
  const auto queries = read_queries(args.queries);
  json out;
  const long rss_before = settled_rss_kb();
  auto started = Clock::now();
  auto index = rag::CatalogIndex::load(args.child_load);
  std::vector<double> loads{seconds_since(started)};
  const long rss_after = status_kb("VmRSS");
  for (int i = 1; i < args.load_repeats; ++i) {
    started = Clock::now();
    auto again = rag::CatalogIndex::load(args.child_load);
    loads.push_back(seconds_since(started));
  }
  std::sort(loads.begin(), loads.end());
  out["load_seconds"] = loads;
  out["load_seconds_median"] = loads[loads.size() / 2];
  out["rss_before_load_kb"] = rss_before;
  out["rss_after_load_kb"] = rss_after;

  auto request = [](const std::string& text) {
    rag::CatalogQuery query;
    query.text = text;
    query.kind = "track";
    query.limit = kTopK;
    return query;
  };
  for (const auto& query : queries) index.search(request(query.text));  // warm-up
  std::vector<double> samples;
  json hits = json::array();
  for (int round = 0; round < args.rounds; ++round) {
    for (const auto& query : queries) {
      started = Clock::now();
      const auto result = index.search(request(query.text));
      samples.push_back(ms_since(started));
      if (round > 0) continue;
      json list = json::array();
      for (const auto& hit : result) {
        list.push_back({{"id", hit.document->entity_id},
                        {"kind", hit.document->kind},
                        {"title", hit.document->title},
                        {"subtitle", hit.document->subtitle},
                        {"score", hit.score}});
      }
      hits.push_back(std::move(list));
    }
  }
  out["latency"] = to_json(percentiles(samples));
  out["hits"] = std::move(hits);
  out["rss_after_searches_kb"] = status_kb("VmRSS");
  out["hwm_kb"] = status_kb("VmHWM");
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

json run_child(const Args& args, const fs::path& index_root) {
  const auto self = fs::read_symlink("/proc/self/exe");
  const std::string command =
      shell_quote(self.string()) + " --child-load " + shell_quote(index_root.string()) +
      " --queries " + shell_quote(args.queries.string()) + " --rounds " +
      std::to_string(args.rounds) + " --load-repeats " + std::to_string(args.load_repeats);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot start " + command);
  std::string output;
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status != 0)
    throw std::runtime_error("the child process failed (status " + std::to_string(status) +
                             "): " + command);
  return json::parse(output);
}

// ------------------------------------------------------------------------------------------
// Whole-index builds

struct BuildConfig {
  std::string name;
  std::string factory;
  std::size_t dimension;
  bool product_default;  // IndexBuildOptions{} as the product builds it; the one --quick builds
};

// "HNSW32,Flat" at 1024 -> "hnsw32-1024".
std::string config_name(const std::string& factory, std::size_t dimension) {
  std::string name;
  for (const char c : factory) name += c == ',' ? '-' : static_cast<char>(std::tolower(c));
  if (name.size() > 5 && name.ends_with("-flat")) name.resize(name.size() - 5);
  return name + "-" + std::to_string(dimension);
}

// The product's defaults, the other description dimension (384 vs 1024), and Flat (the exact
// FAISS layout, the default before Sparse) at the default dimension, without duplicates; with
// --slow also HNSW32 (an 18-minute build here). What an approximate FAISS layout costs in
// recall is measured per index type on the description channel (sweep_index_types).
std::vector<BuildConfig> build_configs(bool quick, bool slow) {
  const rag::IndexBuildOptions defaults;
  const std::size_t other = defaults.description_dimension == 384 ? 1024 : 384;
  std::vector<BuildConfig> configs;
  auto add = [&](const std::string& factory, std::size_t dimension) {
    for (const auto& c : configs) {
      if (c.factory == factory && c.dimension == dimension) return;
    }
    configs.push_back({config_name(factory, dimension), factory, dimension, configs.empty()});
  };
  add(defaults.text_factory, defaults.description_dimension);
  if (quick) return configs;
  add(defaults.text_factory, other);
  add("Flat", defaults.description_dimension);
  if (slow) add("HNSW32,Flat", defaults.description_dimension);
  return configs;
}

struct BuildResult {
  BuildConfig config;
  double build_seconds = 0;
  std::uintmax_t disk_bytes = 0;
  std::size_t documents = 0;
  double load_before = 0, load_after = 0;  // 1-minute load averages around the build
  json manifest;                           // of the built index: embedders and their settings
  json child;
  Method method;
};

BuildResult build_and_measure(pqxx::connection& connection, const Args& args, const fs::path& root,
                              const BuildConfig& config, const std::vector<Query>& queries) {
  BuildResult result;
  result.config = config;
  rag::IndexBuildOptions options;
  options.text_factory = config.factory;
  options.description_dimension = config.dimension;
  options.force = true;
  options.progress = false;
  say("build %s: CatalogIndex::build(text_factory=%s, description_dimension=%zu)",
      config.name.c_str(), config.factory.c_str(), config.dimension);
  result.load_before = load_average();
  const auto started = Clock::now();
  const auto report = rag::CatalogIndex::build(connection, root, options);
  result.build_seconds = seconds_since(started);
  result.load_after = load_average();
  result.documents = report.documents;
  result.manifest = report.manifest;
  result.disk_bytes = directory_bytes(fs::canonical(root / "current"));
  say("build %s: %.1f s, %.0f MiB on disk; loading and searching in a child process",
      config.name.c_str(), result.build_seconds, static_cast<double>(result.disk_bytes) / kMiB);
  result.child = run_child(args, root);
  result.method.key = config.name;
  result.method.label =
      "CatalogIndex " + config.factory + ", description d=" + std::to_string(config.dimension);
  for (const auto& list : result.child.at("hits")) {
    std::vector<std::string> ids;
    for (const auto& hit : list) {
      if (hit.at("kind") == "track") ids.push_back(hit.at("id").get<std::string>());
    }
    result.method.ids.push_back(std::move(ids));
  }
  const auto& latency = result.child.at("latency");
  result.method.latency = {latency.at("p50_ms").get<double>(), latency.at("p99_ms").get<double>(),
                           latency.at("mean_ms").get<double>(),
                           latency.at("samples").get<std::size_t>()};
  result.method.relevant = count_relevant(connection, queries, result.method.ids);
  say("build %s: load %.2f s, search p50 %.2f ms, mean P@10 %.3f", config.name.c_str(),
      result.child.at("load_seconds_median").get<double>(), result.method.latency.p50,
      result.method.mean_precision(queries));
  return result;
}

// ------------------------------------------------------------------------------------------
// Index types on the description channel

struct IndexType {
  std::string factory;
  int ef_search = 64;  // FaissStoreOptions::ef_search
  int ef_construction = 80;
  int nprobe = 16;
  bool quick = false;
  bool slow = false;  // builds for more than ~3 min here: only with --slow
  // > 0: the efSearch to search with (FaissStore sets it on the index, as FAISS 1.7.3 ignores
  // SearchParametersHNSW::efSearch; fixed upstream in facebookresearch/faiss#3233).
  int index_ef_search = 0;

  bool sparse() const { return factory == rag::kSparseIndex; }
  bool hnsw() const { return factory.find("HNSW") != std::string::npos; }  // also PCA..,HNSW..
  bool ivf() const { return factory.rfind("IVF", 0) == 0; }
  std::string params() const {
    if (hnsw() && index_ef_search > 0) return "efSearch=" + std::to_string(index_ef_search);
    if (hnsw()) return "as the product: FaissStoreOptions ef_search=" + std::to_string(ef_search);
    if (ivf()) return "nprobe=" + std::to_string(nprobe);
    if (sparse()) return "exact, posting lists";
    return "exact";
  }
  // Index types that differ only in search parameters share one build.
  std::string build_key() const {
    return factory + (hnsw() ? "/" + std::to_string(ef_construction) : "");
  }
  rag::FaissStoreOptions options() const {
    rag::FaissStoreOptions o;
    o.factory = factory;
    o.metric = rag::Metric::inner_product;
    o.ef_search = index_ef_search > 0 ? index_ef_search : ef_search;
    o.ef_construction = ef_construction;
    o.nprobe = nprobe;
    return o;
  }
};

std::vector<IndexType> index_types() {
  // factory, ef_search, ef_construction, nprobe, quick, slow, index_ef_search
  return {
      {"Flat", 64, 80, 16, true, false, 0},
      // The product's layout: exact, from the posting lists of the non-zero dimensions.
      {rag::kSparseIndex, 64, 80, 16, true, false, 0},
      // A projection learned on the corpus (PCA, part of the FAISS index), then HNSW in it.
      {"PCA128,HNSW32,Flat", 64, 40, 16, false, false, 64},
      {"PCA128,HNSW32,Flat", 64, 40, 16, false, false, 128},
      {"PCA128,HNSW32,Flat", 64, 40, 16, false, false, 256},
      {"PCA64,HNSW32,Flat", 64, 40, 16, false, true, 128},
      {"HNSW32,Flat", 64, 80, 16, false, true, 64},
      {"HNSW32,Flat", 64, 80, 16, false, true, 256},
      {"IVF1024,Flat", 64, 80, 16, false, false, 0},
      {"IVF1024,Flat", 64, 80, 64, false, false, 0},
      {"IVF1024,SQ8", 64, 80, 32, false, false, 0},
  };
}

std::unique_ptr<rag::VectorStore> new_store(std::size_t d, const IndexType& type) {
  if (type.sparse()) return std::make_unique<rag::SparseStore>(d);
  return std::make_unique<rag::FaissStore>(d, type.options());
}

std::unique_ptr<rag::VectorStore> load_store(const fs::path& file, const IndexType& type) {
  if (type.sparse()) return std::make_unique<rag::SparseStore>(rag::SparseStore::load(file));
  return std::make_unique<rag::FaissStore>(rag::FaissStore::load(file, type.options()));
}

void save_store(const rag::VectorStore& store, const fs::path& file) {
  if (const auto* sparse = dynamic_cast<const rag::SparseStore*>(&store)) return sparse->save(file);
  dynamic_cast<const rag::FaissStore&>(store).save(file);  // faiss::write_index
}

struct SweepRow {
  std::size_t dimension = 0;
  IndexType type;
  bool skipped = false;
  std::string note;
  double build_seconds = 0;
  bool shared_build = false;      // measured with an earlier row of the same build
  bool from_whole_index = false;  // the description.faiss of the CatalogIndex build, loaded
  double file_mib = 0;
  double rss_delta_mib = 0;
  int effective_ef_search = 0;  // HNSW: the efSearch searched with (at least k)
  double recall = 0, recall_strict = 0, recall_tracks = 0;
  Percentiles latency, latency_tracks;
};

float dot(const float* a, const float* b, std::size_t d) {
  float sum = 0;
  for (std::size_t i = 0; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

struct Truth {
  std::vector<std::unordered_set<std::int64_t>> ids;
  std::vector<float> kth_score;  // score of the 10th exact hit
};

// Recall@10 of `hits` against the exact top 10. A hit counts when it is one of the exact ten
// or scores (exactly recomputed) at least as high as the tenth: ties are not misses.
std::pair<double, double> recall_of(const std::vector<rag::SearchHit>& hits,
                                    const std::unordered_set<std::int64_t>& truth, float kth,
                                    const float* query, const std::vector<float>& corpus,
                                    std::size_t d) {
  if (truth.empty()) return {1.0, 1.0};
  std::size_t strict = 0, tolerant = 0;
  for (std::size_t i = 0; i < hits.size() && i < kTopK; ++i) {
    if (truth.count(hits[i].id) != 0) {
      ++strict;
      ++tolerant;
    } else if (dot(query, &corpus[static_cast<std::size_t>(hits[i].id) * d], d) >= kth - 1e-5f) {
      ++tolerant;
    }
  }
  const auto denominator = static_cast<double>(truth.size());
  return {std::min(1.0, static_cast<double>(tolerant) / denominator),
          static_cast<double>(strict) / denominator};
}

std::vector<SweepRow> sweep_index_types(const Args& args, const fs::path& index_root,
                                        const fs::path& scratch,
                                        const std::vector<rag::CatalogDocument>& documents,
                                        const std::vector<std::string>& query_texts) {
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto index = rag::CatalogIndex::load(index_root);
  const auto* embedder =
      dynamic_cast<const rag::HashingEmbedder*>(index.description_channel().embedder.get());
  if (embedder == nullptr)
    throw std::runtime_error("the description channel is not the local hashing embedder");
  const std::size_t d = embedder->dimension();
  const std::size_t n = documents.size();
  if (n != index.description_channel().store->size()) {
    throw std::runtime_error(
        "the index and marts.search_documents differ in size; was the corpus rebuilt?");
  }
  // A fixed threshold, so freed large buffers go back to the kernel and RSS deltas mean something.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  say("index types d=%zu: embedding %zu documents", d, n);
  std::vector<float> corpus(n * d);
  omp_set_num_threads(threads);
#pragma omp parallel for schedule(dynamic, 256)
  for (std::size_t i = 0; i < n; ++i) {
    embedder->embed_one(documents[i].description, &corpus[i * d]);
  }
  // The channel must hold these very vectors, or recall would compare different corpora.
  {
    const auto& store = *index.description_channel().store;
    std::mt19937_64 rng(args.seed);
    for (int probe = 0; probe < 50; ++probe) {
      const std::size_t row = rng() % n;
      const auto stored = store.reconstruct(static_cast<std::int64_t>(row));
      double error = 0;
      for (std::size_t j = 0; j < d; ++j) {
        error = std::max(error, static_cast<double>(std::fabs(stored[j] - corpus[row * d + j])));
      }
      if (error > 1e-4) {
        throw std::runtime_error(
            "document " + documents[row].doc_id +
            ": the description channel does not hold the embedding of CatalogDocument::description "
            "(rag_bench must embed what CatalogIndex::build embeds)");
      }
    }
  }
  const std::size_t m = query_texts.size();
  std::vector<float> queries(m * d);
  for (std::size_t q = 0; q < m; ++q) embedder->embed_one(query_texts[q], &queries[q * d]);
  rag::AllowedIds tracks(n);
  for (std::size_t i = 0; i < n; ++i) tracks[i] = documents[i].kind == "track";

  say("index types d=%zu: exact top %zu of %zu queries", d, kTopK, m);
  Truth truth, truth_tracks;
  {
    rag::FaissStoreOptions exact;
    exact.factory = "Flat";
    rag::FaissStore flat(d, exact);
    flat.add(n, corpus.data());
    for (std::size_t q = 0; q < m; ++q) {
      for (auto* t : {&truth, &truth_tracks}) {
        const auto hits =
            flat.exact_search(&queries[q * d], kTopK, t == &truth ? nullptr : &tracks);
        std::unordered_set<std::int64_t> ids;
        for (const auto& hit : hits) ids.insert(hit.id);
        t->ids.push_back(std::move(ids));
        t->kth_score.push_back(hits.empty() ? 0.0f : hits.back().score);
      }
    }
  }

  // The index the CatalogIndex build made on these same vectors (FaissStoreOptions defaults).
  const auto& shipped = index.manifest().at("text").at("description");
  const auto shipped_factory = shipped.at("index").get<std::string>();
  const auto shipped_file =
      fs::canonical(index_root / "current") / shipped.at("file").get<std::string>();

  std::vector<SweepRow> rows;
  std::map<std::string, fs::path> built;  // build key -> saved index
  std::vector<float> buffer(d);
  for (const auto& type : index_types()) {
    if (args.quick && !type.quick) continue;
    SweepRow row;
    row.dimension = d;
    row.type = type;
    const auto key = type.build_key();
    const bool reuse =
        !args.slow && !built.count(key) && type.factory == shipped_factory &&
        (type.sparse() || type.ef_construction == rag::FaissStoreOptions{}.ef_construction);
    if (type.slow && !args.slow && !reuse && !built.count(key)) {
      row.skipped = true;
      row.note = "skipped: builds for more than 3 min on 2 cores; --slow runs it";
      rows.push_back(row);
      continue;
    }
    std::unique_ptr<rag::VectorStore> store;
    if (reuse) {
      const long rss_before = settled_rss_kb();
      store = load_store(shipped_file, type);
      row.rss_delta_mib = static_cast<double>(settled_rss_kb() - rss_before) / 1024.0;
      row.file_mib = static_cast<double>(fs::file_size(shipped_file)) / kMiB;
      row.from_whole_index = true;
      built[key] = shipped_file;
    } else if (const auto it = built.find(key); it != built.end()) {
      store = load_store(it->second, type);
      const auto& first = *std::find_if(rows.begin(), rows.end(), [&](const SweepRow& r) {
        return !r.skipped && !r.shared_build && r.dimension == d && r.type.build_key() == key;
      });
      row.build_seconds = first.build_seconds;
      row.file_mib = first.file_mib;
      row.rss_delta_mib = first.rss_delta_mib;
      row.from_whole_index = first.from_whole_index;
      row.shared_build = true;
    } else {
      say("index types d=%zu: building %s", d, type.factory.c_str());
      omp_set_num_threads(threads);
      const long rss_before = settled_rss_kb();
      const auto started = Clock::now();
      store = new_store(d, type);
      store->add(n, corpus.data());
      row.build_seconds = seconds_since(started);
      row.rss_delta_mib = static_cast<double>(settled_rss_kb() - rss_before) / 1024.0;
      const auto file =
          scratch / ("d" + std::to_string(d) + "-" + std::to_string(built.size()) + ".faiss");
      save_store(*store, file);
      row.file_mib = static_cast<double>(fs::file_size(file)) / kMiB;
      built[key] = file;
      say("index types d=%zu: %s built in %.1f s, %.0f MiB", d, type.factory.c_str(),
          row.build_seconds, row.file_mib);
    }
    if (type.hnsw()) {
      row.effective_ef_search = std::max<int>(type.options().ef_search, static_cast<int>(kTopK));
    }
    // One thread, as one request is served; each sample embeds the text and searches.
    omp_set_num_threads(1);
    const rag::AllowedIds* const filters[] = {nullptr, &tracks};
    for (const auto* allowed : filters) {
      const Truth& t = allowed == nullptr ? truth : truth_tracks;
      for (std::size_t q = 0; q < std::min<std::size_t>(m, 5); ++q) {  // warm-up
        embedder->embed_one(query_texts[q], buffer.data());
        store->search(buffer.data(), kTopK, allowed);
      }
      std::vector<double> samples;
      double recall = 0, strict = 0;
      for (std::size_t q = 0; q < m; ++q) {
        const auto started = Clock::now();
        embedder->embed_one(query_texts[q], buffer.data());
        const auto hits = store->search(buffer.data(), kTopK, allowed);
        samples.push_back(ms_since(started));
        const auto [tolerant, exact] =
            recall_of(hits, t.ids[q], t.kth_score[q], &queries[q * d], corpus, d);
        recall += tolerant;
        strict += exact;
      }
      if (allowed == nullptr) {
        row.recall = recall / static_cast<double>(m);
        row.recall_strict = strict / static_cast<double>(m);
        row.latency = percentiles(samples);
      } else {
        row.recall_tracks = recall / static_cast<double>(m);
        row.latency_tracks = percentiles(samples);
      }
    }
    omp_set_num_threads(threads);
    say("index types d=%zu: %s %s recall@10 %.4f (tracks %.4f), p50 %.2f ms", d,
        type.factory.c_str(), type.params().c_str(), row.recall, row.recall_tracks,
        row.latency.p50);
    rows.push_back(row);
  }
  return rows;
}

// ------------------------------------------------------------------------------------------
// Report

std::string cell(const Method& method, std::size_t q) {
  std::string text = format("%.1f", method.precision(q));
  if (method.ids[q].size() < kTopK) text += " (" + std::to_string(method.ids[q].size()) + ")";
  return text;
}

std::string escape_cell(std::string text) {
  std::string out;
  for (const char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

void print_quality(const std::vector<Query>& queries, const std::vector<const Method*>& methods) {
  const auto in =
      std::count_if(queries.begin(), queries.end(), [](const Query& q) { return q.words == "in"; });
  const auto out = static_cast<long>(queries.size()) - in;
  std::printf("\n## Precision@10 on %zu queries (kind=track, limit 10)\n\n", queries.size());
  std::printf(
      "| method | mean P@10 | words in vocabulary (%ld) | words missing (%ld) | queries with < 10 "
      "results | latency p50 ms | p99 ms |\n",
      in, out);
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  double base = 0;
  for (const auto& q : queries) base += q.base_rate;
  for (const auto* m : methods) {
    std::printf("| %s | %.3f | %.3f | %.3f | %zu | %.2f | %.2f |\n", m->label.c_str(),
                m->mean_precision(queries), m->mean_precision(queries, "in"),
                m->mean_precision(queries, "out"), m->short_lists(), m->latency.p50,
                m->latency.p99);
  }
  std::printf("| random tracks (share of all tracks passing the check) | %.3f | | | | | |\n",
              base / static_cast<double>(queries.size()));

  std::printf("\n### Per query (P@10; in brackets the number of results when fewer than 10)\n\n");
  std::printf("| # | query | words | check | base rate |");
  for (const auto* m : methods) std::printf(" %s |", m->key.c_str());
  std::printf("\n|---:|---|---|---|---:|");
  for (std::size_t i = 0; i < methods.size(); ++i) std::printf("---:|");
  std::printf("\n");
  for (std::size_t q = 0; q < queries.size(); ++q) {
    std::printf("| %zu | %s | %s | `%s` | %.3f |", q + 1, escape_cell(queries[q].text).c_str(),
                queries[q].words.c_str(), escape_cell(queries[q].check).c_str(),
                queries[q].base_rate);
    for (const auto* m : methods) std::printf(" %s |", cell(*m, q).c_str());
    std::printf("\n");
  }
}

void print_sweep(const std::vector<SweepRow>& rows, std::size_t query_count,
                 std::size_t user_queries, std::size_t documents) {
  std::printf(
      "\n## Description channel: index types (recall@10 vs exact, %zu documents, %zu queries: "
      "the %zu above plus document descriptions sampled with a fixed seed)\n\n",
      documents, query_count, user_queries);
  std::printf(
      "Latency: one thread, embedding + search of one query (k=10). Recall counts a hit scoring "
      "as high as the exact 10th as found (ties); `strict` is the plain id overlap. `tracks`: "
      "with the kind=track filter, as the product searches. HNSW `ef`: the efSearch searched "
      "with, max(efSearch, k). `PCAn,...`: a projection to n dimensions learned on the corpus "
      "(faiss::PCAMatrix) inside the index; its recall is against exact search in the channel's "
      "own space, the one that ranks results. `Sparse`: the product's exact posting-list "
      "store.\n\n");
  std::printf(
      "| d | index | params | ef | build s | recall@10 | strict | recall@10 tracks | p50 ms | "
      "p99 ms | p50 ms tracks | p99 ms tracks | file MiB | RSS delta MiB |\n");
  std::printf("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& r : rows) {
    if (r.skipped) {
      std::printf("| %zu | %s | %s | | %s | | | | | | | | | |\n", r.dimension,
                  r.type.factory.c_str(), r.type.params().c_str(), r.note.c_str());
      continue;
    }
    const std::string build = r.shared_build       ? "(same build)"
                              : r.from_whole_index ? "(whole-index build)"
                                                   : format("%.1f", r.build_seconds);
    const std::string ef = r.effective_ef_search > 0 ? std::to_string(r.effective_ef_search) : "";
    std::printf(
        "| %zu | %s | %s | %s | %s | %.4f | %.4f | %.4f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f "
        "|\n",
        r.dimension, r.type.factory.c_str(), r.type.params().c_str(), ef.c_str(), build.c_str(),
        r.recall, r.recall_strict, r.recall_tracks, r.latency.p50, r.latency.p99,
        r.latency_tracks.p50, r.latency_tracks.p99, r.file_mib, r.rss_delta_mib);
  }
}

void print_builds(const std::vector<BuildResult>& builds, const std::vector<Query>& queries) {
  std::printf("\n## Whole index (CatalogIndex: description + name channels + audio index)\n\n");
  std::printf(
      "Build: wall time of CatalogIndex::build (reads the marts, fits, embeds, builds both text "
      "channels with the text index, writes; all cores). Load and search: a fresh process; "
      "search() is end to end (both channels, kind=track filter, limit 10), one thread.\n\n");
  std::printf(
      "| config | text index | description d | build s | load avg during build | on disk MiB | "
      "load s | search p50 ms | p99 ms | RSS before load MiB | RSS after load MiB | RSS delta MiB "
      "| mean P@10 |\n");
  std::printf("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& b : builds) {
    const double before = b.child.at("rss_before_load_kb").get<double>() / 1024.0;
    const double after = b.child.at("rss_after_load_kb").get<double>() / 1024.0;
    std::printf(
        "| %s | %s | %zu | %.1f | %.1f to %.1f | %.0f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | "
        "%.3f |\n",
        (b.config.name + (b.config.product_default ? " (default)" : "")).c_str(),
        b.config.factory.c_str(), b.config.dimension, b.build_seconds, b.load_before, b.load_after,
        static_cast<double>(b.disk_bytes) / kMiB, b.child.at("load_seconds_median").get<double>(),
        b.method.latency.p50, b.method.latency.p99, before, after, after - before,
        b.method.mean_precision(queries));
  }
}

json method_json(const Method& m, const std::vector<Query>& queries) {
  json per_query = json::array();
  for (std::size_t q = 0; q < queries.size(); ++q) {
    per_query.push_back({{"query", queries[q].text},
                         {"precision_at_10", m.precision(q)},
                         {"relevant", m.relevant[q]},
                         {"returned", m.ids[q].size()},
                         {"ids", m.ids[q]}});
  }
  json out = {{"key", m.key},
              {"label", m.label},
              {"mean_precision_at_10", m.mean_precision(queries)},
              {"mean_precision_at_10_words_in", m.mean_precision(queries, "in")},
              {"mean_precision_at_10_words_out", m.mean_precision(queries, "out")},
              {"queries_with_fewer_than_10", m.short_lists()},
              {"latency", to_json(m.latency)},
              {"per_query", per_query}};
  for (const auto& [k, v] : m.extra.items()) out[k] = v;
  return out;
}

struct TempDir {
  fs::path path;
  bool keep = false;
  ~TempDir() {
    if (!path.empty() && !keep) {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  }
};

int bench_main(const Args& args) {
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const double load_at_start = load_average();
  auto queries = read_queries(args.queries);
  auto connection = musicagent::common::connect(args.database_url);
  measure_base_rates(connection, queries);
  say("%zu queries; checks are valid SQL", queries.size());

  TempDir temp;
  fs::path root = args.index_root;
  if (root.empty()) {
    std::string pattern = (fs::temp_directory_path() / "rag_bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("cannot create a temporary folder");
    root = temp.path = pattern;
    temp.keep = args.keep_index;
  }
  fs::create_directories(root);
  say("indexes go to %s", root.c_str());

  // 1. Full-text baselines.
  say("full-text baselines: building tsvectors and a GIN index in a temporary table");
  auto fts = full_text_baselines(args.database_url, queries, args.fts_rounds);
  fts.web.relevant = count_relevant(connection, queries, fts.web.ids);
  fts.any_word.relevant = count_relevant(connection, queries, fts.any_word.ids);
  say("full-text: setup %.1f s; mean P@10 web %.3f, or %.3f", fts.setup_seconds,
      fts.web.mean_precision(queries), fts.any_word.mean_precision(queries));

  // 2. Whole-index builds.
  std::vector<BuildResult> builds;
  for (const auto& config : build_configs(args.quick, args.slow)) {
    builds.push_back(build_and_measure(connection, args, root / config.name, config, queries));
  }

  // 3. Index types on the description channel, per description dimension built above.
  const auto documents = rag::read_catalog_documents(connection);
  std::vector<std::string> query_texts;
  for (const auto& q : queries) query_texts.push_back(q.text);
  {
    std::mt19937_64 rng(args.seed);
    std::vector<std::size_t> order(documents.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const std::size_t extra =
        args.recall_queries > query_texts.size() ? args.recall_queries - query_texts.size() : 0;
    for (std::size_t i = 0; i < extra && i < order.size(); ++i) {  // partial Fisher-Yates
      const std::size_t j = i + static_cast<std::size_t>(rng() % (order.size() - i));
      std::swap(order[i], order[j]);
      query_texts.push_back(documents[order[i]].description);
    }
  }
  const fs::path scratch = root / "index-types";
  fs::create_directories(scratch);
  std::vector<SweepRow> sweep;
  // One pass, on the product's default build (the index types are built from its vectors).
  std::map<std::size_t, const BuildResult*> per_dimension;
  for (const auto& b : builds) {
    if (b.config.product_default) per_dimension[b.config.dimension] = &b;
  }
  for (auto it = per_dimension.rbegin(); it != per_dimension.rend(); ++it) {
    const auto& b = *it->second;
    auto rows = sweep_index_types(args, root / b.config.name, scratch, documents, query_texts);
    sweep.insert(sweep.end(), rows.begin(), rows.end());
    fs::remove_all(scratch);
    fs::create_directories(scratch);
  }
  omp_set_num_threads(threads);

  // Report.
  std::vector<const Method*> methods;
  for (const auto& b : builds) methods.push_back(&b.method);
  methods.push_back(&fts.web);
  methods.push_back(&fts.any_word);
  std::printf("# Retrieval benchmark (rag_bench)\n\n");
  std::printf("%zu documents (%zu tracks in the full-text table), FAISS %d.%d.%d, %d cores%s.\n",
              documents.size(), fts.documents, FAISS_VERSION_MAJOR, FAISS_VERSION_MINOR,
              FAISS_VERSION_PATCH, threads, args.quick ? ", --quick" : "");
  std::printf(
      "1-minute load average at start %.2f, at end %.2f (other work on the machine slows "
      "builds).\n",
      load_at_start, load_average());
  std::printf(
      "Full-text setup (tsvectors + GIN index, not in latency): %.1f s. Full-text latency is "
      "client-side over a local connection.\n",
      fts.setup_seconds);
  print_quality(queries, methods);
  print_builds(builds, queries);
  print_sweep(sweep, query_texts.size(), queries.size(), documents.size());

  json out;
  out["generated_at_unix"] = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  out["settings"] = {
      {"quick", args.quick},
      {"slow", args.slow},
      {"recall_queries", query_texts.size()},
      {"user_queries", queries.size()},
      {"seed", args.seed},
      {"rounds", args.rounds},
      {"fts_rounds", args.fts_rounds},
      {"cores", threads},
      {"documents", documents.size()},
      {"faiss", std::to_string(FAISS_VERSION_MAJOR) + "." + std::to_string(FAISS_VERSION_MINOR) +
                    "." + std::to_string(FAISS_VERSION_PATCH)}};
  json qs = json::array();
  for (const auto& q : queries) {
    qs.push_back({{"query", q.text},
                  {"check", q.check},
                  {"words", q.words},
                  {"matching_tracks", q.matching},
                  {"base_rate", q.base_rate}});
  }
  out["queries"] = qs;
  json quality = json::array();
  for (const auto* m : methods) quality.push_back(method_json(*m, queries));
  out["quality"] = quality;
  out["full_text_setup_seconds"] = fts.setup_seconds;
  out["load_average_start_end"] = {load_at_start, load_average()};
  json whole = json::array();
  for (const auto& b : builds) {
    json child = b.child;
    child.erase("hits");
    whole.push_back({{"config", b.config.name},
                     {"text_factory", b.config.factory},
                     {"product_default", b.config.product_default},
                     {"description_dimension", b.config.dimension},
                     {"build_seconds", b.build_seconds},
                     {"load_average_before_after", {b.load_before, b.load_after}},
                     {"disk_bytes", b.disk_bytes},
                     {"mean_precision_at_10", b.method.mean_precision(queries)},
                     {"load_and_search", child},
                     {"manifest", b.manifest},
                     {"hits", b.child.at("hits")}});
  }
  out["whole_index"] = whole;
  json types = json::array();
  for (const auto& r : sweep) {
    json row = {{"dimension", r.dimension},
                {"factory", r.type.factory},
                {"params", r.type.params()},
                {"skipped", r.skipped}};
    if (r.skipped) {
      row["note"] = r.note;
    } else {
      row.update({{"build_seconds", r.build_seconds},
                  {"shared_build", r.shared_build},
                  {"effective_ef_search", r.effective_ef_search},
                  {"from_whole_index_build", r.from_whole_index},
                  {"recall_at_10", r.recall},
                  {"recall_at_10_strict", r.recall_strict},
                  {"recall_at_10_tracks", r.recall_tracks},
                  {"latency", to_json(r.latency)},
                  {"latency_tracks", to_json(r.latency_tracks)},
                  {"file_mib", r.file_mib},
                  {"rss_delta_mib", r.rss_delta_mib}});
    }
    types.push_back(row);
  }
  out["index_types"] = types;
  fs::create_directories(args.output.parent_path());
  std::ofstream file(args.output, std::ios::trunc);
  file << out.dump(2) << '\n';
  if (!file) throw std::runtime_error("cannot write " + args.output.string());
  say("results in %s", args.output.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto args = parse_args(argc, argv);
    if (!args.child_load.empty()) return child_main(args);
    return bench_main(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rag_bench: %s\n", e.what());
    return 1;
  }
}
