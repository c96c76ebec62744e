#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/model.hpp"

namespace musicagent::pipeline {

// Reads every `*.sql` model and `*.yml` schema file under models_dir (layer folders
// staging/intermediate/marts), checks that every ref() and source() resolves and that
// there is no cycle, and returns the models in build order. Throws std::runtime_error
// naming the file and problem otherwise.
Project load_project(const std::filesystem::path& models_dir);

// Replaces {{ ref('m') }} and {{ source('s','t') }} with the relations they name.
std::string render_sql(const Model& model, const Project& project);

// The models named in `selectors` (a trailing '+' also selects everything downstream),
// in build order. Unknown names throw, listing the known ones.
std::vector<const Model*> select_models(const Project& project,
                                        const std::vector<std::string>& selectors);

}  // namespace musicagent::pipeline
