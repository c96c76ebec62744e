#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "eval/eval_case.hpp"
#include "eval/scorer.hpp"

namespace musicagent::eval {

enum class Mode { offline, live, replay };
Mode parse_mode(const std::string& text);  // throws std::invalid_argument
const char* to_string(Mode mode);

struct EvalOptions {
  Mode mode = Mode::offline;
  int k = 1;                               // runs per case (pass^k)
  std::optional<std::filesystem::path> record;  // save every model exchange as cassettes here
  std::filesystem::path cassettes;         // replay: where the cassettes are
};

struct TurnResult {
  TurnRecord record;
  TurnScore score;
};

struct CaseRun {
  bool passed = true;
  std::vector<TurnResult> turns;
  std::string error;  // when the run could not happen at all
};

struct CaseResult {
  const EvalCase* eval_case = nullptr;
  std::vector<CaseRun> runs;  // k of them
  bool passed_all() const;
  bool passed_first() const;
};

struct EvalReport {
  std::string mode;
  std::string model;
  int k = 1;
  std::vector<CaseResult> cases;
  nlohmann::json summary;  // the aggregate scores (see summarize)
  nlohmann::json to_json() const;
};

// Runs every case k times (each run a fresh conversation, with no session store) against the
// chosen model, and scores every turn.
EvalReport run_eval(const common::Config& config, const std::vector<EvalCase>& cases,
                    const EvalOptions& options);

// Pass rate (first run), pass^k, tool-selection accuracy, argument accuracy, irrelevance
// accuracy, turns and tool calls per case, latency p50/p95, tokens, and the same per tag.
nlohmann::json summarize(const std::vector<CaseResult>& cases, int k);

}  // namespace musicagent::eval
