#include "tools/genre_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <utility>

namespace musicagent::tools {
namespace {

// Other names for genres of marts.dim_genres. Spelling variants ("hip hop", "HipHop", "R&B",
// "rnb", "drum n bass", "k pop", "rock & roll", "singer songwriter") need no entry: they share
// the genre's key. An entry whose genre is not in the known list is ignored.
constexpr std::array<std::pair<std::string_view, std::string_view>, 34> kAliases{{
    {"rap", "hip-hop"},
    {"hip hop rap", "hip-hop"},
    {"rap hip hop", "hip-hop"},
    {"rhythm and blues", "r-n-b"},
    {"dnb", "drum-and-bass"},
    {"korean pop", "k-pop"},
    {"japanese pop", "j-pop"},
    {"japanese rock", "j-rock"},
    {"c-pop", "mandopop"},
    {"chinese pop", "mandopop"},
    {"mandarin pop", "mandopop"},
    {"cantonese pop", "cantopop"},
    {"electronic dance music", "edm"},
    {"electronica", "electronic"},
    {"intelligent dance music", "idm"},
    {"electro house", "electro"},
    {"alternative rock", "alt-rock"},
    {"psychedelic rock", "psych-rock"},
    {"psychedelic", "psych-rock"},
    {"psych", "psych-rock"},
    {"indie rock", "indie"},
    {"classic rock", "rock"},
    {"britpop", "british"},
    {"broadway", "show-tunes"},
    {"musicals", "show-tunes"},
    {"musical theatre", "show-tunes"},
    {"musical theater", "show-tunes"},
    {"world", "world-music"},
    {"musica popular brasileira", "mpb"},
    {"brazilian", "brazil"},
    {"bollywood", "pop-film"},
    {"filmi", "pop-film"},
    {"kids music", "kids"},
    {"childrens music", "children"},
}};

constexpr std::size_t kLongestNamedRun = 4;  // words of a genre named inside a longer text

// Lower-case ASCII for a Latin-1 letter encoded as 0xC3 `second` in UTF-8, or 0.
char fold_latin1(unsigned char second) {
  // U+00C0..U+00FF, capitals then small letters; a space marks a non-letter.
  static constexpr std::string_view kFolded =
      "aaaaaaaceeeeiiii"   // C0..CF
      "dnooooo ouuuuyts"   // D0..DF (D7 is x, DF is sharp s)
      "aaaaaaaceeeeiiii"   // E0..EF
      "dnooooo ouuuuyty";  // F0..FF (F7 is division)
  if (second < 0x80 || second > 0xBF) return 0;
  const char c = kFolded[second - 0x80];
  return c == ' ' ? 0 : c;
}

// The words of a text: lower case, accents folded, "&" as "and", split at anything that is
// not a letter or digit, including typographic quotes and dashes (U+2000..U+203F); other
// UTF-8 characters are kept as they are.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      if (const char folded = fold_latin1(static_cast<unsigned char>(text[i + 1]))) {
        word += folded;
        ++i;
        continue;
      }
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
      flush();
      i += 2;
    } else if (c >= 0x80) {
      word += static_cast<char>(c);
    } else if (std::isalnum(c)) {
      word += static_cast<char>(std::tolower(c));
    } else if (c == '&') {
      flush();
      out.emplace_back("and");
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::string key_of_words(const std::vector<std::string>& list, std::size_t from, std::size_t to) {
  std::string key;
  for (std::size_t i = from; i < to; ++i) key += (list[i] == "and" ? "n" : list[i]);
  return key;
}

// A misspelling: at most two edits, and at most one per four letters of the longer key
// ("reggeaton", "techo", "jaz"; not "lounge" for "grunge").
constexpr std::size_t kMaxEdits = 2;
constexpr std::size_t kLettersPerEdit = 4;

bool close_enough(std::size_t distance, std::size_t longer_length) {
  return distance <= kMaxEdits && distance * kLettersPerEdit <= longer_length;
}

// pg_trgm's trigrams: each word padded with two spaces before and one after.
std::set<std::string> trigrams(std::string_view text) {
  std::set<std::string> out;
  for (const auto& word : words(text)) {
    const std::string padded = "  " + word + " ";
    for (std::size_t i = 0; i + 3 <= padded.size(); ++i) out.insert(padded.substr(i, 3));
  }
  return out;
}

// Every name a genre answers to: its own key and its aliases' keys.
struct NameTable {
  std::map<std::string, std::vector<std::string>> genres_by_key;

  explicit NameTable(const std::vector<std::string>& known) {
    for (const auto& genre : known) add(genre_key(genre), genre);
    const std::set<std::string> known_set(known.begin(), known.end());
    for (const auto& [alias, genre] : kAliases) {
      if (known_set.count(std::string(genre)) != 0) add(genre_key(alias), std::string(genre));
    }
  }

  void add(const std::string& key, const std::string& genre) {
    auto& list = genres_by_key[key];
    if (std::find(list.begin(), list.end(), genre) == list.end()) list.push_back(genre);
  }

  const std::vector<std::string>* find(const std::string& key) const {
    const auto it = genres_by_key.find(key);
    return it == genres_by_key.end() ? nullptr : &it->second;
  }
};

GenreResolution one_or_ambiguous(const std::vector<std::string>& genres,
                                 const std::string& method) {
  if (genres.size() == 1) return GenreMatch{genres.front(), method};
  return GenreMiss{true, genres};
}

// Known genres named inside the text as a run of whole words; a run inside a longer named
// run does not count ("progressive house" names progressive-house, not house).
std::vector<std::string> named_inside(const std::vector<std::string>& text_words,
                                      const NameTable& names) {
  struct Span {
    std::size_t from, to;
    std::vector<std::string> genres;
  };
  std::vector<Span> spans;
  for (std::size_t from = 0; from < text_words.size(); ++from) {
    for (std::size_t to = from + 1; to <= text_words.size() && to - from <= kLongestNamedRun;
         ++to) {
      if (const auto* genres = names.find(key_of_words(text_words, from, to))) {
        spans.push_back({from, to, *genres});
      }
    }
  }
  std::vector<std::string> found;
  for (const auto& span : spans) {
    const bool inside_longer = std::any_of(spans.begin(), spans.end(), [&](const Span& other) {
      return other.from <= span.from && span.to <= other.to &&
             other.to - other.from > span.to - span.from;
    });
    if (inside_longer) continue;
    for (const auto& genre : span.genres) {
      if (std::find(found.begin(), found.end(), genre) == found.end()) found.push_back(genre);
    }
  }
  return found;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string genre_key(std::string_view text) {
  const auto list = words(text);
  return key_of_words(list, 0, list.size());
}

double genre_similarity(std::string_view a, std::string_view b) {
  const auto ta = trigrams(a), tb = trigrams(b);
  std::size_t shared = 0;
  for (const auto& t : ta) shared += tb.count(t);
  const std::size_t all = ta.size() + tb.size() - shared;
  const double trigram = all == 0 ? 0.0 : static_cast<double>(shared) / static_cast<double>(all);
  const auto ka = genre_key(a), kb = genre_key(b);
  const std::size_t longer = std::max(ka.size(), kb.size());
  const double edit =
      longer == 0 ? 0.0
                  : 1.0 - static_cast<double>(edit_distance(ka, kb)) / static_cast<double>(longer);
  return std::max(trigram, edit);
}

std::vector<std::string> closest_genres(std::string_view text,
                                        const std::vector<std::string>& known_genres,
                                        std::size_t count) {
  std::vector<std::pair<double, std::string>> scored;
  for (const auto& genre : known_genres) scored.emplace_back(genre_similarity(text, genre), genre);
  std::sort(scored.begin(), scored.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < count; ++i) out.push_back(scored[i].second);
  return out;
}

GenreResolution resolve_genre(std::string_view text, const std::vector<std::string>& known_genres) {
  const auto text_words = words(text);
  const auto key = key_of_words(text_words, 0, text_words.size());
  const auto unknown = [&] { return GenreMiss{false, closest_genres(text, known_genres)}; };
  if (key.empty()) return unknown();

  std::vector<std::string> exact;
  for (const auto& genre : known_genres) {
    if (genre_key(genre) == key) exact.push_back(genre);
  }
  if (!exact.empty()) return one_or_ambiguous(exact, "exact");

  const NameTable names(known_genres);
  if (const auto* aliased = names.find(key)) return one_or_ambiguous(*aliased, "alias");

  std::size_t best = kMaxEdits + 1;
  std::vector<std::string> nearest;
  for (const auto& [name_key, genres] : names.genres_by_key) {
    const std::size_t distance = edit_distance(key, name_key);
    if (!close_enough(distance, std::max(key.size(), name_key.size())) || distance > best) continue;
    if (distance < best) nearest.clear();
    best = distance;
    for (const auto& genre : genres) {
      if (std::find(nearest.begin(), nearest.end(), genre) == nearest.end())
        nearest.push_back(genre);
    }
  }
  if (!nearest.empty()) {
    std::sort(nearest.begin(), nearest.end());
    return one_or_ambiguous(nearest, "fuzzy");
  }

  if (const auto inside = named_inside(text_words, names); !inside.empty()) {
    return one_or_ambiguous(inside, "partial");
  }
  return unknown();
}

}  // namespace musicagent::tools
