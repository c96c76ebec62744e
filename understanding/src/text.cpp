#include "understanding/text.hpp"

#include <algorithm>
#include <array>

namespace musicagent::understanding {
namespace {

struct CodePoint {
  char32_t value = 0;
  std::size_t length = 1;
  bool valid = false;
};

CodePoint decode(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t length = b0 >= 0xF0 && b0 < 0xF8   ? 4
                       : b0 >= 0xE0              ? 3
                       : b0 >= 0xC2 && b0 < 0xE0 ? 2
                                                 : 0;
  if (length == 0 || i + length > s.size()) return {0, 1, false};
  char32_t value = length == 2 ? b0 & 0x1F : length == 3 ? b0 & 0x0F : b0 & 0x07;
  for (std::size_t k = 1; k < length; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0, 1, false};
    value = (value << 6) | (b & 0x3F);
  }
  return {value, length, true};
}

// What a code point is to the tokenizer.
enum class Class { letter, digit, apostrophe, space, symbol, other_letter };

struct Folded {
  Class type = Class::space;
  std::string_view text;  // letters: the folded ASCII; symbols: the ASCII symbol
  bool upper = false;
};

// U+00C0..U+00FF and U+0100..U+017F folded to ASCII; '?' marks a non-letter.
constexpr std::string_view kLatin1 =
    "AAAAAA?CEEEEIIII"   // C0..CF (C6 is AE)
    "DNOOOOO?OUUUUYT?"   // D0..DF (D7 is x, DE is TH, DF is ss)
    "aaaaaa?ceeeeiiii"   // E0..EF
    "dnooooo?ouuuuyty";  // F0..FF (F7 is division, FE is th)

Folded fold_code_point(char32_t cp) {
  static constexpr std::array<const char*, 26> kLower{"a", "b", "c", "d", "e", "f", "g", "h", "i",
                                                      "j", "k", "l", "m", "n", "o", "p", "q", "r",
                                                      "s", "t", "u", "v", "w", "x", "y", "z"};
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    if (c >= 'a' && c <= 'z')
      return {Class::letter, kLower[static_cast<std::size_t>(c - 'a')], false};
    if (c >= 'A' && c <= 'Z')
      return {Class::letter, kLower[static_cast<std::size_t>(c - 'A')], true};
    if (c >= '0' && c <= '9') return {Class::digit, {}, false};
    if (c == '\'' || c == '`') return {Class::apostrophe, {}, false};
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
      return {Class::space, {}, false};
    return {Class::symbol, {}, false};  // the caller reads the byte itself
  }
  if (cp >= 0xC0 && cp <= 0xFF) {
    const bool upper = cp < 0xE0;
    switch (cp) {
      case 0xC6:
      case 0xE6:
        return {Class::letter, "ae", upper};
      case 0xDF:
        return {Class::letter, "ss", false};
      case 0xDE:
      case 0xFE:
        return {Class::letter, "th", upper};
      case 0xD7:
      case 0xF7:
        return {Class::space, {}, false};
      default:
        break;
    }
    const char c = kLatin1[cp - 0xC0];
    const char lower = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return {Class::letter, kLower[static_cast<std::size_t>(lower - 'a')], upper};
  }
  if (cp >= 0x100 && cp <= 0x17F) {
    // Latin Extended-A comes in capital/small pairs (with a few exceptions, handled here).
    if (cp == 0x132 || cp == 0x133) return {Class::letter, "ij", cp == 0x132};
    if (cp == 0x152 || cp == 0x153) return {Class::letter, "oe", cp == 0x152};
    struct Run {
      char32_t first, last;
      const char* letter;
    };
    static constexpr std::array<Run, 20> kRuns{{
        {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
        {0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x134, 0x135, "j"},
        {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"},
        {0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},
        {0x174, 0x175, "w"}, {0x176, 0x178, "y"}, {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
    }};
    for (const auto& run : kRuns) {
      if (cp >= run.first && cp <= run.last) {
        // Pairs alternate capital, small from the run's first code point (0x138 kra and
        // 0x149 are small letters without a pair; treating them as small is harmless).
        const bool upper = ((cp - run.first) % 2) == 0 && cp != 0x138 && cp != 0x17F;
        return {Class::letter, run.letter, upper};
      }
    }
    return {Class::other_letter, {}, false};
  }
  switch (cp) {
    case 0x2018:
    case 0x2019:
    case 0x201B:
    case 0x2032:
    case 0x02BC:
    case 0x00B4:
      return {Class::apostrophe, {}, false};
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x00AB:
    case 0x00BB:
    case 0x2033:
      return {Class::symbol, "\"", false};
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
      return {Class::symbol, "-", false};
    case 0x2026:
      return {Class::symbol, ".", false};
    case 0x00A0:
    case 0x202F:
    case 0x3000:
    case 0xFEFF:
    case 0xFE0F:
    case 0x200D:
    case 0x00BF:
    case 0x00A1:
    case 0x00B7:
    case 0x2022:
      return {Class::space, {}, false};
    default:
      break;
  }
  if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x2BFF) || cp >= 0x1F000 ||
      (cp >= 0x80 && cp < 0xC0)) {
    return {Class::space, {}, false};  // spaces, arrows, symbols, emoji, Latin-1 punctuation
  }
  return {Class::other_letter, {}, false};
}

bool is_abbreviation(std::string_view word) {
  static constexpr std::array<std::string_view, 14> kAbbreviations{
      "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "feat", "ft", "vol", "mt", "lt", "prof"};
  return word.size() == 1 ||
         std::find(kAbbreviations.begin(), kAbbreviations.end(), word) != kAbbreviations.end();
}

// "let's", "that's", "it's": the 's belongs to the word, not a possessive.
bool is_contraction_base(std::string_view word) {
  static constexpr std::array<std::string_view, 20> kBases{
      "let",       "it",     "that",     "what",    "he",   "she", "there",
      "here",      "who",    "where",    "how",     "when", "why", "everyone",
      "everybody", "nobody", "somebody", "someone", "this", "one"};
  return std::find(kBases.begin(), kBases.end(), word) != kBases.end();
}

class Tokenizer {
 public:
  Tokenizer(std::string_view text, std::size_t max_tokens) : text_(text), max_(max_tokens) {}

  std::vector<Token> run() {
    std::size_t i = 0;
    while (i < text_.size() && tokens_.size() < max_) {
      const auto cp = decode(text_, i);
      if (!cp.valid) {  // a stray byte separates words
        flush(i);
        ++i;
        continue;
      }
      const auto f = fold_code_point(cp.value);
      const std::size_t next = i + cp.length;
      switch (f.type) {
        case Class::letter:
          start(i);
          word_ += f.text;
          letters_ = true;
          upper_letters_ += f.upper ? 1 : 0;
          lower_letters_ += f.upper ? 0 : 1;
          break;
        case Class::other_letter:
          start(i);
          word_.append(text_.substr(i, cp.length));
          letters_ = true;
          break;
        case Class::digit:
          start(i);
          word_ += static_cast<char>(cp.value);
          break;
        case Class::apostrophe:
          apostrophe(i, next);
          break;
        case Class::space:
          flush(i);
          break;
        case Class::symbol:
          symbol(f.text.empty() ? static_cast<char>(cp.value) : f.text[0], i, next);
          break;
      }
      i = next;
    }
    flush(std::min(i, text_.size()));
    return std::move(tokens_);
  }

 private:
  bool letter_at(std::size_t i) const {
    if (i >= text_.size()) return false;
    const auto cp = decode(text_, i);
    if (!cp.valid) return false;
    const auto type = fold_code_point(cp.value).type;
    return type == Class::letter || type == Class::other_letter;
  }
  bool alnum_at(std::size_t i) const {
    if (i >= text_.size()) return false;
    const auto cp = decode(text_, i);
    if (!cp.valid) return false;
    const auto type = fold_code_point(cp.value).type;
    return type == Class::letter || type == Class::other_letter || type == Class::digit;
  }

  void start(std::size_t i) {
    if (word_.empty()) word_begin_ = i;
  }

  void flush(std::size_t end, bool possessive = false) {
    if (word_.empty()) return;
    Token token;
    token.norm = std::move(word_);
    token.begin = static_cast<std::uint32_t>(word_begin_);
    token.end = static_cast<std::uint32_t>(end);
    token.kind = letters_ ? Token::Kind::word : Token::Kind::number;
    const auto first = decode(text_, word_begin_);
    token.capitalized = first.valid && fold_code_point(first.value).upper;
    token.upper = upper_letters_ > 0 && lower_letters_ == 0;
    token.possessive = possessive;
    token.sentence_start = sentence_start_;
    sentence_start_ = false;
    tokens_.push_back(std::move(token));
    word_.clear();
    letters_ = false;
    upper_letters_ = lower_letters_ = 0;
  }

  void punct(char c, std::size_t begin, std::size_t end) {
    if (tokens_.size() >= max_) return;
    // "..." and "?!" are one mark.
    if (!tokens_.empty() && tokens_.back().kind == Token::Kind::punct &&
        tokens_.back().end == begin && (c == '.' || c == '?' || c == '!') &&
        (tokens_.back().norm == "." || tokens_.back().norm == "?" || tokens_.back().norm == "!")) {
      tokens_.back().end = static_cast<std::uint32_t>(end);
      return;
    }
    Token token;
    token.norm = std::string(1, c);
    token.begin = static_cast<std::uint32_t>(begin);
    token.end = static_cast<std::uint32_t>(end);
    token.kind = Token::Kind::punct;
    tokens_.push_back(std::move(token));
    if (c == '.' || c == '?' || c == '!' || c == ';') sentence_start_ = true;
  }

  void apostrophe(std::size_t i, std::size_t next) {
    if (word_.empty()) return;  // a leading quote mark: "'n'" is "n"
    if (letter_at(next)) {
      // "'s" at the end of a word: a possessive, unless the word is a contraction's base.
      const bool s_then_end = (text_[next] == 's' || text_[next] == 'S') && !alnum_at(next + 1);
      if (s_then_end && letters_ && !is_contraction_base(word_)) {
        flush(i, true);
        skip_until_ = next + 1;
        return;
      }
      return;  // "don't", "80's": the apostrophe is dropped and the word goes on
    }
    // A trailing apostrophe ("rockin'", "'n'") is dropped.
  }

  void symbol(char c, std::size_t i, std::size_t next) {
    if (i < skip_until_) return;  // the s of a possessive
    switch (c) {
      case '$':  // "A$AP", "Ke$ha", "Curren$y"
        if (!word_.empty() || letter_at(next)) {
          start(i);
          word_ += 's';
          return;
        }
        flush(i);
        return;
      case '!':  // "P!nk"
        if (!word_.empty() && letters_ && letter_at(next)) {
          word_ += 'i';
          return;
        }
        flush(i);
        punct('!', i, next);
        return;
      case '.':
        if (!word_.empty() && alnum_at(next)) {  // "h.e.r", "b.i.g"
          flush(i);
          return;
        }
        if (!word_.empty() && letters_ && is_abbreviation(word_) && next < text_.size() &&
            text_[next] == ' ') {  // "J. Cole", "Dr. Dre"
          flush(i);
          return;
        }
        flush(i);
        punct('.', i, next);
        return;
      case '-':
        if (!word_.empty() && alnum_at(next)) {  // "hip-hop", "jay-z"
          flush(i);
          return;
        }
        flush(i);
        punct('-', i, next);
        return;
      case '&':
        flush(i);
        emit_word("and", i, next);
        return;
      case '+':
        if (word_.empty() && (next >= text_.size() || text_[next] == ' ')) {
          emit_word("and", i, next);
          return;
        }
        flush(i);
        return;
      case ',':
      case '?':
      case ';':
      case ':':
      case '"':
      case '(':
      case ')':
      case '#':
        flush(i);
        punct(c, i, next);
        return;
      default:
        flush(i);
        return;
    }
  }

  void emit_word(const char* norm, std::size_t begin, std::size_t end) {
    if (tokens_.size() >= max_) return;
    Token token;
    token.norm = norm;
    token.begin = static_cast<std::uint32_t>(begin);
    token.end = static_cast<std::uint32_t>(end);
    token.sentence_start = sentence_start_;
    sentence_start_ = false;
    tokens_.push_back(std::move(token));
  }

  std::string_view text_;
  std::size_t max_;
  std::vector<Token> tokens_;
  std::string word_;
  std::size_t word_begin_ = 0;
  bool letters_ = false;
  int upper_letters_ = 0;
  int lower_letters_ = 0;
  bool sentence_start_ = true;
  std::size_t skip_until_ = 0;
};

}  // namespace

std::string fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto cp = decode(text, i);
    if (!cp.valid) {
      ++i;
      continue;
    }
    const auto f = fold_code_point(cp.value);
    if (f.type == Class::letter) {
      out += f.text;
    } else if (f.type == Class::symbol && !f.text.empty()) {
      out += f.text;
    } else if (f.type == Class::apostrophe) {
      out += '\'';
    } else if (f.type == Class::space && cp.value >= 0x80) {
      out += ' ';
    } else if (cp.value < 0x80) {
      out +=
          static_cast<char>(cp.value >= 'A' && cp.value <= 'Z' ? cp.value - 'A' + 'a' : cp.value);
    } else {
      out.append(text.substr(i, cp.length));
    }
    i += cp.length;
  }
  return out;
}

std::vector<Token> tokenize(std::string_view text, std::size_t max_tokens) {
  return Tokenizer(text, max_tokens).run();
}

std::string spaced_key(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
  std::string key;
  for (std::size_t i = begin; i < end && i < tokens.size(); ++i) {
    if (!tokens[i].is_word()) continue;
    if (!key.empty()) key += ' ';
    key += tokens[i].norm;
  }
  return key;
}

std::string compact_key(const std::vector<Token>& tokens, std::size_t begin, std::size_t end) {
  std::string key;
  for (std::size_t i = begin; i < end && i < tokens.size(); ++i) {
    if (!tokens[i].is_word()) continue;
    key += tokens[i].norm == "and" ? "n" : tokens[i].norm;
  }
  return key;
}

std::string spaced_key(std::string_view phrase) {
  const auto tokens = tokenize(phrase);
  return spaced_key(tokens, 0, tokens.size());
}

std::string compact_key(std::string_view phrase) {
  const auto tokens = tokenize(phrase);
  return compact_key(tokens, 0, tokens.size());
}

std::vector<std::string> words(std::string_view phrase) {
  std::vector<std::string> out;
  for (auto& token : tokenize(phrase)) {
    if (token.is_word()) out.push_back(std::move(token.norm));
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  // Three rows: transpositions look two rows back.
  std::vector<std::size_t> two(m + 1), one(m + 1), row(m + 1);
  for (std::size_t j = 0; j <= m; ++j) one[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({one[j] + 1, row[j - 1] + 1, one[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], two[j - 2] + 1);
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
    std::swap(two, one);
    std::swap(one, row);
  }
  return std::min(one[m], limit + 1);
}

}  // namespace musicagent::understanding
