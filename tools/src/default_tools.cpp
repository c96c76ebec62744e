#include "tools/default_tools.hpp"

#include "common/environment.hpp"
#include "tools/describe_warehouse_tool.hpp"
#include "tools/lookup_artist_tool.hpp"
#include "tools/recommend_by_genre_tool.hpp"
#include "tools/recommend_from_seeds_tool.hpp"
#include "tools/search_catalog_tool.hpp"
#include "tools/similar_artists_tool.hpp"
#include "tools/similar_tracks_tool.hpp"
#include "tools/warehouse_query_tool.hpp"

namespace musicagent::tools {

ToolRegistry make_default_registry(const ToolServices& services) {
  ToolRegistry registry;
  registry.add(std::make_unique<RecommendByGenreTool>(services));
  registry.add(std::make_unique<RecommendFromSeedsTool>(services));
  registry.add(std::make_unique<LookupArtistTool>(services));
  registry.add(std::make_unique<SearchCatalogTool>(services));
  registry.add(std::make_unique<SimilarTracksTool>(services));
  registry.add(std::make_unique<SimilarArtistsTool>(services));
  registry.add(std::make_unique<DescribeWarehouseTool>(services));
  registry.add(std::make_unique<WarehouseQueryTool>(
      services,
      WarehouseQuerySettings::from(services.config, common::Environment::from_process())));
  return registry;
}

}  // namespace musicagent::tools
