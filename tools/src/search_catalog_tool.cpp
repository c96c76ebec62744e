#include "tools/search_catalog_tool.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "catalog/track_json.hpp"
#include "tools/track_conditions.hpp"

namespace musicagent::tools {
namespace {

using understanding::Intent;

double rounded(double score) { return std::round(score * 1000.0) / 1000.0; }

// The parse of the query, folded into the conditions the tool was also given.
struct Reading {
  std::vector<catalog::ArtistIndex> artists;
  std::vector<catalog::TrackIndex> tracks;
  std::vector<std::uint32_t> albums;
  std::vector<std::string> genres;
  std::vector<std::string> not_in_catalogue;  // Last.fm artists the catalogue lacks
  bool describes = false;                     // a mood, condition or genre to rank by
};

Reading read(const understanding::QueryParse& parse, const understanding::Understanding& u,
             TrackConditions& conditions) {
  Reading reading;
  const auto& snapshot = *u.snapshot;
  for (const auto& r : parse.requests) {
    for (const auto& a : r.artists) {
      if (a.negated) {
        conditions.exclude_artists.insert(a.artist);
      } else if (std::find(reading.artists.begin(), reading.artists.end(), a.artist) == reading.artists.end()) {
        reading.artists.push_back(a.artist);
      }
    }
    for (const auto& l : r.listened) {
      if (!l.negated) reading.not_in_catalogue.push_back(snapshot.listened_artists()[l.listened].name);
    }
    for (const auto& t : r.tracks) {
      if (!t.negated) reading.tracks.push_back(t.track);
    }
    for (const auto& a : r.albums) {
      if (!a.negated) reading.albums.push_back(a.album);
    }
    for (const auto& g : r.genres) {
      if (g.negated) {
        conditions.exclude_genre_names.push_back(g.genre);
        for (const auto& member : u.lexicon->family(g.genre)) {
          if (const auto index = snapshot.find_genre(member)) conditions.exclude_genres.insert(*index);
        }
      } else if (std::find(reading.genres.begin(), reading.genres.end(), g.genre) == reading.genres.end()) {
        reading.genres.push_back(g.genre);
      }
    }
    for (const auto& m : r.moods) {
      const auto* mood = u.moods->find(m.mood);
      if (mood == nullptr) continue;
      if (m.negated) {
        for (const auto& c : mood->negated) conditions.features.push_back(c.range);
      } else if (conditions.mood == nullptr) {
        conditions.mood = mood;
      } else if (conditions.mood != mood) {
        for (const auto& c : mood->conditions) conditions.features.push_back(c.range);
      }
      reading.describes = true;
    }
    for (const auto& t : r.thresholds) {
      conditions.features.push_back(t.range);
      reading.describes = true;
    }
    if (r.clean) conditions.exclude_explicit = true;
  }
  if (!reading.genres.empty()) reading.describes = true;
  return reading;
}

nlohmann::json understood_json(const Reading& reading, const TrackConditions& conditions,
                               const understanding::Understanding& u) {
  const auto& snapshot = *u.snapshot;
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json artists = nlohmann::json::array(), tracks = nlohmann::json::array();
  for (const auto a : reading.artists) artists.push_back(snapshot.artists()[a].name);
  for (const auto t : reading.tracks) tracks.push_back(snapshot.tracks()[t].name);
  if (!artists.empty()) out["artists"] = std::move(artists);
  if (!tracks.empty()) out["tracks"] = std::move(tracks);
  if (!reading.albums.empty()) {
    nlohmann::json albums = nlohmann::json::array();
    for (const auto a : reading.albums) albums.push_back(u.entities->albums()[a].name);
    out["albums"] = std::move(albums);
  }
  if (!reading.genres.empty()) out["genres"] = reading.genres;
  if (conditions.mood != nullptr) out["mood"] = {{"name", conditions.mood->name}, {"conditions", conditions.mood->describe()}};
  if (!conditions.features.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& range : conditions.features) list.push_back(understanding::describe(range));
    out["conditions"] = std::move(list);
  }
  if (!conditions.exclude_genre_names.empty()) out["without_genres"] = conditions.exclude_genre_names;
  if (!conditions.exclude_artists.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto a : conditions.exclude_artists) list.push_back(snapshot.artists()[a].name);
    out["without_artists"] = std::move(list);
  }
  if (!reading.not_in_catalogue.empty()) out["not_in_catalogue"] = reading.not_in_catalogue;
  return out;
}

}  // namespace

SearchCatalogTool::SearchCatalogTool(ToolServices services) : services_(std::move(services)) {
  auto schema = load_tool_schema(services_.schema_dir(), name());
  description_ = std::move(schema.description);
  parameters_ = std::move(schema.parameters);
}

ToolResult SearchCatalogTool::invoke(const nlohmann::json& arguments) const {
  const auto understood = services_.understood();
  if (!understood) return understood.error();
  const auto& u = *understood.value();
  const auto& snapshot = *u.snapshot;

  const auto text = arguments.at("query").get<std::string>();
  const auto kind = arguments.at("kind").get<std::string>();
  const auto limit = arguments.at("limit").get<std::size_t>();
  const bool want_tracks = kind != "artists", want_artists = kind != "tracks";

  auto conditions_read = read_conditions(arguments, u);
  if (!conditions_read) return conditions_read.error();
  auto conditions = conditions_read.value();
  std::optional<std::string> genre;
  if (arguments.contains("genre")) {
    const auto named = u.parser->genres_named(arguments.at("genre").get<std::string>());
    if (named.empty()) {
      return ToolError{"invalid_arguments",
                       "unknown genre '" + arguments.at("genre").get<std::string>() + "'; use one of the catalogue's genres",
                       {{"genres", snapshot.genre_names()}}};
    }
    genre = named.front();
  }

  const auto parse = u.parser->parse(text);
  const auto reading = read(parse, u, conditions);
  std::set<catalog::GenreIndex> within;
  if (genre) within.insert(*snapshot.find_genre(*genre));
  if (!genre && reading.artists.empty() && reading.tracks.empty()) {
    for (const auto& g : reading.genres) within.insert(*snapshot.find_genre(g));
  }
  auto in_genre = [&](catalog::TrackIndex t) {
    if (within.empty()) return true;
    const auto& genres = snapshot.tracks()[t].genres;
    return std::any_of(genres.begin(), genres.end(), [&](auto g) { return within.count(g) != 0; });
  };

  nlohmann::json results = nlohmann::json::array();
  std::set<std::string> seen;
  std::set<std::pair<std::string, std::string>> songs;
  auto add_track = [&](catalog::TrackIndex t, double score, const std::string& why) {
    const auto& track = snapshot.tracks()[t];
    if (results.size() >= limit || !seen.insert(track.id).second) return;
    if (!songs.insert(song_key(snapshot, track)).second) return;
    auto item = catalog::track_json(snapshot, track, why + conditions_reason(track, conditions));
    item["kind"] = "track";
    item["score"] = rounded(score);
    results.push_back(std::move(item));
  };
  auto add_artist = [&](catalog::ArtistIndex a, double score, const std::string& why) {
    const auto& artist = snapshot.artists()[a];
    if (results.size() >= limit || !seen.insert(artist.id).second) return;
    auto item = catalog::artist_summary_json(snapshot, artist);
    item["kind"] = "artist";
    item["score"] = rounded(score);
    item["reason"] = why;
    results.push_back(std::move(item));
  };

  // 1. What the query names: tracks, artists (and their tracks), albums.
  if (want_tracks) {
    for (const auto t : reading.tracks) add_track(t, 1.0, "the track named in the query");
  }
  if (want_artists) {
    for (const auto a : reading.artists) add_artist(a, 0.99, "the artist named in the query");
  }
  if (want_tracks && !reading.artists.empty()) {
    // Each named artist in turn, their tracks ranked by the conditions.
    std::vector<std::vector<Pick>> lists;
    for (const auto a : reading.artists) {
      std::vector<catalog::TrackIndex> own;
      for (const auto t : snapshot.artists()[a].tracks) {
        if (in_genre(t)) own.push_back(t);
      }
      lists.push_back(pick_tracks(snapshot, own, conditions, limit, limit));
    }
    for (std::size_t round = 0; round < limit && results.size() < limit; ++round) {
      for (std::size_t k = 0; k < lists.size(); ++k) {
        if (round < lists[k].size())
          add_track(lists[k][round].track, 0.95 * lists[k][round].score + 0.04,
                    "by " + snapshot.artists()[reading.artists[k]].name + ", named in the query");
      }
    }
  }
  if (want_tracks) {
    for (const auto album : reading.albums) {
      for (const auto& p : pick_tracks(snapshot, u.entities->albums()[album].tracks, conditions, limit, limit)) {
        add_track(p.track, 0.9, "from " + u.entities->albums()[album].name);
      }
    }
  }

  // 2. The words, against the descriptions of every track and artist.
  std::string index_note;
  std::vector<std::pair<catalog::TrackIndex, double>> text_tracks;
  std::vector<std::pair<catalog::ArtistIndex, double>> text_artists;
  try {
    const auto& index = services_.index->get();
    rag::CatalogQuery query;
    query.text = text;
    query.kind = want_tracks && want_artists ? "any" : want_tracks ? "track" : "artist";
    query.limit = std::max<std::size_t>(limit * 3, 30);
    if (genre) query.genre = *genre;
    for (const auto& hit : index.search(query)) {
      const auto& doc = *hit.document;
      if (doc.kind == "track") {
        if (const auto t = snapshot.find_track(doc.entity_id); t && conditions.admits(snapshot, *t) && in_genre(*t))
          text_tracks.emplace_back(*t, hit.score);
      } else if (const auto a = snapshot.find_artist(doc.entity_id); a && !conditions.exclude_artists.count(*a)) {
        text_artists.emplace_back(*a, hit.score);
      }
    }
  } catch (const rag::IndexUnavailable& e) {
    index_note = std::string("the text index is not available (") + e.what() + "), so only what the query names and describes was used";
  }

  // 3. What the query describes (a mood, conditions, a genre), ranked by the audio features.
  std::vector<Pick> described;
  if (want_tracks && (reading.describes || conditions.any() || genre) && reading.artists.empty() && reading.tracks.empty()) {
    std::vector<catalog::TrackIndex> pool;
    if (!within.empty()) {
      std::set<catalog::TrackIndex> unique;
      for (const auto g : within) {
        for (const auto t : snapshot.genres()[g].tracks) {
          if (unique.insert(t).second) pool.push_back(t);
        }
      }
    } else {
      pool.resize(snapshot.tracks().size());
      for (std::size_t i = 0; i < pool.size(); ++i) pool[i] = static_cast<catalog::TrackIndex>(i);
    }
    described = pick_tracks(snapshot, pool, conditions, limit * 2, 2);
  }

  // Text matches that also fit what was described come first; then the two lists in turn.
  std::size_t ti = 0, di = 0, ai = 0;
  while (results.size() < limit && (ti < text_tracks.size() || di < described.size() || ai < text_artists.size())) {
    const bool text_turn = ti < text_tracks.size() && (di >= described.size() || results.size() % 2 == 0);
    if (want_artists && ai < text_artists.size() &&
        (ti >= text_tracks.size() || text_artists[ai].second >= text_tracks[ti].second) &&
        (di >= described.size() || !reading.describes)) {
      add_artist(text_artists[ai].first, text_artists[ai].second, "matches the query's words");
      ++ai;
    } else if (text_turn) {
      add_track(text_tracks[ti].first, text_tracks[ti].second, "matches the query's words");
      ++ti;
    } else if (di < described.size()) {
      const auto& track = snapshot.tracks()[described[di].track];
      add_track(described[di].track, described[di].score,
                "fits what the query describes (popularity " + std::to_string(track.popularity) + ")");
      ++di;
    } else if (ai < text_artists.size()) {
      add_artist(text_artists[ai].first, text_artists[ai].second, "matches the query's words");
      ++ai;
    } else {
      break;
    }
  }

  // A music request never comes back empty while the catalogue has tracks.
  std::string note = index_note;
  if (results.empty() && want_tracks && !snapshot.tracks().empty()) {
    std::vector<catalog::TrackIndex> all(snapshot.tracks().size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<catalog::TrackIndex>(i);
    auto picks = pick_tracks(snapshot, all, conditions, limit, 2);
    std::string why = "popular track meeting the conditions";
    if (picks.empty()) {
      picks = pick_tracks(snapshot, all, TrackConditions{}, limit, 2);
      why = "popular track";
      note += std::string(note.empty() ? "" : "; ") + "nothing met every condition, so these are popular tracks instead";
    } else {
      note += std::string(note.empty() ? "" : "; ") +
              "nothing in the catalogue matched the words; these are the most popular tracks meeting the conditions";
    }
    for (const auto& p : picks) add_track(p.track, p.score, why);
  }
  nlohmann::json result{{"query", text},
                        {"understood", understood_json(reading, conditions, u)},
                        {"results", results},
                        {"count", results.size()}};
  if (!note.empty()) result["note"] = note;
  return result;
}

}  // namespace musicagent::tools
