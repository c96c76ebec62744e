#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace musicagent::eval {

// An argument matcher: a plain JSON value must equal the argument; an object with one key
// chooses the rule: {"equals": v}, {"iequals": "text"}, {"one_of": [..]}, {"contains": "text"}
// (a substring, case-insensitive, or an element of an array argument), {"range": [min, max]}
// (either bound may be null), {"present": true}, {"absent": true}.
struct MatchResult {
  bool ok = false;
  std::string reason;  // why not, when !ok
};

MatchResult match_argument(const nlohmann::json& matcher, const nlohmann::json* value);

// Throws std::invalid_argument when `matcher` is an object that is not one of the rules.
void check_matcher(const nlohmann::json& matcher, const std::string& where);

}  // namespace musicagent::eval
