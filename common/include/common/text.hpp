#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace musicagent::common {

// ASCII letters in lower case; other bytes (UTF-8 included) unchanged, so offsets match.
inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The first `max_bytes` bytes of `text`, shortened further so no UTF-8 sequence is cut.
inline std::string utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Step back over continuation bytes to the start of the sequence that would be cut.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

}  // namespace musicagent::common
