#include "pipeline/csv_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/byte_source.hpp"

namespace musicagent::pipeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<CsvRecord> read_all(std::string text, CsvOptions options = {}) {
  CsvReader reader(string_source(std::move(text)), options);
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.next(record)) records.push_back(record);
  return records;
}

// Hands out input a few bytes at a time so records straddle every possible read boundary.
class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string text, std::size_t step) : text_(std::move(text)), step_(step) {}
  std::size_t read(char* buf, std::size_t n) override {
    const std::size_t count = std::min({n, step_, text_.size() - offset_});
    std::memcpy(buf, text_.data() + offset_, count);
    offset_ += count;
    return count;
  }

 private:
  std::string text_;
  std::size_t step_;
  std::size_t offset_ = 0;
};

// Removes the directory even when an assertion fails half-way.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("csv_reader_test_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(CsvReaderTest, SimpleRecordsWithLineNumbers) {
  const auto records = read_all("id,name\n1,Alice\n2,Bob\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[0].fields, ElementsAre("id", "name"));
  EXPECT_THAT(records[1].fields, ElementsAre("1", "Alice"));
  EXPECT_THAT(records[2].fields, ElementsAre("2", "Bob"));
  EXPECT_EQ(records[0].line, 1u);
  EXPECT_EQ(records[1].line, 2u);
  EXPECT_EQ(records[2].line, 3u);
  EXPECT_EQ(records[2].raw, "2,Bob");
  for (const auto& r : records) EXPECT_TRUE(r.error.empty());
}

TEST(CsvReaderTest, QuotedFieldWithDelimiterAndEscapedQuotes) {
  const auto records = read_all("a,\"x, y\",\"say \"\"hi\"\"\",\"\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "x, y", "say \"hi\"", ""));
  EXPECT_EQ(records[0].raw, "a,\"x, y\",\"say \"\"hi\"\"\",\"\"");
  EXPECT_TRUE(records[0].error.empty());
}

TEST(CsvReaderTest, QuotedNewlinesAreKeptAndShiftFollowingLineNumbers) {
  CsvReader reader(string_source("h1,h2\n1,\"line one\nline two\r\nline three\"\n2,after\n"));
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 2u);
  EXPECT_THAT(record.fields, ElementsAre("1", "line one\nline two\r\nline three"));
  EXPECT_EQ(record.raw, "1,\"line one\nline two\r\nline three\"");
  EXPECT_EQ(reader.lines_read(), 4u);
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 5u);
  EXPECT_THAT(record.fields, ElementsAre("2", "after"));
  EXPECT_FALSE(reader.next(record));
  EXPECT_EQ(reader.lines_read(), 5u);
}

TEST(CsvReaderTest, Utf8ByteOrderMarkIsSkipped) {
  const auto records = read_all("\xEF\xBB\xBFtrack_id,name\nx,y\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].fields, ElementsAre("track_id", "name"));
  EXPECT_EQ(records[0].raw, "track_id,name");
}

TEST(CsvReaderTest, ByteOrderMarkOnlyAtStartIsSkippedEvenWhenDeliveredPiecemeal) {
  CsvReader reader(
      std::make_unique<TrickleSource>("\xEF\xBB\xBF"
                                      "a\n\xEF\xBB\xBF"
                                      "b\n",
                                      1));
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("a"));
  ASSERT_TRUE(reader.next(record));
  // Only the mark at the very start is a BOM; later it is data.
  EXPECT_THAT(record.fields, ElementsAre("\xEF\xBB\xBF"
                                         "b"));
}

TEST(CsvReaderTest, CrlfLineEndsAreNotPartOfTheLastField) {
  const auto records = read_all("a,b\r\n1,2\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT(records[1].fields, ElementsAre("1", "2"));
  EXPECT_EQ(records[1].raw, "1,2");
  EXPECT_EQ(records[1].line, 2u);
}

TEST(CsvReaderTest, CrlfAfterQuotedField) {
  const auto records = read_all("\"a\",\"b\"\r\n\"c\",\"d\"\r\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT(records[1].fields, ElementsAre("c", "d"));
  EXPECT_TRUE(records[0].error.empty());
  EXPECT_TRUE(records[1].error.empty());
}

TEST(CsvReaderTest, MixedLineEnds) {
  const auto records = read_all("a,b\n1,2\r\n3,4\n5,6\r\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_THAT(records[1].fields, ElementsAre("1", "2"));
  EXPECT_THAT(records[2].fields, ElementsAre("3", "4"));
  EXPECT_THAT(records[3].fields, ElementsAre("5", "6"));
  EXPECT_EQ(records[3].line, 4u);
}

TEST(CsvReaderTest, LoneCarriageReturnInsideFieldIsData) {
  const auto records = read_all("a\rb,c\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a\rb", "c"));
}

TEST(CsvReaderTest, NumberTextPassesThroughUntouched) {
  const auto records = read_all("1.01e-06,-6.746,0.000,007,1E+10,-0\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("1.01e-06", "-6.746", "0.000", "007", "1E+10", "-0"));
}

TEST(CsvReaderTest, EmptyFields) {
  const auto records = read_all("a,,c\n,,\nx,\n,y\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "", "c"));
  EXPECT_THAT(records[1].fields, ElementsAre("", "", ""));
  EXPECT_THAT(records[2].fields, ElementsAre("x", ""));
  EXPECT_THAT(records[3].fields, ElementsAre("", "y"));
}

TEST(CsvReaderTest, TrailingDelimiterAtEndOfInputGivesEmptyLastField) {
  const auto records = read_all("a,b,");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b", ""));
}

TEST(CsvReaderTest, MissingFinalNewline) {
  CsvReader reader(string_source("a,b\n1,2"));
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("1", "2"));
  EXPECT_EQ(record.raw, "1,2");
  EXPECT_EQ(record.line, 2u);
  EXPECT_FALSE(reader.next(record));
  EXPECT_EQ(reader.lines_read(), 2u);
  EXPECT_FALSE(reader.next(record));  // stays at end
}

TEST(CsvReaderTest, MissingFinalNewlineAfterQuotedField) {
  const auto records = read_all("a,\"b\"");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b"));
  EXPECT_TRUE(records[0].error.empty());
}

TEST(CsvReaderTest, BlankLinesAreSkippedButCounted) {
  CsvReader reader(string_source("\nh\n\n\r\na\n\n\nb\n\n"));
  std::vector<std::pair<std::string, std::size_t>> seen;
  CsvRecord record;
  while (reader.next(record)) {
    ASSERT_EQ(record.fields.size(), 1u);
    seen.emplace_back(record.fields[0], record.line);
  }
  EXPECT_THAT(seen, ElementsAre(std::pair<std::string, std::size_t>{"h", 2},
                                std::pair<std::string, std::size_t>{"a", 5},
                                std::pair<std::string, std::size_t>{"b", 8}));
  EXPECT_EQ(reader.lines_read(), 9u);
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  EXPECT_TRUE(read_all("").empty());
  EXPECT_TRUE(read_all("\xEF\xBB\xBF").empty());
  EXPECT_TRUE(read_all("\n\r\n").empty());
}

TEST(CsvReaderTest, QuotedEmptyFieldAloneIsARecord) {
  const auto records = read_all("\"\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre(""));
}

TEST(CsvReaderTest, NonLatinTextAndEmojiPreservedByteForByte) {
  const std::string japanese = "\xE6\x98\x9F\xE9\x87\x8E\xE6\xBA\x90";             // 星野源
  const std::string persian = "\xD9\x85\xD9\x88\xD8\xB3\xDB\x8C\xD9\x82\xDB\x8C";  // موسیقی
  const std::string korean = "\xEB\xB0\xA9\xED\x83\x84\xEC\x86\x8C\xEB\x85\x84\xEB\x8B\xA8";
  const std::string emoji = "\xF0\x9F\x8E\xB5 \xF0\x9F\x94\xA5";  // 🎵 🔥
  const std::string quoted_mix = "\"" + korean + ", " + emoji + "\"";
  const auto records = read_all(japanese + "," + persian + "," + quoted_mix + "," + emoji + "\r\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre(japanese, persian, korean + ", " + emoji, emoji));
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsMalformedAndReadingContinues) {
  const auto records = read_all("1,\"ab\"cd,e\n2,ok\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].error, "unexpected character after closing quote");
  EXPECT_EQ(records[0].raw, "1,\"ab\"cd,e");
  EXPECT_THAT(records[0].fields, ElementsAre("1", "abcd", "e"));
  EXPECT_TRUE(records[1].error.empty());
  EXPECT_THAT(records[1].fields, ElementsAre("2", "ok"));
  EXPECT_EQ(records[1].line, 2u);
}

TEST(CsvReaderTest, LoneCarriageReturnAfterClosingQuoteIsMalformed) {
  const auto records = read_all("\"a\"\rb\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].error, "unexpected character after closing quote");
  EXPECT_THAT(records[0].fields, ElementsAre("a\rb"));
}

TEST(CsvReaderTest, UnterminatedQuoteTakesRestOfInput) {
  CsvReader reader(string_source("h\n1,\"never closed,\n2,x\n3,y"));
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_TRUE(record.error.empty());
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.error, "unterminated quoted field");
  EXPECT_EQ(record.raw, "1,\"never closed,\n2,x\n3,y");
  EXPECT_EQ(record.line, 2u);
  ASSERT_EQ(record.fields.size(), 2u);
  EXPECT_EQ(record.fields[1], "never closed,\n2,x\n3,y");
  EXPECT_FALSE(reader.next(record));
  EXPECT_EQ(reader.lines_read(), 4u);
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsLiteral) {
  const auto records = read_all("12\" vinyl,a\"b\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("12\" vinyl", "a\"b\""));
  EXPECT_TRUE(records[0].error.empty());
}

TEST(CsvReaderTest, TabSeparatedWithoutQuotingKeepsQuotes) {
  CsvOptions options;
  options.delimiter = '\t';
  options.quoting = false;
  const auto records = read_all("id\tname\n1\t\"Weird Al\" Yankovic\n2\t\"a,b\"\t\n", options);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[1].fields, ElementsAre("1", "\"Weird Al\" Yankovic"));
  EXPECT_THAT(records[2].fields, ElementsAre("2", "\"a,b\"", ""));
  EXPECT_TRUE(records[1].error.empty());
}

TEST(CsvReaderTest, QuotedFieldUsesCustomDelimiter) {
  CsvOptions options;
  options.delimiter = ';';
  const auto records = read_all("a;\"b;c\";d,e\n", options);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b;c", "d,e"));
}

TEST(CsvReaderTest, RecordsSpanningTheOneMebibyteBlockBoundary) {
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::string text = "head,er\r\n";
  // Filler rows bring the next record right up to the block boundary.
  std::size_t rows = 0;
  while (text.size() < kBlock - 40) {
    text += "row" + std::to_string(rows++) + ",x\r\n";
  }
  const std::size_t first_line = rows + 2;
  const std::string long_quoted(3 * kBlock, 'q');
  const std::string long_plain(kBlock + 17, 'p');
  text += "a,\"" + long_quoted + "\nwith \"\"quote\"\"\"," + long_plain + "\r\n";
  // CRLF split across the boundary: the CR is the last byte of a block.
  std::string pad_row = "z,";
  const std::size_t so_far = text.size() % kBlock;
  pad_row += std::string(kBlock - so_far - pad_row.size() - 1, 'y');
  text += pad_row + "\r\n";
  text += "last,row";

  CsvReader reader(string_source(text));
  CsvRecord record;
  for (std::size_t i = 0; i <= rows; ++i) ASSERT_TRUE(reader.next(record));
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, first_line);
  ASSERT_EQ(record.fields.size(), 3u);
  EXPECT_EQ(record.fields[1], long_quoted + "\nwith \"quote\"");
  EXPECT_EQ(record.fields[2], long_plain);
  EXPECT_EQ(record.raw, "a,\"" + long_quoted + "\nwith \"\"quote\"\"\"," + long_plain);
  EXPECT_TRUE(record.error.empty());

  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, first_line + 2);
  ASSERT_EQ(record.fields.size(), 2u);
  EXPECT_EQ(record.fields[1].size(), pad_row.size() - 2);
  EXPECT_EQ(record.fields[1].back(), 'y');  // the CR did not leak into the field

  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("last", "row"));
  EXPECT_EQ(record.line, first_line + 3);
  EXPECT_FALSE(reader.next(record));
}

TEST(CsvReaderTest, ResultIndependentOfHowTheSourceSplitsInput) {
  const std::string text =
      "\xEF\xBB\xBFh1,h2\r\n\r\n\"a\"\"b\",\"c\r\nd\"\r\n,\n\"x\"y,z\nend,\"open";
  const auto expected = read_all(text);
  ASSERT_EQ(expected.size(), 5u);
  for (std::size_t step = 1; step <= 7; ++step) {
    CsvReader reader(std::make_unique<TrickleSource>(text, step));
    CsvRecord record;
    std::size_t i = 0;
    while (reader.next(record)) {
      ASSERT_LT(i, expected.size()) << "step " << step;
      EXPECT_EQ(record.fields, expected[i].fields) << "step " << step << " record " << i;
      EXPECT_EQ(record.raw, expected[i].raw) << "step " << step << " record " << i;
      EXPECT_EQ(record.line, expected[i].line) << "step " << step << " record " << i;
      EXPECT_EQ(record.error, expected[i].error) << "step " << step << " record " << i;
      ++i;
    }
    EXPECT_EQ(i, expected.size()) << "step " << step;
  }
  EXPECT_THAT(expected[1].fields, ElementsAre("a\"b", "c\r\nd"));
  EXPECT_EQ(expected[1].line, 3u);
  EXPECT_EQ(expected[3].error, "unexpected character after closing quote");
  EXPECT_EQ(expected[4].error, "unterminated quoted field");
  EXPECT_EQ(expected[4].line, 7u);
}

TEST(CsvReaderTest, ReusedRecordShrinksToCurrentFieldCount) {
  CsvReader reader(string_source("a,b,c,d\nx\n"));
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  ASSERT_EQ(record.fields.size(), 4u);
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("x"));
}

TEST(CsvReaderTest, ReadsGzipFile) {
  TempDir dir;
  const auto path = dir.path() / "tracks.csv.gz";
  const std::string content = "id,name\n1,\"Caf\xC3\xA9, Bar\"\n2,plain\n";
  {
    gzFile out = gzopen(path.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    ASSERT_EQ(gzwrite(out, content.data(), static_cast<unsigned>(content.size())),
              static_cast<int>(content.size()));
    ASSERT_EQ(gzclose(out), Z_OK);
  }
  // Make sure the test exercises decompression rather than a plain copy.
  {
    std::ifstream in(path, std::ios::binary);
    char magic[2] = {};
    in.read(magic, 2);
    ASSERT_EQ(static_cast<unsigned char>(magic[0]), 0x1F);
    ASSERT_EQ(static_cast<unsigned char>(magic[1]), 0x8B);
  }
  CsvReader reader(open_file_source(path));
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("id", "name"));
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("1", "Caf\xC3\xA9, Bar"));
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("2", "plain"));
  EXPECT_FALSE(reader.next(record));
}

TEST(CsvReaderTest, ReadsPlainFile) {
  TempDir dir;
  const auto path = dir.path() / "plain.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "\xEF\xBB\xBFuser\tartist\r\n7\t42\r\n";
  }
  CsvOptions options;
  options.delimiter = '\t';
  CsvReader reader(open_file_source(path), options);
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("user", "artist"));
  ASSERT_TRUE(reader.next(record));
  EXPECT_THAT(record.fields, ElementsAre("7", "42"));
  EXPECT_FALSE(reader.next(record));
}

TEST(CsvReaderTest, MissingFileThrowsNamingThePath) {
  TempDir dir;
  const auto path = dir.path() / "does_not_exist.csv.gz";
  try {
    open_file_source(path);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
  }
}

TEST(CsvReaderTest, StringSourceReturnsZeroAtEnd) {
  auto source = string_source("abc");
  char buf[8];
  EXPECT_EQ(source->read(buf, 2), 2u);
  EXPECT_EQ(source->read(buf, 8), 1u);
  EXPECT_EQ(buf[0], 'c');
  EXPECT_EQ(source->read(buf, 8), 0u);
}

}  // namespace
}  // namespace musicagent::pipeline
