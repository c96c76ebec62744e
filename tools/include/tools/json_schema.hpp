#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musicagent::tools {

// One way an argument breaks its schema, e.g. path "/limit", rule "maximum", message
// "must be at most 50".
struct SchemaViolation {
  std::string path;
  std::string rule;
  std::string message;
};

// Validates against the JSON Schema subset tool schemas use: type (incl. "integer" and
// type arrays), properties, required, additionalProperties: false, enum, minimum, maximum,
// minLength, maxLength, items, minItems, maxItems. No C++ JSON Schema validator is packaged
// for Debian 12, and this subset is what OpenAI's strict function schemas allow.
std::vector<SchemaViolation> validate(const nlohmann::json& schema, const nlohmann::json& instance);

// Fills in "default" values of absent object properties, recursively.
nlohmann::json with_defaults(const nlohmann::json& schema, nlohmann::json instance);

}  // namespace musicagent::tools
