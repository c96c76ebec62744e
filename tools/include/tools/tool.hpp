#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/result.hpp"

namespace musicagent::tools {

// An expected failure of a tool call, returned to the model as a tool message:
// {"error": {"code": ..., "message": ..., "details"?: ...}}.
struct ToolError {
  std::string code;     // e.g. invalid_arguments, not_found, sql_refused, unavailable
  std::string message;  // written for the model and the person: says what to do instead
  nlohmann::json details = nlohmann::json::object();

  nlohmann::json to_json() const;
};

using ToolResult = common::Result<nlohmann::json, ToolError>;

// A typed tool the agent can call. The schema is a strict JSON Schema (OpenAI function
// format) kept in tools/schemas/<name>.schema.json beside the code that reads it.
class Tool {
 public:
  virtual ~Tool() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  virtual const nlohmann::json& parameters() const = 0;
  // Arguments have passed schema validation (defaults filled in) when this is called.
  virtual ToolResult invoke(const nlohmann::json& arguments) const = 0;
};

}  // namespace musicagent::tools
