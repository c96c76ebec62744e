#include "pipeline/row_validator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/source_spec.hpp"

namespace musicagent::pipeline {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

const SourceSpec& kaggle_spec() {
  static const std::vector<SourceSpec> sources = builtin_sources();
  for (const auto& source : sources) {
    if (source.name == "kaggle.tracks") return source;
  }
  throw std::logic_error("builtin_sources() has no kaggle.tracks");
}

// The header of the real Kaggle file: a leading unnamed index column, then the features.
const std::vector<std::string> kKaggleHeader = {"",
                                                "track_id",
                                                "artists",
                                                "album_name",
                                                "track_name",
                                                "popularity",
                                                "duration_ms",
                                                "explicit",
                                                "danceability",
                                                "energy",
                                                "key",
                                                "loudness",
                                                "mode",
                                                "speechiness",
                                                "acousticness",
                                                "instrumentalness",
                                                "liveness",
                                                "valence",
                                                "tempo",
                                                "time_signature",
                                                "track_genre"};

// The first data row of the real file (as the CSV reader hands it over).
std::map<std::string, std::string> kaggle_row() {
  return {{"", "0"},
          {"track_id", "5SuOikwiRyPMVoIQDJUgSV"},
          {"artists", "Gen Hoshino"},
          {"album_name", "Comedy"},
          {"track_name", "Comedy"},
          {"popularity", "73"},
          {"duration_ms", "230666"},
          {"explicit", "False"},
          {"danceability", "0.676"},
          {"energy", "0.461"},
          {"key", "1"},
          {"loudness", "-6.746"},
          {"mode", "0"},
          {"speechiness", "0.143"},
          {"acousticness", "0.0322"},
          {"instrumentalness", "1.01e-06"},
          {"liveness", "0.358"},
          {"valence", "0.715"},
          {"tempo", "87.917"},
          {"time_signature", "4"},
          {"track_genre", "acoustic"}};
}

const std::string kKaggleCopyLine =
    "5SuOikwiRyPMVoIQDJUgSV\tGen Hoshino\tComedy\tComedy\t73\t230666\tf\t0.676\t0.461\t1\t"
    "-6.746\t0\t0.143\t0.0322\t1.01e-06\t0.358\t0.715\t87.917\t4\tacoustic";

// Fields in header order, with `overrides` applied to the sample row.
std::vector<std::string> kaggle_fields(const std::map<std::string, std::string>& overrides = {}) {
  auto row = kaggle_row();
  for (const auto& [name, value] : overrides) row.at(name) = value;
  std::vector<std::string> fields;
  for (const auto& name : kKaggleHeader) fields.push_back(row.at(name));
  return fields;
}

// Splits a COPY line on tabs (escaped tabs are `\t`, so a raw tab always separates).
std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> parts;
  std::string current;
  for (const char c : line) {
    if (c == '\t') {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

// Validates one Kaggle row with `overrides`; returns the problem or the COPY line.
struct Outcome {
  std::optional<std::string> problem;
  std::string out;
};
Outcome validate_kaggle(const std::map<std::string, std::string>& overrides) {
  const RowValidator validator(kaggle_spec(), kKaggleHeader);
  Outcome outcome;
  outcome.problem = validator.to_copy_fields(kaggle_fields(overrides), outcome.out);
  return outcome;
}

// Field `column` of the COPY line produced for a Kaggle row with one value replaced.
std::string copied_kaggle_value(const std::string& column, const std::string& value) {
  const auto outcome = validate_kaggle({{column, value}});
  EXPECT_EQ(outcome.problem, std::nullopt) << column << "=" << value;
  const auto parts = split_tabs(outcome.out);
  const auto& columns = kaggle_spec().columns;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].header == column) return i < parts.size() ? parts[i] : "<missing>";
  }
  ADD_FAILURE() << "no column " << column;
  return {};
}

// A small spec exercising every type, with optional columns of each kind.
SourceSpec people_spec() {
  SourceSpec spec;
  spec.name = "test.people";
  spec.raw_table = "people";
  spec.columns = {
      {"ID", "id", FieldType::integer, true, 1.0, {}},
      {"Name", "name", FieldType::text, true, {}, {}},
      {"note", "note", FieldType::text, false, {}, {}},
      {"active", "active", FieldType::boolean, false, {}, {}},
      {"score", "score", FieldType::real, false, 0.0, 10.0},
      {"visits", "visits", FieldType::bigint, false, {}, {}},
  };
  return spec;
}

TEST(RowValidatorTest, KaggleRowBecomesOneCopyLine) {
  const RowValidator validator(kaggle_spec(), kKaggleHeader);
  EXPECT_EQ(validator.expected_fields(), 21u);
  std::string out;
  EXPECT_EQ(validator.to_copy_fields(kaggle_fields(), out), std::nullopt);
  EXPECT_EQ(out, kKaggleCopyLine);
}

TEST(RowValidatorTest, HeaderMatchedByNameCaseInsensitivelyInAnyOrder) {
  const SourceSpec spec = people_spec();
  // Shuffled, differently cased, with padding and a CR left over from a CRLF header line.
  const std::vector<std::string> header = {"VISITS", "score", "Active", "NOTE", " name ", "id\r"};
  const RowValidator validator(spec, header);
  EXPECT_EQ(validator.expected_fields(), 6u);
  std::string out;
  EXPECT_EQ(validator.to_copy_fields({"12", "9.5", "true", "hello", "Ada", "7"}, out),
            std::nullopt);
  // Output follows the spec's column order, not the file's.
  EXPECT_EQ(out, "7\tAda\thello\tt\t9.5\t12");
}

TEST(RowValidatorTest, ExtraColumnsAreIgnoredIncludingUnnamedIndexColumn) {
  const SourceSpec spec = people_spec();
  const std::vector<std::string> header = {"",       "id",    "unused", "name",   "note",
                                           "active", "score", "visits", "comment"};
  const RowValidator validator(spec, header);
  EXPECT_EQ(validator.expected_fields(), 9u);
  std::string out;
  // The extra cells hold values no column would accept; they must not be validated.
  EXPECT_EQ(validator.to_copy_fields(
                {"not a number", "3", "\xFF\xFE", "Bo", "n", "0", "1", "2", "x\ty"}, out),
            std::nullopt);
  EXPECT_EQ(out, "3\tBo\tn\tf\t1\t2");

  // The real file: the Kaggle index column does not reach the output.
  const auto outcome = validate_kaggle({{"", "113999"}});
  EXPECT_EQ(outcome.problem, std::nullopt);
  EXPECT_THAT(outcome.out, Not(HasSubstr("113999")));
}

TEST(RowValidatorTest, MissingHeaderColumnsThrowNamingEveryOne) {
  std::vector<std::string> header;
  for (const auto& name : kKaggleHeader) {
    if (name != "popularity" && name != "track_genre" && name != "valence") header.push_back(name);
  }
  try {
    RowValidator validator(kaggle_spec(), header);
    FAIL() << "expected the header to be rejected";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("kaggle.tracks"),
                                HasSubstr("lacks column(s) popularity, valence, track_genre")));
  }
}

TEST(RowValidatorTest, HeaderWithOnlySomeColumnsStillThrows) {
  const SourceSpec spec = people_spec();
  EXPECT_THROW(RowValidator(spec, {"id", "name"}), std::runtime_error);
  EXPECT_THROW(RowValidator(spec, {}), std::runtime_error);
}

TEST(RowValidatorTest, WrongFieldCountIsRejected) {
  const RowValidator validator(kaggle_spec(), kKaggleHeader);
  auto fields = kaggle_fields();
  fields.pop_back();
  std::string out = "kept";
  EXPECT_EQ(validator.to_copy_fields(fields, out), "expected 21 fields, got 20");
  EXPECT_EQ(out, "kept");

  fields = kaggle_fields();
  fields.push_back("surplus");
  EXPECT_EQ(validator.to_copy_fields(fields, out), "expected 21 fields, got 22");
  EXPECT_EQ(validator.to_copy_fields({}, out), "expected 21 fields, got 0");
  EXPECT_EQ(out, "kept");
}

TEST(RowValidatorTest, EmptyRequiredFieldIsRejected) {
  EXPECT_EQ(validate_kaggle({{"track_id", ""}}).problem, "empty track_id");
  EXPECT_EQ(validate_kaggle({{"track_genre", ""}}).problem, "empty track_genre");
  EXPECT_EQ(validate_kaggle({{"popularity", ""}}).problem, "empty popularity");
  EXPECT_EQ(validate_kaggle({{"explicit", ""}}).problem, "empty explicit");
}

TEST(RowValidatorTest, UnparsableNumbersAreRejected) {
  for (const std::string bad : {"73x", "abc", "7.5", " 73", "1e2", "0x10"}) {
    const auto outcome = validate_kaggle({{"popularity", bad}});
    EXPECT_THAT(outcome.problem, Optional(AllOf(HasSubstr("popularity"), HasSubstr("'" + bad + "'"),
                                                HasSubstr("not a whole number"))))
        << bad;
  }
  for (const std::string bad : {"0.5.1", "abc", "0,5", "0.5 ", "--0.5"}) {
    const auto outcome = validate_kaggle({{"danceability", bad}});
    EXPECT_THAT(outcome.problem,
                Optional(AllOf(HasSubstr("danceability"), HasSubstr("not a number"))))
        << bad;
  }
}

TEST(RowValidatorTest, IntegerMustFit32BitsButBigintNeedNot) {
  EXPECT_THAT(validate_kaggle({{"key", "3000000000"}}).problem,
              Optional(HasSubstr("does not fit a 32-bit integer")));
  EXPECT_EQ(copied_kaggle_value("duration_ms", "3000000000"), "3000000000");
  EXPECT_THAT(validate_kaggle({{"duration_ms", "99999999999999999999"}}).problem,
              Optional(HasSubstr("not a whole number")));
}

TEST(RowValidatorTest, OutOfRangeValuesNameTheColumnAndRange) {
  EXPECT_EQ(validate_kaggle({{"danceability", "1.5"}}).problem,
            "danceability: 1.5 is outside 0..1");
  EXPECT_EQ(validate_kaggle({{"popularity", "101"}}).problem, "popularity: 101 is outside 0..100");
  EXPECT_EQ(validate_kaggle({{"popularity", "-1"}}).problem, "popularity: -1 is outside 0..100");
  EXPECT_EQ(validate_kaggle({{"loudness", "-150.5"}}).problem,
            "loudness: -150.5 is outside -100..20");
  EXPECT_EQ(validate_kaggle({{"key", "12"}}).problem, "key: 12 is outside -1..11");
  EXPECT_EQ(validate_kaggle({{"duration_ms", "-5"}}).problem, "duration_ms: -5 is outside >= 0");
  EXPECT_EQ(validate_kaggle({{"energy", "-0.0001"}}).problem, "energy: -0.0001 is outside 0..1");
}

TEST(RowValidatorTest, RangeBoundsAreInclusive) {
  EXPECT_EQ(copied_kaggle_value("danceability", "0"), "0");
  EXPECT_EQ(copied_kaggle_value("danceability", "1"), "1");
  EXPECT_EQ(copied_kaggle_value("danceability", "1.0"), "1.0");
  EXPECT_EQ(copied_kaggle_value("popularity", "100"), "100");
  EXPECT_EQ(copied_kaggle_value("popularity", "0"), "0");
  EXPECT_EQ(copied_kaggle_value("key", "-1"), "-1");
  EXPECT_EQ(copied_kaggle_value("loudness", "-100"), "-100");
}

TEST(RowValidatorTest, ExponentNotationIsAcceptedAndPassedThroughAsWritten) {
  EXPECT_EQ(copied_kaggle_value("instrumentalness", "1.01e-06"), "1.01e-06");
  EXPECT_EQ(copied_kaggle_value("speechiness", "2.5E-3"), "2.5E-3");
  // Range checks apply to the parsed value, not the text.
  EXPECT_THAT(validate_kaggle({{"liveness", "1.5e0"}}).problem,
              Optional(HasSubstr("liveness: 1.5e0 is outside 0..1")));
}

TEST(RowValidatorTest, NanAndInfinityAreRejected) {
  for (const std::string bad : {"nan", "NaN", "-nan", "inf", "-inf", "infinity", "Infinity"}) {
    EXPECT_THAT(validate_kaggle({{"loudness", bad}}).problem,
                Optional(AllOf(HasSubstr("loudness"), HasSubstr("not a number"))))
        << bad;
    EXPECT_NE(validate_kaggle({{"tempo", bad}}).problem, std::nullopt) << bad;
  }
}

TEST(RowValidatorTest, BooleansBecomeTOrF) {
  EXPECT_EQ(copied_kaggle_value("explicit", "True"), "t");
  EXPECT_EQ(copied_kaggle_value("explicit", "False"), "f");
  EXPECT_EQ(copied_kaggle_value("explicit", "true"), "t");
  EXPECT_EQ(copied_kaggle_value("explicit", "false"), "f");
  EXPECT_EQ(copied_kaggle_value("explicit", "1"), "t");
  EXPECT_EQ(copied_kaggle_value("explicit", "0"), "f");
  EXPECT_EQ(copied_kaggle_value("explicit", "TRUE"), "t");

  const auto outcome = validate_kaggle({{"explicit", "maybe"}});
  EXPECT_EQ(outcome.problem, "explicit: 'maybe' is not a boolean");
  EXPECT_NE(validate_kaggle({{"explicit", "2"}}).problem, std::nullopt);
  EXPECT_NE(validate_kaggle({{"explicit", "Tru"}}).problem, std::nullopt);
}

TEST(RowValidatorTest, EmptyOptionalValuesBecomeNull) {
  EXPECT_EQ(copied_kaggle_value("artists", ""), "\\N");
  EXPECT_EQ(copied_kaggle_value("album_name", ""), "\\N");

  const SourceSpec spec = people_spec();
  const RowValidator validator(spec, {"id", "name", "note", "active", "score", "visits"});
  std::string out;
  EXPECT_EQ(validator.to_copy_fields({"1", "Ada", "", "", "", ""}, out), std::nullopt);
  EXPECT_EQ(out, "1\tAda\t\\N\t\\N\t\\N\t\\N");
}

TEST(RowValidatorTest, TextIsCopyEscaped) {
  EXPECT_EQ(copied_kaggle_value("track_name", "a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  // A literal backslash-N must stay text, not turn into NULL.
  EXPECT_EQ(copied_kaggle_value("album_name", "\\N"), "\\\\N");
  // Quotes, commas and semicolons need no escaping in COPY text.
  EXPECT_EQ(copied_kaggle_value("artists", "Guns N' Roses;\"Weird Al\", Yankovic"),
            "Guns N' Roses;\"Weird Al\", Yankovic");
  // Valid multi-byte UTF-8 passes through untouched.
  EXPECT_EQ(
      copied_kaggle_value("artists", "Beyonc\xC3\xA9;\xE5\xAE\x87\xE5\xA4\x9A\xF0\x9F\x8E\xB5"),
      "Beyonc\xC3\xA9;\xE5\xAE\x87\xE5\xA4\x9A\xF0\x9F\x8E\xB5");
}

TEST(AppendCopyEscapedTest, EscapesAndAppends) {
  std::string out = "prefix|";
  append_copy_escaped("x\\y\tz\n\r", out);
  EXPECT_EQ(out, "prefix|x\\\\y\\tz\\n\\r");
  append_copy_escaped("", out);
  EXPECT_EQ(out, "prefix|x\\\\y\\tz\\n\\r");
  append_copy_escaped(std::string_view("a\0b", 3), out);
  EXPECT_EQ(out, "prefix|x\\\\y\\tz\\n\\r" + std::string("a\0b", 3));
}

TEST(RowValidatorTest, InvalidUtf8IsRejected) {
  EXPECT_EQ(validate_kaggle({{"track_name", "Caf\xE9"}}).problem, "track_name: invalid UTF-8");
  EXPECT_EQ(validate_kaggle({{"artists", "\xC3\x28"}}).problem, "artists: invalid UTF-8");
  EXPECT_EQ(validate_kaggle({{"track_id", "\xED\xA0\x80"}}).problem, "track_id: invalid UTF-8");
  EXPECT_EQ(validate_kaggle({{"popularity", "7\xFF"}}).problem, "popularity: invalid UTF-8");
}

TEST(RowValidatorTest, RejectedRowLeavesOutputExactlyAsItWas) {
  const RowValidator validator(kaggle_spec(), kKaggleHeader);
  const std::string before = "earlier row\tvalue\n";
  // Each failure happens at a different column, the last one after everything else was appended.
  for (const auto& [column, value] :
       std::vector<std::pair<std::string, std::string>>{{"track_id", ""},
                                                        {"popularity", "101"},
                                                        {"explicit", "maybe"},
                                                        {"instrumentalness", "nan"},
                                                        {"time_signature", "x"},
                                                        {"track_genre", ""},
                                                        {"track_genre", "\xFF"}}) {
    std::string out = before;
    EXPECT_NE(validator.to_copy_fields(kaggle_fields({{column, value}}), out), std::nullopt)
        << column;
    EXPECT_EQ(out, before) << column;
  }
}

TEST(RowValidatorTest, AcceptedRowsAppendToTheBuffer) {
  const RowValidator validator(kaggle_spec(), kKaggleHeader);
  std::string out = "earlier\n";
  ASSERT_EQ(validator.to_copy_fields(kaggle_fields(), out), std::nullopt);
  out += '\n';
  ASSERT_EQ(validator.to_copy_fields(kaggle_fields({{"track_id", "other"}}), out), std::nullopt);
  EXPECT_EQ(out, "earlier\n" + kKaggleCopyLine + "\nother" +
                     kKaggleCopyLine.substr(kKaggleCopyLine.find('\t')));
}

TEST(RowValidatorTest, HetRecSpecsChecksTheirRanges) {
  const auto sources = builtin_sources();
  const SourceSpec* tagged = nullptr;
  for (const auto& source : sources) {
    if (source.name == "lastfm.user_taggedartists") tagged = &source;
  }
  ASSERT_NE(tagged, nullptr);
  const RowValidator validator(*tagged, {"userID", "artistID", "tagID", "day", "month", "year"});
  std::string out;
  EXPECT_EQ(validator.to_copy_fields({"2", "52", "13", "1", "4", "2009"}, out), std::nullopt);
  EXPECT_EQ(out, "2\t52\t13\t1\t4\t2009");
  EXPECT_EQ(validator.to_copy_fields({"2", "52", "13", "1", "13", "2009"}, out),
            "month: 13 is outside 1..12");
  EXPECT_EQ(validator.to_copy_fields({"0", "52", "13", "1", "4", "2009"}, out),
            "userID: 0 is outside >= 1");
  EXPECT_EQ(out, "2\t52\t13\t1\t4\t2009");
}

}  // namespace
}  // namespace musicagent::pipeline
