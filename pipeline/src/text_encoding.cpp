#include "pipeline/text_encoding.hpp"

#include <algorithm>
#include <cstddef>

namespace musicagent::pipeline {

std::string latin1_to_utf8(std::string_view latin1) {
  const auto high_bytes = static_cast<std::size_t>(std::count_if(
      latin1.begin(), latin1.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
  std::string out;
  out.reserve(latin1.size() + high_bytes);
  for (const char c : latin1) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  const auto in_range = [](unsigned char b, unsigned char lo, unsigned char hi) {
    return b >= lo && b <= hi;
  };
  while (p < end) {
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    // Allowed ranges follow Unicode Table 3-7 (well-formed byte sequences); restricting the
    // second byte is what excludes overlongs, surrogates and values past U+10FFFF.
    std::size_t length = 0;
    unsigned char second_lo = 0x80;
    unsigned char second_hi = 0xBF;
    if (in_range(lead, 0xC2, 0xDF)) {
      length = 2;
    } else if (lead == 0xE0) {
      length = 3;
      second_lo = 0xA0;
    } else if (in_range(lead, 0xE1, 0xEC) || in_range(lead, 0xEE, 0xEF)) {
      length = 3;
    } else if (lead == 0xED) {
      length = 3;
      second_hi = 0x9F;
    } else if (lead == 0xF0) {
      length = 4;
      second_lo = 0x90;
    } else if (in_range(lead, 0xF1, 0xF3)) {
      length = 4;
    } else if (lead == 0xF4) {
      length = 4;
      second_hi = 0x8F;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) < length) return false;
    if (!in_range(p[1], second_lo, second_hi)) return false;
    for (std::size_t i = 2; i < length; ++i) {
      if (!in_range(p[i], 0x80, 0xBF)) return false;
    }
    p += length;
  }
  return true;
}

}  // namespace musicagent::pipeline
