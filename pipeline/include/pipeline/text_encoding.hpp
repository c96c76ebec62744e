#pragma once

#include <string>
#include <string_view>

namespace musicagent::pipeline {

// Every Latin-1 byte maps to the code point of the same value, so this cannot fail.
std::string latin1_to_utf8(std::string_view latin1);

// Strict: rejects overlong forms, surrogates (U+D800..U+DFFF), code points above U+10FFFF,
// stray continuation bytes and truncated sequences.
bool is_valid_utf8(std::string_view text);

}  // namespace musicagent::pipeline
