// The parse cases of tests/cases/understanding/parse.json against the small catalogue beside
// them: each case gives a message and what its parse must say.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "understanding/understanding.hpp"
#include "understanding_fixture.hpp"

namespace musicagent::understanding {
namespace {

using nlohmann::json;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> strings(const json& list) {
  std::vector<std::string> out;
  for (const auto& v : list) out.push_back(v.get<std::string>());
  return out;
}

void check_request(const json& want, const Request& r, const catalog::Snapshot& s) {
  auto names = [&](bool negated) {
    std::vector<std::string> out;
    for (const auto& a : r.artists) {
      if (a.negated == negated) out.push_back(s.artists()[a.artist].name);
    }
    return out;
  };
  if (want.contains("intent")) {
    EXPECT_EQ(intent_name(r.intent), want["intent"].get<std::string>());
  }
  if (want.contains("artists")) {
    EXPECT_EQ(sorted(names(false)), sorted(strings(want["artists"])));
  }
  if (want.contains("exclude_artists")) {
    EXPECT_EQ(sorted(names(true)), sorted(strings(want["exclude_artists"])));
  }
  if (want.contains("match")) {
    ASSERT_FALSE(r.artists.empty());
    EXPECT_EQ(r.artists.front().match, want["match"].get<std::string>());
  }
  if (want.contains("lastfm_artists")) {
    std::vector<std::string> out;
    for (const auto& l : r.listened) out.push_back(s.listened_artists()[l.listened].name);
    EXPECT_EQ(out, strings(want["lastfm_artists"]));
  }
  if (want.contains("genres")) {
    EXPECT_EQ(sorted(r.genre_names(false)), sorted(strings(want["genres"])));
  }
  if (want.contains("exclude_genres")) {
    EXPECT_EQ(sorted(r.genre_names(true)), sorted(strings(want["exclude_genres"])));
  }
  if (want.contains("moods")) {
    EXPECT_EQ(sorted(r.mood_names(false)), sorted(strings(want["moods"])));
  }
  if (want.contains("exclude_moods")) {
    EXPECT_EQ(sorted(r.mood_names(true)), sorted(strings(want["exclude_moods"])));
  }
  if (want.contains("tracks")) {
    std::vector<std::string> out;
    for (const auto& t : r.tracks) out.push_back(s.tracks()[t.track].name);
    EXPECT_EQ(out, strings(want["tracks"]));
  }
  if (want.contains("albums")) {
    ASSERT_EQ(r.albums.size(), want["albums"].size());
  }
  for (const auto& c : want.value("conditions", json::array())) {
    const auto feature = catalog::feature_from_name(c["feature"].get<std::string>());
    ASSERT_TRUE(feature);
    const auto it = std::find_if(r.thresholds.begin(), r.thresholds.end(),
                                 [&](const Threshold& t) { return t.range.feature == *feature; });
    ASSERT_NE(it, r.thresholds.end()) << "no condition on " << c["feature"];
    if (c.contains("min")) {
      ASSERT_TRUE(it->range.min);
      EXPECT_NEAR(*it->range.min, c["min"].get<double>(), 1e-6);
    }
    if (c.contains("max")) {
      ASSERT_TRUE(it->range.max);
      EXPECT_NEAR(*it->range.max, c["max"].get<double>(), 1e-6);
    }
  }
  for (const auto& c : want.value("comparatives", json::array())) {
    const auto feature = catalog::feature_from_name(c["feature"].get<std::string>());
    const int sign = c["direction"] == "more" ? +1 : -1;
    EXPECT_TRUE(std::any_of(r.comparatives.begin(), r.comparatives.end(), [&](const auto& x) {
      return x.feature == *feature && x.sign == sign;
    })) << c.dump();
  }
  if (want.contains("count")) {
    EXPECT_EQ(r.count.value_or(-1), want["count"].get<int>());
  }
  if (want.contains("ordinal")) {
    EXPECT_EQ(r.ordinal.value_or(0), want["ordinal"].get<int>());
  }
  if (want.contains("aspect")) {
    EXPECT_EQ(aspect_name(r.aspect), want["aspect"].get<std::string>());
  }
  if (want.contains("era")) {
    EXPECT_EQ(r.era.value_or(""), want["era"].get<std::string>());
  }
  if (want.contains("superlative")) {
    EXPECT_EQ(r.superlative > 0 ? "most" : r.superlative < 0 ? "least" : "", want["superlative"]);
  }
  for (const char* flag : {"clean", "kids", "refers_back", "blend", "similar", "wants_artists"}) {
    if (!want.contains(flag)) continue;
    const bool actual = std::string(flag) == "clean"         ? r.clean
                        : std::string(flag) == "kids"        ? r.kids
                        : std::string(flag) == "refers_back" ? r.refers_back
                        : std::string(flag) == "blend"       ? r.blend
                        : std::string(flag) == "similar"     ? r.similar
                                                             : r.wants_artists;
    EXPECT_EQ(actual, want[flag].get<bool>()) << flag;
  }
}

TEST(UnderstandingCases, EveryCaseParsesAsWritten) {
  const auto understood = test::fixture_understanding();
  std::ifstream in(std::string(MUSICAGENT_SOURCE_DIR) + "/tests/cases/understanding/parse.json");
  const auto cases = json::parse(in);
  ASSERT_GT(cases.size(), 50u);
  for (const auto& c : cases) {
    const auto text = c.at("text").get<std::string>();
    SCOPED_TRACE(text);
    const auto parse = understood->parser->parse(text);
    const auto& want = c.at("expect");
    SCOPED_TRACE(parse.to_json(*understood->snapshot).dump());
    if (want.contains("sql")) {
      EXPECT_EQ(parse.sql.has_value(), want["sql"].get<bool>());
    }
    if (want.contains("social")) {
      std::vector<std::string> social;
      if (parse.greeting) social.push_back("greeting");
      if (parse.thanks) social.push_back("thanks");
      if (parse.closing) social.push_back("closing");
      if (parse.help) social.push_back("help");
      EXPECT_EQ(sorted(social), sorted(strings(want["social"])));
    }
    if (want.contains("requests")) {
      ASSERT_EQ(parse.requests.size(), want["requests"].size());
      for (std::size_t i = 0; i < parse.requests.size(); ++i) {
        SCOPED_TRACE("request " + std::to_string(i));
        check_request(want["requests"][i], parse.requests[i], *understood->snapshot);
      }
    }
  }
}

}  // namespace
}  // namespace musicagent::understanding
