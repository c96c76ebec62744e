#include "eval/harness.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "agent/agent_runtime.hpp"
#include "agent/offline_planner.hpp"
#include "agent/openai_chat_client.hpp"
#include "common/logging.hpp"
#include "eval/cassette.hpp"
#include "tools/default_tools.hpp"

namespace musicagent::eval {
namespace {

using nlohmann::json;

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double ratio(double part, double whole) { return whole > 0 ? part / whole : 1.0; }

CaseRun run_case(const EvalCase& eval_case, const std::shared_ptr<agent::ChatModel>& model,
                 const std::shared_ptr<const tools::ToolRegistry>& tools, const std::string& prompt,
                 const agent::AgentSettings& settings) {
  CaseRun run;
  const agent::Agent agent(model, tools, prompt, settings);
  agent::Conversation conversation{"eval-" + eval_case.id, {}, 0};
  for (const auto& turn : eval_case.turns) {
    TurnResult result;
    result.record.user = turn.user;
    agent.run_turn(conversation, turn.user, [&](const agent::Event& e) { result.record.add(e); },
                   agent::CancellationToken{});
    result.score = score_turn(turn, result.record);
    run.passed = run.passed && result.score.passed;
    run.turns.push_back(std::move(result));
  }
  return run;
}

}  // namespace

Mode parse_mode(const std::string& text) {
  if (text == "offline") return Mode::offline;
  if (text == "live") return Mode::live;
  if (text == "replay") return Mode::replay;
  throw std::invalid_argument("--mode must be live, replay or offline, got '" + text + "'");
}

const char* to_string(Mode mode) {
  switch (mode) {
    case Mode::offline:
      return "offline";
    case Mode::live:
      return "live";
    case Mode::replay:
      return "replay";
  }
  return "?";
}

bool CaseResult::passed_all() const {
  return !runs.empty() && std::all_of(runs.begin(), runs.end(), [](const CaseRun& r) { return r.passed; });
}
bool CaseResult::passed_first() const { return !runs.empty() && runs.front().passed; }

json summarize(const std::vector<CaseResult>& cases, int k) {
  struct Tally {
    double cases = 0, passed = 0, passed_k = 0;
  };
  Tally all;
  std::map<std::string, Tally> by_tag;
  double expected_tools = 0, selected = 0, expected_args = 0, matched_args = 0;
  double irrelevance = 0, irrelevance_ok = 0, turns = 0, calls = 0, tokens = 0;
  std::vector<double> latencies;
  std::map<std::string, std::pair<double, double>> by_tool;  // expected, selected
  for (const auto& c : cases) {
    const bool first = c.passed_first();
    const bool every = c.passed_all();
    all.cases += 1;
    all.passed += first;
    all.passed_k += every;
    for (const auto& tag : c.eval_case->tags) {
      auto& t = by_tag[tag];
      t.cases += 1;
      t.passed += first;
      t.passed_k += every;
    }
    for (const auto& run : c.runs) {
      for (std::size_t i = 0; i < run.turns.size(); ++i) {
        const auto& turn = run.turns[i];
        expected_tools += turn.score.expected_tools;
        selected += turn.score.selected_tools;
        expected_args += turn.score.expected_arguments;
        matched_args += turn.score.matched_arguments;
        irrelevance += turn.score.irrelevance;
        irrelevance_ok += turn.score.irrelevance_ok;
        turns += 1;
        calls += static_cast<double>(turn.record.calls.size());
        tokens += static_cast<double>(turn.record.usage.total_tokens);
        latencies.push_back(turn.record.latency_ms);
        const auto& expected = c.eval_case->turns[i].tools;
        for (const auto& want : expected) {
          auto& t = by_tool[want.name];
          t.first += 1;
          for (const auto& call : turn.record.calls) {
            if (call.name == want.name) {
              t.second += 1;
              break;
            }
          }
        }
      }
    }
  }
  const double runs = all.cases * k;
  json tags = json::object();
  for (const auto& [tag, t] : by_tag) {
    tags[tag] = {{"cases", t.cases}, {"pass_rate", ratio(t.passed, t.cases)}, {"pass_k", ratio(t.passed_k, t.cases)}};
  }
  json tools = json::object();
  for (const auto& [tool, t] : by_tool) {
    tools[tool] = {{"expected", t.first}, {"selection_accuracy", ratio(t.second, t.first)}};
  }
  return {{"cases", all.cases},
          {"passed", all.passed},
          {"pass_rate", ratio(all.passed, all.cases)},
          {"k", k},
          {"pass_k", ratio(all.passed_k, all.cases)},
          {"tool_selection_accuracy", ratio(selected, expected_tools)},
          {"argument_accuracy", ratio(matched_args, expected_args)},
          {"irrelevance_accuracy", ratio(irrelevance_ok, irrelevance)},
          {"irrelevance_turns", irrelevance},
          {"turns_per_case", ratio(turns, runs)},
          {"tool_calls_per_case", ratio(calls, runs)},
          {"latency_ms", {{"p50", percentile(latencies, 0.5)}, {"p95", percentile(latencies, 0.95)}}},
          {"tokens", tokens},
          {"by_tag", tags},
          {"by_tool", tools}};
}

json EvalReport::to_json() const {
  json out{{"mode", mode}, {"model", model}, {"k", k}, {"summary", summary}};
  json list = json::array();
  for (const auto& c : cases) {
    json runs = json::array();
    for (const auto& run : c.runs) {
      json turns = json::array();
      for (const auto& t : run.turns) {
        json turn = t.record.to_json();
        turn["passed"] = t.score.passed;
        turn["failures"] = t.score.failures;
        turns.push_back(std::move(turn));
      }
      runs.push_back({{"passed", run.passed}, {"turns", std::move(turns)}});
    }
    list.push_back({{"id", c.eval_case->id},
                    {"file", c.eval_case->file.string()},
                    {"tags", c.eval_case->tags},
                    {"passed", c.passed_first()},
                    {"passed_all", c.passed_all()},
                    {"runs", std::move(runs)}});
  }
  out["cases"] = std::move(list);
  return out;
}

EvalReport run_eval(const common::Config& config, const std::vector<EvalCase>& cases,
                    const EvalOptions& options) {
  if (options.k < 1) throw std::invalid_argument("--k must be at least 1");
  auto services = tools::ToolServices::from_config(config);
  auto registry = std::make_shared<const tools::ToolRegistry>(tools::make_default_registry(services));
  const std::string prompt = agent::load_prompt(config.home / "prompts", "system.md");
  const agent::AgentSettings settings;

  std::unique_ptr<CassetteServer> server;
  std::shared_ptr<agent::ChatModel> shared_model;
  if (options.mode == Mode::replay) {
    server = std::make_unique<CassetteServer>(options.cassettes);
  } else if (options.mode == Mode::offline) {
    shared_model = std::make_shared<agent::OfflinePlanner>(services.understanding);
  } else {
    if (config.openai_base_url.empty()) {
      throw std::invalid_argument("--mode live needs OPENAI_BASE_URL (and MUSICAGENT_MODEL); "
                                  "use --mode offline to run without a model");
    }
    shared_model = std::make_shared<agent::OpenAIChatClient>(agent::ChatSettings::from_config(config));
  }

  EvalReport report;
  report.mode = to_string(options.mode);
  report.k = options.k;
  for (const auto& eval_case : cases) {
    CaseResult result;
    result.eval_case = &eval_case;
    for (int run = 0; run < options.k; ++run) {
      std::shared_ptr<agent::ChatModel> model = shared_model;
      if (server) {
        auto settings_for_case = agent::ChatSettings::from_config(config);
        settings_for_case.base_url = server->base_url(eval_case.id);
        settings_for_case.api_key.clear();
        settings_for_case.model = "cassette";
        settings_for_case.stream = true;
        model = std::make_shared<agent::OpenAIChatClient>(settings_for_case);
      }
      std::shared_ptr<RecordingChatModel> recorder;
      if (options.record) {
        recorder = std::make_shared<RecordingChatModel>(model);
        model = recorder;
      }
      if (report.model.empty()) {
        report.model = server ? "cassettes in " + options.cassettes.string() : model->describe();
      }
      result.runs.push_back(run_case(eval_case, model, registry, prompt, settings));
      if (recorder && run == 0) recorder->write(*options.record / (eval_case.id + ".json"), eval_case.id);
    }
    common::logger("eval")->info("{}: {}", eval_case.id, result.passed_first() ? "pass" : "FAIL");
    report.cases.push_back(std::move(result));
  }
  report.summary = summarize(report.cases, options.k);
  return report;
}

}  // namespace musicagent::eval
