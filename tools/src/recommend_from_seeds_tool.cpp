#include "tools/recommend_from_seeds_tool.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "catalog/track_json.hpp"
#include "common/logging.hpp"
#include "tools/similar_artists_tool.hpp"
#include "tools/track_conditions.hpp"

namespace musicagent::tools {
namespace {

constexpr std::size_t kSimilarArtistsPerSeed = 8;
constexpr std::size_t kSoundAlikesPerSeed = 40;
constexpr std::size_t kPerSimilarArtist = 2;

// A list of candidates that one seed contributes, with what to say about each.
struct Source {
  std::string seed;                                // the seed's name, for reasons
  std::vector<catalog::TrackIndex> tracks;         // best first
  std::map<catalog::TrackIndex, std::string> why;  // per track, when it differs from the default
  std::string default_why;
};

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return out;
}

// Takes from each source in turn its best remaining track that passes, so every seed is heard;
// `per_artist` caps the tracks of one first artist across all sources.
std::vector<std::pair<catalog::TrackIndex, std::string>> round_robin(
    const catalog::Snapshot& snapshot, const std::vector<Source>& sources,
    const TrackConditions& conditions, std::size_t limit, std::size_t per_artist,
    std::set<std::pair<std::string, std::string>>& songs) {
  // Each source's tracks that pass, by the conditions' score, keeping its own order among equals.
  std::vector<std::vector<catalog::TrackIndex>> ranked_tracks;
  ranked_tracks.reserve(sources.size());
  for (const auto& source : sources) {
    std::vector<Pick> ranked;
    for (const auto t : source.tracks) {
      if (conditions.admits(snapshot, t))
        ranked.push_back({t, track_score(snapshot.tracks()[t], conditions)});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Pick& a, const Pick& b) { return a.score > b.score; });
    auto& tracks = ranked_tracks.emplace_back();
    for (const auto& p : ranked) tracks.push_back(p.track);
  }
  std::vector<std::pair<catalog::TrackIndex, std::string>> out;
  std::map<std::string, std::size_t> per;
  std::vector<std::size_t> next(sources.size(), 0);
  bool progress = true;
  while (out.size() < limit && progress) {
    progress = false;
    for (std::size_t s = 0; s < sources.size() && out.size() < limit; ++s) {
      const auto& source = sources[s];
      const auto& tracks = ranked_tracks[s];
      while (next[s] < tracks.size()) {
        const auto t = tracks[next[s]++];
        const auto key = song_key(snapshot, snapshot.tracks()[t]);
        if (songs.count(key) || per[key.first] >= per_artist) continue;
        songs.insert(key);
        ++per[key.first];
        const auto it = source.why.find(t);
        out.emplace_back(t, it != source.why.end() ? it->second : source.default_why);
        progress = true;
        break;
      }
    }
  }
  return out;
}

std::string nearest_note(const TrackConditions& conditions) {
  return conditions.mood != nullptr ? ", nearest to " + conditions.mood->name + " among the rest"
                                    : ", among the rest";
}

}  // namespace

RecommendFromSeedsTool::RecommendFromSeedsTool(ToolServices services)
    : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult RecommendFromSeedsTool::invoke(const nlohmann::json& arguments) const {
  const auto understood = services_.understood();
  if (!understood) return understood.error();
  const auto& u = *understood.value();
  const auto& snapshot = *u.snapshot;
  const auto limit = arguments.at("limit").get<std::size_t>();
  const auto mode = arguments.at("mode").get<std::string>();
  const bool fill_with_similar = arguments.value("fill", true);

  auto conditions_read = read_conditions(arguments, u);
  if (!conditions_read) return conditions_read.error();
  auto conditions = conditions_read.value();

  // The seeds.
  std::vector<catalog::ArtistIndex> artists;
  std::vector<catalog::TrackIndex> seed_tracks;
  std::vector<std::string> genres;
  nlohmann::json not_found = nlohmann::json::array();
  for (const auto& name : arguments.value("artists", nlohmann::json::array())) {
    const auto found = find_artist(u, name.get<std::string>());
    if (found) {
      if (std::find(artists.begin(), artists.end(), found.value()) == artists.end())
        artists.push_back(found.value());
    } else {
      not_found.push_back(
          {{"artist", name},
           {"candidates", found.error().details.value("candidates", nlohmann::json::array())}});
    }
  }
  for (const auto& text : arguments.value("tracks", nlohmann::json::array())) {
    const auto found = find_track(u, text.get<std::string>());
    if (found) {
      seed_tracks.push_back(found.value());
    } else {
      not_found.push_back(
          {{"track", text},
           {"candidates", found.error().details.value("candidates", nlohmann::json::array())}});
    }
  }
  for (const auto& text : arguments.value("genres", nlohmann::json::array())) {
    const auto named = u.parser->genres_named(text.get<std::string>());
    if (named.empty()) {
      return ToolError{"invalid_arguments",
                       "unknown genre '" + text.get<std::string>() + "'",
                       {{"genres", snapshot.genre_names()}}};
    }
    for (const auto& g : named) {
      if (std::find(genres.begin(), genres.end(), g) == genres.end()) genres.push_back(g);
    }
  }
  const bool asked_seeds = !arguments.value("artists", nlohmann::json::array()).empty() ||
                           !arguments.value("tracks", nlohmann::json::array()).empty();
  if (asked_seeds && artists.empty() && seed_tracks.empty()) {
    return ToolError{
        "not_found", "none of the seeds is in the catalogue", {{"not_found", not_found}}};
  }
  // Genres given with seeds narrow the seeds' tracks; alone, they are where to look.
  std::set<catalog::GenreIndex> genre_set;
  for (const auto& g : genres) genre_set.insert(*snapshot.find_genre(g));
  auto in_genres = [&](catalog::TrackIndex t) {
    if (genre_set.empty()) return true;
    return std::any_of(snapshot.tracks()[t].genres.begin(), snapshot.tracks()[t].genres.end(),
                       [&](auto g) { return genre_set.count(g) != 0; });
  };

  std::vector<std::string> seed_names;
  for (const auto a : artists) seed_names.push_back(snapshot.artists()[a].name);
  for (const auto t : seed_tracks) seed_names.push_back(snapshot.tracks()[t].name);

  // The seeds' own tracks: each seed artist, and each seed track with its artist's others.
  std::vector<Source> own;
  for (const auto t : seed_tracks) {
    Source source;
    source.seed = snapshot.tracks()[t].name;
    source.tracks.push_back(t);
    source.why[t] = "the track you named";
    if (!snapshot.tracks()[t].artists.empty()) {
      const auto& artist = snapshot.artists()[snapshot.tracks()[t].artists.front()];
      for (const auto other : artist.tracks) {
        if (other != t && in_genres(other)) source.tracks.push_back(other);
      }
      source.default_why = "also by " + artist.name;
    }
    own.push_back(std::move(source));
  }
  std::vector<std::string> outside_genres;  // seeds with no track in the genres asked for
  for (const auto a : artists) {
    Source source;
    const auto& artist = snapshot.artists()[a];
    source.seed = artist.name;
    for (const auto t : artist.tracks) {
      if (in_genres(t)) source.tracks.push_back(t);
    }
    if (source.tracks.empty() && !genre_set.empty()) {
      source.tracks = artist.tracks;
      outside_genres.push_back(artist.name);
    }
    source.default_why = "by " + artist.name + ", one of your seeds";
    own.push_back(std::move(source));
  }

  // Others like the seeds: co-listening neighbours of the artists, sound-alikes of the tracks.
  std::vector<Source> similar;
  std::string similar_note;
  auto find_similar = [&] {
    std::set<catalog::ArtistIndex> seed_set(artists.begin(), artists.end());
    for (const auto t : seed_tracks) {
      for (const auto a : snapshot.tracks()[t].artists) seed_set.insert(a);
    }
    if (!artists.empty()) {
      try {
        auto connection = services_.database->lease();
        pqxx::read_transaction tx(*connection);
        for (const auto a : artists) {
          const auto& artist = snapshot.artists()[a];
          const auto found = find_similar_artists(tx, artist.id, kSimilarArtistsPerSeed);
          Source source;
          source.seed = artist.name;
          for (const auto& other : found.artists) {
            const auto index = snapshot.find_artist(other.value("artist_id", ""));
            if (!index || seed_set.count(*index)) continue;
            const std::string why =
                "by " + snapshot.artists()[*index].name + ", " +
                (found.method == "co-listening" ? "played by " + artist.name + "'s listeners"
                 : found.method == "tags"       ? "tagged like " + artist.name
                                                : "sounds like " + artist.name) +
                " (" + found.method + ")";
            std::size_t taken = 0;
            for (const auto t : snapshot.artists()[*index].tracks) {
              if (!in_genres(t)) continue;
              source.tracks.push_back(t);
              source.why[t] = why;
              if (++taken == 6) break;
            }
          }
          similar.push_back(std::move(source));
        }
      } catch (const std::exception& e) {
        similar_note = std::string("artists like the seeds could not be read: ") + e.what();
        common::logger("tools")->warn("recommend_from_seeds: {}", similar_note);
      }
    }
    if (!seed_tracks.empty()) {
      try {
        const auto& index = services_.index->get();
        for (const auto t : seed_tracks) {
          Source source;
          source.seed = snapshot.tracks()[t].name;
          for (const auto& neighbour :
               index.similar_tracks(snapshot.tracks()[t].id, kSoundAlikesPerSeed)) {
            const auto n = snapshot.find_track(neighbour.track_id);
            if (!n || !in_genres(*n)) continue;
            const auto& artists_of = snapshot.tracks()[*n].artists;
            if (std::any_of(artists_of.begin(), artists_of.end(),
                            [&](auto a) { return seed_set.count(a) != 0; }))
              continue;
            source.tracks.push_back(*n);
          }
          source.default_why = "sounds like " + snapshot.tracks()[t].name + " (audio features)";
          similar.push_back(std::move(source));
        }
      } catch (const std::exception& e) {
        similar_note =
            std::string("tracks that sound like the seeds could not be read: ") + e.what();
      }
    }
  };
  if (mode != "own") find_similar();

  std::set<std::pair<std::string, std::string>> songs;
  std::vector<std::pair<catalog::TrackIndex, std::string>> chosen;
  std::string relaxed_note;
  std::size_t available_without_seeds = 0;
  if (own.empty() && similar.empty() && genre_set.size() > 1) {
    // Several genres and no seeds ("rap, pop, Latin and ska"): each genre in turn, so every one
    // is heard rather than the most popular filling the list.
    std::vector<Source> by_genre;
    for (const auto& name : genres) {
      const auto g = *snapshot.find_genre(name);
      Source source;
      source.seed = name;
      source.tracks =
          snapshot.genres()[g].tracks;  // most popular first, as the snapshot keeps them
      source.default_why =
          "a popular " + name + " track" + (conditions.any() ? " meeting the conditions" : "");
      by_genre.push_back(std::move(source));
    }
    chosen = round_robin(snapshot, by_genre, conditions, limit, 2, songs);
    if (chosen.size() < limit && conditions.relaxable()) {
      auto more =
          round_robin(snapshot, by_genre, conditions.relaxed(), limit - chosen.size(), 2, songs);
      for (auto& [t, why] : more) why += nearest_note(conditions);
      chosen.insert(chosen.end(), more.begin(), more.end());
    }
  } else if (own.empty() && similar.empty()) {
    // No seeds: the best tracks of the genres (or the whole catalogue) that meet the conditions.
    std::vector<catalog::TrackIndex> pool;
    if (genre_set.empty()) {
      pool.resize(snapshot.tracks().size());
      for (std::size_t i = 0; i < pool.size(); ++i) pool[i] = static_cast<catalog::TrackIndex>(i);
    } else {
      std::set<catalog::TrackIndex> seen;
      for (const auto g : genre_set) {
        for (const auto t : snapshot.genres()[g].tracks) {
          if (seen.insert(t).second) pool.push_back(t);
        }
      }
    }
    std::size_t strict = 0;
    const auto picks =
        pick_tracks_filled(snapshot, pool, conditions, limit, 2, &available_without_seeds, &strict);
    for (std::size_t i = 0; i < picks.size(); ++i) {
      const auto& track = snapshot.tracks()[picks[i].track];
      std::string genre =
          track.genres.empty() ? "" : snapshot.genres()[track.genres.front()].name + " ";
      chosen.emplace_back(picks[i].track, "a popular " + genre + "track" +
                                              (i >= strict        ? nearest_note(conditions)
                                               : conditions.any() ? " meeting the conditions"
                                                                  : ""));
    }
  } else if (mode == "own") {
    chosen = round_robin(snapshot, own, conditions, limit, limit, songs);
    // A mood over one artist's tracks can leave few: the rest are theirs too, ranked by the mood.
    if (chosen.size() < limit &&
        (conditions.mood != nullptr || !conditions.features.empty() || conditions.min_popularity)) {
      auto relaxed = conditions.relaxed();
      relaxed.min_popularity.reset();
      const std::size_t strict = chosen.size();
      auto more = round_robin(snapshot, own, relaxed, limit - chosen.size(), limit, songs);
      const std::string wanted = conditions.describe().substr(1);
      for (auto& [t, why] : more) why += nearest_note(conditions);
      chosen.insert(chosen.end(), more.begin(), more.end());
      if (!more.empty()) {
        relaxed_note = std::to_string(strict) + " of these are tracks " + wanted +
                       "; the rest are the seeds' next best";
      }
    }
    // The seeds' own tracks ran out ("more Silk Sonic" after all of theirs were shown): the
    // playlist goes on with artists like them, and the note says so.
    if (chosen.size() < limit && !artists.empty() && fill_with_similar) {
      const std::size_t own_count = chosen.size();
      find_similar();
      auto rest = round_robin(snapshot, similar, conditions, limit - chosen.size(),
                              kPerSimilarArtist, songs);
      chosen.insert(chosen.end(), rest.begin(), rest.end());
      if (!rest.empty()) {
        relaxed_note += std::string(relaxed_note.empty() ? "" : "; ") + "only " +
                        std::to_string(own_count) + " more by " + join(seed_names) +
                        " meet this, so the rest are by artists like them";
      }
    }
  } else if (mode == "similar") {
    chosen = round_robin(snapshot, similar, conditions, limit, kPerSimilarArtist, songs);
  } else {
    const std::size_t own_share = similar.empty() ? limit : (limit + 1) / 2;
    chosen = round_robin(snapshot, own, conditions, own_share,
                         std::max<std::size_t>(2, own_share / std::max<std::size_t>(1, own.size())),
                         songs);
    auto rest =
        round_robin(snapshot, similar, conditions, limit - chosen.size(), kPerSimilarArtist, songs);
    chosen.insert(chosen.end(), rest.begin(), rest.end());
  }

  nlohmann::json tracks = nlohmann::json::array();
  for (const auto& [t, why] : chosen) {
    const auto& track = snapshot.tracks()[t];
    tracks.push_back(catalog::track_json(snapshot, track,
                                         why + " (popularity " + std::to_string(track.popularity) +
                                             ")" + conditions_reason(track, conditions)));
  }
  nlohmann::json seeds_json{{"artists", nlohmann::json::array()},
                            {"tracks", nlohmann::json::array()},
                            {"genres", genres}};
  for (const auto a : artists)
    seeds_json["artists"].push_back(catalog::artist_summary_json(snapshot, snapshot.artists()[a]));
  for (const auto t : seed_tracks)
    seeds_json["tracks"].push_back(catalog::track_json(snapshot, snapshot.tracks()[t], "seed"));
  nlohmann::json result{
      {"mode", mode}, {"seeds", std::move(seeds_json)}, {"tracks", std::move(tracks)}};
  if (conditions.mood != nullptr) {
    result["mood"] = conditions.mood->name;
    result["mood_conditions"] = conditions.mood->describe();
  }
  if (!not_found.empty()) result["not_found"] = std::move(not_found);
  if (const auto text = conditions.describe(); !text.empty()) result["conditions"] = text.substr(1);
  std::string note = similar_note;
  if (!relaxed_note.empty()) note += std::string(note.empty() ? "" : "; ") + relaxed_note;
  if (!outside_genres.empty()) {
    note += std::string(note.empty() ? "" : "; ") + join(outside_genres) + " ha" +
            (outside_genres.size() == 1 ? "s" : "ve") + " no " + join(genres) +
            " tracks, so their others are here";
  }
  if (result["tracks"].size() < limit) {
    note += std::string(note.empty() ? "" : "; ") + "only " +
            std::to_string(result["tracks"].size()) + " tracks" +
            (seed_names.empty() ? "" : " for " + join(seed_names)) + conditions.describe();
  }
  if (!note.empty()) result["note"] = note;
  return result;
}

}  // namespace musicagent::tools
