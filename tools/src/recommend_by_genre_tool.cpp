#include "tools/recommend_by_genre_tool.hpp"

#include "catalog/track_json.hpp"
#include "tools/genre_names.hpp"
#include "tools/track_conditions.hpp"

namespace musicagent::tools {
namespace {

constexpr std::size_t kMaxPerArtist = 2;

std::string popularity_word(int popularity) {
  if (popularity >= 75) return "hit";
  if (popularity >= 50) return "popular";
  if (popularity >= 25) return "lesser-known";
  return "deep-cut";
}

ToolError genre_error(const std::string& text, const GenreMiss& miss) {
  std::string names;
  for (const auto& genre : miss.candidates) names += (names.empty() ? "" : ", ") + genre;
  if (miss.ambiguous) {
    return ToolError{"ambiguous",
                     "'" + text + "' could be several genres: " + names +
                         ". Pick one (moods such as happy or calm go in `mood`).",
                     {{"candidates", miss.candidates}}};
  }
  return ToolError{"not_found",
                   "unknown genre '" + text + "'. Closest genres: " + names +
                       ". For a sound or style that is not a genre, use search_catalog.",
                   {{"suggestions", miss.candidates}}};
}

}  // namespace

RecommendByGenreTool::RecommendByGenreTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult RecommendByGenreTool::invoke(const nlohmann::json& arguments) const {
  const auto understood = services_.understood();
  if (!understood) return understood.error();
  const auto& u = *understood.value();
  const auto& snapshot = *u.snapshot;

  const auto text = arguments.at("genre").get<std::string>();
  const auto limit = arguments.at("limit").get<std::size_t>();
  const auto resolved = resolve_genre(text, snapshot.genre_names());
  if (!resolved) return genre_error(text, resolved.error());
  const auto& genre = resolved.value().genre;
  auto conditions = read_conditions(arguments, u);
  if (!conditions) return conditions.error();
  const auto& c = conditions.value();

  std::size_t available = 0;
  const auto& candidates = snapshot.genres()[*snapshot.find_genre(genre)].tracks;
  // A mood or feature range that leaves the list short ("soft pop for meditation"): the rest are
  // the genre's tracks nearest to it, said so in each reason and in the note.
  const bool fill = arguments.value("fill", true);
  std::size_t strict = 0;
  const auto picks = fill ? pick_tracks_filled(snapshot, candidates, c, limit, kMaxPerArtist, &available, &strict)
                          : pick_tracks(snapshot, candidates, c, limit, kMaxPerArtist, &available);
  if (!fill) strict = picks.size();
  nlohmann::json tracks = nlohmann::json::array();
  for (std::size_t i = 0; i < picks.size(); ++i) {
    const auto& track = snapshot.tracks()[picks[i].track];
    std::string reason = popularity_word(track.popularity) + " " + genre + " track (popularity " +
                         std::to_string(track.popularity) + ")" + conditions_reason(track, c);
    if (i >= strict) reason += c.mood != nullptr ? "; nearest to " + c.mood->name + " among the rest" : "; among the rest";
    tracks.push_back(catalog::track_json(snapshot, track, reason));
  }
  nlohmann::json result = {{"genre", genre}, {"tracks", std::move(tracks)}};
  if (resolved.value().method != "exact") {
    result["genre_match"] = {{"input", text}, {"method", resolved.value().method}};
  }
  if (c.mood != nullptr) {
    result["mood"] = c.mood->name;
    result["mood_conditions"] = c.mood->describe();
  }
  if (strict < limit) {
    result["note"] = "only " + std::to_string(available) + " " + genre + " tracks" + c.describe() +
                     " (counting one version of each song and at most " + std::to_string(kMaxPerArtist) +
                     " per artist)" +
                     (picks.size() > strict ? "; the other " + std::to_string(picks.size() - strict) +
                                                  " are the nearest of the rest"
                      : available == 0      ? "; loosen the filters or try another genre"
                                            : "");
  }
  return result;
}

}  // namespace musicagent::tools
