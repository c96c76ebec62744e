#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/events.hpp"
#include "eval/eval_case.hpp"

namespace musicagent::eval {

struct CallRecord {
  std::string id;  // the call id: results are matched to calls by it
  std::string name;
  nlohmann::json arguments;
  bool ok = false;
  nlohmann::json result;  // the result, or the error object
};

// What one turn did, read from its event stream.
struct TurnRecord {
  std::string user;
  std::vector<CallRecord> calls;
  std::string answer;
  std::string stop_reason;
  std::vector<std::string> errors;  // error events: "code: message"
  int steps = 0;
  double latency_ms = 0;
  agent::Usage usage;

  void add(const agent::Event& event);  // feed every event of the turn, in order
  nlohmann::json to_json() const;
};

struct TurnScore {
  bool passed = true;
  std::vector<std::string> failures;  // each names the check and what happened
  int expected_tools = 0;  // tool selection: expected calls ...
  int selected_tools = 0;  // ... whose tool was called
  int expected_arguments = 0;
  int matched_arguments = 0;
  bool irrelevance = false;     // a no_tools turn
  bool irrelevance_ok = false;  // ... that called no tool
};

// The tracks a turn's tools returned (objects with a name and a list of artists, at any depth of
// a result), in the order returned.
struct ReturnedTrack {
  std::string name;
  std::vector<std::string> artists;
  std::vector<std::string> genres;
};
std::vector<ReturnedTrack> returned_tracks(const TurnRecord& actual);

TurnScore score_turn(const TurnExpectation& expected, const TurnRecord& actual);

// Names of the tracks and artists a turn's tools returned (for mentions_tool_item), without the
// ones the user's own message already says: repeating "Radiohead" back names nothing found.
std::vector<std::string> returned_item_names(const TurnRecord& actual);

}  // namespace musicagent::eval
