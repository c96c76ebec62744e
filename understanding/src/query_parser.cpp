#include "understanding/query_parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "understanding/text.hpp"

namespace musicagent::understanding {
namespace {

using catalog::Feature;

enum class Kind { cue, mood, genre, number, ordinal, feature_word, artist, listened, track, album };

// A reading of tokens [begin, end).
struct Candidate {
  std::size_t begin = 0, end = 0;
  Kind kind = Kind::cue;
  std::vector<Cue> cues;
  std::vector<std::size_t> moods;  // lexicon mood indexes
  std::vector<std::string> genres;
  double number = 0;
  std::uint32_t entity = 0;  // artist, listened, track or album index
  std::string match = "exact";
  double confidence = 1.0;
  int priority = 0;
  std::size_t words = 0;

  bool is_lexicon() const {
    return kind == Kind::cue || kind == Kind::mood || kind == Kind::genre || kind == Kind::number ||
           kind == Kind::ordinal || kind == Kind::feature_word;
  }
  bool has(Cue cue) const { return std::find(cues.begin(), cues.end(), cue) != cues.end(); }
};

// Equal-length readings: a lexicon phrase beats an artist of the same words unless the
// sentence clearly names an artist ("songs by Faster").
constexpr int kPriorityArtistNamed = 5;
constexpr int kPriorityLexicon = 4;
constexpr int kPriorityTrack = 3;
constexpr int kPriorityArtist = 2;
constexpr int kPriorityWeak = 1;

constexpr double kFuzzyConfidence = 0.85;
constexpr double kFuzzyStep = 0.1;
constexpr int kFuzzyMinPopularity =
    25;  // a misspelt name must be of a known artist, or have context
constexpr std::size_t kFuzzyMinKey = 5;
constexpr std::size_t kFuzzyTwoEditsKey = 9;
constexpr std::size_t kMaxFuzzyWindow = 3;

// "I'd", "we'll", "don't" (straight or curly apostrophe); not "Beyonce'" or "Guns N' Roses".
bool contraction(std::string_view word) {
  for (const std::string_view apostrophe :
       {std::string_view("'"), std::string_view("\xE2\x80\x99")}) {
    const auto at = word.rfind(apostrophe);
    if (at == std::string_view::npos || at == 0) continue;
    std::string tail(word.substr(at + apostrophe.size()));
    for (auto& ch : tail) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (tail == "d" || tail == "ll" || tail == "m" || tail == "re" || tail == "ve" || tail == "t")
      return true;
  }
  return false;
}
constexpr std::size_t kContextLookBack = 3;
constexpr std::size_t kMaxRequests = 4;
constexpr std::size_t kMaxTitleWords = 8;
constexpr int kMaxCount = 50;
constexpr double kPlaylistMinutes = 15;  // a longer duration is the playlist's, not a track's
constexpr double kMinutesPerTrack = 3.5;

bool is_word(const std::vector<Token>& t, std::size_t i) {
  return i < t.size() && t[i].is_word();
}

bool one_of(std::string_view word, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// Words that carry no meaning of their own between a cue and what it points at.
bool filler(std::string_view w) {
  return one_of(w, {"the",  "a",       "an",     "some", "any",  "of",     "more",  "really",
                    "much", "too",     "very",   "so",   "that", "this",   "those", "these",
                    "my",   "your",    "stuff",  "just", "at",   "all",    "big",   "huge",
                    "real", "totally", "at all", "into", "to",   "listen", "hear"});
}

bool list_joint(const Token& t) {
  return t.is_punct(',') || t.is_punct('/') ||
         one_of(t.norm, {"and", "or", "nor", "n", "plus", "with"});
}

}  // namespace

// One parse: the tokens, the candidate readings, the chosen ones, and the requests built
// from them. Kept out of the header: it is the parser's working state.
class ParseRun {
 public:
  ParseRun(const QueryParser& parser, std::string_view text)
      : p_(parser), lex_(*parser.lexicon_), idx_(*parser.entities_), text_(text) {}

  QueryParse run();

 private:
  // Phases, in order.
  void lexicon_candidates();
  void entity_candidates();
  void fuzzy_candidates();
  void provisional_lexicon();
  void accept_entities();
  void select();
  void link_titles_and_albums();
  void build_requests(QueryParse& parse);

  // Helpers.
  std::size_t words_in(std::size_t begin, std::size_t end) const;
  const Candidate* lexicon_at(std::size_t token) const;
  bool cue_before(std::size_t begin, std::initializer_list<Cue> kinds) const;
  bool word_before(std::size_t begin, std::initializer_list<std::string_view> list) const;
  bool strong_context(const Candidate& c) const;
  bool medium_context(const Candidate& c) const;
  bool capitalized(const Candidate& c) const;
  bool real_word(const std::string& word) const;
  bool alone(const Candidate& c) const;
  std::optional<std::size_t> title_of_artist(catalog::ArtistIndex artist, std::size_t begin,
                                             std::size_t end, bool fuzzy) const;
  void replace_span(std::size_t begin, std::size_t end, Candidate chosen);
  Request request_for(std::size_t begin, std::size_t end);
  void decide_intent(Request& r);
  std::string slice(std::size_t begin_token, std::size_t end_token) const;
  Mention mention(const Candidate& c) const;

  const QueryParser& p_;
  const Lexicon& lex_;
  const EntityIndex& idx_;
  std::string_view text_;
  std::vector<Token> t_;
  std::vector<Candidate> candidates_;
  std::vector<int> provisional_;   // token -> lexicon candidate, or -1
  std::vector<Candidate> chosen_;  // non-overlapping, by begin
  std::vector<int> owner_;         // token -> chosen index, or -1
  bool capitals_informative_ = false;
};

// ---------------------------------------------------------------------------------------------

std::size_t ParseRun::words_in(std::size_t begin, std::size_t end) const {
  std::size_t n = 0;
  for (std::size_t i = begin; i < end; ++i) n += t_[i].is_word() ? 1 : 0;
  return n;
}

std::string ParseRun::slice(std::size_t begin_token, std::size_t end_token) const {
  if (begin_token >= end_token || end_token > t_.size()) return {};
  const auto from = t_[begin_token].begin, to = t_[end_token - 1].end;
  return std::string(text_.substr(from, to - from));
}

Mention ParseRun::mention(const Candidate& c) const {
  Mention m;
  m.begin = t_[c.begin].begin;
  m.end = t_[c.end - 1].end;
  m.text = slice(c.begin, c.end);
  m.confidence = c.confidence;
  m.match = c.match;
  return m;
}

void ParseRun::lexicon_candidates() {
  const std::size_t longest = std::max<std::size_t>(lex_.longest_phrase(), 4);
  for (std::size_t i = 0; i < t_.size(); ++i) {
    if (!t_[i].is_word()) continue;
    if (t_[i].kind == Token::Kind::number) {
      Candidate c;
      c.begin = i;
      c.end = i + 1;
      c.kind = Kind::number;
      c.number = std::stod(t_[i].norm.substr(0, 9));
      c.words = 1;
      c.priority = kPriorityLexicon;
      candidates_.push_back(c);
    }
    for (std::size_t end = i + 1; end <= t_.size() && t_[end - 1].is_word() && end - i <= longest;
         ++end) {
      const auto spaced = spaced_key(t_, i, end);
      const auto compact = compact_key(t_, i, end);
      const std::size_t words = end - i;
      auto base = [&](Kind kind) {
        Candidate c;
        c.begin = i;
        c.end = end;
        c.kind = kind;
        c.words = words;
        c.priority = kPriorityLexicon;
        return c;
      };
      if (const auto* cues = lex_.cues(spaced)) {
        auto c = base(Kind::cue);
        c.cues = *cues;
        candidates_.push_back(std::move(c));
      }
      if (const auto* moods = lex_.mood_words(spaced)) {
        auto c = base(Kind::mood);
        c.moods = *moods;
        candidates_.push_back(std::move(c));
      }
      if (const auto number = lex_.number(spaced)) {
        auto c = base(Kind::number);
        c.number = *number;
        candidates_.push_back(std::move(c));
      }
      if (const auto feature = lex_.feature_word(spaced)) {
        auto c = base(Kind::feature_word);
        c.entity = static_cast<std::uint32_t>(*feature);
        candidates_.push_back(std::move(c));
      }
      if (words == 1) {
        if (const auto position = lex_.ordinal(spaced)) {
          auto c = base(Kind::ordinal);
          c.number = *position;
          candidates_.push_back(std::move(c));
        }
      }
      std::vector<std::string> genres;
      if (const auto it = p_.genre_of_key_.find(compact); it != p_.genre_of_key_.end()) {
        genres.push_back(it->second);
      }
      std::string match = "exact";
      if (genres.empty()) {
        if (const auto* synonyms = lex_.genre_synonyms(compact)) {
          for (const auto& g : *synonyms) {
            if (idx_.snapshot().find_genre(g)) genres.push_back(g);
          }
          match = "synonym";
        }
      }
      // Only words can be a misspelt genre: "3 happy" is a count and a mood, not "happy" misspelt.
      bool only_unknown_words = true;
      for (std::size_t k = i; k < end; ++k) {
        if (!t_[k].is_word()) continue;
        only_unknown_words = only_unknown_words && t_[k].kind == Token::Kind::word &&
                             (words == 1 || !idx_.lexicon_word(t_[k].norm));
      }
      if (genres.empty() && words <= 2 && compact.size() >= 6 && !idx_.common_word(compact) &&
          only_unknown_words && !lex_.cues(spaced) && !lex_.mood_words(spaced)) {
        // A misspelt genre ("reggeaton", "techo music" is two words and not this): at most two
        // edits, one per four letters.
        std::size_t best = 3;
        for (const auto& [key, names] : p_.fuzzy_genre_keys_) {
          const auto d = edit_distance(compact, key, 2);
          if (d < best && d * 4 <= std::max(compact.size(), key.size())) {
            best = d;
            genres = names;
          } else if (d == best && d <= 2) {
            for (const auto& n : names) {
              if (std::find(genres.begin(), genres.end(), n) == genres.end()) genres.push_back(n);
            }
          }
        }
        if (best > 2) genres.clear();
        match = "fuzzy";
      }
      if (!genres.empty()) {
        auto c = base(Kind::genre);
        c.genres = std::move(genres);
        c.match = match;
        if (match == "fuzzy") {
          c.priority = kPriorityWeak;
          c.confidence = 0.8;
        }
        candidates_.push_back(std::move(c));
      }
    }
  }
}

void ParseRun::entity_candidates() {
  const auto& s = idx_.snapshot();
  for (std::size_t i = 0; i < t_.size(); ++i) {
    if (!t_[i].is_word()) continue;
    std::size_t words = 0;
    for (std::size_t end = i + 1; end <= t_.size() && words < EntityIndex::kMaxNameWords; ++end) {
      if (!t_[end - 1].is_word()) {
        // A name may hold a comma ("Tyler, The Creator"), never a sentence mark.
        if (!t_[end - 1].is_punct(',')) break;
        continue;
      }
      ++words;
      if (!t_[end - 1].is_word()) continue;
      const auto compact = compact_key(t_, i, end);
      if (compact.empty()) continue;
      if (words == 1 && compact.size() < 2) continue;  // "I", "a": never a name on their own
      // "I'd", "we'll": a contraction is not the name "ID" or "Well".
      if (words == 1 && contraction(text_.substr(t_[i].begin, t_[i].end - t_[i].begin))) continue;
      if (const auto* artists = idx_.artists(compact)) {
        Candidate c;
        c.begin = i;
        c.end = end;
        c.kind = Kind::artist;
        c.entity = artists->front();
        c.words = words;
        c.priority = kPriorityArtist;
        c.confidence = 0.95;
        const auto& artist = s.artists()[c.entity];
        const auto own = compact_key(artist.name);
        c.match = own == compact ? "exact"
                  : !artist.lastfm_name.empty() && compact_key(artist.lastfm_name) == compact
                      ? "lastfm"
                  : compact == own.substr(std::min<std::size_t>(3, own.size())) ? "exact"
                                                                                : "alias";
        // Several artists of one name: the most popular, a little less sure.
        if (artists->size() > 1 &&
            s.artists()[(*artists)[1]].popularity_max + 20 > artist.popularity_max) {
          c.confidence = 0.8;
        }
        candidates_.push_back(std::move(c));
      } else if (const auto* listened = idx_.listened(compact)) {
        Candidate c;
        c.begin = i;
        c.end = end;
        c.kind = Kind::listened;
        c.entity = listened->front();
        c.words = words;
        c.priority = kPriorityWeak;
        c.confidence = 0.8;
        c.match = "lastfm";
        candidates_.push_back(std::move(c));
      }
    }
  }
}

void ParseRun::fuzzy_candidates() {
  std::set<std::pair<std::size_t, std::size_t>> exact;
  for (const auto& c : candidates_) {
    if (c.kind == Kind::artist || c.kind == Kind::listened || c.kind == Kind::genre)
      exact.insert({c.begin, c.end});
  }
  for (std::size_t i = 0; i < t_.size(); ++i) {
    if (!t_[i].is_word()) continue;
    for (std::size_t end = i + 1;
         end <= t_.size() && end - i <= kMaxFuzzyWindow && t_[end - 1].is_word(); ++end) {
      if (exact.count({i, end})) continue;
      const auto compact = compact_key(t_, i, end);
      if (compact.size() < kFuzzyMinKey) continue;
      bool all_lexicon = true, any_uncommon = false;
      for (std::size_t k = i; k < end; ++k) {
        all_lexicon =
            all_lexicon && (idx_.lexicon_word(t_[k].norm) || lex_.is_common_word(t_[k].norm));
        any_uncommon = any_uncommon || !idx_.common_word(t_[k].norm);
      }
      if (all_lexicon && end - i == 1) continue;
      if (!any_uncommon && end - i == 1) continue;
      if (end - i == 1 && real_word(t_[i].norm))
        continue;  // "video", "mixes" are words, not "Vide", "MILES" misspelt
      const std::size_t max_distance = compact.size() >= kFuzzyTwoEditsKey ? 2 : 1;
      const auto matches = idx_.fuzzy_artists(compact, max_distance);
      if (matches.empty() || matches.front().distance == 0) continue;
      const auto best = matches.front();
      Candidate c;
      c.begin = i;
      c.end = end;
      c.kind = Kind::artist;
      c.entity = best.id;
      c.words = end - i;
      c.priority = kPriorityWeak;
      c.match = "fuzzy";
      c.confidence = kFuzzyConfidence - kFuzzyStep * static_cast<double>(best.distance - 1);
      // The length of the name matters too: "metalica" is surely Metallica; a five-letter
      // word one edit from a name is less sure.
      if (compact.size() < 7) c.confidence -= 0.1;
      if (!any_uncommon) c.confidence -= 0.15;
      candidates_.push_back(std::move(c));
    }
  }
}

void ParseRun::provisional_lexicon() {
  provisional_.assign(t_.size(), -1);
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < candidates_.size(); ++k) {
    if (candidates_[k].is_lexicon()) order.push_back(k);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = candidates_[a], &y = candidates_[b];
    if (x.words != y.words) return x.words > y.words;
    return x.priority > y.priority;
  });
  for (const auto k : order) {
    const auto& c = candidates_[k];
    bool free = true;
    for (std::size_t i = c.begin; i < c.end; ++i) {
      if (provisional_[i] >= 0 &&
          !(candidates_[static_cast<std::size_t>(provisional_[i])].begin == c.begin &&
            candidates_[static_cast<std::size_t>(provisional_[i])].end == c.end))
        free = false;
    }
    if (!free) continue;
    for (std::size_t i = c.begin; i < c.end; ++i) {
      if (provisional_[i] < 0) provisional_[i] = static_cast<int>(k);
    }
  }
}

const Candidate* ParseRun::lexicon_at(std::size_t token) const {
  if (token >= provisional_.size() || provisional_[token] < 0) return nullptr;
  return &candidates_[static_cast<std::size_t>(provisional_[token])];
}

bool ParseRun::cue_before(std::size_t begin, std::initializer_list<Cue> kinds) const {
  std::size_t seen = 0;
  for (std::size_t i = begin; i-- > 0 && seen < kContextLookBack;) {
    if (!t_[i].is_word()) {
      if (t_[i].is_punct(',')) continue;
      return false;
    }
    ++seen;
    if (const auto* c = lexicon_at(i); c && c->kind == Kind::cue) {
      for (const auto kind : kinds) {
        if (c->has(kind)) return true;
      }
    }
  }
  return false;
}

bool ParseRun::word_before(std::size_t begin, std::initializer_list<std::string_view> list) const {
  for (std::size_t i = begin; i-- > 0;) {
    if (!t_[i].is_word()) return false;
    if (t_[i].norm == "the") continue;
    return one_of(t_[i].norm, list);
  }
  return false;
}

// A word of the language rather than a misspelling: catalogue titles use it, or it is an
// everyday word with an inflection ("mixes", "played", "dancing").
bool ParseRun::real_word(const std::string& word) const {
  if (idx_.title_word(word)) return true;
  for (const std::string_view suffix : {"es", "s", "ed", "ing", "ly", "er"}) {
    if (word.size() > suffix.size() + 2 && word.ends_with(suffix)) {
      const auto stem = word.substr(0, word.size() - suffix.size());
      if (idx_.common_word(stem) || idx_.title_word(stem) || idx_.common_word(stem + "e"))
        return true;
    }
  }
  return false;
}

bool ParseRun::capitalized(const Candidate& c) const {
  if (!capitals_informative_) return false;
  bool any = false;
  for (std::size_t i = c.begin; i < c.end; ++i) {
    if (!t_[i].is_word() || t_[i].kind == Token::Kind::number) continue;
    if (one_of(t_[i].norm, {"the", "of", "and", "a", "n", "in", "on", "to"})) continue;
    if (!t_[i].capitalized) return false;
    any = true;
  }
  // A capital at the start of a sentence says nothing, unless the name has several words.
  if (t_[c.begin].sentence_start && c.words < 2) return false;
  return any;
}

bool ParseRun::strong_context(const Candidate& c) const {
  if (word_before(c.begin, {"by", "from", "called", "named", "feat", "featuring", "ft", "artist",
                            "band", "singer", "rapper", "group", "dj", "composer"}))
    return true;
  return capitalized(c);
}

// The name is all the message says, but for asking words ("Queen", "some Queen please").
bool ParseRun::alone(const Candidate& c) const {
  for (std::size_t i = 0; i < t_.size(); ++i) {
    if (i >= c.begin && i < c.end) continue;
    if (!t_[i].is_word()) continue;
    if (const auto* at = lexicon_at(i);
        at != nullptr && at->kind == Kind::cue &&
        (at->has(Cue::request) || at->has(Cue::more) || at->has(Cue::positive) ||
         at->has(Cue::thanks) || at->has(Cue::greeting) || at->has(Cue::music_noun)))
      continue;
    if (one_of(t_[i].norm, {"please", "pls", "the", "a", "an", "and", "also", "too", "maybe", "me",
                            "i", "we", "you", "just", "only", "now", "then", "of", "by"}))
      continue;
    return false;
  }
  return true;
}

bool ParseRun::medium_context(const Candidate& c) const {
  if (strong_context(c)) return true;
  // A one-word everyday name ("something", "queen", "rogue") needs a cue that points at a
  // person; asking words alone ("play", "looking for", "some") precede anything.
  const bool one_word = c.words < 2;
  if (cue_before(c.begin, {Cue::similar, Cue::examples, Cue::negation, Cue::info, Cue::preference}))
    return true;
  if (!one_word && cue_before(c.begin, {Cue::request, Cue::more, Cue::aspect_first,
                                        Cue::aspect_albums, Cue::positive}))
    return true;
  if (word_before(c.begin,
                  {"of", "about", "than", "like", "love", "into", "adore", "enjoy", "hear"}))
    return true;
  if (c.end < t_.size()) {
    const auto* next = lexicon_at(c.end);
    if (next && next->kind == Kind::cue &&
        (next->has(Cue::music_noun) || next->has(Cue::track_noun)) &&
        !(one_word && idx_.common_word(t_[c.begin].norm) && next->has(Cue::music_noun) &&
          !next->has(Cue::track_noun)))
      return true;
  }
  if (t_[c.end - 1].possessive) return true;
  return alone(c);
}

void ParseRun::accept_entities() {
  const auto& s = idx_.snapshot();
  // Decide first, then keep: the context checks read the candidates (through provisional_), so
  // none may move while they run.
  enum class Verdict { keep, wait, drop };
  std::vector<Verdict> verdicts(candidates_.size(), Verdict::keep);
  for (std::size_t k = 0; k < candidates_.size(); ++k) {
    auto& c = candidates_[k];
    if (c.kind != Kind::artist && c.kind != Kind::listened) continue;
    bool all_lexicon = true, all_common = true;
    for (std::size_t i = c.begin; i < c.end; ++i) {
      if (!t_[i].is_word()) continue;
      all_lexicon = all_lexicon && idx_.lexicon_word(t_[i].norm);
      all_common = all_common && idx_.common_word(t_[i].norm);
    }
    const bool common =
        all_common || (c.kind == Kind::artist && c.match != "fuzzy" && idx_.common_name(c.entity));
    const bool strong = strong_context(c);
    if (strong) c.priority = std::max(c.priority, kPriorityArtistNamed);
    bool accept;
    if (c.match == "fuzzy") {
      const int popularity = s.artists()[c.entity].popularity_max;
      accept = !all_lexicon && (popularity >= kFuzzyMinPopularity || medium_context(c)) &&
               (!all_common || medium_context(c));
    } else if (all_lexicon) {
      accept = strong;
    } else if (common) {
      accept = medium_context(c);
      if (accept && !strong) c.confidence = std::min(c.confidence, 0.75);
    } else {
      accept = true;
    }
    if (c.kind == Kind::listened && !strong && c.words < 2 && !medium_context(c)) accept = false;
    verdicts[k] = accept ? Verdict::keep : (common && !all_lexicon) ? Verdict::wait : Verdict::drop;
  }
  // "Aerosmith and Poison": an everyday name next to an accepted artist is one of a list.
  auto next_to_artist = [&](const Candidate& w) {
    for (std::size_t k = 0; k < candidates_.size(); ++k) {
      const auto& a = candidates_[k];
      if (verdicts[k] != Verdict::keep || a.kind != Kind::artist || a.match == "fuzzy") continue;
      const bool after = a.end <= w.begin && w.begin - a.end <= 2 &&
                         std::all_of(t_.begin() + static_cast<std::ptrdiff_t>(a.end),
                                     t_.begin() + static_cast<std::ptrdiff_t>(w.begin), list_joint);
      const bool before =
          w.end <= a.begin && a.begin - w.end <= 2 &&
          std::all_of(t_.begin() + static_cast<std::ptrdiff_t>(w.end),
                      t_.begin() + static_cast<std::ptrdiff_t>(a.begin), list_joint);
      if ((after || before) && a.begin != w.begin) return true;
    }
    return false;
  };
  std::vector<Candidate> kept;
  for (std::size_t k = 0; k < candidates_.size(); ++k) {
    if (verdicts[k] == Verdict::wait && next_to_artist(candidates_[k])) {
      candidates_[k].confidence = std::min(candidates_[k].confidence, 0.7);
      verdicts[k] = Verdict::keep;
    }
  }
  for (std::size_t k = 0; k < candidates_.size(); ++k) {
    if (verdicts[k] == Verdict::keep) kept.push_back(candidates_[k]);
  }
  candidates_ = std::move(kept);
  provisional_.assign(t_.size(), -1);  // its indexes were into the old list
}

void ParseRun::select() {
  std::vector<std::size_t> order(candidates_.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto &x = candidates_[a], &y = candidates_[b];
    if (x.words != y.words) return x.words > y.words;
    if (x.priority != y.priority) return x.priority > y.priority;
    if (x.confidence != y.confidence) return x.confidence > y.confidence;
    return x.begin < y.begin;
  });
  owner_.assign(t_.size(), -1);
  std::vector<Candidate> chosen;
  for (const auto k : order) {
    const auto& c = candidates_[k];
    bool free = true, same_span_lexicon = false;
    for (std::size_t i = c.begin; i < c.end; ++i) {
      if (owner_[i] < 0) continue;
      const auto& other = chosen[static_cast<std::size_t>(owner_[i])];
      // Several lexicon readings of the very same words go together ("party": a genre and
      // a mood; "sad": a genre and a mood).
      if (other.begin == c.begin && other.end == c.end && other.is_lexicon() && c.is_lexicon()) {
        same_span_lexicon = true;
        continue;
      }
      free = false;
    }
    if (!free) continue;
    chosen.push_back(c);
    if (!same_span_lexicon) {
      for (std::size_t i = c.begin; i < c.end; ++i) owner_[i] = static_cast<int>(chosen.size() - 1);
    }
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](const Candidate& a, const Candidate& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.priority > b.priority;
  });
  chosen_ = std::move(chosen);
  owner_.assign(t_.size(), -1);
  for (std::size_t k = 0; k < chosen_.size(); ++k) {
    for (std::size_t i = chosen_[k].begin; i < chosen_[k].end; ++i) {
      if (owner_[i] < 0) owner_[i] = static_cast<int>(k);
    }
  }
}

std::optional<std::size_t> ParseRun::title_of_artist(catalog::ArtistIndex artist, std::size_t begin,
                                                     std::size_t end, bool fuzzy) const {
  const auto& s = idx_.snapshot();
  const auto key = compact_key(t_, begin, end);
  if (key.size() < 2) return std::nullopt;
  const auto& tracks = s.artists()[artist].tracks;
  for (const auto t : tracks) {
    const auto& name = s.tracks()[t].name;
    if (compact_key(name) == key || compact_key(EntityIndex::cut_title(name)) == key) return t;
  }
  if (!fuzzy || key.size() < 5) return std::nullopt;
  const std::size_t limit = key.size() >= 9 ? 2 : 1;
  std::optional<std::size_t> best;
  std::size_t best_distance = limit + 1;
  for (std::size_t k = 0; k < tracks.size() && k < 400; ++k) {
    const auto cut = compact_key(EntityIndex::cut_title(s.tracks()[tracks[k]].name));
    const auto d = edit_distance(key, cut, limit);
    if (d < best_distance) {
      best_distance = d;
      best = tracks[k];
    }
  }
  return best;
}

void ParseRun::replace_span(std::size_t begin, std::size_t end, Candidate chosen) {
  std::vector<Candidate> kept;
  for (auto& c : chosen_) {
    if (c.end <= begin || c.begin >= end) kept.push_back(std::move(c));
  }
  chosen.begin = begin;
  chosen.end = end;
  chosen.words = words_in(begin, end);
  kept.push_back(std::move(chosen));
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Candidate& a, const Candidate& b) { return a.begin < b.begin; });
  chosen_ = std::move(kept);
  owner_.assign(t_.size(), -1);
  for (std::size_t k = 0; k < chosen_.size(); ++k) {
    for (std::size_t i = chosen_[k].begin; i < chosen_[k].end; ++i) {
      if (owner_[i] < 0) owner_[i] = static_cast<int>(k);
    }
  }
}

void ParseRun::link_titles_and_albums() {
  const auto& s = idx_.snapshot();
  auto chosen_at = [&](std::size_t token) -> const Candidate* {
    return token < owner_.size() && owner_[token] >= 0
               ? &chosen_[static_cast<std::size_t>(owner_[token])]
               : nullptr;
  };
  // Where a title may start when read backwards from a pivot: after punctuation, a cue that
  // asks or compares, or the start.
  auto stops_title = [&](std::size_t i) {
    if (!t_[i].is_word()) return true;
    const auto* c = chosen_at(i);
    if (c == nullptr) return false;
    if (c->kind == Kind::artist || c->kind == Kind::listened) return true;
    if (c->kind == Kind::cue) {
      return c->has(Cue::request) || c->has(Cue::similar) || c->has(Cue::more) ||
             c->has(Cue::positive) || c->has(Cue::negation) || c->has(Cue::info) ||
             c->has(Cue::thanks) || c->has(Cue::greeting) || c->has(Cue::reference_items) ||
             c->has(Cue::music_noun);
    }
    return false;
  };
  auto make_track = [&](catalog::TrackIndex track, std::string match, double confidence) {
    Candidate c;
    c.kind = Kind::track;
    c.entity = track;
    c.match = std::move(match);
    c.confidence = confidence;
    c.priority = kPriorityTrack;
    return c;
  };

  // Quoted titles: "Cuff It", “Bohemian Rhapsody”.
  for (std::size_t i = 0; i < t_.size(); ++i) {
    if (!t_[i].is_punct('"')) continue;
    std::size_t j = i + 1;
    while (j < t_.size() && !t_[j].is_punct('"') && j - i <= kMaxTitleWords + 1) ++j;
    if (j >= t_.size() || !t_[j].is_punct('"') || j == i + 1) continue;
    const auto key = compact_key(t_, i + 1, j);
    if (const auto* tracks = idx_.titles(key)) {
      replace_span(i + 1, j, make_track(tracks->front(), "quoted", 0.9));
    } else if (const auto fuzzy = idx_.fuzzy_titles(key, key.size() >= 9 ? 2 : 1); !fuzzy.empty()) {
      replace_span(i + 1, j, make_track(fuzzy.front().id, "quoted_fuzzy", 0.75));
    }
    i = j;
  }

  // "TITLE by ARTIST", "TITLE from ARTIST", "ARTIST - TITLE", "TITLE - ARTIST", "ARTIST'S TITLE",
  // and a title right after or before its artist ("fleetwood mac dreams").
  for (std::size_t k = 0; k < chosen_.size(); ++k) {
    const Candidate artist = chosen_[k];
    if (artist.kind != Kind::artist) continue;
    const auto a = static_cast<catalog::ArtistIndex>(artist.entity);
    // Backwards from a pivot word ("by", "from", "-") or from the artist itself.
    auto try_before = [&](std::size_t pivot_end, bool fuzzy, const char* match) -> bool {
      std::size_t start = pivot_end;
      while (start > 0 && !stops_title(start - 1) && pivot_end - (start - 1) <= kMaxTitleWords)
        --start;
      for (std::size_t from = start; from < pivot_end; ++from) {
        if (!t_[from].is_word()) continue;
        if (auto track = title_of_artist(a, from, pivot_end, fuzzy)) {
          replace_span(
              from, pivot_end,
              make_track(static_cast<catalog::TrackIndex>(*track), match, fuzzy ? 0.8 : 0.9));
          return true;
        }
      }
      return false;
    };
    auto try_after = [&](std::size_t from, bool fuzzy, const char* match) -> bool {
      std::size_t stop = from;
      while (stop < t_.size() && !stops_title(stop) && stop - from < kMaxTitleWords) ++stop;
      for (std::size_t to = stop; to > from; --to) {
        if (auto track = title_of_artist(a, from, to, fuzzy)) {
          replace_span(
              from, to,
              make_track(static_cast<catalog::TrackIndex>(*track), match, fuzzy ? 0.8 : 0.9));
          return true;
        }
      }
      return false;
    };
    bool found = false;
    if (artist.begin >= 1 && is_word(t_, artist.begin - 1) &&
        one_of(t_[artist.begin - 1].norm, {"by", "from", "of"})) {
      found = try_before(artist.begin - 1, true, "title_by_artist");
    } else if (artist.begin >= 2 && t_[artist.begin - 1].norm == "the" &&
               one_of(t_[artist.begin - 2].norm, {"by", "from"})) {
      found = try_before(artist.begin - 2, true, "title_by_artist");
    }
    if (!found && artist.begin >= 1 && t_[artist.begin - 1].is_punct('-'))
      found = try_before(artist.begin - 1, true, "title_dash_artist");
    if (!found && artist.end < t_.size() && t_[artist.end].is_punct('-'))
      found = try_after(artist.end + 1, true, "artist_dash_title");
    if (!found && t_[artist.end - 1].possessive)
      found = try_after(artist.end, true, "artist_title");
    if (!found) found = try_after(artist.end, false, "artist_title");
    if (!found && artist.begin > 0) found = try_before(artist.begin, false, "title_artist");
    // chosen_ changed: find the artist again by position on the next round.
    if (found) {
      for (std::size_t j = 0; j < chosen_.size(); ++j) {
        if (chosen_[j].begin == artist.begin && chosen_[j].kind == Kind::artist) k = j;
      }
    }
  }

  // After a similarity cue or a request verb, unread words may be a title on their own:
  // "something similar to Bohemian Rhapsody", "add poker face".
  for (std::size_t k = 0; k < chosen_.size(); ++k) {
    const auto c = chosen_[k];
    if (c.kind != Kind::cue) continue;
    const bool similar = c.has(Cue::similar);
    const bool request = c.has(Cue::request) && !c.has(Cue::music_noun);
    if (!similar && !request) continue;
    std::size_t from = c.end;
    while (from < t_.size() && t_[from].is_word() &&
           ((owner_[from] < 0 && filler(t_[from].norm)) ||
            (owner_[from] >= 0 && chosen_at(from)->kind == Kind::cue &&
             chosen_at(from)->has(Cue::music_noun))))
      ++from;
    std::size_t stop = from;
    // A misspelt-name guess gives way to an exact title ("Bohemian Rhapsody" is not "Bohemia"),
    // even when the title's next word is a name too (the band Rhapsody).
    const auto weak_artist = [&](std::size_t i) {
      const auto* at = chosen_at(i);
      return at && at->kind == Kind::artist && at->match == "fuzzy";
    };
    const bool starts_weak = from < t_.size() && weak_artist(from);
    while (stop < t_.size() && t_[stop].is_word() && stop - from < kMaxTitleWords) {
      const auto* at = chosen_at(stop);
      const bool passable = weak_artist(stop) || (starts_weak && at && at->kind == Kind::artist) ||
                            (stop > from && at && at->kind == Kind::listened);
      if (at && !passable &&
          (at->kind == Kind::artist || at->kind == Kind::track || at->kind == Kind::listened))
        break;
      if (at && at->kind == Kind::cue && !at->has(Cue::music_noun) && !at->has(Cue::more) &&
          stop > from)
        break;
      ++stop;
    }
    if (stop <= from) continue;
    for (std::size_t to = stop; to > from; --to) {
      // Entirely lexicon words ("something upbeat") is not a title.
      bool unread = false, uncommon = false;
      for (std::size_t i = from; i < to; ++i) {
        unread = unread || owner_[i] < 0 || chosen_at(i)->kind == Kind::genre ||
                 chosen_at(i)->kind == Kind::mood ||
                 (chosen_at(i)->kind == Kind::artist && chosen_at(i)->match == "fuzzy");
        uncommon = uncommon || !idx_.common_word(t_[i].norm);
      }
      if (!unread) continue;
      // "oldies, like rock and roll": a genre's whole name is the genre, not a song of that title.
      if (const auto* g = chosen_at(from);
          g && g->kind == Kind::genre && g->begin == from && g->end == to)
        continue;
      const auto key = compact_key(t_, from, to);
      const auto* tracks = idx_.titles(key);
      if (tracks != nullptr) {
        const auto& best = s.tracks()[tracks->front()];
        const std::size_t words = to - from;
        const bool plausible = similar ? (uncommon || words >= 2)
                                       : (best.popularity >= 50 && (uncommon || words >= 2));
        if (!plausible) continue;
        bool covers_lexicon = false;
        for (std::size_t i = from; i < to; ++i) covers_lexicon = covers_lexicon || owner_[i] >= 0;
        if (covers_lexicon && !similar && words < 2) continue;
        replace_span(from, to, make_track(tracks->front(), "title", similar ? 0.85 : 0.7));
        break;
      }
      if (similar && to == stop && key.size() >= 8 && uncommon) {
        const auto fuzzy = idx_.fuzzy_titles(key, 2);
        if (!fuzzy.empty() && s.tracks()[fuzzy.front().id].popularity >= 40) {
          replace_span(from, to, make_track(fuzzy.front().id, "title_fuzzy", 0.7));
          break;
        }
      }
    }
  }

  // Albums: "the album X", "X album", "songs from X" (a film: "from the movie Encanto").
  for (std::size_t i = 0; i < t_.size(); ++i) {
    if (!t_[i].is_word()) continue;
    const bool album_word =
        one_of(t_[i].norm, {"album", "record", "soundtrack", "movie", "film", "musical", "ep"});
    const bool from_word = t_[i].norm == "from";
    if (!album_word && !from_word) continue;
    std::size_t from = i + 1;
    while (from < t_.size() && is_word(t_, from) &&
           one_of(t_[from].norm, {"the", "movie", "film", "album", "musical", "show"}))
      ++from;
    std::size_t stop = from;
    while (stop < t_.size() && t_[stop].is_word() && owner_[stop] < 0 &&
           stop - from < kMaxTitleWords)
      ++stop;
    for (std::size_t to = stop; to > from; --to) {
      const auto key = compact_key(t_, from, to);
      if (key.size() < 3) break;
      const auto* albums = idx_.albums_named(key);
      if (albums == nullptr) continue;
      Candidate c;
      c.kind = Kind::album;
      c.entity = albums->front();
      c.match = "album";
      c.confidence = album_word ? 0.9 : 0.7;
      c.priority = kPriorityTrack;
      replace_span(from, to, c);
      break;
    }
  }
}

Request ParseRun::request_for(std::size_t begin, std::size_t end) {
  Request r;
  while (begin < end && !t_[begin].is_word() && !t_[begin].is_punct('"') &&
         !t_[begin].is_punct('#'))
    ++begin;
  if (begin >= end) return r;
  r.begin = t_[begin].begin;
  r.end = t_[end - 1].end;
  r.text = std::string(text_.substr(r.begin, r.end - r.begin));

  // Negation reaches the next named things and a list of them ("no metal or punk"), and stops
  // at punctuation or at anything else that asks.
  bool negating = false, not_too = false, negation_hit = false;
  auto add_cue = [&](Cue cue) {
    if (!r.has(cue)) r.cues.push_back(cue);
  };
  for (std::size_t i = begin; i < end; ++i) {
    if (!t_[i].is_word()) {
      if (t_[i].is_punct('?')) r.question = true;
      if (!t_[i].is_punct('"') && !t_[i].is_punct('-')) negating = not_too = negation_hit = false;
      continue;
    }
    if (owner_[i] < 0) {
      const auto& w = t_[i].norm;
      if (negating && (negation_hit ? !one_of(w, {"or", "nor", "and", "n"}) && !filler(w)
                                    : !filler(w) && w != "by" && w != "songs"))
        negating = not_too = false;
      if (!idx_.common_word(w) && t_[i].kind == Token::Kind::word) r.content_words.push_back(w);
      if (t_[i].kind == Token::Kind::word && w.size() >= 4 && !lex_.is_common_word(w) &&
          !idx_.lexicon_word(w) && !filler(w))
        r.topic_words.push_back(w);
      continue;
    }
    const auto& c = chosen_[static_cast<std::size_t>(owner_[i])];
    if (c.begin != i) continue;  // visited at its first token
    // Every lexicon reading of these words.
    std::vector<const Candidate*> readings;
    for (const auto& other : chosen_) {
      if (other.begin == c.begin && other.end == c.end) readings.push_back(&other);
    }
    bool named = false;  // this reading names something a negation applies to
    for (const auto* reading : readings) {
      switch (reading->kind) {
        case Kind::cue:
          for (const auto cue : reading->cues) add_cue(cue);
          break;
        case Kind::artist: {
          ArtistMention m;
          static_cast<Mention&>(m) = mention(*reading);
          m.artist = static_cast<catalog::ArtistIndex>(reading->entity);
          m.negated = negating;
          if (std::none_of(r.artists.begin(), r.artists.end(),
                           [&](const auto& x) { return x.artist == m.artist; }))
            r.artists.push_back(std::move(m));
          named = true;
          break;
        }
        case Kind::listened: {
          ListenedMention m;
          static_cast<Mention&>(m) = mention(*reading);
          m.listened = reading->entity;
          m.negated = negating;
          r.listened.push_back(std::move(m));
          named = true;
          break;
        }
        case Kind::track: {
          TrackMention m;
          static_cast<Mention&>(m) = mention(*reading);
          m.track = static_cast<catalog::TrackIndex>(reading->entity);
          m.negated = negating;
          r.tracks.push_back(std::move(m));
          named = true;
          break;
        }
        case Kind::album: {
          AlbumMention m;
          static_cast<Mention&>(m) = mention(*reading);
          m.album = reading->entity;
          m.negated = negating;
          r.albums.push_back(std::move(m));
          named = true;
          break;
        }
        case Kind::genre:
          for (const auto& g : reading->genres) {
            GenreMention m;
            static_cast<Mention&>(m) = mention(*reading);
            m.genre = g;
            m.negated = negating;
            r.genres.push_back(std::move(m));
          }
          named = true;
          break;
        case Kind::mood:
          for (const auto mood_index : reading->moods) {
            const auto& mood = p_.moods_->moods()[mood_index];
            if (mood.feature_only) {
              const auto& conditions = negating ? mood.negated : mood.conditions;
              for (const auto& condition : conditions) {
                Threshold th;
                static_cast<Mention&>(th) = mention(*reading);
                th.range = condition.range;
                th.match = negating ? (not_too ? "not_too" : "negated") : "word";
                th.negated = false;  // already turned around
                r.thresholds.push_back(std::move(th));
              }
            } else {
              MoodMention m;
              static_cast<Mention&>(m) = mention(*reading);
              m.mood = mood.name;
              m.negated = negating;
              r.moods.push_back(std::move(m));
            }
          }
          named = true;
          break;
        case Kind::feature_word: {
          const auto feature = static_cast<catalog::Feature>(reading->entity);
          if (std::find(r.feature_nouns.begin(), r.feature_nouns.end(), feature) ==
              r.feature_nouns.end())
            r.feature_nouns.push_back(feature);
          break;
        }
        case Kind::number:
        case Kind::ordinal:
          break;
      }
    }
    const bool negation_cue = c.kind == Kind::cue && c.has(Cue::negation);
    const bool not_too_cue = c.kind == Kind::cue && c.has(Cue::not_too);
    if (negation_cue || not_too_cue) {
      negating = true;
      not_too = not_too_cue;
      negation_hit = false;
    } else if (named) {
      negation_hit = negating;
    } else if (negating && c.kind == Kind::cue &&
               !(c.has(Cue::music_noun) || c.has(Cue::track_noun) || c.has(Cue::artist_noun))) {
      negating = not_too = false;
    }
    i = c.end - 1;
  }

  // Comparatives, counts, thresholds, ordinals, references, aspects.
  for (std::size_t k = 0; k < chosen_.size(); ++k) {
    const auto& c = chosen_[k];
    if (c.begin < begin || c.end > end) continue;
    if (c.kind == Kind::cue) {
      for (const auto cue : c.cues) {
        if (const auto direction = comparative_direction(cue)) {
          ComparativeMention m;
          static_cast<Mention&>(m) = mention(c);
          m.feature = direction->feature;
          m.sign = direction->sign;
          if (std::none_of(r.comparatives.begin(), r.comparatives.end(),
                           [&](const auto& x) { return x.feature == m.feature; }))
            r.comparatives.push_back(std::move(m));
        }
      }
      if (c.has(Cue::era) && !r.era) r.era = slice(c.begin, c.end);
      continue;
    }
    if (c.kind == Kind::ordinal) {
      // "the second one", "the last track", "that first song".
      const bool before_the = c.begin > begin && is_word(t_, c.begin - 1) &&
                              one_of(t_[c.begin - 1].norm, {"the", "that", "this"});
      const bool then_noun =
          c.end < end && is_word(t_, c.end) &&
          one_of(t_[c.end].norm, {"one", "track", "song", "tune", "pick", "suggestion"});
      if ((before_the && then_noun) || (then_noun && c.number > 0))
        r.ordinal = static_cast<int>(c.number);
      continue;
    }
    if (c.kind != Kind::number) continue;
    const double value = c.number;
    // What follows the number: a unit, a track noun.
    std::size_t after = c.end;
    auto next_has = [&](Cue cue) {
      for (std::size_t j = after; j < end && j < after + 4; ++j) {
        if (!t_[j].is_word()) return false;
        const auto* at = owner_[j] >= 0 ? &chosen_[static_cast<std::size_t>(owner_[j])] : nullptr;
        if (at && at->kind == Kind::cue && at->has(cue)) return true;
        if (at && at->kind != Kind::cue && at->kind != Kind::genre && at->kind != Kind::mood)
          return false;
      }
      return false;
    };
    auto unit_right_after = [&](Cue cue) {
      if (after >= end || !is_word(t_, after) || owner_[after] < 0) return false;
      const auto& at = chosen_[static_cast<std::size_t>(owner_[after])];
      return at.kind == Kind::cue && at.has(cue);
    };
    // Before it: a comparator, "top", "number", "#".
    const Candidate* comparator = nullptr;
    for (std::size_t j = c.begin; j-- > begin && c.begin - j <= 3;) {
      if (!t_[j].is_word()) break;
      const auto* at = owner_[j] >= 0 ? &chosen_[static_cast<std::size_t>(owner_[j])] : nullptr;
      if (at && at->kind == Kind::cue &&
          (at->has(Cue::at_most) || at->has(Cue::at_least) || at->has(Cue::around))) {
        comparator = at;
        break;
      }
      if (at && at->kind == Kind::cue && at->has(Cue::unit_popularity)) continue;
      if (!one_of(t_[j].norm, {"the", "of", "a", "songs", "tracks", "with", "tempo", "length",
                               "popularity", "than"}))
        break;
    }
    const bool before_hash = c.begin > 0 && t_[c.begin - 1].is_punct('#');
    const bool before_number_word = c.begin > 0 && is_word(t_, c.begin - 1) &&
                                    one_of(t_[c.begin - 1].norm, {"number", "no", "track", "song"});
    if ((before_hash || before_number_word) && value >= 1 && value <= 50 &&
        !unit_right_after(Cue::unit_minutes)) {
      r.ordinal = static_cast<int>(value);
      continue;
    }
    auto threshold = [&](Feature feature, double scale, const char* match) {
      Threshold th;
      static_cast<Mention&>(th) = mention(c);
      th.range.feature = feature;
      th.match = match;
      const double v = value * scale;
      if (comparator && comparator->has(Cue::at_most)) {
        th.range.max = v;
      } else if (comparator && comparator->has(Cue::at_least)) {
        th.range.min = v;
      } else if (feature == Feature::tempo_bpm) {
        th.range.min = v * 0.95;
        th.range.max = v * 1.05;
      } else {
        th.range.min = v * 0.85;
        th.range.max = v * 1.15;
      }
      r.thresholds.push_back(std::move(th));
    };
    if (unit_right_after(Cue::unit_bpm) || (comparator && next_has(Cue::unit_bpm))) {
      threshold(Feature::tempo_bpm, 1, "bpm");
    } else if (unit_right_after(Cue::unit_minutes)) {
      if (value > kPlaylistMinutes) {  // "a 45 minute playlist": how many tracks
        r.count = std::clamp(static_cast<int>(std::lround(value / kMinutesPerTrack)), 1, kMaxCount);
      } else {
        threshold(Feature::duration_ms, 60000, "minutes");
      }
    } else if (unit_right_after(Cue::unit_seconds)) {
      threshold(Feature::duration_ms, 1000, "seconds");
    } else if (comparator &&
               (unit_right_after(Cue::unit_popularity) || word_before(c.begin, {"popularity"}) ||
                (c.begin >= 2 && t_[c.begin - 2].norm == "popularity"))) {
      threshold(Feature::popularity, 1, "popularity");
    } else if (value >= 1 && value <= 100 &&
               (next_has(Cue::track_noun) || next_has(Cue::artist_noun) || next_has(Cue::more) ||
                word_before(c.begin, {"top", "me", "another", "just", "only"}))) {
      r.count = std::clamp(static_cast<int>(value), 1, kMaxCount);
    }
  }
  for (const auto cue : r.cues) {
    switch (cue) {
      case Cue::reference_items:
        r.refers_back = true;
        break;
      case Cue::reference_people:
        r.refers_to_people = true;
        break;
      case Cue::similar:
        r.similar = true;
        break;
      case Cue::artist_noun:
        r.wants_artists = true;
        break;
      case Cue::clean:
        r.clean = true;
        break;
      case Cue::audience_kids:
        r.kids = r.clean = true;
        break;
      case Cue::aspect_albums:
        if (r.aspect == Aspect::general) r.aspect = Aspect::albums;
        break;
      case Cue::aspect_genres:
        if (r.aspect == Aspect::general) r.aspect = Aspect::genres;
        break;
      case Cue::aspect_count:
        if (r.aspect == Aspect::general) r.aspect = Aspect::count;
        break;
      case Cue::aspect_popularity:
        if (r.aspect == Aspect::general) r.aspect = Aspect::popularity;
        break;
      case Cue::aspect_first:
        if (r.aspect == Aspect::general) r.aspect = Aspect::first;
        break;
      case Cue::superlative_most:
        if (r.superlative == 0) r.superlative = +1;
        break;
      case Cue::superlative_least:
        if (r.superlative == 0) r.superlative = -1;
        break;
      default:
        break;
    }
  }
  // "X and other similar artists", "like them", "others like": the seeds and their like.
  if (r.similar && !r.artists.empty()) {
    std::size_t first_artist = t_.size(), similar_at = t_.size();
    for (const auto& c : chosen_) {
      if (c.begin < begin || c.end > end) continue;
      if (c.kind == Kind::artist) first_artist = std::min(first_artist, c.begin);
      if (c.kind == Kind::cue && c.has(Cue::similar)) similar_at = std::min(similar_at, c.begin);
    }
    if (first_artist < similar_at) r.blend = true;  // the artist comes before "similar"
  }
  // A word that is both a mood and a genre of the catalogue ("chill", "sad", "party") is the
  // genre only when nothing else is what the request is about.
  {
    auto is_mood_span = [&](const GenreMention& g) {
      return std::any_of(r.moods.begin(), r.moods.end(), [&](const MoodMention& m) {
        return m.begin == g.begin && m.end == g.end;
      });
    };
    const bool other_head =
        std::any_of(r.artists.begin(), r.artists.end(), [](const auto& a) { return !a.negated; }) ||
        std::any_of(r.tracks.begin(), r.tracks.end(), [](const auto& t) { return !t.negated; }) ||
        !r.albums.empty() || !r.listened.empty() ||
        std::any_of(r.genres.begin(), r.genres.end(),
                    [&](const GenreMention& g) { return !g.negated && !is_mood_span(g); });
    if (other_head) {
      std::erase_if(r.genres, [&](const GenreMention& g) { return !g.negated && is_mood_span(g); });
    } else {
      for (auto& g : r.genres) {
        if (is_mood_span(g)) g.match = "mood_word";
      }
    }
  }
  const std::string first = t_[begin].norm;
  if (one_of(first, {"who", "what", "which", "how", "where", "whats", "whos", "is", "are", "does",
                     "do"})) {
    r.question = r.question || first != "do";
  }
  decide_intent(r);
  return r;
}

void ParseRun::decide_intent(Request& r) {
  auto not_negated = [](const auto& list) {
    return std::any_of(list.begin(), list.end(), [](const Mention& m) { return !m.negated; });
  };
  const bool artists = not_negated(r.artists) || not_negated(r.listened);
  const bool tracks = not_negated(r.tracks);
  const bool albums = not_negated(r.albums);
  const bool genres = not_negated(r.genres);
  const bool moods = not_negated(r.moods) || !r.thresholds.empty();
  const bool exclusions =
      std::any_of(r.genres.begin(), r.genres.end(), [](const auto& m) { return m.negated; }) ||
      std::any_of(r.artists.begin(), r.artists.end(), [](const auto& m) { return m.negated; }) ||
      std::any_of(r.moods.begin(), r.moods.end(), [](const auto& m) { return m.negated; });
  const bool asks = r.has(Cue::request) || r.has(Cue::more) || r.has(Cue::music_noun);

  if (r.has(Cue::write_verb) && r.has(Cue::write_object)) {
    r.intent = Intent::refuse_write;
  } else if (r.has(Cue::off_topic) && !r.has(Cue::music_noun) && !artists && !genres && !moods &&
             !tracks) {
    r.intent = Intent::off_topic;
  } else if ((r.has(Cue::info) ||
              (r.question && r.aspect != Aspect::general && r.aspect != Aspect::first) ||
              (r.aspect == Aspect::first && !r.has(Cue::request))) &&
             artists && !r.similar) {
    r.intent = Intent::artist_info;
  } else if ((r.has(Cue::stats) || r.aspect == Aspect::count ||
              (r.superlative != 0 && (r.has(Cue::music_noun) || r.question))) &&
             !artists && !tracks && (r.question || !r.has(Cue::request))) {
    r.intent = Intent::stats;
  } else if (r.similar && (artists || tracks || r.ordinal || r.refers_back)) {
    // "Artists like X" asks who; "add songs from artists like X", "I love X, more like them"
    // asks for music, X's own included.
    const bool asks_for_music = r.has(Cue::request) || r.has(Cue::more) || r.has(Cue::preference) ||
                                r.has(Cue::examples) || r.has(Cue::track_noun);
    const bool asks_who = r.text.rfind("who", 0) == 0 || r.text.rfind("Who", 0) == 0;
    if (tracks || (r.ordinal && !artists) || (r.refers_back && !artists)) {
      r.intent = Intent::similar_tracks;
    } else if (r.blend || (r.has(Cue::preference) && !asks_who)) {
      r.blend = true;
      r.intent = Intent::artist_tracks;
    } else if ((r.wants_artists && !asks_for_music) || asks_who) {
      r.intent = Intent::similar_artists;
    } else if (r.wants_artists) {
      r.blend = true;
      r.intent = Intent::artist_tracks;
    } else {
      r.intent = Intent::similar_tracks;
    }
  } else if (artists || tracks || albums) {
    r.intent = Intent::artist_tracks;
  } else if (genres || moods) {
    r.intent = Intent::recommend;
  } else if (r.has(Cue::more) ||
             (r.refers_back && !(r.has(Cue::positive) && !r.has(Cue::request))) ||
             (r.similar && r.has(Cue::reference_items))) {
    r.intent = Intent::more;  // "more of those"; "that sounds perfect" only acknowledges
  } else if (!r.comparatives.empty() || exclusions || r.clean || r.ordinal) {
    r.intent = Intent::refine;
  } else if (r.has(Cue::help)) {
    r.intent = Intent::help;
  } else if (r.has(Cue::negative_feedback)) {
    r.intent = Intent::refine;
  } else if (!r.content_words.empty()) {
    r.intent = Intent::unknown;
  } else if (r.has(Cue::request) && r.has(Cue::music_noun) && !r.topic_words.empty()) {
    r.intent =
        Intent::unknown;  // "Hi, I'd like some Christmas music": search for it, not a greeting
  } else if (r.has(Cue::greeting) || r.has(Cue::thanks) || r.has(Cue::closing) ||
             r.has(Cue::positive)) {
    r.intent = Intent::social;
  } else if (asks || r.has(Cue::era) || r.kids) {
    r.intent = Intent::recommend;  // "play something", "some 80s music": no head yet
  } else {
    r.intent = Intent::none;
  }
}

void ParseRun::build_requests(QueryParse& parse) {
  // Clauses end at sentence marks; "and", "also" or "then" start a new one when what follows
  // asks something else ("some upbeat jazz and tell me about Miles Davis").
  std::vector<std::pair<std::size_t, std::size_t>> clauses;
  std::size_t start = 0;
  auto asks_at = [&](std::size_t i) {
    for (std::size_t j = i; j < t_.size() && j < i + 3; ++j) {
      if (!t_[j].is_word()) return false;
      if (owner_[j] < 0) {
        if (one_of(t_[j].norm, {"who", "what", "which", "how", "tell", "show", "play", "give",
                                "recommend", "find", "add", "put", "include"}))
          return true;
        continue;
      }
      const auto& c = chosen_[static_cast<std::size_t>(owner_[j])];
      if (c.kind != Kind::cue) return false;
      if (c.has(Cue::info) || c.has(Cue::stats) || c.has(Cue::request) || c.has(Cue::similar) ||
          c.has(Cue::negation))
        return !c.has(Cue::music_noun);
    }
    return false;
  };
  for (std::size_t i = 0; i < t_.size(); ++i) {
    const auto& tok = t_[i];
    const bool sentence_end =
        tok.is_punct('.') || tok.is_punct('?') || tok.is_punct('!') || tok.is_punct(';');
    bool joint = false;
    if (tok.is_word() && owner_[i] >= 0) {
      const auto& c = chosen_[static_cast<std::size_t>(owner_[i])];
      joint = c.kind == Kind::cue && c.has(Cue::joint) && c.begin == i && asks_at(c.end);
    }
    if (sentence_end) {
      clauses.emplace_back(start, i + 1);
      start = i + 1;
    } else if (joint) {
      clauses.emplace_back(start, i);
      start = i + 1;
    }
  }
  if (start < t_.size()) clauses.emplace_back(start, t_.size());

  std::vector<Request> requests;
  for (const auto& [b, e] : clauses) {
    auto r = request_for(b, e);
    if (r.intent == Intent::none && r.cues.empty()) continue;
    parse.greeting = parse.greeting || r.has(Cue::greeting);
    parse.thanks = parse.thanks || r.has(Cue::thanks);
    parse.closing = parse.closing || r.has(Cue::closing);
    parse.positive = parse.positive || r.has(Cue::positive);
    parse.negative_feedback = parse.negative_feedback || r.has(Cue::negative_feedback);
    parse.help = parse.help || r.intent == Intent::help;
    requests.push_back(std::move(r));
  }

  // Social clauses and empty ones drop out (the parse keeps what they said); a clause that only
  // modifies (a mood, a negation, a count) joins the request next to it.
  // A clause nothing could be read from ("hmmm...") is noise when another clause asks something.
  const bool others_ask = std::any_of(requests.begin(), requests.end(), [](const Request& r) {
    return r.intent != Intent::unknown && r.intent != Intent::social && r.intent != Intent::none &&
           r.intent != Intent::help;
  });
  if (others_ask) {
    std::erase_if(requests, [](const Request& r) { return r.intent == Intent::unknown; });
  }
  std::vector<Request> merged;
  auto modifier_only = [](const Request& r) {
    return !r.has_head() && (r.intent == Intent::recommend || r.intent == Intent::refine ||
                             r.intent == Intent::more || r.intent == Intent::none);
  };
  auto absorb = [](Request& into, Request& from) {
    for (auto& m : from.moods) into.moods.push_back(std::move(m));
    for (auto& t : from.thresholds) into.thresholds.push_back(std::move(t));
    for (auto& g : from.genres) into.genres.push_back(std::move(g));
    for (auto& a : from.artists) into.artists.push_back(std::move(a));
    for (auto& c : from.comparatives) into.comparatives.push_back(std::move(c));
    for (auto cue : from.cues) {
      if (!into.has(cue)) into.cues.push_back(cue);
    }
    if (from.count && !into.count) into.count = from.count;
    into.clean = into.clean || from.clean;
    into.kids = into.kids || from.kids;
    if (from.era && !into.era) into.era = from.era;
    into.end = std::max(into.end, from.end);
    into.begin = std::min(into.begin, from.begin);
  };
  for (auto& r : requests) {
    if (r.intent == Intent::social || r.intent == Intent::none || r.intent == Intent::help)
      continue;
    if (!merged.empty()) {
      auto& previous = merged.back();
      const bool same =
          previous.intent == r.intent && previous.genre_names(false) == r.genre_names(false) &&
          previous.mood_names(false) == r.mood_names(false) &&
          previous.artists.size() == r.artists.size() &&
          std::equal(previous.artists.begin(), previous.artists.end(), r.artists.begin(),
                     [](const auto& a, const auto& b) { return a.artist == b.artist; });
      if (same && !r.has_head() == !previous.has_head()) {
        absorb(previous, r);  // said twice
        continue;
      }
      if (modifier_only(r) && previous.intent != Intent::artist_info &&
          previous.intent != Intent::stats && previous.intent != Intent::similar_artists &&
          previous.intent != Intent::social && previous.intent != Intent::unknown) {
        absorb(previous, r);
        if (previous.intent == Intent::none) previous.intent = Intent::recommend;
        continue;
      }
      if (modifier_only(previous) && r.has_head() && r.intent != Intent::artist_info &&
          r.intent != Intent::stats) {
        Request head = std::move(r);
        absorb(head, previous);
        previous = std::move(head);
        continue;
      }
    }
    merged.push_back(std::move(r));
  }
  if (merged.size() > kMaxRequests) merged.resize(kMaxRequests);
  for (auto& r : merged) {
    // text of a merged request: the whole span.
    r.text = std::string(text_.substr(r.begin, r.end - r.begin));
  }
  parse.requests = std::move(merged);
}

QueryParse ParseRun::run() {
  QueryParse parse;
  t_ = tokenize(text_, QueryParser::kMaxTokens);
  parse.tokens = t_.size();
  parse.truncated =
      t_.size() >= QueryParser::kMaxTokens && !t_.empty() && t_.back().end < text_.size();

  // SQL goes to the guarded tool as it is.
  {
    std::size_t i = 0;
    while (i < t_.size() && t_[i].is_word() &&
           one_of(t_[i].norm, {"run", "execute", "query", "this", "sql"}))
      ++i;
    while (i < t_.size() && t_[i].is_punct(':')) ++i;
    if (i < t_.size() && t_[i].is_word() &&
        one_of(t_[i].norm, {"select", "with", "insert", "update", "delete", "drop", "alter",
                            "create", "truncate", "grant", "revoke", "copy", "set", "reset",
                            "vacuum", "call", "do", "begin"})) {
      bool shape = false;
      for (std::size_t j = i + 1; j < t_.size(); ++j) {
        if (t_[j].is_word() && one_of(t_[j].norm, {"from", "into", "table", "set", "values",
                                                   "select", "role", "schema", "database"}))
          shape = true;
      }
      const bool starts_the_text = i == 0 || t_[0].begin == 0;
      if (shape && starts_the_text) {
        parse.sql = std::string(text_.substr(t_[i].begin));
        return parse;
      }
    }
  }

  std::size_t capitals = 0, letters = 0;
  for (const auto& tok : t_) {
    if (tok.kind != Token::Kind::word) continue;
    ++letters;
    capitals += tok.capitalized ? 1 : 0;
  }
  // Capitals say "a name" only in a message that uses lower case as well and does not capitalise
  // nearly every word.
  capitals_informative_ = letters > 0 && capitals * 10 <= letters * 6 &&
                          std::any_of(t_.begin(), t_.end(), [](const Token& t) {
                            return t.kind == Token::Kind::word && !t.upper;
                          });

  lexicon_candidates();
  entity_candidates();
  fuzzy_candidates();
  provisional_lexicon();
  accept_entities();
  select();
  link_titles_and_albums();
  build_requests(parse);
  return parse;
}

// ---------------------------------------------------------------------------------------------

QueryParser::QueryParser(std::shared_ptr<const Lexicon> lexicon,
                         std::shared_ptr<const MoodBook> moods,
                         std::shared_ptr<const EntityIndex> entities)
    : lexicon_(std::move(lexicon)), moods_(std::move(moods)), entities_(std::move(entities)) {
  std::map<std::string, std::vector<std::string>> fuzzy;
  for (const auto& genre : entities_->snapshot().genres()) {
    const auto key = compact_key(genre.name);
    genre_of_key_.emplace(key, genre.name);
    fuzzy[key].push_back(genre.name);
  }
  fuzzy_genre_keys_.assign(fuzzy.begin(), fuzzy.end());
}

QueryParse QueryParser::parse(std::string_view text) const {
  return ParseRun(*this, text).run();
}

std::vector<std::string> QueryParser::genres_named(std::string_view phrase) const {
  const auto key = compact_key(phrase);
  if (const auto it = genre_of_key_.find(key); it != genre_of_key_.end()) return {it->second};
  std::vector<std::string> out;
  if (const auto* synonyms = lexicon_->genre_synonyms(key)) {
    for (const auto& g : *synonyms) {
      if (entities_->snapshot().find_genre(g)) out.push_back(g);
    }
  }
  if (!out.empty()) return out;
  std::size_t best = 3;
  for (const auto& [k, names] : fuzzy_genre_keys_) {
    const auto d = edit_distance(key, k, 2);
    if (d < best && d * 4 <= std::max(key.size(), k.size())) {
      best = d;
      out = names;
    }
  }
  return out;
}

}  // namespace musicagent::understanding
