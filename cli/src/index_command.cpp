#include "index_command.hpp"

#include <cstdio>
#include <memory>

#include "common/database.hpp"
#include "rag/catalog_index.hpp"
#include "rag/embedder_factory.hpp"

namespace musicagent::cli {
namespace {

struct BuildFlags {
  bool force = false;
  bool json = false;
  std::string text_factory = rag::kDefaultTextIndex;
};

struct SearchFlags {
  std::string query;
  std::string kind = "any";
  std::string genre;
  int min_popularity = -1;
  std::size_t limit = 10;
  bool json = false;
};

rag::IndexBuildOptions build_options(const BuildFlags& flags, bool progress) {
  rag::IndexBuildOptions options;
  options.text_factory = flags.text_factory;
  options.force = flags.force;
  options.progress = progress;
  return options;
}

std::string describe_build(const rag::IndexBuildReport& report) {
  if (report.unchanged) return "unchanged: the corpus and settings match the current index";
  return std::to_string(report.documents) + " documents, " + std::to_string(report.tracks) +
         " tracks in " + std::to_string(report.seconds).substr(0, 5) + " s";
}

int build(const CommandContext& context, const BuildFlags& flags) {
  auto connection = common::connect(context.config.database_url);
  const auto report = rag::CatalogIndex::build(connection, context.config.index_dir(),
                                               build_options(flags, !flags.json),
                                               rag::configured_embedder(context.config));
  if (flags.json) {
    std::printf("%s\n", nlohmann::json{{"unchanged", report.unchanged},
                                       {"documents", report.documents},
                                       {"tracks", report.tracks},
                                       {"seconds", report.seconds},
                                       {"path", report.path.string()},
                                       {"manifest", report.manifest}}
                            .dump(2)
                            .c_str());
  } else {
    std::printf("index build: %s\n  %s\n", describe_build(report).c_str(),
                report.path.string().c_str());
  }
  return 0;
}

int search(const CommandContext& context, const SearchFlags& flags) {
  const auto index =
      rag::CatalogIndex::load(context.config.index_dir(), rag::configured_embedder(context.config));
  {
    auto connection = common::connect(context.config.database_url);
    index.check_fresh(connection);
  }
  rag::CatalogQuery query;
  query.text = flags.query;
  query.kind = flags.kind == "tracks" ? "track" : flags.kind == "artists" ? "artist" : flags.kind;
  if (!flags.genre.empty()) query.genre = flags.genre;
  if (flags.min_popularity >= 0) query.min_popularity = flags.min_popularity;
  query.limit = flags.limit;
  const auto hits = index.search(query);
  if (flags.json) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& hit : hits) {
      results.push_back({{"id", hit.document->entity_id},
                         {"kind", hit.document->kind},
                         {"title", hit.document->title},
                         {"subtitle", hit.document->subtitle},
                         {"genres", hit.document->genres},
                         {"popularity", hit.document->popularity},
                         {"score", hit.score}});
    }
    std::printf("%s\n",
                nlohmann::json{{"query", flags.query}, {"results", results}}.dump(2).c_str());
    return 0;
  }
  if (hits.empty()) std::printf("no results\n");
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const auto& doc = *hits[i].document;
    std::string genres;
    for (const auto& genre : doc.genres) genres += (genres.empty() ? "" : ", ") + genre;
    std::printf("%2zu. %-6s %s%s%s  [%s]  popularity %d  (score %.3f)\n", i + 1, doc.kind.c_str(),
                doc.title.c_str(), doc.kind == "track" && !doc.subtitle.empty() ? " — " : "",
                doc.kind == "track" ? doc.subtitle.c_str() : "", genres.c_str(), doc.popularity,
                hits[i].score);
  }
  return 0;
}

}  // namespace

pipeline::FinalStep index_build_step(const CommandContext& context, bool progress) {
  const auto config = context.config;
  return {"index build", "index",
          [config, progress](pqxx::connection& connection, std::int64_t run_id) {
            auto options = build_options(BuildFlags{}, progress);
            options.run_id = run_id;
            const auto report = rag::CatalogIndex::build(connection, config.index_dir(), options,
                                                         rag::configured_embedder(config));
            return pipeline::FinalStepOutcome{report.unchanged ? "unchanged" : "success",
                                              static_cast<std::int64_t>(report.documents),
                                              describe_build(report)};
          }};
}

void add_index_commands(CLI::App& app, Action& action) {
  auto* index = app.add_subcommand("index", "the FAISS catalogue search index");
  index->require_subcommand(1);
  auto build_flags = std::make_shared<BuildFlags>();
  auto* build_cmd = index->add_subcommand(
      "build", "embed marts.search_documents and build the text and audio indexes");
  build_cmd->add_flag("--force", build_flags->force, "rebuild even when the corpus is unchanged");
  build_cmd
      ->add_option("--text-index", build_flags->text_factory,
                   "FAISS factory string for the text index")
      ->capture_default_str();
  build_cmd->add_flag("--json", build_flags->json, "print the report as JSON");
  build_cmd->callback([&action, build_flags] {
    action = [build_flags](const CommandContext& context) { return build(context, *build_flags); };
  });

  auto search_flags = std::make_shared<SearchFlags>();
  auto* search_cmd = app.add_subcommand("search", "semantic search over tracks and artists");
  search_cmd->add_option("query", search_flags->query, "what to look for, in plain words")
      ->required();
  search_cmd->add_option("--kind", search_flags->kind, "tracks, artists or any")
      ->check(CLI::IsMember({"tracks", "artists", "any", "track", "artist"}))
      ->capture_default_str();
  search_cmd->add_option("--genre", search_flags->genre, "only this genre (e.g. jazz, k-pop)");
  search_cmd
      ->add_option("--min-popularity", search_flags->min_popularity,
                   "only popularity >= N (0..100)")
      ->check(CLI::Range(0, 100));
  search_cmd->add_option("--limit", search_flags->limit, "how many results")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  search_cmd->add_flag("--json", search_flags->json, "print as JSON");
  search_cmd->callback([&action, search_flags] {
    action = [search_flags](const CommandContext& context) {
      return search(context, *search_flags);
    };
  });
}

}  // namespace musicagent::cli
