#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace musicagent::eval {

// A scripted conversation and what each turn must do; the file format is documented in
// eval/README.md.

struct ExpectedCall {
  std::string name;
  nlohmann::json arguments = nlohmann::json::object();  // argument name -> matcher
};

struct AnswerChecks {
  std::vector<std::string> contains;      // case-insensitive substrings
  std::vector<std::string> regex;         // ECMAScript, case-insensitive
  std::vector<std::string> not_contains;  // case-insensitive substrings
  bool mentions_tool_item = false;  // names a track or artist this turn's tools returned
};

// What the tracks a turn's tools returned must hold, whichever tools returned them: a check on
// the outcome rather than on the route, so a model that takes another road still passes.
struct ResultChecks {
  std::vector<std::string> artists;      // each has a returned track (or is a returned artist)
  std::vector<std::string> genres;       // each is carried by a returned track
  std::vector<std::string> not_genres;   // no returned track carries any of these
  std::vector<std::string> not_artists;  // no returned track is by any of these
  std::optional<int> min_tracks;         // at least this many tracks in all
  bool any() const {
    return !artists.empty() || !genres.empty() || !not_genres.empty() || !not_artists.empty() || min_tracks;
  }
};

struct TurnExpectation {
  std::string user;
  std::vector<ExpectedCall> tools;  // calls that must happen (others may too)
  bool strict_order = false;        // the expected calls in this order
  bool no_tools = false;            // irrelevance: no tool may be called
  std::vector<std::string> forbidden_tools;
  AnswerChecks answer;
  ResultChecks results;
  std::optional<int> max_steps;
  std::optional<double> max_latency_ms;
};

struct EvalCase {
  std::string id;
  std::string description;
  std::vector<std::string> tags;
  std::vector<TurnExpectation> turns;
  std::filesystem::path file;
};

// Reads every *.json under each path (files or folders), sorted by id. Throws
// std::invalid_argument naming the file and the JSON path of the first problem.
std::vector<EvalCase> load_cases(const std::vector<std::filesystem::path>& paths);
EvalCase parse_case(const nlohmann::json& document, const std::filesystem::path& file);

}  // namespace musicagent::eval
