// Each tool's JSON Schema (tools/schemas) agrees with its code: C++ cannot derive one from
// the other, so this checks what could drift. Every registered tool has a strict schema;
// every property is one the tool's source reads and every argument it reads is documented;
// a documented property passes validation and an undocumented one is refused. Nothing is
// running: the database URL points at a closed port and there is no search index.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tools/default_tools.hpp"
#include "tools/json_schema.hpp"
#include "understanding/understanding.hpp"

namespace musicagent::tools {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kSourceDir = MUSICAGENT_SOURCE_DIR;

// A value the property's schema accepts.
json sample_value(const json& property) {
  if (property.contains("default")) return property["default"];
  if (property.contains("enum")) return property["enum"][0];
  const auto type = property.value("type", "string");
  if (type == "string") return std::string(std::max<std::size_t>(property.value("minLength", 1), 1), 'a');
  if (type == "integer") return property.value("minimum", 1);
  if (type == "number") return property.value("minimum", 0.0);
  if (type == "boolean") return true;
  if (type == "array") {
    if (property.value("maxItems", 1) == 0 || !property.contains("items")) return json::array();
    return json::array({sample_value(property["items"])});
  }
  return json::object();
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The argument names a tool's source reads: arguments.at("x"), .value("x", ...),
// .find("x"), .contains("x") and arguments["x"].
std::set<std::string> arguments_read(const std::string& source) {
  static const std::regex read(
      R"re(arguments\s*(?:\.\s*(?:at|value|find|contains)\s*\(\s*|\[\s*)"([a-z_0-9]+)")re");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), read);
       it != std::sregex_iterator(); ++it)
    names.insert((*it)[1].str());
  return names;
}

class ToolSchemaAgreementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A home with the real schemas and nothing else, so no index is found and loaded.
    home_ = fs::temp_directory_path() /
            ("musicagent-schema-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(home_);
    fs::create_directory_symlink(kSourceDir / "tools", home_ / "tools");
    fs::create_directory_symlink(kSourceDir / "understanding", home_ / "understanding");
    common::Config config;
    config.home = home_;
    config.database_url = "postgresql://musicagent@127.0.0.1:1/none?connect_timeout=1";
    registry_ = std::make_unique<ToolRegistry>(
        make_default_registry(ToolServices::from_config(config)));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(home_, ec);
  }

  fs::path home_;
  std::unique_ptr<ToolRegistry> registry_;
};

TEST_F(ToolSchemaAgreementTest, EveryRegisteredToolHasASchemaAndEverySchemaATool) {
  std::set<std::string> registered;
  for (const auto* tool : registry_->tools()) registered.insert(tool->name());
  ASSERT_FALSE(registered.empty());
  std::set<std::string> schemas;
  for (const auto& entry : fs::directory_iterator(kSourceDir / "tools" / "schemas")) {
    const auto file = entry.path().filename().string();
    const std::string suffix = ".schema.json";
    if (file.size() > suffix.size() && file.ends_with(suffix))
      schemas.insert(file.substr(0, file.size() - suffix.size()));
  }
  EXPECT_EQ(registered, schemas);
}

TEST_F(ToolSchemaAgreementTest, SchemasAreStrictAndTheirDefaultsValid) {
  for (const auto* tool : registry_->tools()) {
    SCOPED_TRACE(tool->name());
    const auto& schema = tool->parameters();
    EXPECT_FALSE(tool->description().empty());
    EXPECT_EQ(schema.value("type", ""), "object");
    EXPECT_EQ(schema.value("additionalProperties", true), false);
    ASSERT_TRUE(schema.contains("properties"));
    for (const auto& required : schema.value("required", json::array()))
      EXPECT_TRUE(schema["properties"].contains(required.get<std::string>())) << required;
    for (const auto& [name, property] : schema["properties"].items()) {
      EXPECT_TRUE(property.contains("type")) << name;
      EXPECT_FALSE(property.value("description", "").empty()) << name;
      if (property.contains("default")) {
        EXPECT_THAT(validate(property, property["default"]), ::testing::IsEmpty())
            << name << " default " << property["default"];
      }
    }
  }
}

TEST_F(ToolSchemaAgreementTest, EveryPropertyIsReadByTheToolAndEveryReadArgumentDocumented) {
  for (const auto* tool : registry_->tools()) {
    SCOPED_TRACE(tool->name());
    const auto source_file = kSourceDir / "tools" / "src" / (tool->name() + "_tool.cpp");
    ASSERT_TRUE(fs::exists(source_file)) << source_file;
    const auto source = read_text(source_file);
    auto read = arguments_read(source);
    // The conditions every track tool takes are read in one place.
    if (source.find("read_conditions(") != std::string::npos) {
      for (const auto& name : arguments_read(read_text(kSourceDir / "tools" / "src" / "track_conditions.cpp")))
        read.insert(name);
    }
    std::set<std::string> documented;
    for (const auto& [name, property] : tool->parameters()["properties"].items())
      documented.insert(name);
    EXPECT_EQ(read, documented) << "read by " << source_file.filename().string()
                                << " vs documented in " << tool->name() << ".schema.json";
  }
}

TEST_F(ToolSchemaAgreementTest, DocumentedArgumentsPassValidationAndUndocumentedOnesAreRefused) {
  for (const auto* tool : registry_->tools()) {
    SCOPED_TRACE(tool->name());
    const auto& properties = tool->parameters()["properties"];
    json minimal = json::object();
    for (const auto& required : tool->parameters().value("required", json::array()))
      minimal[required.get<std::string>()] = sample_value(properties[required.get<std::string>()]);

    for (const auto& [name, property] : properties.items()) {
      auto arguments = minimal;
      arguments[name] = sample_value(property);
      const auto outcome = registry_->call(tool->name(), arguments);
      // The call may fail for want of a database, but not for its arguments.
      if (!outcome.result.ok()) {
        EXPECT_NE(outcome.result.error().code, "invalid_arguments")
            << name << ": " << outcome.result.error().to_json().dump();
      }
    }

    auto undocumented = minimal;
    undocumented["not_a_documented_argument"] = 1;
    const auto refused = registry_->call(tool->name(), undocumented);
    ASSERT_FALSE(refused.result.ok());
    EXPECT_EQ(refused.result.error().code, "invalid_arguments");
    EXPECT_THAT(refused.result.error().message, ::testing::HasSubstr("not_a_documented_argument"));
  }
}

// A `mood` argument offers exactly the moods of understanding/lexicons/moods.yaml.
TEST_F(ToolSchemaAgreementTest, MoodEnumsAreTheLexiconsMoods) {
  const auto lexicon = understanding::Lexicon::load(kSourceDir / "understanding" / "lexicons");
  const auto book = understanding::MoodBook::build(lexicon, nullptr);
  std::set<std::string> moods;
  for (const auto& name : book.mood_names()) moods.insert(name);
  std::size_t checked = 0;
  for (const auto* tool : registry_->tools()) {
    const auto& properties = tool->parameters()["properties"];
    if (!properties.contains("mood")) continue;
    SCOPED_TRACE(tool->name());
    std::set<std::string> offered;
    for (const auto& m : properties["mood"].at("enum")) offered.insert(m.get<std::string>());
    EXPECT_EQ(offered, moods);
    ++checked;
  }
  EXPECT_GE(checked, 4u);
}

}  // namespace
}  // namespace musicagent::tools
