#include "pipeline_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <memory>

#include "common/database.hpp"
#include "index_command.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "pipeline/status_report.hpp"
#include "pipeline_output.hpp"
#include "rag/catalog_index.hpp"

namespace musicagent::cli {
namespace {

struct RunFlags {
  std::string data_dir;
  bool full_refresh = false;
  bool skip_load = false;
  bool json = false;
  bool quiet = false;
  bool skip_index = false;
  std::vector<std::string> select;
};

struct StatusFlags {
  bool json = false;
  int runs = 5;
};

int run(const CommandContext& context, const RunFlags& flags) {
  pipeline::PipelineOptions options;
  options.data_dir =
      flags.data_dir.empty() ? context.config.data_dir : std::filesystem::path(flags.data_dir);
  options.full_refresh = flags.full_refresh;
  options.skip_load = flags.skip_load;
  options.select = flags.select;
  options.progress = !flags.quiet;
  options.command = "pipeline run";
  if (flags.full_refresh) options.command += " --full-refresh";
  for (const auto& model : flags.select) options.command += " --select " + model;
  if (!flags.skip_index) options.final_steps.push_back(index_build_step(context, !flags.quiet));

  const auto summary = pipeline::run_pipeline(context.config, options);
  if (flags.json) {
    std::printf("%s\n", summary.to_json().dump(2).c_str());
  } else {
    print_run_summary(summary, stdout);
  }
  return summary.status == "success" ? 0 : 1;
}

int status(const CommandContext& context, const StatusFlags& flags) {
  auto report = pipeline::pipeline_status(context.config.database_url, flags.runs);
  {
    auto connection = common::connect(context.config.database_url);
    report["search_index"] = rag::index_state(connection, context.config.index_dir());
  }
  if (flags.json) {
    std::printf("%s\n", report.dump(2).c_str());
  } else {
    print_status(report, stdout);
  }
  return 0;
}

}  // namespace

void add_pipeline_command(CLI::App& app, Action& action) {
  auto* pipeline = app.add_subcommand("pipeline", "extract, load and transform the music data");
  pipeline->require_subcommand(1);

  auto run_flags = std::make_shared<RunFlags>();
  auto* run_cmd = pipeline->add_subcommand(
      "run", "load the source files into raw, build the models, run the data tests");
  run_cmd->add_option("--data-dir", run_flags->data_dir,
                      "folder with spotify_tracks/ and lastfm_hetrec2011/ (MUSICAGENT_DATA_DIR)");
  run_cmd->add_flag("--full-refresh", run_flags->full_refresh,
                    "load every file as a new batch even when unchanged");
  run_cmd->add_option("--select", run_flags->select,
                      "build only these models (MODEL+ adds everything downstream)");
  run_cmd->add_flag("--skip-load", run_flags->skip_load,
                    "transform only: build models from the loaded batches");
  run_cmd->add_flag("--skip-index", run_flags->skip_index,
                    "do not rebuild the search index at the end");
  run_cmd->add_flag("--json", run_flags->json, "print the run summary as JSON");
  run_cmd->add_flag("-q,--quiet", run_flags->quiet, "no progress lines");
  run_cmd->callback([&action, run_flags] {
    action = [run_flags](const CommandContext& context) { return run(context, *run_flags); };
  });

  auto status_flags = std::make_shared<StatusFlags>();
  auto* status_cmd =
      pipeline->add_subcommand("status", "recent runs, rows per layer, data tests, rejected rows");
  status_cmd->add_flag("--json", status_flags->json, "print as JSON");
  status_cmd->add_option("--runs", status_flags->runs, "how many recent runs to list")
      ->check(CLI::Range(1, 100));
  status_cmd->callback([&action, status_flags] {
    action = [status_flags](const CommandContext& context) {
      return status(context, *status_flags);
    };
  });
}

}  // namespace musicagent::cli
