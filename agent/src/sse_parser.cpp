#include "agent/sse_parser.hpp"

namespace musicagent::agent {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kDefaultEvent = "message";

}  // namespace

std::vector<SseEvent> SseParser::feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  for (const char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF, split from its CR or not
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      take_line(line_, out);
      line_.clear();
      continue;
    }
    line_.push_back(c);
    // The byte-order mark may only open the stream; drop it once its three bytes are in.
    if (!started_ && line_.size() >= kByteOrderMark.size()) {
      if (std::string_view(line_).starts_with(kByteOrderMark))
        line_.erase(0, kByteOrderMark.size());
      started_ = true;
    }
  }
  return out;
}

std::vector<SseEvent> SseParser::finish() {
  std::vector<SseEvent> out;
  if (!line_.empty()) take_line(line_, out);
  dispatch(out);
  *this = SseParser();
  return out;
}

void SseParser::take_line(std::string_view line, std::vector<SseEvent>& out) {
  if (!started_) {
    // A line shorter than the mark ended before the check in feed() ran.
    if (line.starts_with(kByteOrderMark)) line.remove_prefix(kByteOrderMark.size());
    started_ = true;
  }
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':') return;  // a comment, often a keep-alive
  std::string_view field = line;
  std::string_view value;
  if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) data_.push_back('\n');
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.assign(value);
  } else if (field == "id") {
    id_.assign(value);
  }
  // "retry" and unknown fields are ignored, as the standard says.
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) {
    SseEvent event;
    event.event = event_.empty() ? std::string(kDefaultEvent) : event_;
    event.data = std::move(data_);
    event.id = id_;
    out.push_back(std::move(event));
  }
  event_.clear();
  data_.clear();
  has_data_ = false;
  // The last event id persists across events, as in the standard.
}

}  // namespace musicagent::agent
