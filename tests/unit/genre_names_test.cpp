// Genre words as people write them, mapped to the warehouse's 114 genres.
#include "tools/genre_names.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace musicagent::tools {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

// `select genre from marts.dim_genres order by genre` on the full Kaggle data.
const std::vector<std::string>& all_genres() {
  static const std::vector<std::string> genres = {
      "acoustic",
      "afrobeat",
      "alt-rock",
      "alternative",
      "ambient",
      "anime",
      "black-metal",
      "bluegrass",
      "blues",
      "brazil",
      "breakbeat",
      "british",
      "cantopop",
      "chicago-house",
      "children",
      "chill",
      "classical",
      "club",
      "comedy",
      "country",
      "dance",
      "dancehall",
      "death-metal",
      "deep-house",
      "detroit-techno",
      "disco",
      "disney",
      "drum-and-bass",
      "dub",
      "dubstep",
      "edm",
      "electro",
      "electronic",
      "emo",
      "folk",
      "forro",
      "french",
      "funk",
      "garage",
      "german",
      "gospel",
      "goth",
      "grindcore",
      "groove",
      "grunge",
      "guitar",
      "happy",
      "hard-rock",
      "hardcore",
      "hardstyle",
      "heavy-metal",
      "hip-hop",
      "honky-tonk",
      "house",
      "idm",
      "indian",
      "indie",
      "indie-pop",
      "industrial",
      "iranian",
      "j-dance",
      "j-idol",
      "j-pop",
      "j-rock",
      "jazz",
      "k-pop",
      "kids",
      "latin",
      "latino",
      "malay",
      "mandopop",
      "metal",
      "metalcore",
      "minimal-techno",
      "mpb",
      "new-age",
      "opera",
      "pagode",
      "party",
      "piano",
      "pop",
      "pop-film",
      "power-pop",
      "progressive-house",
      "psych-rock",
      "punk",
      "punk-rock",
      "r-n-b",
      "reggae",
      "reggaeton",
      "rock",
      "rock-n-roll",
      "rockabilly",
      "romance",
      "sad",
      "salsa",
      "samba",
      "sertanejo",
      "show-tunes",
      "singer-songwriter",
      "ska",
      "sleep",
      "songwriter",
      "soul",
      "spanish",
      "study",
      "swedish",
      "synth-pop",
      "tango",
      "techno",
      "trance",
      "trip-hop",
      "turkish",
      "world-music",
  };
  return genres;
}

struct Case {
  std::string input;
  std::string genre;
  std::string method;
};

void PrintTo(const Case& c, std::ostream* out) {
  *out << '"' << c.input << '"';
}

class GenreMapping : public ::testing::TestWithParam<Case> {};

TEST_P(GenreMapping, MapsToTheWarehouseGenre) {
  const auto& c = GetParam();
  const auto resolved = resolve_genre(c.input, all_genres());
  ASSERT_TRUE(resolved.ok()) << "no match; candidates: "
                             << ::testing::PrintToString(resolved.error().candidates);
  EXPECT_EQ(resolved.value().genre, c.genre);
  EXPECT_EQ(resolved.value().method, c.method);
}

INSTANTIATE_TEST_SUITE_P(
    CaseAndSpacing, GenreMapping,
    ::testing::Values(Case{"jazz", "jazz", "exact"}, Case{"JAZZ", "jazz", "exact"},
                      Case{"  Jazz  ", "jazz", "exact"}, Case{"hip-hop", "hip-hop", "exact"},
                      Case{"hip hop", "hip-hop", "exact"}, Case{"Hip Hop", "hip-hop", "exact"},
                      Case{"HipHop", "hip-hop", "exact"}, Case{"hiphop", "hip-hop", "exact"},
                      Case{"hip_hop", "hip-hop", "exact"}, Case{"Hip-Hop", "hip-hop", "exact"},
                      Case{"deep house", "deep-house", "exact"},
                      Case{"Detroit Techno", "detroit-techno", "exact"},
                      Case{"kpop", "k-pop", "exact"}, Case{"k pop", "k-pop", "exact"},
                      Case{"K-Pop", "k-pop", "exact"}, Case{"jpop", "j-pop", "exact"},
                      Case{"J Pop", "j-pop", "exact"}, Case{"edm", "edm", "exact"},
                      Case{"EDM", "edm", "exact"}, Case{"synthpop", "synth-pop", "exact"},
                      Case{"world music", "world-music", "exact"},
                      Case{"singer songwriter", "singer-songwriter", "exact"},
                      Case{"Singer/Songwriter", "singer-songwriter", "exact"},
                      Case{"singer-songwriter", "singer-songwriter", "exact"},
                      Case{"songwriter", "songwriter", "exact"}));

INSTANTIATE_TEST_SUITE_P(
    AndAmpersandN, GenreMapping,
    ::testing::Values(Case{"R&B", "r-n-b", "exact"}, Case{"r&b", "r-n-b", "exact"},
                      Case{"R & B", "r-n-b", "exact"}, Case{"rnb", "r-n-b", "exact"},
                      Case{"r n b", "r-n-b", "exact"}, Case{"r and b", "r-n-b", "exact"},
                      Case{"drum n bass", "drum-and-bass", "exact"},
                      Case{"drum and bass", "drum-and-bass", "exact"},
                      Case{"Drum & Bass", "drum-and-bass", "exact"},
                      Case{"drum'n'bass", "drum-and-bass", "exact"},
                      Case{"rock n roll", "rock-n-roll", "exact"},
                      Case{"rock and roll", "rock-n-roll", "exact"},
                      Case{"Rock & Roll", "rock-n-roll", "exact"},
                      Case{"rock 'n' roll", "rock-n-roll", "exact"},
                      Case{"rock \xE2\x80\x99n\xE2\x80\x99 roll", "rock-n-roll", "exact"},
                      Case{"rocknroll", "rock-n-roll", "exact"}));

INSTANTIATE_TEST_SUITE_P(
    Aliases, GenreMapping,
    ::testing::Values(Case{"rap", "hip-hop", "alias"}, Case{"Rhythm and Blues", "r-n-b", "alias"},
                      Case{"dnb", "drum-and-bass", "alias"}, Case{"DnB", "drum-and-bass", "alias"},
                      Case{"d&b", "drum-and-bass", "alias"}, Case{"korean pop", "k-pop", "alias"},
                      Case{"japanese rock", "j-rock", "alias"}, Case{"c-pop", "mandopop", "alias"},
                      Case{"electronic dance music", "edm", "alias"},
                      Case{"electronica", "electronic", "alias"},
                      Case{"alternative rock", "alt-rock", "alias"},
                      Case{"psychedelic", "psych-rock", "alias"},
                      Case{"indie rock", "indie", "alias"}, Case{"bollywood", "pop-film", "alias"},
                      Case{"children's music", "children", "alias"}));

INSTANTIATE_TEST_SUITE_P(AccentsAndMisspellings, GenreMapping,
                         ::testing::Values(Case{"reggaet\xC3\xB3n", "reggaeton", "exact"},
                                           Case{"forr\xC3\xB3", "forro", "exact"},
                                           Case{"reggeaton", "reggaeton", "fuzzy"},
                                           Case{"techo", "techno", "fuzzy"},
                                           Case{"jaz", "jazz", "fuzzy"},
                                           Case{"punk rok", "punk-rock", "fuzzy"},
                                           Case{"deep hous", "deep-house", "fuzzy"},
                                           Case{"hiphopp", "hip-hop", "fuzzy"}));

INSTANTIATE_TEST_SUITE_P(NamedInsideLongerText, GenreMapping,
                         ::testing::Values(Case{"jazz music", "jazz", "partial"},
                                           Case{"90s hip hop", "hip-hop", "partial"},
                                           Case{"lofi hip hop", "hip-hop", "partial"},
                                           Case{"melodic progressive house", "progressive-house",
                                                "partial"},
                                           Case{"classical music", "classical", "partial"}));

TEST(GenreNames, KeysIgnoreCaseSpacingAndTheWordAnd) {
  EXPECT_EQ(genre_key("Hip-Hop"), "hiphop");
  EXPECT_EQ(genre_key("R&B"), genre_key("r-n-b"));
  EXPECT_EQ(genre_key("Drum and Bass"), genre_key("drum-and-bass"));
  EXPECT_EQ(genre_key("drum n bass"), genre_key("drum-and-bass"));
  EXPECT_EQ(genre_key("Rock & Roll"), genre_key("rock-n-roll"));
  EXPECT_EQ(genre_key("  "), "");
}

TEST(GenreNames, NoTwoWarehouseGenresShareAKey) {
  std::set<std::string> keys;
  for (const auto& genre : all_genres()) EXPECT_TRUE(keys.insert(genre_key(genre)).second) << genre;
}

TEST(GenreNames, EveryWarehouseGenreMapsToItself) {
  for (const auto& genre : all_genres()) {
    const auto resolved = resolve_genre(genre, all_genres());
    ASSERT_TRUE(resolved.ok()) << genre;
    EXPECT_EQ(resolved.value().genre, genre);
  }
}

TEST(GenreNames, LofiIsNotAGenreOfTheWarehouse) {
  for (const std::string text : {"lofi", "lo-fi", "Lo Fi"}) {
    const auto resolved = resolve_genre(text, all_genres());
    ASSERT_FALSE(resolved.ok()) << text;
    EXPECT_FALSE(resolved.error().ambiguous);
    EXPECT_EQ(resolved.error().candidates.size(), kGenreSuggestions);
  }
}

TEST(GenreNames, UnknownGenresComeWithTheFiveClosest) {
  const auto polka = resolve_genre("polka", all_genres());
  ASSERT_FALSE(polka.ok());
  EXPECT_FALSE(polka.error().ambiguous);
  EXPECT_THAT(polka.error().candidates, ElementsAre("folk", "opera", "pop", "punk", "rock"));

  const auto chillhop = resolve_genre("chillhop", all_genres());
  ASSERT_FALSE(chillhop.ok());
  ASSERT_EQ(chillhop.error().candidates.size(), kGenreSuggestions);
  EXPECT_EQ(chillhop.error().candidates[0], "chill");
  EXPECT_THAT(chillhop.error().candidates, ::testing::Contains("hip-hop"));

  // A word close to no genre is not forced onto one ("lounge" is two edits from "grunge").
  EXPECT_FALSE(resolve_genre("lounge", all_genres()).ok());
  EXPECT_FALSE(resolve_genre("zzzz", all_genres()).ok());
}

TEST(GenreNames, TiesAreAmbiguous) {
  const auto latina = resolve_genre("latina", all_genres());  // one edit from latin and latino
  ASSERT_FALSE(latina.ok());
  EXPECT_TRUE(latina.error().ambiguous);
  EXPECT_THAT(latina.error().candidates, UnorderedElementsAre("latin", "latino"));

  const auto sad_jazz = resolve_genre("sad jazz", all_genres());  // two genres named
  ASSERT_FALSE(sad_jazz.ok());
  EXPECT_TRUE(sad_jazz.error().ambiguous);
  EXPECT_THAT(sad_jazz.error().candidates, ElementsAre("sad", "jazz"));

  const auto emo_rap = resolve_genre("emo rap", all_genres());  // a genre and an alias
  ASSERT_FALSE(emo_rap.ok());
  EXPECT_THAT(emo_rap.error().candidates, ElementsAre("emo", "hip-hop"));
}

TEST(GenreNames, SharedKeysAreAmbiguous) {
  const std::vector<std::string> known = {"hip-hop", "hiphop", "jazz"};
  const auto resolved = resolve_genre("Hip Hop", known);
  ASSERT_FALSE(resolved.ok());
  EXPECT_TRUE(resolved.error().ambiguous);
  EXPECT_THAT(resolved.error().candidates, UnorderedElementsAre("hip-hop", "hiphop"));
}

TEST(GenreNames, AliasesOnlyPointAtKnownGenres) {
  const std::vector<std::string> fixture = {"acoustic", "folk", "j-pop", "pop", "rock"};
  EXPECT_FALSE(resolve_genre("rap", fixture).ok());  // hip-hop is not in this list
  const auto jpop = resolve_genre("japanese pop", fixture);
  ASSERT_TRUE(jpop.ok());
  EXPECT_EQ(jpop.value().genre, "j-pop");
  EXPECT_EQ(jpop.value().method, "alias");
}

TEST(GenreNames, SimilarityIsSymmetricAndBounded) {
  EXPECT_DOUBLE_EQ(genre_similarity("hip hop", "hip-hop"), 1.0);
  EXPECT_DOUBLE_EQ(genre_similarity("techno", "techo"), genre_similarity("techo", "techno"));
  EXPECT_GT(genre_similarity("techo", "techno"), genre_similarity("techo", "jazz"));
  EXPECT_GE(genre_similarity("zzzz", "jazz"), 0.0);
  EXPECT_EQ(closest_genres("hip hop", all_genres(), 2).front(), "hip-hop");
}

TEST(GenreNames, EditDistanceCountsTranspositionsOnce) {
  EXPECT_EQ(edit_distance("reggaeton", "reggeaton"), 1u);
  EXPECT_EQ(edit_distance("jazz", "jaz"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("grunge", "lounge"), 2u);
}

}  // namespace
}  // namespace musicagent::tools
