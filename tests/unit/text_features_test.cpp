#include "rag/text_features.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace musicagent::rag {
namespace {

using ::testing::ElementsAre;

TEST(TokenizeTest, LowercasesAndSplitsOnPunctuation) {
  EXPECT_THAT(tokenize("Karma Police — Radiohead, 1997!"),
              ElementsAre("karma", "police", "radiohead", "1997"));
}

TEST(TokenizeTest, FoldsLatinAccentsSoSpellingsMeet) {
  EXPECT_THAT(tokenize("Beyoncé Måneskin Sigur Rós Motörhead"),
              ElementsAre("beyonce", "maneskin", "sigur", "ros", "motorhead"));
}

TEST(TokenizeTest, DropsApostrophesInsideWords) {
  EXPECT_THAT(tokenize("Don't Stop Me Now, don’t"),
              ElementsAre("dont", "stop", "me", "now", "dont"));
}

TEST(TokenizeTest, KeepsNonLatinScriptsWholeAndSplitsOnEmoji) {
  EXPECT_THAT(tokenize("米津玄師 방탄소년단 🐝 محسن"),
              ElementsAre("米津玄師", "방탄소년단", "محسن"));
}

TEST(ExtractFeaturesTest, StopwordsGiveNoWordFeatureButCharGramsRemain) {
  FeatureOptions options;
  const auto with = extract_features("the", options);
  for (const auto& feature : with) EXPECT_NE(feature.kind, FeatureKind::word);
  options.stopwords = false;
  const auto without = extract_features("the", options);
  EXPECT_EQ(std::count_if(without.begin(), without.end(),
                          [](const Feature& f) { return f.kind == FeatureKind::word; }),
            1);
}

TEST(ExtractFeaturesTest, MisspellingSharesMostCharacterNgrams) {
  FeatureOptions options;
  auto grams = [&](const std::string& text) {
    std::set<std::uint64_t> hashes;
    for (const auto& f : extract_features(text, options)) {
      if (f.kind == FeatureKind::char_ngram) hashes.insert(f.hash);
    }
    return hashes;
  };
  const auto right = grams("radiohead");
  const auto typo = grams("radiohed");
  const auto other = grams("metallica");
  auto shared = [](const auto& a, const auto& b) {
    return std::count_if(a.begin(), a.end(), [&](auto h) { return b.count(h) != 0; });
  };
  EXPECT_GE(shared(right, typo), 8);
  EXPECT_EQ(shared(right, other), 0);
}

TEST(ExtractFeaturesTest, BigramsAndCharGramsCanBeSwitchedOff) {
  FeatureOptions options;
  options.bigrams = false;
  options.char_ngrams = false;
  const auto features = extract_features("upbeat jazz piano", options);
  ASSERT_EQ(features.size(), 3u);
  for (const auto& f : features) EXPECT_EQ(f.kind, FeatureKind::word);
}

TEST(ExtractFeaturesTest, CharGramsCountCodePointsNotBytes) {
  FeatureOptions options;
  options.char_ngram_min = 3;
  options.char_ngram_max = 3;
  options.stopwords = false;
  // "<米津>" is 4 code points: 2 trigrams, whatever its byte length.
  const auto features = extract_features("米津", options);
  EXPECT_EQ(std::count_if(features.begin(), features.end(),
                          [](const Feature& f) { return f.kind == FeatureKind::char_ngram; }),
            2);
}

}  // namespace
}  // namespace musicagent::rag
