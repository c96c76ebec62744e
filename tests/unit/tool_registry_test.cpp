#include "tools/tool_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tools/json_schema.hpp"

namespace musicagent::tools {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const json kSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "genre": {"type": "string", "minLength": 1},
    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
    "mood": {"type": "string", "enum": ["happy", "sad"]},
    "exclude": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
  },
  "required": ["genre"],
  "additionalProperties": false
})");

// A test double with the real interface: echoes its arguments, or throws on request.
class EchoTool final : public Tool {
 public:
  std::string name() const override { return "echo"; }
  std::string description() const override { return "echoes"; }
  const json& parameters() const override { return kSchema; }
  ToolResult invoke(const json& arguments) const override {
    if (arguments.at("genre") == "explode") throw std::runtime_error("boom");
    if (arguments.at("genre") == "none") return ToolError{"not_found", "no such genre"};
    return json{{"echo", arguments}};
  }
};

ToolRegistry registry_with_echo() {
  ToolRegistry registry;
  registry.add(std::make_unique<EchoTool>());
  return registry;
}

TEST(JsonSchemaTest, ViolationsNameThePathAndTheRule) {
  const auto violations =
      validate(kSchema, json{{"limit", 99}, {"mood", "angry"}, {"exclude", {"a", 1, "c"}}});
  std::vector<std::string> seen;
  for (const auto& v : violations) seen.push_back(v.path + " " + v.rule);
  EXPECT_THAT(seen,
              ::testing::UnorderedElementsAre("/genre required", "/limit maximum", "/mood enum",
                                              "/exclude maxItems", "/exclude/1 type"));
}

TEST(JsonSchemaTest, IntegersAcceptWholeFloatsButNotFractions) {
  EXPECT_TRUE(validate(kSchema, json{{"genre", "jazz"}, {"limit", 5.0}}).empty());
  EXPECT_EQ(validate(kSchema, json{{"genre", "jazz"}, {"limit", 5.5}}).at(0).rule, "type");
}

TEST(JsonSchemaTest, UnknownArgumentsAreRefusedListingTheKnownOnes) {
  const auto violations = validate(kSchema, json{{"genre", "jazz"}, {"genres", "rock"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].path, "/genres");
  EXPECT_THAT(violations[0].message, HasSubstr("genre, limit, mood"));
}

TEST(JsonSchemaTest, DefaultsFillOnlyMissingProperties) {
  EXPECT_EQ(with_defaults(kSchema, json{{"genre", "jazz"}}).at("limit"), 10);
  EXPECT_EQ(with_defaults(kSchema, json{{"genre", "jazz"}, {"limit", 3}}).at("limit"), 3);
  EXPECT_FALSE(with_defaults(kSchema, json{{"genre", "jazz"}}).contains("mood"));
}

TEST(ToolRegistryTest, ValidArgumentsReachTheToolWithDefaults) {
  const auto outcome = registry_with_echo().call("echo", json{{"genre", "jazz"}});
  ASSERT_TRUE(outcome.result.ok());
  EXPECT_EQ(outcome.result.value().at("echo").at("limit"), 10);
  EXPECT_GE(outcome.elapsed_ms, 0.0);
}

TEST(ToolRegistryTest, InvalidArgumentsNeverReachTheTool) {
  const auto outcome = registry_with_echo().call("echo", json{{"genre", "explode"}, {"limit", 0}});
  ASSERT_FALSE(outcome.result.ok());
  EXPECT_EQ(outcome.result.error().code, "invalid_arguments");
  EXPECT_THAT(outcome.result.error().message, HasSubstr("/limit must be at least 1"));
  EXPECT_EQ(outcome.result.error().details.at("violations").size(), 1u);
}

TEST(ToolRegistryTest, ExceptionsBecomeStructuredErrors) {
  const auto outcome = registry_with_echo().call("echo", json{{"genre", "explode"}});
  ASSERT_FALSE(outcome.result.ok());
  EXPECT_EQ(outcome.result.error().code, "internal_error");
  EXPECT_THAT(outcome.result.error().to_json().dump(), HasSubstr("boom"));
}

TEST(ToolRegistryTest, ToolErrorsPassThrough) {
  const auto outcome = registry_with_echo().call("echo", json{{"genre", "none"}});
  ASSERT_FALSE(outcome.result.ok());
  EXPECT_EQ(outcome.result.error().to_json(),
            (json{{"error", {{"code", "not_found"}, {"message", "no such genre"}}}}));
}

TEST(ToolRegistryTest, UnknownToolListsTheKnownOnes) {
  const auto outcome = registry_with_echo().call("nope", json::object());
  ASSERT_FALSE(outcome.result.ok());
  EXPECT_EQ(outcome.result.error().code, "unknown_tool");
  EXPECT_EQ(outcome.result.error().details.at("tools"), json::array({"echo"}));
}

TEST(ToolRegistryTest, OpenAiToolsCarryNameDescriptionAndParameters) {
  const auto tools = registry_with_echo().openai_tools();
  ASSERT_EQ(tools.size(), 1u);
  EXPECT_EQ(tools[0].at("type"), "function");
  EXPECT_EQ(tools[0].at("/function/name"_json_pointer), "echo");
  EXPECT_EQ(tools[0].at("/function/parameters"_json_pointer), kSchema);
  ToolRegistry twice = registry_with_echo();
  EXPECT_THROW(twice.add(std::make_unique<EchoTool>()), std::logic_error);
}

}  // namespace
}  // namespace musicagent::tools
