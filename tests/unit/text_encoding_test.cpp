#include "pipeline/text_encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace musicagent::pipeline {
namespace {

TEST(Latin1ToUtf8Test, AccentedLettersBecomeTwoByteSequences) {
  EXPECT_EQ(latin1_to_utf8("\xE9\xF1\xFC"), "\xC3\xA9\xC3\xB1\xC3\xBC");  // é ñ ü
  EXPECT_EQ(latin1_to_utf8("Beyonc\xE9"), "Beyonc\xC3\xA9");
}

TEST(Latin1ToUtf8Test, AsciiIsUnchanged) {
  const std::string ascii = "Sigur Ros, 1.01e-06\t\"x\"\n";
  EXPECT_EQ(latin1_to_utf8(ascii), ascii);
  EXPECT_EQ(latin1_to_utf8(""), "");
}

TEST(Latin1ToUtf8Test, RangeEdges) {
  EXPECT_EQ(latin1_to_utf8("\x7F"), "\x7F");
  EXPECT_EQ(latin1_to_utf8("\x80"), "\xC2\x80");
  EXPECT_EQ(latin1_to_utf8("\xBF"), "\xC2\xBF");
  EXPECT_EQ(latin1_to_utf8("\xC0"), "\xC3\x80");
  EXPECT_EQ(latin1_to_utf8("\xFF"), "\xC3\xBF");
  EXPECT_EQ(latin1_to_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Latin1ToUtf8Test, OutputIsValidUtf8ForEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string converted = latin1_to_utf8(all);
  EXPECT_EQ(converted.size(), 128u + 2u * 128u);
  EXPECT_TRUE(is_valid_utf8(converted));
}

TEST(IsValidUtf8Test, AcceptsValidText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));                                       // é
  EXPECT_TRUE(is_valid_utf8("\xE6\x98\x9F\xE9\x87\x8E\xE6\xBA\x90"));              // 星野源
  EXPECT_TRUE(is_valid_utf8("\xD9\x85\xD9\x88\xD8\xB3\xDB\x8C\xD9\x82\xDB\x8C"));  // موسیقی
  EXPECT_TRUE(is_valid_utf8("\xEB\xB0\xA9\xED\x83\x84"));                          // 방탄
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x8E\xB5"));                                  // 🎵
  EXPECT_TRUE(is_valid_utf8("\xEF\xBB\xBF"));  // BOM is a valid code point
}

TEST(IsValidUtf8Test, AcceptsBoundaryCodePoints) {
  EXPECT_TRUE(is_valid_utf8(std::string("\0", 1)));  // U+0000
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));            // U+0080
  EXPECT_TRUE(is_valid_utf8("\xDF\xBF"));            // U+07FF
  EXPECT_TRUE(is_valid_utf8("\xE0\xA0\x80"));        // U+0800
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));        // U+D7FF
  EXPECT_TRUE(is_valid_utf8("\xEE\x80\x80"));        // U+E000
  EXPECT_TRUE(is_valid_utf8("\xEF\xBF\xBF"));        // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xF0\x90\x80\x80"));    // U+10000
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));    // U+10FFFF
}

TEST(IsValidUtf8Test, RejectsLatin1Bytes) {
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));
  EXPECT_FALSE(is_valid_utf8("\xE9\xF1\xFC"));
}

TEST(IsValidUtf8Test, RejectsStrayContinuationAndInvalidLeadBytes) {
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(
      is_valid_utf8("a\xBF"
                    "b"));
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(IsValidUtf8Test, RejectsOverlongEncodings) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));  // '/' in two bytes
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // '/' in three bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in three bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));  // '/' in four bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in four bytes
}

TEST(IsValidUtf8Test, RejectsSurrogates) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 style pair
}

TEST(IsValidUtf8Test, RejectsCodePointsAboveMaximum) {
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF7\xBF\xBF\xBF"));
}

TEST(IsValidUtf8Test, RejectsTruncatedSequences) {
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xE6\x98"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x8E"));
  EXPECT_FALSE(
      is_valid_utf8("ab\xF0\x9F\x8E"
                    "c"));  // continuation replaced by ASCII
  EXPECT_FALSE(is_valid_utf8("\xE6\x98 x"));
}

}  // namespace
}  // namespace musicagent::pipeline
