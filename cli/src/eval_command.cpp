#include "eval_command.hpp"

#include <cstdio>
#include <fstream>

#include "eval/harness.hpp"
#include "eval/report.hpp"

namespace musicagent::cli {
namespace {

struct EvalFlags {
  std::vector<std::string> paths;
  std::string mode = "offline";
  std::string record;
  std::string cassettes;
  int k = 1;
  std::string report;
  std::string html;
  double min_pass = -1;
};

// Exit codes: 0 all requested thresholds met, 1 pass rate under --min-pass, 2 could not run.
int run(const CommandContext& context, const EvalFlags& flags) {
  std::vector<std::filesystem::path> paths;
  for (const auto& p : flags.paths) paths.emplace_back(p);
  if (paths.empty()) paths.push_back(context.config.home / "eval" / "conversations");
  const auto cases = eval::load_cases(paths);

  eval::EvalOptions options;
  options.mode = eval::parse_mode(flags.mode);
  options.k = flags.k;
  if (!flags.record.empty()) options.record = flags.record;
  options.cassettes =
      flags.cassettes.empty() ? context.config.home / "eval" / "cassettes" : std::filesystem::path(flags.cassettes);
  std::fprintf(stderr, "eval: %zu conversations, %s mode, k=%d\n", cases.size(), flags.mode.c_str(), flags.k);
  const auto report = eval::run_eval(context.config, cases, options);

  eval::print_summary(stdout, report);
  if (!flags.report.empty()) {
    std::ofstream(flags.report) << report.to_json().dump(2) << "\n";
    std::fprintf(stderr, "report: %s\n", flags.report.c_str());
  }
  if (!flags.html.empty()) {
    eval::write_html(flags.html, report);
    std::fprintf(stderr, "HTML report: %s\n", flags.html.c_str());
  }
  if (flags.min_pass >= 0) {
    const double rate = report.summary["pass_rate"].get<double>();
    const double rate_k = report.summary["pass_k"].get<double>();
    if (std::min(rate, rate_k) < flags.min_pass) {
      std::fprintf(stderr, "eval: pass rate %.3f (pass^k %.3f) is under --min-pass %.3f\n", rate, rate_k,
                   flags.min_pass);
      return 1;
    }
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<EvalFlags>();
  auto* cmd = app.add_subcommand("eval", "replay scripted conversations and score the agent");
  cmd->add_option("paths", flags->paths, "conversation files or folders (default: eval/conversations)");
  cmd->add_option("--mode", flags->mode, "live (the configured endpoint), replay (cassettes) or offline (planner)")
      ->capture_default_str();
  cmd->add_option("--record", flags->record, "save every model exchange as a cassette in this folder");
  cmd->add_option("--cassettes", flags->cassettes, "replay: the cassette folder (default: eval/cassettes)");
  cmd->add_option("--k", flags->k, "runs per conversation, for pass^k")->capture_default_str();
  cmd->add_option("--report", flags->report, "write the JSON report here");
  cmd->add_option("--html", flags->html, "write the HTML report (with charts) here");
  cmd->add_option("--min-pass", flags->min_pass, "exit 1 when the pass rate (or pass^k) is below this (0..1)");
  cmd->callback([&action, flags] {
    action = [flags](const CommandContext& context) { return run(context, *flags); };
  });
}

}  // namespace musicagent::cli
