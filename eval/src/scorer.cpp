#include "eval/scorer.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>

#include "common/text.hpp"
#include "eval/matchers.hpp"

namespace musicagent::eval {
namespace {

using nlohmann::json;

std::string lower(std::string_view text) { return common::ascii_lower(text); }

struct ArgumentTally {
  int matched = 0;
  std::vector<std::string> failures;
};

ArgumentTally match_arguments(const ExpectedCall& expected, const CallRecord& call) {
  ArgumentTally tally;
  for (const auto& [name, matcher] : expected.arguments.items()) {
    const json* value = call.arguments.is_object() && call.arguments.contains(name)
                            ? &call.arguments.at(name)
                            : nullptr;
    const auto result = match_argument(matcher, value);
    if (result.ok) {
      ++tally.matched;
    } else {
      tally.failures.push_back(expected.name + "." + name + ": " + result.reason);
    }
  }
  return tally;
}

void collect_names(const json& value, std::vector<std::string>& out, int depth = 0) {
  if (depth > 4) return;
  if (value.is_object()) {
    for (const char* key : {"name", "artist_name", "track_name"}) {
      if (value.contains(key) && value[key].is_string()) out.push_back(value[key].get<std::string>());
    }
    for (const auto& [key, child] : value.items()) {
      if (child.is_array() || child.is_object()) collect_names(child, out, depth + 1);
    }
  } else if (value.is_array()) {
    for (const auto& child : value) collect_names(child, out, depth + 1);
  }
}

void collect_tracks(const json& value, std::vector<ReturnedTrack>& out, int depth = 0) {
  if (depth > 4) return;
  if (value.is_object()) {
    const auto artists = value.find("artists");
    if (value.contains("name") && value["name"].is_string() && artists != value.end() && artists->is_array()) {
      ReturnedTrack track{value["name"].get<std::string>(), {}, {}};
      for (const auto& a : *artists) {
        if (a.is_string()) track.artists.push_back(a.get<std::string>());
      }
      if (const auto genres = value.find("genres"); genres != value.end() && genres->is_array()) {
        for (const auto& g : *genres) {
          if (g.is_string()) track.genres.push_back(g.get<std::string>());
        }
      }
      out.push_back(std::move(track));
      return;
    }
    for (const auto& [key, child] : value.items()) {
      if (child.is_array() || child.is_object()) collect_tracks(child, out, depth + 1);
    }
  } else if (value.is_array()) {
    for (const auto& child : value) collect_tracks(child, out, depth + 1);
  }
}

// Artists a result names as artists (lookup_artist, similar_artists, artist search hits).
void collect_artists(const json& value, std::vector<std::string>& out, int depth = 0) {
  if (depth > 3 || !value.is_object()) return;
  if (value.contains("artist_id") && value.contains("name") && value["name"].is_string() &&
      !value.contains("artists")) {
    out.push_back(value["name"].get<std::string>());
  }
  if (value.value("kind", "") == "artist" && value.contains("name") && value["name"].is_string()) {
    out.push_back(value["name"].get<std::string>());
  }
  for (const auto& [key, child] : value.items()) {
    if (child.is_object()) collect_artists(child, out, depth + 1);
    if (child.is_array()) {
      for (const auto& item : child) collect_artists(item, out, depth + 1);
    }
  }
}

void check_results(const ResultChecks& want, const TurnRecord& actual, const std::function<void(std::string)>& fail) {
  if (!want.any()) return;
  const auto tracks = returned_tracks(actual);
  std::vector<std::string> artist_names;
  for (const auto& call : actual.calls) {
    if (call.ok) collect_artists(call.result, artist_names);
  }
  auto by = [](const ReturnedTrack& t, const std::string& artist) {
    return std::any_of(t.artists.begin(), t.artists.end(), [&](const std::string& a) { return lower(a) == lower(artist); });
  };
  auto carries = [](const ReturnedTrack& t, const std::string& genre) {
    return std::any_of(t.genres.begin(), t.genres.end(), [&](const std::string& g) { return lower(g) == lower(genre); });
  };
  if (want.min_tracks && static_cast<int>(tracks.size()) < *want.min_tracks) {
    fail("the tools returned " + std::to_string(tracks.size()) + " tracks, expected at least " +
         std::to_string(*want.min_tracks));
  }
  for (const auto& artist : want.artists) {
    const bool found = std::any_of(tracks.begin(), tracks.end(), [&](const auto& t) { return by(t, artist); }) ||
                       std::any_of(artist_names.begin(), artist_names.end(),
                                   [&](const std::string& a) { return lower(a) == lower(artist); });
    if (!found) fail("no returned track is by " + artist);
  }
  for (const auto& genre : want.genres) {
    if (std::none_of(tracks.begin(), tracks.end(), [&](const auto& t) { return carries(t, genre); })) {
      fail("no returned track carries the genre " + genre);
    }
  }
  for (const auto& genre : want.not_genres) {
    const auto n = std::count_if(tracks.begin(), tracks.end(), [&](const auto& t) { return carries(t, genre); });
    if (n > 0) fail(std::to_string(n) + " returned tracks carry the excluded genre " + genre);
  }
  for (const auto& artist : want.not_artists) {
    const auto n = std::count_if(tracks.begin(), tracks.end(), [&](const auto& t) { return by(t, artist); });
    if (n > 0) fail(std::to_string(n) + " returned tracks are by the excluded artist " + artist);
  }
}

}  // namespace

std::vector<ReturnedTrack> returned_tracks(const TurnRecord& actual) {
  std::vector<ReturnedTrack> tracks;
  for (const auto& call : actual.calls) {
    if (call.ok) collect_tracks(call.result, tracks);
  }
  return tracks;
}

void TurnRecord::add(const agent::Event& event) {
  if (const auto* call = std::get_if<agent::ToolCallEvent>(&event)) {
    calls.push_back({call->id, call->name, call->arguments, false, json()});
  } else if (const auto* result = std::get_if<agent::ToolResultEvent>(&event)) {
    // By call id: two parallel calls of one tool must not swap results.
    for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
      if (it->id == result->id && it->result.is_null()) {
        it->ok = result->ok;
        it->result = result->ok ? result->result : result->error;
        break;
      }
    }
  } else if (const auto* message = std::get_if<agent::MessageEvent>(&event)) {
    answer = message->text;
  } else if (const auto* error = std::get_if<agent::ErrorEvent>(&event)) {
    errors.push_back(error->code + ": " + error->message);
  } else if (const auto* end = std::get_if<agent::TurnEndEvent>(&event)) {
    stop_reason = end->stop_reason;
    steps = end->steps;
    latency_ms = end->timings.total_ms;
    usage = end->usage;
  }
}

json TurnRecord::to_json() const {
  json out{{"user", user},         {"answer", answer}, {"stop_reason", stop_reason},
           {"steps", steps},       {"latency_ms", latency_ms},
           {"usage", usage.to_json()}, {"errors", errors}};
  json list = json::array();
  for (const auto& c : calls) {
    json item{{"name", c.name}, {"arguments", c.arguments}, {"ok", c.ok}};
    if (!c.ok) item["error"] = c.result;
    list.push_back(std::move(item));
  }
  out["tool_calls"] = std::move(list);
  return out;
}

std::vector<std::string> returned_item_names(const TurnRecord& actual) {
  std::vector<std::string> names;
  for (const auto& call : actual.calls) {
    if (call.ok) collect_names(call.result, names);
  }
  const std::string said = lower(actual.user);
  std::erase_if(names, [&](const std::string& name) { return said.find(lower(name)) != std::string::npos; });
  return names;
}

TurnScore score_turn(const TurnExpectation& expected, const TurnRecord& actual) {
  TurnScore score;
  auto fail = [&](std::string why) {
    score.passed = false;
    score.failures.push_back(std::move(why));
  };

  if (expected.no_tools) {
    score.irrelevance = true;
    score.irrelevance_ok = actual.calls.empty();
    if (!actual.calls.empty()) fail("expected no tool call, got " + actual.calls.front().name);
  }
  for (const auto& name : expected.forbidden_tools) {
    for (const auto& call : actual.calls) {
      if (call.name == name) fail("called the forbidden tool " + name);
    }
  }

  std::size_t search_from = 0;
  for (const auto& want : expected.tools) {
    ++score.expected_tools;
    score.expected_arguments += static_cast<int>(want.arguments.size());
    // The best call of that tool: a full match, else the one matching most arguments.
    std::optional<std::size_t> best;
    ArgumentTally best_tally;
    best_tally.matched = -1;
    const std::size_t start = expected.strict_order ? search_from : 0;
    for (std::size_t i = start; i < actual.calls.size(); ++i) {
      if (actual.calls[i].name != want.name) continue;
      auto tally = match_arguments(want, actual.calls[i]);
      if (tally.matched > best_tally.matched) {
        best = i;
        best_tally = std::move(tally);
      }
      if (best_tally.failures.empty()) break;
    }
    if (!best) {
      std::string called;
      for (const auto& c : actual.calls) called += (called.empty() ? "" : ", ") + c.name;
      fail("expected a call to " + want.name + (expected.strict_order ? " (in order)" : "") +
           ", called: " + (called.empty() ? "nothing" : called));
      continue;
    }
    ++score.selected_tools;
    score.matched_arguments += best_tally.matched;
    for (auto& f : best_tally.failures) fail("argument " + f);
    search_from = *best + 1;
  }

  const std::string answer = lower(actual.answer);
  for (const auto& text : expected.answer.contains) {
    if (answer.find(lower(text)) == std::string::npos) fail("answer lacks \"" + text + "\"");
  }
  for (const auto& text : expected.answer.not_contains) {
    if (answer.find(lower(text)) != std::string::npos) fail("answer contains \"" + text + "\"");
  }
  for (const auto& pattern : expected.answer.regex) {
    try {
      if (!std::regex_search(actual.answer, std::regex(pattern, std::regex::icase))) {
        fail("answer does not match /" + pattern + "/");
      }
    } catch (const std::regex_error& e) {
      fail("bad regex /" + pattern + "/: " + e.what());
    }
  }
  if (expected.answer.mentions_tool_item) {
    const auto names = returned_item_names(actual);
    const bool mentioned = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
      return n.size() >= 2 && answer.find(lower(n)) != std::string::npos;
    });
    if (!mentioned) fail("answer names no track or artist the tools returned");
  }
  check_results(expected.results, actual, fail);
  if (expected.max_steps && actual.steps > *expected.max_steps) {
    fail("took " + std::to_string(actual.steps) + " model calls, limit " + std::to_string(*expected.max_steps));
  }
  if (expected.max_latency_ms && actual.latency_ms > *expected.max_latency_ms) {
    fail("took " + std::to_string(static_cast<long>(actual.latency_ms)) + " ms, limit " +
         std::to_string(static_cast<long>(*expected.max_latency_ms)) + " ms");
  }
  if (actual.stop_reason != "answered" && !actual.stop_reason.empty()) {
    std::string why = "the turn ended with " + actual.stop_reason;
    if (!actual.errors.empty()) why += " (" + actual.errors.front() + ")";
    fail(why);
  }
  return score;
}

}  // namespace musicagent::eval
