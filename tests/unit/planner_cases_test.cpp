// The planner cases of tests/cases/planner/plan.json: a message (and what earlier turns
// showed) against the small catalogue, and the tool calls or reply it must plan.
#include <gtest/gtest.h>

#include <fstream>

#include "agent/planner.hpp"
#include "understanding_fixture.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A plain value must be equal (numbers within 0.01); "~text" must be contained, ignoring case;
// an object is matched key by key.
void expect_matches(const json& want, const json& actual, const std::string& path) {
  if (want.is_string() && want.get<std::string>().rfind("~", 0) == 0) {
    ASSERT_TRUE(actual.is_string()) << path << ": " << actual;
    EXPECT_NE(lower(actual.get<std::string>()).find(lower(want.get<std::string>().substr(1))),
              std::string::npos)
        << path << ": " << actual;
  } else if (want.is_object()) {
    ASSERT_TRUE(actual.is_object()) << path << ": " << actual;
    for (const auto& [key, value] : want.items()) {
      ASSERT_TRUE(actual.contains(key)) << path << "." << key << " missing in " << actual;
      expect_matches(value, actual[key], path + "." + key);
    }
  } else if (want.is_number() && actual.is_number()) {
    EXPECT_NEAR(actual.get<double>(), want.get<double>(), 0.01) << path;
  } else {
    EXPECT_EQ(actual, want) << path;
  }
}

PlannerMemory memory_of(const json& data) {
  PlannerMemory memory;
  if (data.contains("last_call")) {
    memory.last_call = PlannedCall{data["last_call"]["tool"], data["last_call"]["arguments"]};
  }
  for (const auto& t : data.value("last_tracks", json::array())) memory.last_tracks.push_back(t);
  memory.shown_track_ids = data.value("shown_track_ids", std::vector<std::string>{});
  memory.last_artists = data.value("last_artists", std::vector<std::string>{});
  return memory;
}

TEST(PlannerCases, EveryCasePlansAsWritten) {
  const auto understood = test::fixture_understanding();
  std::ifstream in(std::string(MUSICAGENT_SOURCE_DIR) + "/tests/cases/planner/plan.json");
  const auto cases = json::parse(in);
  ASSERT_GT(cases.size(), 30u);
  for (const auto& c : cases) {
    const auto text = c.at("text").get<std::string>();
    SCOPED_TRACE(text);
    const auto parse = understood->parser->parse(text);
    SCOPED_TRACE(parse.to_json(*understood->snapshot).dump());
    const auto planned =
        plan(parse, *understood->parser, memory_of(c.value("memory", json::object())));
    const auto& want = c.at("expect");
    const auto& calls = want.at("calls");
    json actual = json::array();
    for (const auto& call : planned.calls)
      actual.push_back({{"tool", call.tool}, {"arguments", call.arguments}});
    ASSERT_EQ(planned.calls.size(), calls.size()) << actual.dump() << " reply: " << planned.reply;
    for (std::size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(planned.calls[i].tool, calls[i]["tool"].get<std::string>());
      if (calls[i].contains("arguments"))
        expect_matches(calls[i]["arguments"], planned.calls[i].arguments, "arguments");
    }
    if (want.contains("reply")) expect_matches(want["reply"], json(planned.reply), "reply");
  }
}

}  // namespace
}  // namespace musicagent::agent
