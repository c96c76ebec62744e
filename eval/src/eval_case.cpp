#include "eval/eval_case.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

#include "eval/matchers.hpp"

namespace musicagent::eval {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& file, const std::string& where, const std::string& what) {
  throw std::invalid_argument(file.string() + ": " + where + ": " + what);
}

std::vector<std::string> strings(const json& value, const fs::path& file, const std::string& where) {
  if (value.is_string()) return {value.get<std::string>()};
  if (!value.is_array()) fail(file, where, "expected a string or an array of strings");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string()) fail(file, where, "expected strings, got " + item.dump());
    out.push_back(item.get<std::string>());
  }
  return out;
}

void only_keys(const json& object, const std::set<std::string>& allowed, const fs::path& file,
               const std::string& where) {
  if (!object.is_object()) fail(file, where, "expected an object");
  for (const auto& [key, value] : object.items()) {
    if (!allowed.count(key)) {
      std::string names;
      for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
      fail(file, where + "." + key, "unknown key (allowed: " + names + ")");
    }
  }
}

TurnExpectation parse_turn(const json& turn, const fs::path& file, const std::string& where) {
  only_keys(turn, {"user", "expect"}, file, where);
  if (!turn.contains("user") || !turn["user"].is_string() || turn["user"].get<std::string>().empty()) {
    fail(file, where + ".user", "every turn needs the user's message");
  }
  TurnExpectation out;
  out.user = turn["user"];
  if (!turn.contains("expect")) return out;
  const json& expect = turn["expect"];
  const std::string at = where + ".expect";
  only_keys(expect, {"tools", "order", "no_tools", "forbidden_tools", "answer", "results", "max_steps",
             "max_latency_ms"},
            file, at);
  if (expect.contains("tools")) {
    if (!expect["tools"].is_array()) fail(file, at + ".tools", "expected an array");
    for (std::size_t i = 0; i < expect["tools"].size(); ++i) {
      const json& call = expect["tools"][i];
      const std::string call_at = at + ".tools[" + std::to_string(i) + "]";
      only_keys(call, {"name", "arguments"}, file, call_at);
      if (!call.contains("name") || !call["name"].is_string()) fail(file, call_at + ".name", "required");
      ExpectedCall expected{call["name"], call.value("arguments", json::object())};
      if (!expected.arguments.is_object()) fail(file, call_at + ".arguments", "expected an object");
      for (const auto& [name, matcher] : expected.arguments.items()) {
        check_matcher(matcher, file.string() + ": " + call_at + ".arguments." + name);
      }
      out.tools.push_back(std::move(expected));
    }
  }
  if (expect.contains("order")) {
    const std::string order = expect["order"].is_string() ? expect["order"].get<std::string>() : "";
    if (order != "strict" && order != "any") fail(file, at + ".order", "strict or any");
    out.strict_order = order == "strict";
  }
  out.no_tools = expect.value("no_tools", false);
  if (out.no_tools && !out.tools.empty()) fail(file, at, "no_tools with expected tools");
  if (expect.contains("forbidden_tools")) {
    out.forbidden_tools = strings(expect["forbidden_tools"], file, at + ".forbidden_tools");
  }
  if (expect.contains("answer")) {
    const json& answer = expect["answer"];
    only_keys(answer, {"contains", "regex", "not_contains", "mentions_tool_item"}, file, at + ".answer");
    if (answer.contains("contains")) out.answer.contains = strings(answer["contains"], file, at + ".answer.contains");
    if (answer.contains("regex")) out.answer.regex = strings(answer["regex"], file, at + ".answer.regex");
    if (answer.contains("not_contains")) {
      out.answer.not_contains = strings(answer["not_contains"], file, at + ".answer.not_contains");
    }
    out.answer.mentions_tool_item = answer.value("mentions_tool_item", false);
  }
  if (expect.contains("results")) {
    const json& results = expect["results"];
    const std::string rat = at + ".results";
    only_keys(results, {"artists", "genres", "not_genres", "not_artists", "min_tracks"}, file, rat);
    if (results.contains("artists")) out.results.artists = strings(results["artists"], file, rat + ".artists");
    if (results.contains("genres")) out.results.genres = strings(results["genres"], file, rat + ".genres");
    if (results.contains("not_genres")) {
      out.results.not_genres = strings(results["not_genres"], file, rat + ".not_genres");
    }
    if (results.contains("not_artists")) {
      out.results.not_artists = strings(results["not_artists"], file, rat + ".not_artists");
    }
    if (results.contains("min_tracks")) {
      if (!results["min_tracks"].is_number_integer()) fail(file, rat + ".min_tracks", "expected an integer");
      out.results.min_tracks = results["min_tracks"].get<int>();
    }
  }
  if (expect.contains("max_steps")) out.max_steps = expect["max_steps"].get<int>();
  if (expect.contains("max_latency_ms")) out.max_latency_ms = expect["max_latency_ms"].get<double>();
  return out;
}

}  // namespace

EvalCase parse_case(const json& document, const fs::path& file) {
  only_keys(document, {"id", "description", "tags", "turns", "source"}, file, "$");
  if (!document.contains("id") || !document["id"].is_string()) fail(file, "$.id", "required string");
  EvalCase out;
  out.id = document["id"];
  out.file = file;
  out.description = document.value("description", std::string());
  if (document.contains("tags")) out.tags = strings(document["tags"], file, "$.tags");
  if (!document.contains("turns") || !document["turns"].is_array() || document["turns"].empty()) {
    fail(file, "$.turns", "at least one turn is required");
  }
  for (std::size_t i = 0; i < document["turns"].size(); ++i) {
    out.turns.push_back(parse_turn(document["turns"][i], file, "$.turns[" + std::to_string(i) + "]"));
  }
  return out;
}

std::vector<EvalCase> load_cases(const std::vector<fs::path>& paths) {
  std::vector<fs::path> files;
  for (const auto& path : paths) {
    if (fs::is_directory(path)) {
      for (const auto& entry : fs::recursive_directory_iterator(path)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
      }
    } else if (fs::is_regular_file(path)) {
      files.push_back(path);
    } else {
      throw std::invalid_argument(path.string() + ": no such file or folder");
    }
  }
  std::vector<EvalCase> cases;
  std::set<std::string> ids;
  for (const auto& file : files) {
    std::ifstream in(file);
    const json document = json::parse(in, nullptr, false);
    if (document.is_discarded()) throw std::invalid_argument(file.string() + ": not valid JSON");
    // A file holds one case, or an array of cases.
    const json list = document.is_array() ? document : json::array({document});
    for (const auto& item : list) {
      auto c = parse_case(item, file);
      if (!ids.insert(c.id).second) throw std::invalid_argument(file.string() + ": duplicate case id " + c.id);
      cases.push_back(std::move(c));
    }
  }
  std::sort(cases.begin(), cases.end(), [](const EvalCase& a, const EvalCase& b) { return a.id < b.id; });
  if (cases.empty()) throw std::invalid_argument("no conversation files found");
  return cases;
}

}  // namespace musicagent::eval
