#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace musicagent::agent {

// One server-sent event. `data` joins the event's `data:` lines with "\n".
struct SseEvent {
  std::string event = "message";  // the `event:` field; "message" when the server sent none
  std::string data;
  std::string id;
};

// An incremental parser for text/event-stream bodies, as the WHATWG HTML standard describes
// them: bytes may arrive split anywhere (inside a line, between CR and LF); lines end in CRLF,
// LF or CR; `:` lines are comments; a blank line ends an event, and one without data (a
// keep-alive) is not reported. Fields other than event, data and id are ignored, and so are
// lines that are not fields at all, such as "......".
class SseParser {
 public:
  // The events the bytes complete, in order.
  std::vector<SseEvent> feed(std::string_view bytes);
  // The end of the body: an event still missing its blank line is reported too (servers that
  // close the stream right after the last `data:` line), then the parser starts afresh.
  std::vector<SseEvent> finish();

 private:
  void take_line(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);

  std::string line_;       // the incomplete line so far
  bool after_cr_ = false;  // the last byte was CR: a following LF belongs to it
  bool started_ = false;   // past the optional byte-order mark
  std::string event_;      // fields of the event being read
  std::string data_;
  std::string id_;
  bool has_data_ = false;
};

}  // namespace musicagent::agent
