#include "tools/search_catalog_tool.hpp"

#include <cmath>

namespace musicagent::tools {

SearchCatalogTool::SearchCatalogTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult SearchCatalogTool::invoke(const nlohmann::json& arguments) const {
  rag::CatalogQuery query;
  query.text = arguments.at("query").get<std::string>();
  const auto kind = arguments.at("kind").get<std::string>();
  query.kind = kind == "tracks" ? "track" : kind == "artists" ? "artist" : "any";
  query.limit = arguments.at("limit").get<std::size_t>();
  if (arguments.contains("genre")) query.genre = arguments.at("genre").get<std::string>();

  const rag::CatalogIndex* index = nullptr;
  try {
    index = &services_.index->get();
  } catch (const rag::IndexUnavailable& e) {
    return ToolError{"unavailable",
                     std::string("the catalogue search index is not available: ") + e.what()};
  }
  std::vector<rag::CatalogHit> hits;
  try {
    hits = index->search(query);
  } catch (const std::invalid_argument& e) {
    nlohmann::json genres = index->genres();
    return ToolError{"invalid_arguments",
                     std::string(e.what()) + "; use one of the catalogue's genres",
                     {{"genres", genres}}};
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& hit : hits) {
    const auto& doc = *hit.document;
    nlohmann::json item = {{"kind", doc.kind},
                           {"id", doc.entity_id},
                           {"name", doc.title},
                           {"genres", doc.genres},
                           {"popularity", doc.popularity},
                           {"score", std::round(hit.score * 1000.0) / 1000.0}};
    if (doc.kind == "track") item["artists"] = doc.subtitle;
    results.push_back(std::move(item));
  }
  return nlohmann::json{{"query", query.text}, {"results", results}, {"count", results.size()}};
}

}  // namespace musicagent::tools
