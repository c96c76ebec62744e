#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace musicagent::agent {

// The offline planner's reading of a request, without a language model: which tool to call
// with which arguments, or a direct reply. Pure functions, so each phrasing is testable.

struct PlannedCall {
  std::string tool;
  nlohmann::json arguments;
};

// What earlier turns left that a follow-up can refer to ("more", "the second one", "only
// the acoustic ones").
struct PlannerMemory {
  std::optional<PlannedCall> last_recommendation;  // the latest recommend_by_genre call
  std::vector<nlohmann::json> last_tracks;         // the latest list of tracks shown, in order
  std::vector<std::string> shown_track_ids;        // every track shown in the conversation
};

struct Plan {
  std::vector<PlannedCall> calls;  // empty: answer with `reply`
  std::string reply;
  std::string intent;  // help, off_topic, refuse_write, sql, stats, similar_artists, ...
};

Plan plan_request(std::string_view text, const std::vector<std::string>& genres,
                  const PlannerMemory& memory);

// "the second one", "#3", "number 2", "the last track", "that one" -> 0-based position in a
// list of `size`; nullopt when the text names no position.
std::optional<std::size_t> ordinal_reference(std::string_view text, std::size_t size);

}  // namespace musicagent::agent
