#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace musicagent::tools {

// Genre words as people write them, mapped to the warehouse's genre names (marts.dim_genres:
// "hip-hop", "r-n-b", "drum-and-bass", ...). Pure functions over the list of known genres.

// The comparison key of a genre name: lower case, common Latin accents folded, punctuation
// and spaces dropped, and "&", "and" and "n" as one word ("R&B", "r n b" and "r-n-b" are all
// "rnb"; "drum and bass" and "drum 'n' bass" are both "drumnbass").
std::string genre_key(std::string_view text);

struct GenreMatch {
  std::string genre;   // one of the known genres
  std::string method;  // exact | alias | fuzzy | partial (a genre named inside the text)
};

struct GenreMiss {
  bool ambiguous = false;               // several genres fit equally well
  std::vector<std::string> candidates;  // ambiguous: those genres; unknown: the closest ones
};

using GenreResolution = common::Result<GenreMatch, GenreMiss>;

inline constexpr std::size_t kGenreSuggestions = 5;

// Tries, in order: the key equal to a known genre's key; the alias table ("rap", "dnb",
// "korean pop", ...); a small edit distance to one genre or alias ("reggeaton", "punk rok";
// a tie is ambiguous: "latina"); and a known genre or alias named inside the text as whole
// words ("90s hip hop", "jazz music"), ambiguous when it names several ("sad jazz"). An
// unknown genre comes back with the kGenreSuggestions closest known genres.
GenreResolution resolve_genre(std::string_view text, const std::vector<std::string>& known_genres);

// The `count` known genres most similar to `text` (trigram and edit-distance similarity of
// their keys), most similar first, ties by name.
std::vector<std::string> closest_genres(std::string_view text,
                                        const std::vector<std::string>& known_genres,
                                        std::size_t count = kGenreSuggestions);

// 0..1: the larger of the trigram similarity of the two names' words and one minus their
// keys' edit distance over the longer key's length.
double genre_similarity(std::string_view a, std::string_view b);

// Optimal string alignment distance (Levenshtein with adjacent transpositions) on bytes;
// the artist resolver uses it too.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace musicagent::tools
