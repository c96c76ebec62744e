#include "chat_printer.hpp"

#include <cmath>

namespace musicagent::cli {
namespace {

std::string compact(const nlohmann::json& arguments) {
  std::string text = arguments.is_string() ? arguments.get<std::string>() : arguments.dump();
  if (text.size() > 120) text = text.substr(0, 117) + "...";
  return text;
}

// What a tool result holds, in a few words: "10 tracks", "3 rows".
std::string summary(const nlohmann::json& result) {
  for (const char* key : {"tracks", "results", "similar", "rows", "tables", "top_tracks"}) {
    if (result.contains(key) && result[key].is_array()) {
      return std::to_string(result[key].size()) + " " + key;
    }
  }
  return "ok";
}

}  // namespace

std::string ChatPrinter::dim(const std::string& text) const {
  return colour_ ? "\x1b[2m" + text + "\x1b[0m" : text;
}

void ChatPrinter::line_break() {
  if (mid_line_) std::fputc('\n', out_);
  mid_line_ = false;
}

void ChatPrinter::operator()(const agent::Event& event) {
  using namespace agent;
  if (const auto* token = std::get_if<TokenEvent>(&event)) {
    std::fputs(token->text.c_str(), out_);
    mid_line_ = !token->text.empty() && token->text.back() != '\n';
  } else if (const auto* call = std::get_if<ToolCallEvent>(&event)) {
    line_break();
    std::fprintf(out_, "%s\n", dim("  -> " + call->name + " " + compact(call->arguments)).c_str());
  } else if (const auto* result = std::get_if<ToolResultEvent>(&event)) {
    const std::string ms = std::to_string(static_cast<long>(std::lround(result->elapsed_ms))) + " ms";
    std::string text = result->ok ? "  <- " + result->name + ": " + summary(result->result) + ", " + ms
                                  : "  <- " + result->name + " failed (" +
                                        result->error.value("code", std::string("error")) + "): " +
                                        result->error.value("message", std::string());
    if (text.size() > 200) text = text.substr(0, 197) + "...";
    std::fprintf(out_, "%s\n", dim(text).c_str());
  } else if (const auto* error = std::get_if<ErrorEvent>(&event)) {
    line_break();
    const std::string text = "! " + error->message;
    std::fprintf(out_, "%s\n", colour_ ? ("\x1b[31m" + text + "\x1b[0m").c_str() : text.c_str());
  } else if (const auto* end = std::get_if<TurnEndEvent>(&event)) {
    line_break();
    if (show_timings_) {
      std::fprintf(out_, "%s\n",
                   dim("  (" + std::to_string(end->steps) + " model calls, " +
                       std::to_string(end->tool_calls) + " tool calls, " +
                       std::to_string(static_cast<long>(end->timings.total_ms)) + " ms, " +
                       std::to_string(end->usage.total_tokens) + " tokens)")
                       .c_str());
    }
  }
  std::fflush(out_);
}

void print_json_event(std::FILE* out, const agent::Event& event) {
  std::fprintf(out, "%s\n", agent::to_json(event).dump().c_str());
  std::fflush(out);
}

}  // namespace musicagent::cli
