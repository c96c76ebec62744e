// The tokenizer's edge cases: what people type (apostrophes, accents, ampersands, dotted
// initials, emoji, broken UTF-8) and what attackers type (very long input).
#include "understanding/text.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace musicagent::understanding {
namespace {

std::vector<std::string> norms(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(t.norm);
  return out;
}

TEST(Text, FoldsAccentsCaseAndTypography) {
  EXPECT_EQ(fold("Björk – Motörhead’s “Ace”"), "bjork - motorhead's \"ace\"");
  EXPECT_EQ(fold("ÑANDÚ Straße Œuvre"), "nandu strasse oeuvre");
  EXPECT_EQ(fold("米津玄師"), "米津玄師");  // other scripts stay as they are
}

TEST(Text, JoinsApostrophesAndSplitsPossessives) {
  EXPECT_EQ(norms(tokenize("I don't like 80's music")),
            (std::vector<std::string>{"i", "dont", "like", "80s", "music"}));
  const auto adele = tokenize("Adele's best songs");
  EXPECT_EQ(adele[0].norm, "adele");
  EXPECT_TRUE(adele[0].possessive);
  EXPECT_EQ(norms(tokenize("let's go, it's fine")),
            (std::vector<std::string>{"lets", "go", ",", "its", "fine"}));
  EXPECT_EQ(norms(tokenize("Guns N' Roses rock 'n' roll")),
            (std::vector<std::string>{"guns", "n", "roses", "rock", "n", "roll"}));
}

TEST(Text, ReadsSymbolsInsideNames) {
  EXPECT_EQ(norms(tokenize("A$AP Rocky & P!nk + AC/DC")),
            (std::vector<std::string>{"asap", "rocky", "and", "pink", "and", "ac", "dc"}));
  EXPECT_EQ(compact_key("Guns N' Roses"), compact_key("guns and roses"));
  EXPECT_EQ(compact_key("R&B"), compact_key("r n b"));
  EXPECT_EQ(compact_key("H.E.R."), "her");
}

TEST(Text, AnInitialOrAbbreviationIsNotASentenceEnd) {
  const auto tokens = tokenize("J. Cole and Dr. Dre. Then more.");
  std::size_t periods = 0;
  for (const auto& t : tokens) periods += t.is_punct('.') ? 1 : 0;
  EXPECT_EQ(periods, 2u);
  EXPECT_EQ(tokens[0].norm, "j");
  EXPECT_FALSE(tokens[1].is_punct('.'));
}

TEST(Text, KeepsByteOffsetsOfTheOriginal) {
  const std::string text = "Play Björk now";
  const auto tokens = tokenize(text);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin), "Björk");
  EXPECT_TRUE(tokens[1].capitalized);
  EXPECT_TRUE(tokens[0].sentence_start);
}

TEST(Text, SurvivesBrokenUtf8EmojiAndControlBytes) {
  const std::string text =
      std::string("jazz \xff\xfe\xc3 \xf0\x9f\x8e\xb5 blues\x01\x02") + "\xe2\x80";
  const auto tokens = tokenize(text);
  EXPECT_EQ(norms(tokens), (std::vector<std::string>{"jazz", "blues"}));
}

TEST(Text, StopsAtTheTokenCapOnHugeInput) {
  const std::string huge(2'000'000, 'a');
  const std::string words = [] {
    std::string s;
    for (int i = 0; i < 200'000; ++i) s += "la ";
    return s;
  }();
  EXPECT_EQ(tokenize(huge).size(), 1u);
  EXPECT_EQ(tokenize(words, 400).size(), 400u);
  std::string deep(100'000, '(');  // what made the old regex planner recurse until it crashed
  EXPECT_EQ(tokenize(deep, 400).size(), 400u);
}

TEST(Text, EditDistanceCountsTranspositionsAndStopsEarly) {
  EXPECT_EQ(edit_distance("metalica", "metallica", 2), 1u);
  EXPECT_EQ(edit_distance("beyonse", "beyonce", 2), 1u);
  EXPECT_EQ(edit_distance("teh", "the", 2), 1u);
  EXPECT_EQ(edit_distance("abc", "xyz", 1), 2u);  // limit + 1
  EXPECT_EQ(edit_distance("short", "a much longer string", 2), 3u);
}

}  // namespace
}  // namespace musicagent::understanding
