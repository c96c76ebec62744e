#include "pipeline/project_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <queue>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace musicagent::pipeline {
namespace {

// Layers in the order data flows; a model's schema is its folder.
const std::vector<std::string> kLayers = {"staging", "intermediate", "marts"};

// A full Jinja engine is far more than two macros need: these patterns are the whole language.
const std::regex kRef(R"(\{\{\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*\}\})");
const std::regex kSource(
    R"(\{\{\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*\}\})");
const std::regex kTestRef(R"(ref\(\s*['"]([^'"]+)['"]\s*\))");
const std::regex kConfig(R"(\{\{\s*config\(([^)]*)\)\s*\}\})");
const std::regex kMaterialized(R"(materialized\s*=\s*['"](\w+)['"])");

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Materialization parse_materialization(const std::string& value, const std::string& where) {
  if (value == "view") return Materialization::view;
  if (value == "table") return Materialization::table;
  throw std::runtime_error(where + ": materialized must be 'view' or 'table', not '" + value + "'");
}

Materialization default_materialization(const std::string& layer) {
  return layer == "staging" ? Materialization::view : Materialization::table;
}

Model read_model(const std::filesystem::path& path, const std::string& layer) {
  Model model;
  model.name = path.stem().string();
  model.schema = layer;
  model.path = path;
  model.sql = read_text(path);
  model.materialization = default_materialization(layer);

  std::smatch match;
  if (std::regex_search(model.sql, match, kConfig)) {
    std::smatch value;
    const std::string args = match[1].str();
    if (std::regex_search(args, value, kMaterialized)) {
      model.materialization = parse_materialization(value[1].str(), path.string());
    }
    model.sql = std::regex_replace(model.sql, kConfig, "");
  }
  for (auto it = std::sregex_iterator(model.sql.begin(), model.sql.end(), kRef);
       it != std::sregex_iterator(); ++it) {
    model.refs.insert((*it)[1].str());
  }
  for (auto it = std::sregex_iterator(model.sql.begin(), model.sql.end(), kSource);
       it != std::sregex_iterator(); ++it) {
    model.sources.insert({(*it)[1].str(), (*it)[2].str()});
  }
  return model;
}

std::string scalar_text(const YAML::Node& node) {
  return node.IsScalar() ? node.as<std::string>() : YAML::Dump(node);
}

// A test is written `unique` or `{accepted_values: {values: [...], severity: warn}}`.
DataTestSpec parse_test(const YAML::Node& node, std::optional<std::string> column,
                        const std::string& where) {
  DataTestSpec test;
  test.column = std::move(column);
  if (node.IsScalar()) {
    test.name = node.as<std::string>();
    return test;
  }
  if (!node.IsMap() || node.size() != 1) {
    throw std::runtime_error(where + ": a test is a name or a map with one key");
  }
  const auto entry = node.begin();
  test.name = entry->first.as<std::string>();
  const YAML::Node args = entry->second;
  if (!args || args.IsNull()) return test;
  if (!args.IsMap())
    throw std::runtime_error(where + ": arguments of test " + test.name + " must be a map");
  for (const auto& arg : args) {
    const auto key = arg.first.as<std::string>();
    if (key == "config" && arg.second.IsMap()) {
      if (arg.second["severity"])
        test.params["severity"] = arg.second["severity"].as<std::string>();
    } else if (arg.second.IsSequence()) {
      for (const auto& item : arg.second) test.values.push_back(scalar_text(item));
    } else {
      test.params[key] = scalar_text(arg.second);
    }
  }
  if (auto severity = test.params.find("severity"); severity != test.params.end()) {
    if (severity->second == "warn")
      test.severity = Severity::warn;
    else if (severity->second != "error")
      throw std::runtime_error(where + ": severity must be error or warn");
    test.params.erase(severity);
  }
  return test;
}

void append_tests(const YAML::Node& owner, std::optional<std::string> column,
                  const std::string& where, std::vector<DataTestSpec>& tests) {
  for (const char* key : {"tests", "data_tests"}) {
    if (!owner[key]) continue;
    for (const auto& node : owner[key]) tests.push_back(parse_test(node, column, where));
  }
}

void apply_schema_nodes(const YAML::Node& root, const std::filesystem::path& path,
                        std::map<std::string, Model>& models, std::vector<SourceTable>& sources) {
  for (const auto& source : root["sources"]) {
    const auto source_name = source["name"].as<std::string>();
    const auto schema = source["schema"] ? source["schema"].as<std::string>() : source_name;
    for (const auto& table : source["tables"]) {
      const auto name = table["name"].as<std::string>();
      const auto identifier = table["identifier"] ? table["identifier"].as<std::string>() : name;
      sources.push_back({source_name, name, schema + "." + identifier,
                         table["description"] ? table["description"].as<std::string>() : ""});
    }
  }
  for (const auto& node : root["models"]) {
    const auto name = node["name"].as<std::string>();
    const std::string where = path.string() + " (model " + name + ")";
    auto it = models.find(name);
    if (it == models.end()) throw std::runtime_error(where + ": no " + name + ".sql beside it");
    Model& model = it->second;
    if (node["description"]) model.description = node["description"].as<std::string>();
    if (const auto config = node["config"]) {
      if (config["materialized"]) {
        model.materialization =
            parse_materialization(config["materialized"].as<std::string>(), where);
      }
      for (const auto& index : config["indexes"]) {
        IndexSpec spec;
        for (const auto& column : index["columns"])
          spec.columns.push_back(column.as<std::string>());
        spec.unique = index["unique"] && index["unique"].as<bool>();
        if (index["type"]) spec.method = index["type"].as<std::string>();
        model.indexes.push_back(std::move(spec));
      }
    }
    append_tests(node, std::nullopt, where, model.tests);
    for (const auto& column : node["columns"]) {
      const auto column_name = column["name"].as<std::string>();
      model.columns.push_back(
          {column_name, column["description"] ? column["description"].as<std::string>() : ""});
      append_tests(column, column_name, where + " column " + column_name, model.tests);
    }
  }
}

void apply_schema_file(const std::filesystem::path& path, std::map<std::string, Model>& models,
                       std::vector<SourceTable>& sources) {
  try {
    apply_schema_nodes(YAML::LoadFile(path.string()), path, models, sources);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

// Kahn's algorithm, taking ready models in (layer, name) order so the order is stable.
std::vector<Model> sort_models(std::map<std::string, Model> models) {
  std::map<std::string, int> pending;
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& [name, model] : models) {
    pending[name] = static_cast<int>(model.refs.size());
    for (const auto& parent : model.refs) children[parent].push_back(name);
  }
  auto rank = [&](const std::string& name) {
    const auto& schema = models.at(name).schema;
    return std::make_pair(std::find(kLayers.begin(), kLayers.end(), schema) - kLayers.begin(),
                          name);
  };
  auto later = [&](const std::string& a, const std::string& b) { return rank(a) > rank(b); };
  std::priority_queue<std::string, std::vector<std::string>, decltype(later)> ready(later);
  for (const auto& [name, count] : pending) {
    if (count == 0) ready.push(name);
  }
  std::vector<Model> ordered;
  while (!ready.empty()) {
    const std::string name = ready.top();
    ready.pop();
    for (const auto& child : children[name]) {
      if (--pending[child] == 0) ready.push(child);
    }
    ordered.push_back(models.at(name));
  }
  if (ordered.size() != models.size()) {
    std::string cycle;
    for (const auto& [name, count] : pending) {
      if (count > 0) cycle += (cycle.empty() ? "" : ", ") + name;
    }
    throw std::runtime_error("models form a cycle through ref(): " + cycle);
  }
  return ordered;
}

}  // namespace

const Model* Project::find(const std::string& name) const {
  for (const auto& model : models) {
    if (model.name == name) return &model;
  }
  return nullptr;
}

Project load_project(const std::filesystem::path& models_dir) {
  if (!std::filesystem::is_directory(models_dir)) {
    throw std::runtime_error("models folder not found: " + models_dir.string() +
                             " (set MUSICAGENT_HOME to the project folder)");
  }
  std::map<std::string, Model> models;
  std::vector<std::filesystem::path> schema_files;
  for (const auto& layer : kLayers) {
    const auto dir = models_dir / layer;
    if (!std::filesystem::is_directory(dir)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      if (file.extension() == ".sql") {
        Model model = read_model(file, layer);
        const auto name = model.name;
        if (models.count(name) != 0) {
          throw std::runtime_error("two models are named " + name + ": " +
                                   models.at(name).path.string() + " and " + file.string());
        }
        models.emplace(name, std::move(model));
      } else if (file.extension() == ".yml" || file.extension() == ".yaml") {
        schema_files.push_back(file);
      }
    }
  }
  Project project;
  for (const auto& file : schema_files) apply_schema_file(file, models, project.sources);
  // A test that reads another model (relationships, equal_rowcount) must run after that
  // model is built, so it orders the DAG like a ref() does.
  for (auto& [name, model] : models) {
    for (const auto& test : model.tests) {
      for (const auto& [key, value] : test.params) {
        std::smatch match;
        if (std::regex_search(value, match, kTestRef) && match[1].str() != name)
          model.refs.insert(match[1].str());
      }
    }
  }

  for (const auto& [name, model] : models) {
    for (const auto& parent : model.refs) {
      if (models.count(parent) == 0) {
        throw std::runtime_error(model.path.string() + ": ref('" + parent + "') names no model");
      }
    }
    for (const auto& [source, table] : model.sources) {
      const bool declared =
          std::any_of(project.sources.begin(), project.sources.end(),
                      [&](const auto& s) { return s.source == source && s.table == table; });
      if (!declared) {
        throw std::runtime_error(model.path.string() + ": source('" + source + "', '" + table +
                                 "') is not declared in any sources file");
      }
    }
  }
  project.models = sort_models(std::move(models));
  return project;
}

std::string render_sql(const Model& model, const Project& project) {
  std::string sql;
  std::string rest = model.sql;
  std::smatch match;
  while (std::regex_search(rest, match, kRef)) {
    const Model* parent = project.find(match[1].str());
    sql += match.prefix().str() + parent->relation();
    rest = match.suffix().str();
  }
  sql += rest;
  rest = sql;
  sql.clear();
  while (std::regex_search(rest, match, kSource)) {
    std::string relation;
    for (const auto& source : project.sources) {
      if (source.source == match[1].str() && source.table == match[2].str())
        relation = source.relation;
    }
    sql += match.prefix().str() + relation;
    rest = match.suffix().str();
  }
  sql += rest;
  if (sql.find("{{") != std::string::npos) {
    throw std::runtime_error(
        model.path.string() +
        ": unsupported template expression (only ref(), source() and config())");
  }
  return sql;
}

std::vector<const Model*> select_models(const Project& project,
                                        const std::vector<std::string>& selectors) {
  std::vector<const Model*> all;
  for (const auto& model : project.models) all.push_back(&model);
  if (selectors.empty()) return all;

  std::set<std::string> chosen;
  std::set<std::string> with_children;
  for (auto selector : selectors) {
    const bool downstream = !selector.empty() && selector.back() == '+';
    if (downstream) selector.pop_back();
    if (project.find(selector) == nullptr) {
      std::string known;
      for (const auto& model : project.models) known += (known.empty() ? "" : ", ") + model.name;
      throw std::runtime_error("--select " + selector + ": no such model (models: " + known + ")");
    }
    chosen.insert(selector);
    if (downstream) with_children.insert(selector);
  }
  // Build order puts parents first, so one pass reaches all descendants.
  for (const auto& model : project.models) {
    for (const auto& parent : model.refs) {
      if (with_children.count(parent) != 0) {
        chosen.insert(model.name);
        with_children.insert(model.name);
      }
    }
  }
  std::vector<const Model*> selected;
  for (const auto* model : all) {
    if (chosen.count(model->name) != 0) selected.push_back(model);
  }
  return selected;
}

}  // namespace musicagent::pipeline
