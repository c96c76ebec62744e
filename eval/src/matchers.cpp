#include "eval/matchers.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "common/text.hpp"

namespace musicagent::eval {
namespace {

using nlohmann::json;

std::string lower(std::string_view text) { return common::ascii_lower(text); }

std::string show(const json* value) { return value ? value->dump() : "absent"; }

bool is_rule(const json& matcher) {
  static const std::set<std::string> kRules{"equals", "iequals", "one_of", "contains",
                                            "range",  "present", "absent"};
  return matcher.is_object() && matcher.size() == 1 && kRules.count(matcher.begin().key());
}

bool loosely_equal(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

}  // namespace

void check_matcher(const json& matcher, const std::string& where) {
  if (matcher.is_object() && !is_rule(matcher)) {
    throw std::invalid_argument(where + ": a matcher object needs exactly one of equals, iequals, one_of, "
                                "contains, range, present, absent; got " + matcher.dump());
  }
  if (is_rule(matcher)) {
    const std::string rule = matcher.begin().key();
    const json& operand = matcher.begin().value();
    if (rule == "one_of" && !operand.is_array()) throw std::invalid_argument(where + ": one_of needs an array");
    if (rule == "range" && !(operand.is_array() && operand.size() == 2)) {
      throw std::invalid_argument(where + ": range needs [min, max]");
    }
    if (rule == "iequals" && !operand.is_string()) {
      throw std::invalid_argument(where + ": iequals needs a string");
    }
  }
}

MatchResult match_argument(const json& matcher, const json* value) {
  if (!is_rule(matcher)) {
    if (value && loosely_equal(*value, matcher)) return {true, {}};
    return {false, "expected " + matcher.dump() + ", got " + show(value)};
  }
  const std::string rule = matcher.begin().key();
  const json& operand = matcher.begin().value();
  if (rule == "absent") {
    return value ? MatchResult{false, "expected no value, got " + value->dump()} : MatchResult{true, {}};
  }
  if (!value) return {false, "missing (" + rule + " " + operand.dump() + ")"};
  if (rule == "present") return {true, {}};
  if (rule == "equals") {
    if (loosely_equal(*value, operand)) return {true, {}};
    return {false, "expected " + operand.dump() + ", got " + value->dump()};
  }
  if (rule == "iequals") {
    if (value->is_string() && lower(value->get<std::string>()) == lower(operand.get<std::string>())) {
      return {true, {}};
    }
    return {false, "expected " + operand.dump() + " (any case), got " + value->dump()};
  }
  if (rule == "one_of") {
    for (const auto& option : operand) {
      if (loosely_equal(*value, option)) return {true, {}};
      if (value->is_string() && option.is_string() &&
          lower(value->get<std::string>()) == lower(option.get<std::string>())) {
        return {true, {}};
      }
    }
    return {false, "expected one of " + operand.dump() + ", got " + value->dump()};
  }
  if (rule == "contains") {
    if (value->is_array()) {
      for (const auto& item : *value) {
        if (loosely_equal(item, operand)) return {true, {}};
      }
      return {false, "expected an array containing " + operand.dump() + ", got " + value->dump()};
    }
    if (value->is_string() && operand.is_string() &&
        lower(value->get<std::string>()).find(lower(operand.get<std::string>())) != std::string::npos) {
      return {true, {}};
    }
    return {false, "expected text containing " + operand.dump() + ", got " + value->dump()};
  }
  // range
  if (!value->is_number()) return {false, "expected a number in " + operand.dump() + ", got " + value->dump()};
  const double v = value->get<double>();
  if ((!operand[0].is_null() && v < operand[0].get<double>()) ||
      (!operand[1].is_null() && v > operand[1].get<double>())) {
    return {false, "expected a number in " + operand.dump() + ", got " + value->dump()};
  }
  return {true, {}};
}

}  // namespace musicagent::eval
