#include "pipeline_output.hpp"

#include <string>

namespace musicagent::cli {
namespace {

std::string thousands(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return (value < 0 ? "-" : "") + digits;
}

std::string json_text(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return thousands(value.get<std::int64_t>());
  return value.dump();
}

double percent(std::int64_t part, std::int64_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

void print_run_summary(const pipeline::RunSummary& summary, std::FILE* out) {
  std::fprintf(out, "\nRun %lld %s in %.2f s\n", static_cast<long long>(summary.run_id),
               summary.status == "success" ? "succeeded" : "FAILED", summary.elapsed_ms / 1000.0);

  if (!summary.loads.empty()) {
    std::fprintf(out, "\nExtract and load (rows read = loaded + rejected)\n");
    std::int64_t read = 0, loaded = 0, rejected = 0;
    for (const auto& load : summary.loads) {
      if (load.unchanged) {
        std::fprintf(
            out,
            "  %-28s unchanged: checksum %.12s is already batch %lld (%s rows), nothing loaded\n",
            load.source.c_str(), load.checksum.c_str(), static_cast<long long>(load.batch_id),
            thousands(load.rows_loaded).c_str());
        continue;
      }
      read += load.rows_read;
      loaded += load.rows_loaded;
      rejected += load.rows_rejected;
      std::fprintf(out, "  %-28s %10s read = %10s loaded + %6s rejected   batch %lld\n",
                   load.source.c_str(), thousands(load.rows_read).c_str(),
                   thousands(load.rows_loaded).c_str(), thousands(load.rows_rejected).c_str(),
                   static_cast<long long>(load.batch_id));
      for (const auto& [reason, count] : load.rejects_by_reason) {
        std::fprintf(out, "  %-28s   rejected %s: %s\n", "", thousands(count).c_str(),
                     reason.c_str());
      }
    }
    std::fprintf(out, "  %-28s %10s read = %10s loaded + %6s rejected\n", "total (new batches)",
                 thousands(read).c_str(), thousands(loaded).c_str(), thousands(rejected).c_str());
  }

  if (!summary.models.empty()) {
    std::fprintf(out, "\nTransform\n");
    int passed = 0, failed = 0, warned = 0;
    for (const auto& model : summary.models) {
      int model_passed = 0;
      for (const auto& test : model.tests) {
        if (test.status == "pass")
          ++model_passed;
        else if (test.status == "warn")
          ++warned;
        else
          ++failed;
      }
      passed += model_passed;
      std::fprintf(out, "  %-46s %-8s %12s rows %8.0f ms   tests %d/%zu\n", model.model.c_str(),
                   model.status.c_str(), model.rows ? thousands(*model.rows).c_str() : "-",
                   model.elapsed_ms, model_passed, model.tests.size());
      for (const auto& test : model.tests) {
        if (test.status == "pass") continue;
        std::fprintf(out, "      %s %s%s%s: %s\n", test.status == "warn" ? "WARN" : "FAIL",
                     test.test_name.c_str(), test.column.empty() ? "" : " on ", test.column.c_str(),
                     test.message.c_str());
      }
      if (model.status == "skipped") std::fprintf(out, "      skipped: %s\n", model.error.c_str());
    }
    std::fprintf(out, "  data tests: %d passed, %d failed, %d warned\n", passed, failed, warned);
  }

  for (const auto& step : summary.steps) {
    if (step.kind == "index")
      std::fprintf(out, "\n%s: %s (%.0f ms)\n", step.step.c_str(), step.detail.c_str(),
                   step.elapsed_ms);
  }
  if (summary.match_rate) {
    const auto& m = *summary.match_rate;
    std::fprintf(out,
                 "\nLast.fm to Spotify artist match: %s of %s artists (%.1f%%), %.1f%% of plays\n",
                 thousands(m.matched_artists).c_str(), thousands(m.lastfm_artists).c_str(),
                 percent(m.matched_artists, m.lastfm_artists), percent(m.matched_plays, m.plays));
  }
  if (!summary.error.empty()) std::fprintf(out, "\nErrors:\n%s\n", summary.error.c_str());
}

void print_status(const nlohmann::json& status, std::FILE* out) {
  if (status.contains("message")) {
    std::fprintf(out, "%s\n", status["message"].get<std::string>().c_str());
    return;
  }
  std::fprintf(out, "Recent runs\n");
  for (const auto& run : status["runs"]) {
    std::fprintf(out, "  #%-5s %-10s %s  %7.2f s  %s%s%s\n", json_text(run["run_id"]).c_str(),
                 json_text(run["status"]).c_str(), json_text(run["started_at"]).c_str(),
                 run["seconds"].is_number() ? run["seconds"].get<double>() : 0.0,
                 json_text(run["command"]).c_str(), run["error"].is_null() ? "" : "\n         ",
                 json_text(run["error"]).c_str());
  }
  if (status.contains("steps")) {
    std::fprintf(out, "\nSteps of the last run\n");
    for (const auto& step : status["steps"]) {
      std::fprintf(out, "  %-50s %-9s %12s rows %9.1f ms\n", json_text(step["step"]).c_str(),
                   json_text(step["status"]).c_str(), json_text(step["rows_out"]).c_str(),
                   step["elapsed_ms"].is_number() ? step["elapsed_ms"].get<double>() : 0.0);
    }
  }
  std::fprintf(out, "\nSource batches the models read\n");
  for (const auto& batch : status["batches"]) {
    std::fprintf(out, "  %-28s batch %-5s %10s read %10s loaded %6s rejected  %s  sha256 %s\n",
                 json_text(batch["source"]).c_str(), json_text(batch["batch_id"]).c_str(),
                 json_text(batch["rows_read"]).c_str(), json_text(batch["rows_loaded"]).c_str(),
                 json_text(batch["rows_rejected"]).c_str(), json_text(batch["loaded_at"]).c_str(),
                 json_text(batch["checksum"]).c_str());
  }
  std::fprintf(out, "\nRows per layer\n");
  for (const auto& relation : status["relations"]) {
    std::fprintf(out, "  %-13s %-40s %-5s %12s\n", json_text(relation["layer"]).c_str(),
                 json_text(relation["relation"]).c_str(), json_text(relation["kind"]).c_str(),
                 json_text(relation["rows"]).c_str());
  }
  if (status.contains("tests")) {
    std::string counts;
    for (const auto& row : status["tests"]) {
      counts +=
          (counts.empty() ? "" : ", ") + json_text(row["tests"]) + " " + json_text(row["status"]);
    }
    std::fprintf(out, "\nData tests of the last run: %s\n",
                 counts.empty() ? "none" : counts.c_str());
    for (const auto& test : status["failing_tests"]) {
      std::fprintf(out, "  %s %s%s%s %s: %s\n", json_text(test["status"]).c_str(),
                   json_text(test["model"]).c_str(), test["column_name"].is_null() ? "" : ".",
                   json_text(test["column_name"]).c_str(), json_text(test["test_name"]).c_str(),
                   json_text(test["message"]).c_str());
    }
  }
  if (status.contains("search_index")) {
    const auto& index = status["search_index"];
    std::fprintf(out, "\nSearch index: %s", json_text(index["state"]).c_str());
    if (index.contains("built_at")) {
      std::fprintf(out, ", built %s from run %s, %s documents, %s index, %s embedder",
                   json_text(index["built_at"]).c_str(),
                   json_text(index["built_from_run_id"]).c_str(),
                   json_text(index["documents"]).c_str(), json_text(index["text_index"]).c_str(),
                   json_text(index["embedder"]).c_str());
    }
    std::fprintf(out, "\n");
    if (index.contains("reason")) std::fprintf(out, "  %s\n", json_text(index["reason"]).c_str());
  }
  std::fprintf(out, "\nRejected rows by reason (latest batches)\n");
  if (status["rejected_by_reason"].empty()) std::fprintf(out, "  none\n");
  for (const auto& row : status["rejected_by_reason"]) {
    std::fprintf(out, "  %-28s %-40s %s\n", json_text(row["source"]).c_str(),
                 json_text(row["category"]).c_str(), json_text(row["rows"]).c_str());
  }
}

}  // namespace musicagent::cli
