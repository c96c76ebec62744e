#include "tools/json_schema.hpp"

#include <cmath>

namespace musicagent::tools {
namespace {

using nlohmann::json;

bool has_type(const json& instance, const std::string& type) {
  if (type == "object") return instance.is_object();
  if (type == "array") return instance.is_array();
  if (type == "string") return instance.is_string();
  if (type == "boolean") return instance.is_boolean();
  if (type == "null") return instance.is_null();
  if (type == "number") return instance.is_number();
  if (type == "integer") {
    return instance.is_number_integer() ||
           (instance.is_number_float() &&
            std::floor(instance.get<double>()) == instance.get<double>());
  }
  return false;
}

std::string number_text(const json& value) {
  return value.is_number_integer() ? std::to_string(value.get<long long>()) : value.dump();
}

void check(const json& schema, const json& instance, const std::string& path,
           std::vector<SchemaViolation>& out) {
  const std::string where = path.empty() ? "/" : path;
  if (const auto type = schema.find("type"); type != schema.end()) {
    bool matches = false;
    std::string expected;
    json types = json::array();
    if (type->is_array()) {
      types = *type;
    } else {
      types.push_back(*type);
    }
    for (const auto& one : types) {
      matches = matches || has_type(instance, one.get<std::string>());
      expected += (expected.empty() ? "" : " or ") + one.get<std::string>();
    }
    if (!matches) {
      out.push_back(
          {where, "type", "must be " + expected + ", got " + std::string(instance.type_name())});
      return;
    }
  }
  if (const auto allowed = schema.find("enum"); allowed != schema.end()) {
    if (std::find(allowed->begin(), allowed->end(), instance) == allowed->end()) {
      out.push_back(
          {where, "enum", "must be one of " + allowed->dump() + ", got " + instance.dump()});
    }
  }
  if (instance.is_number()) {
    const double value = instance.get<double>();
    if (schema.contains("minimum") && value < schema["minimum"].get<double>()) {
      out.push_back(
          {where, "minimum",
           "must be at least " + number_text(schema["minimum"]) + ", got " + instance.dump()});
    }
    if (schema.contains("maximum") && value > schema["maximum"].get<double>()) {
      out.push_back(
          {where, "maximum",
           "must be at most " + number_text(schema["maximum"]) + ", got " + instance.dump()});
    }
  }
  if (instance.is_string()) {
    const auto length = instance.get_ref<const std::string&>().size();
    if (schema.contains("minLength") && length < schema["minLength"].get<std::size_t>()) {
      out.push_back(
          {where, "minLength", "must have at least " + schema["minLength"].dump() + " characters"});
    }
    if (schema.contains("maxLength") && length > schema["maxLength"].get<std::size_t>()) {
      out.push_back(
          {where, "maxLength", "must have at most " + schema["maxLength"].dump() + " characters"});
    }
  }
  if (instance.is_array()) {
    if (schema.contains("minItems") && instance.size() < schema["minItems"].get<std::size_t>()) {
      out.push_back(
          {where, "minItems", "must have at least " + schema["minItems"].dump() + " items"});
    }
    if (schema.contains("maxItems") && instance.size() > schema["maxItems"].get<std::size_t>()) {
      out.push_back(
          {where, "maxItems", "must have at most " + schema["maxItems"].dump() + " items"});
    }
    if (const auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < instance.size(); ++i)
        check(*items, instance[i], path + "/" + std::to_string(i), out);
    }
  }
  if (instance.is_object()) {
    const auto properties = schema.value("properties", json::object());
    for (const auto& name : schema.value("required", json::array())) {
      if (!instance.contains(name.get<std::string>())) {
        out.push_back({path + "/" + name.get<std::string>(), "required", "is required"});
      }
    }
    for (const auto& [key, value] : instance.items()) {
      if (const auto property = properties.find(key); property != properties.end()) {
        check(*property, value, path + "/" + key, out);
      } else if (schema.value("additionalProperties", true) == false) {
        std::string known;
        for (const auto& [name, unused] : properties.items())
          known += (known.empty() ? "" : ", ") + name;
        out.push_back({path + "/" + key, "additionalProperties",
                       "is not an argument of this tool (arguments: " + known + ")"});
      }
    }
  }
}

}  // namespace

std::vector<SchemaViolation> validate(const json& schema, const json& instance) {
  std::vector<SchemaViolation> violations;
  check(schema, instance, "", violations);
  return violations;
}

json with_defaults(const json& schema, json instance) {
  if (!instance.is_object()) return instance;
  const auto properties = schema.value("properties", json::object());
  for (const auto& [name, property] : properties.items()) {
    if (!instance.contains(name) && property.contains("default")) {
      instance[name] = property["default"];
    } else if (instance.contains(name) && instance[name].is_object()) {
      instance[name] = with_defaults(property, instance[name]);
    }
  }
  return instance;
}

}  // namespace musicagent::tools
