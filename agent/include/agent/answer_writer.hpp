#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace musicagent::agent {

// The offline planner's prose: a readable Markdown answer written from one tool's result or
// error, with the facts the tool returned and nothing else.
std::string write_answer(const std::string& tool, const nlohmann::json& arguments,
                         const nlohmann::json& result);

}  // namespace musicagent::agent
