#include "common/environment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

namespace musicagent::common {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

std::string parse_error(const std::string& text) {
  try {
    parse_dotenv(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "parse_dotenv did not throw for: " << text;
  return {};
}

TEST(ParseDotenvTest, CommentsAndBlankLinesAreSkipped) {
  const auto values = parse_dotenv(
      "# leading comment\n"
      "\n"
      "   \t \n"
      "A=1\n"
      "   # indented comment\n"
      "B=2");  // no final line end
  EXPECT_THAT(values, UnorderedElementsAre(Pair("A", "1"), Pair("B", "2")));
  EXPECT_TRUE(parse_dotenv("").empty());
  EXPECT_TRUE(parse_dotenv("# only a comment\n\n").empty());
}

TEST(ParseDotenvTest, ExportPrefixAndSpacesAroundEquals) {
  const auto values = parse_dotenv(
      "export DATABASE_URL=postgresql:///x\n"
      "  export   SPACED = value with spaces  \n"
      "exporter=kept\n");
  EXPECT_THAT(values,
              UnorderedElementsAre(Pair("DATABASE_URL", "postgresql:///x"),
                                   Pair("SPACED", "value with spaces"), Pair("exporter", "kept")));
}

TEST(ParseDotenvTest, SingleQuotesKeepEverythingLiterally) {
  const auto values = parse_dotenv("A='x # not a comment \\n $HOME'\nB=''\n");
  EXPECT_EQ(values.at("A"), "x # not a comment \\n $HOME");
  EXPECT_EQ(values.at("B"), "");
}

TEST(ParseDotenvTest, DoubleQuotesHonourEscapes) {
  const auto values = parse_dotenv(
      "A=\"line1\\nline2\"\n"
      "B=\"back\\\\slash\"\n"
      "C=\"  padded # kept  \"\n"
      "D=\"it's\"\n");
  EXPECT_EQ(values.at("A"), "line1\nline2");
  EXPECT_EQ(values.at("B"), "back\\slash");
  EXPECT_EQ(values.at("C"), "  padded # kept  ");
  EXPECT_EQ(values.at("D"), "it's");
}

// `\"` is the usual way to put a quote inside a double-quoted value.
TEST(ParseDotenvTest, DoubleQuotedValueMayContainEscapedQuote) {
  const auto values = parse_dotenv("PROMPT=\"say \\\"hi\\\" now\"\nNEXT=1\n");
  EXPECT_EQ(values.at("PROMPT"), "say \"hi\" now");
  EXPECT_EQ(values.at("NEXT"), "1");
}

TEST(ParseDotenvTest, TrailingCommentOnUnquotedValues) {
  const auto values = parse_dotenv(
      "A=value # a comment\n"
      "B=a#b\n"
      "C=\"quoted\" # comment after quotes\n"
      "D=two words   # comment\n");
  EXPECT_EQ(values.at("A"), "value");
  EXPECT_EQ(values.at("B"), "a#b");  // no space before '#': part of the value
  EXPECT_EQ(values.at("C"), "quoted");
  EXPECT_EQ(values.at("D"), "two words");
}

// `KEY=   # set me` (a placeholder with a note) must leave KEY empty, i.e. unset.
TEST(ParseDotenvTest, ValueThatIsOnlyACommentIsEmpty) {
  const auto values = parse_dotenv("OPENAI_API_KEY=   # set me\nLASTFM_API_KEY= #\n");
  EXPECT_EQ(values.at("OPENAI_API_KEY"), "");
  EXPECT_EQ(values.at("LASTFM_API_KEY"), "");
  EXPECT_EQ(Environment(values).get("OPENAI_API_KEY"), std::nullopt);
}

TEST(ParseDotenvTest, EqualsSignsInsideValues) {
  const auto values = parse_dotenv(
      "DATABASE_URL=postgresql://u@h/db?sslmode=require&options=-c%20x=y\n"
      "KV=\"host=db password=p=q\"\n"
      "TRAILING==\n");
  EXPECT_EQ(values.at("DATABASE_URL"), "postgresql://u@h/db?sslmode=require&options=-c%20x=y");
  EXPECT_EQ(values.at("KV"), "host=db password=p=q");
  EXPECT_EQ(values.at("TRAILING"), "=");
}

TEST(ParseDotenvTest, CrlfLineEndsAndLaterDuplicatesWin) {
  const auto values = parse_dotenv("A=1\r\nB=\"two\"\r\nA=3\r\n");
  EXPECT_THAT(values, UnorderedElementsAre(Pair("A", "3"), Pair("B", "two")));
}

TEST(ParseDotenvTest, EmptyValueIsKept) {
  const auto values = parse_dotenv("EMPTY=\nQUOTED=\"\"\n");
  EXPECT_THAT(values, UnorderedElementsAre(Pair("EMPTY", ""), Pair("QUOTED", "")));
}

TEST(ParseDotenvTest, MalformedLinesThrowWithTheLineNumber) {
  EXPECT_THAT(
      parse_error("A=1\n# comment\nJUST_A_WORD\nB=2\n"),
      AllOf(HasSubstr(".env line 3"), HasSubstr("expected KEY=VALUE"), HasSubstr("JUST_A_WORD")));
  EXPECT_THAT(parse_error("\n\n\n\n=value\n"), HasSubstr(".env line 5"));
  EXPECT_THAT(parse_error("export\n"), HasSubstr(".env line 1"));
}

TEST(ParseDotenvTest, UnterminatedQuotesThrow) {
  EXPECT_THAT(parse_error("A=1\nB=\"never closed\nC=3\n"),
              AllOf(HasSubstr(".env line 2"), HasSubstr("unterminated")));
  EXPECT_THAT(parse_error("A='open\n"), AllOf(HasSubstr(".env line 1"), HasSubstr("unterminated")));
  // A quote of the other kind does not close it.
  EXPECT_THAT(parse_error("A='mixed\"\n"), HasSubstr("unterminated"));
}

TEST(EnvironmentTest, EmptyValuesCountAsUnset) {
  const Environment env({{"SET", "value"}, {"EMPTY", ""}});
  EXPECT_EQ(env.get("SET"), "value");
  EXPECT_EQ(env.get("EMPTY"), std::nullopt);
  EXPECT_EQ(env.get("MISSING"), std::nullopt);
  EXPECT_EQ(env.get("set"), std::nullopt);  // names are case-sensitive
}

TEST(EnvironmentTest, GetOrFallsBackForMissingAndEmpty) {
  Environment env({{"SET", "value"}, {"EMPTY", ""}});
  EXPECT_EQ(env.get_or("SET", "fallback"), "value");
  EXPECT_EQ(env.get_or("EMPTY", "fallback"), "fallback");
  EXPECT_EQ(env.get_or("MISSING", "fallback"), "fallback");
  env.set("EMPTY", "now set");
  env.set("SET", "");
  EXPECT_EQ(env.get_or("EMPTY", "fallback"), "now set");
  EXPECT_EQ(env.get_or("SET", "fallback"), "fallback");
}

TEST(EnvironmentTest, ProcessEnvironmentWinsOverDotenvFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("environment_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto dotenv = dir / ".env";
  std::ofstream(dotenv) << "MUSICAGENT_ENVTEST_BOTH=from_file\n"
                           "MUSICAGENT_ENVTEST_FILE_ONLY=\"file only\"\n";
  ::setenv("MUSICAGENT_ENVTEST_BOTH", "from_process", 1);
  const Environment env = Environment::from_process(dotenv);
  const Environment without_file = Environment::from_process(dir / "does-not-exist");
  ::unsetenv("MUSICAGENT_ENVTEST_BOTH");
  std::filesystem::remove_all(dir);

  EXPECT_EQ(env.get("MUSICAGENT_ENVTEST_BOTH"), "from_process");
  EXPECT_EQ(env.get("MUSICAGENT_ENVTEST_FILE_ONLY"), "file only");
  EXPECT_EQ(without_file.get("MUSICAGENT_ENVTEST_BOTH"), "from_process");
  EXPECT_EQ(without_file.get("MUSICAGENT_ENVTEST_FILE_ONLY"), std::nullopt);
}

}  // namespace
}  // namespace musicagent::common
