#pragma once

#include <cstdio>
#include <string>

#include "agent/events.hpp"

namespace musicagent::cli {

// Renders the event stream for a person: streamed text as it comes, one compact line per
// tool call and result, errors marked. Colour only on a terminal.
class ChatPrinter {
 public:
  ChatPrinter(std::FILE* out, bool colour, bool show_timings)
      : out_(out), colour_(colour), show_timings_(show_timings) {}
  void operator()(const agent::Event& event);

 private:
  void line_break();
  std::string dim(const std::string& text) const;

  std::FILE* out_;
  bool colour_;
  bool show_timings_;
  bool mid_line_ = false;
};

// One JSON object per line, flushed per event: `chat --once --json`.
void print_json_event(std::FILE* out, const agent::Event& event);

}  // namespace musicagent::cli
