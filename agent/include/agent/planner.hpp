#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/chat_types.hpp"
#include "understanding/query_parse.hpp"
#include "understanding/query_parser.hpp"

namespace musicagent::agent {

// The offline planner's decisions, without a language model: which tools to call with which
// arguments for a parsed message, or a direct reply. Pure functions over the parse and what
// earlier turns showed, so each phrasing is testable.

struct PlannedCall {
  std::string tool;
  nlohmann::json arguments;
};

// What earlier turns left that a follow-up can refer to ("more", "the second one", "faster",
// "more of him").
struct PlannerMemory {
  std::optional<PlannedCall> last_call;      // the latest call that returned tracks
  std::vector<nlohmann::json> last_tracks;   // the latest list of tracks shown, in order
  std::vector<std::string> shown_track_ids;  // every track shown in the conversation
  std::vector<std::string> last_artists;     // the artists the latest request was about
};

// Reads the tool calls and results of messages [0, end) into a memory.
PlannerMemory remember(const std::vector<ChatMessage>& messages, std::size_t end);

// Tool arguments or a tool result as JSON; null when the text is not JSON.
nlohmann::json parse_or_null(const std::string& text);

struct Plan {
  std::vector<PlannedCall> calls;  // empty: answer with `reply`
  std::string reply;
  std::vector<std::string> intents;  // one per request, for logs and tests
};

Plan plan(const understanding::QueryParse& parse, const understanding::QueryParser& parser,
          const PlannerMemory& memory);

// A question over the whole catalogue as one read-only SELECT, or nullopt when the request is
// not one the planner can write ("how many jazz tracks", "the saddest genres", "average tempo
// of techno", "most popular songs in k-pop").
std::optional<std::string> stats_sql(const understanding::Request& request,
                                     const understanding::QueryParser& parser);

}  // namespace musicagent::agent
