#pragma once

#include <cstdio>
#include <filesystem>

#include "eval/harness.hpp"

namespace musicagent::eval {

// A readable summary: one line per failing case with its reasons, then the scores.
void print_summary(std::FILE* out, const EvalReport& report);

// A self-contained HTML page: the scores, a bar chart of pass rate per tag and selection
// accuracy per tool (inline SVG), and every case with its turns. Text is HTML-escaped.
void write_html(const std::filesystem::path& file, const EvalReport& report);

}  // namespace musicagent::eval
