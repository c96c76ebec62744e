#include "eval/report.hpp"

#include <fstream>
#include <string>

namespace musicagent::eval {
namespace {

using nlohmann::json;

std::string percent(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", value * 100.0);
  return buffer;
}

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Horizontal bars, one per (label, value in 0..1).
std::string bar_chart(const std::vector<std::pair<std::string, double>>& bars, const std::string& title) {
  const int row = 22, label_width = 190, bar_width = 360;
  const int height = static_cast<int>(bars.size()) * row + 30;
  std::string svg = "<figure><figcaption>" + escape(title) + "</figcaption><svg role=\"img\" width=\"" +
                    std::to_string(label_width + bar_width + 70) + "\" height=\"" + std::to_string(height) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\">";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int y = static_cast<int>(i) * row + 10;
    const int w = static_cast<int>(bars[i].second * bar_width);
    const char* colour = bars[i].second >= 0.9 ? "#2f855a" : bars[i].second >= 0.6 ? "#b7791f" : "#c53030";
    svg += "<text x=\"" + std::to_string(label_width - 6) + "\" y=\"" + std::to_string(y + 14) +
           "\" text-anchor=\"end\" font-size=\"12\">" + escape(bars[i].first) + "</text>";
    svg += "<rect x=\"" + std::to_string(label_width) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           std::to_string(w) + "\" height=\"16\" fill=\"" + colour + "\"/>";
    svg += "<text x=\"" + std::to_string(label_width + w + 6) + "\" y=\"" + std::to_string(y + 13) +
           "\" font-size=\"12\">" + percent(bars[i].second) + "</text>";
  }
  return svg + "</svg></figure>";
}

}  // namespace

void print_summary(std::FILE* out, const EvalReport& report) {
  const json& s = report.summary;
  for (const auto& c : report.cases) {
    if (c.passed_first() && c.passed_all()) continue;
    std::fprintf(out, "FAIL %s (%s)\n", c.eval_case->id.c_str(), c.eval_case->file.filename().c_str());
    for (std::size_t r = 0; r < c.runs.size(); ++r) {
      for (std::size_t t = 0; t < c.runs[r].turns.size(); ++t) {
        for (const auto& why : c.runs[r].turns[t].score.failures) {
          std::fprintf(out, "  run %zu turn %zu \"%s\": %s\n", r + 1, t + 1,
                       c.runs[r].turns[t].record.user.c_str(), why.c_str());
        }
      }
    }
  }
  std::fprintf(out, "\n%s mode, %s: %d of %d cases passed (%s)",
               report.mode.c_str(), report.model.c_str(), s["passed"].get<int>(), s["cases"].get<int>(),
               percent(s["pass_rate"].get<double>()).c_str());
  if (report.k > 1) std::fprintf(out, ", pass^%d %s", report.k, percent(s["pass_k"].get<double>()).c_str());
  std::fprintf(out,
               "\n  tool selection %s, arguments %s, irrelevance %s (%d turns)\n"
               "  per case: %.1f turns, %.1f tool calls; turn latency p50 %.0f ms, p95 %.0f ms; %ld tokens\n",
               percent(s["tool_selection_accuracy"].get<double>()).c_str(),
               percent(s["argument_accuracy"].get<double>()).c_str(),
               percent(s["irrelevance_accuracy"].get<double>()).c_str(), s["irrelevance_turns"].get<int>(),
               s["turns_per_case"].get<double>(), s["tool_calls_per_case"].get<double>(),
               s["/latency_ms/p50"_json_pointer].get<double>(), s["/latency_ms/p95"_json_pointer].get<double>(),
               static_cast<long>(s["tokens"].get<double>()));
}

void write_html(const std::filesystem::path& file, const EvalReport& report) {
  const json& s = report.summary;
  std::vector<std::pair<std::string, double>> tags, tools;
  for (const auto& [tag, t] : s["by_tag"].items()) tags.emplace_back(tag, t["pass_rate"].get<double>());
  for (const auto& [tool, t] : s["by_tool"].items()) tools.emplace_back(tool, t["selection_accuracy"].get<double>());
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>musicagent evaluation</title>"
      "<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
      "td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}.pass{color:#2f855a}"
      ".fail{color:#c53030}figure{display:inline-block;margin:0 2em 1em 0}figcaption{font-weight:bold}"
      "pre{white-space:pre-wrap;margin:0;max-height:12em;overflow:auto}</style></head><body>";
  html += "<h1>musicagent evaluation</h1><p>" + escape(report.mode) + " mode, " + escape(report.model) + "</p>";
  html += "<table><tr><th>cases</th><th>pass rate</th><th>pass^" + std::to_string(report.k) +
          "</th><th>tool selection</th><th>arguments</th><th>irrelevance</th><th>turns/case</th>"
          "<th>tool calls/case</th><th>latency p50 / p95</th><th>tokens</th></tr><tr>";
  html += "<td>" + std::to_string(s["cases"].get<int>()) + "</td><td>" + percent(s["pass_rate"]) + "</td><td>" +
          percent(s["pass_k"]) + "</td><td>" + percent(s["tool_selection_accuracy"]) + "</td><td>" +
          percent(s["argument_accuracy"]) + "</td><td>" + percent(s["irrelevance_accuracy"]) + "</td><td>" +
          std::to_string(s["turns_per_case"].get<double>()).substr(0, 4) + "</td><td>" +
          std::to_string(s["tool_calls_per_case"].get<double>()).substr(0, 4) + "</td><td>" +
          std::to_string(static_cast<long>(s["/latency_ms/p50"_json_pointer].get<double>())) + " / " +
          std::to_string(static_cast<long>(s["/latency_ms/p95"_json_pointer].get<double>())) + " ms</td><td>" +
          std::to_string(static_cast<long>(s["tokens"].get<double>())) + "</td></tr></table>";
  html += bar_chart(tags, "Pass rate by tag") + bar_chart(tools, "Tool selection accuracy by tool");
  html += "<h2>Cases</h2><table><tr><th>case</th><th>result</th><th>turns</th></tr>";
  for (const auto& c : report.cases) {
    const bool ok = c.passed_all();
    html += "<tr><td>" + escape(c.eval_case->id) + "<br><small>" + escape(c.eval_case->description) +
            "</small></td><td class=\"" + (ok ? "pass" : "fail") + "\">" + (ok ? "pass" : "FAIL") + "</td><td>";
    const auto& run = c.runs.front();
    for (const auto& t : run.turns) {
      html += "<p><b>" + escape(t.record.user) + "</b><br>";
      for (const auto& call : t.record.calls) {
        html += "<code>" + escape(call.name + " " + call.arguments.dump()) + "</code> " +
                (call.ok ? "ok" : "error") + "<br>";
      }
      for (const auto& why : t.score.failures) html += "<span class=\"fail\">" + escape(why) + "</span><br>";
      html += "<pre>" + escape(t.record.answer.substr(0, 600)) + "</pre></p>";
    }
    html += "</td></tr>";
  }
  html += "</table></body></html>\n";
  std::ofstream(file) << html;
}

}  // namespace musicagent::eval
