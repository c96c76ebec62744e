#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "understanding/query_parse.hpp"

namespace musicagent::agent {

// What the offline planner knows of the request besides the tool's result: the parse (for
// what was asked about an artist, a decade, praise for the last list) and its own reply text.
struct AnswerContext {
  const understanding::QueryParse& parse;
  const std::string& planner_reply;
};

// The offline planner's prose: a readable Markdown answer written from one tool's result or
// error, with the facts the tool returned and nothing else.
std::string write_answer(const std::string& tool, const nlohmann::json& arguments,
                         const nlohmann::json& result, const AnswerContext& context);

}  // namespace musicagent::agent
