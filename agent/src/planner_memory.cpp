#include <map>

#include "agent/planner.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

bool returns_tracks(const std::string& tool) {
  return tool == "recommend_by_genre" || tool == "recommend_from_seeds" ||
         tool == "similar_tracks" || tool == "search_catalog";
}

// The tracks a result listed, in order.
std::vector<json> tracks_of(const std::string& tool, const json& result) {
  std::vector<json> out;
  const char* key = tool == "lookup_artist"    ? "top_tracks"
                    : tool == "search_catalog" ? "results"
                                               : "tracks";
  const auto it = result.find(key);
  if (it == result.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_object() && item.contains("id") && item.value("kind", "track") == "track")
      out.push_back(item);
  }
  return out;
}

}  // namespace

json parse_or_null(const std::string& text) {
  auto parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json() : parsed;
}

PlannerMemory remember(const std::vector<ChatMessage>& messages, std::size_t end) {
  PlannerMemory memory;
  std::map<std::string, ToolCall> calls;
  for (std::size_t i = 0; i < end && i < messages.size(); ++i) {
    const auto& m = messages[i];
    for (const auto& call : m.tool_calls) calls[call.id] = call;
    if (m.role != Role::tool) continue;
    const auto found = calls.find(m.tool_call_id);
    if (found == calls.end()) continue;
    const json result = parse_or_null(m.content);
    if (!result.is_object() || result.contains("error")) continue;
    const std::string& tool = found->second.name;
    auto arguments = parse_or_null(found->second.arguments);
    if (!arguments.is_object()) arguments = json::object();
    const auto tracks = tracks_of(tool, result);
    if (returns_tracks(tool) && !tracks.empty()) {
      arguments.erase("exclude_track_ids");
      memory.last_call = PlannedCall{tool, arguments};
    }
    if (!tracks.empty()) {
      memory.last_tracks = tracks;
      for (const auto& t : tracks) memory.shown_track_ids.push_back(t["id"].get<std::string>());
    }
    // Who the request was about, for "more of him", "those artists".
    std::vector<std::string> artists;
    if (tool == "recommend_from_seeds") {
      for (const auto& a : result.value("seeds", json::object()).value("artists", json::array()))
        artists.push_back(a.value("name", ""));
    } else if (tool == "lookup_artist") {
      artists.push_back(result.value("name", ""));
    } else if (tool == "similar_artists") {
      artists.push_back(result.value("artist", json::object()).value("name", ""));
    }
    if (!artists.empty()) memory.last_artists = artists;
  }
  return memory;
}

}  // namespace musicagent::agent
