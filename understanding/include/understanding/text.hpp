#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace musicagent::understanding {

// Reading text without regular expressions: one pass over the bytes, so any input (long,
// malformed UTF-8, emoji) costs linear time and constant stack.

// Lower case with Latin accents folded ("Björk" -> "bjork", "Motörhead" -> "motorhead",
// "Ñ" -> "n", "ß" -> "ss"); typographic quotes and dashes as their ASCII forms; other UTF-8
// (CJK, Cyrillic, Hangul) unchanged.
std::string fold(std::string_view text);

struct Token {
  enum class Kind : std::uint8_t { word, number, punct };
  std::string norm;  // folded word ("dont", "80s", "hiphop" stays "hiphop"), or the punct char
  std::uint32_t begin = 0;  // byte offsets in the original text
  std::uint32_t end = 0;
  Kind kind = Kind::word;
  bool capitalized = false;  // the word starts with a capital letter in the original
  bool upper = false;        // every letter of the word is a capital
  bool possessive = false;   // "Adele's": the 's was taken off
  bool sentence_start = false;

  bool is_word() const { return kind != Kind::punct; }
  bool is_punct(char c) const { return kind == Kind::punct && norm.size() == 1 && norm[0] == c; }
};

// Words, numbers and the punctuation that matters (. , ? ! ; : " ( ) - and #), with offsets.
// Apostrophes join ("don't" -> "dont"); "&" and a lone "+" are the word "and"; "a$ap" is
// "asap" and "p!nk" is "pink"; "h.e.r" is three words; a period after an initial or an
// abbreviation ("J. Cole", "Dr. Dre") is not a sentence end. At most `max_tokens` tokens.
std::vector<Token> tokenize(std::string_view text, std::size_t max_tokens = 512);

// Words joined by single spaces: the key of lexicon phrases.
std::string spaced_key(const std::vector<Token>& tokens, std::size_t begin, std::size_t end);
// Words run together with "and" as "n": the key of names and genres ("AC/DC" and "acdc" are
// both "acdc"; "Guns N' Roses" and "guns and roses" are both "gunsnroses").
std::string compact_key(const std::vector<Token>& tokens, std::size_t begin, std::size_t end);

// The keys of a whole phrase, tokenized first.
std::string spaced_key(std::string_view phrase);
std::string compact_key(std::string_view phrase);
// The words of a phrase (folded), without punctuation.
std::vector<std::string> words(std::string_view phrase);

// Optimal string alignment distance (Levenshtein with adjacent transpositions), stopping
// early once it exceeds `limit` (returns limit + 1 then).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace musicagent::understanding
