#include "agent/answer_writer.hpp"

#include <cmath>
#include <cstdio>

namespace musicagent::agent {
namespace {

using nlohmann::json;

std::string join(const json& values, const std::string& separator = ", ", std::size_t max = 99) {
  std::string out;
  std::size_t n = 0;
  if (!values.is_array()) return values.is_string() ? values.get<std::string>() : std::string();
  for (const auto& v : values) {
    if (n++ == max) break;
    if (!out.empty()) out += separator;
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

std::string str(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return {};
  const auto& v = object[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string number(double value, int decimals = 0) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string thousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string track_line(std::size_t rank, const json& track, bool with_reason) {
  std::string line = std::to_string(rank) + ". **" + str(track, "name") + "**";
  const std::string artists = join(track.value("artists", json::array()));
  if (!artists.empty()) line += " by " + artists;
  const std::string album = str(track, "album");
  if (!album.empty() && album != str(track, "name")) line += " (" + album + ")";
  if (with_reason && track.contains("reason")) line += " — " + str(track, "reason");
  return line;
}

std::string tracks_list(const json& tracks, bool with_reason) {
  std::string out;
  std::size_t rank = 0;
  for (const auto& track : tracks) out += "\n" + track_line(++rank, track, with_reason);
  return out;
}

std::string error_answer(const std::string& tool, const json& arguments, const json& error) {
  const std::string code = str(error, "code");
  const std::string message = str(error, "message");
  const json details = error.value("details", json::object());
  std::string out;
  if (code == "unknown_genre" || details.contains("suggestions")) {
    out = "I don't know the genre \"" + str(arguments, "genre") + "\".";
    const auto suggestions = details.value("suggestions", json::array());
    if (!suggestions.empty()) out += " The closest genres I have: " + join(suggestions) + ".";
    return out;
  }
  if (details.contains("candidates") && !details["candidates"].empty()) {
    out = message + "\nDid you mean:";
    for (const auto& c : details["candidates"]) {
      std::string name = c.is_string() ? c.get<std::string>() : str(c, "name");
      const std::string artists =
          c.is_object() && c.contains("artists") ? join(c["artists"]) : std::string();
      out += "\n- " + name + (artists.empty() ? "" : " by " + artists);
    }
    return out;
  }
  if (code == "sql_refused") {
    return "I won't run that: " + message +
           " The warehouse is read-only for me; I can answer questions about it instead.";
  }
  (void)tool;
  return message.empty() ? "That did not work (" + code + ")." : message;
}

std::string notes(const json& result) {
  return result.contains("note") ? "\n\n" + str(result, "note") : std::string();
}

std::string names_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return out;
}

std::string seeds_answer(const json& arguments, const json& result) {
  const auto& tracks = result.value("tracks", json::array());
  const auto& seeds = result.value("seeds", json::object());
  std::vector<std::string> names;
  for (const auto& a : seeds.value("artists", json::array())) names.push_back(str(a, "name"));
  for (const auto& t : seeds.value("tracks", json::array())) names.push_back("\"" + str(t, "name") + "\"");
  std::vector<std::string> genres;
  for (const auto& g : seeds.value("genres", json::array())) genres.push_back(g.get<std::string>());
  const std::string mode = str(result, "mode");
  std::string subject;
  if (!names.empty()) {
    subject = mode == "own" ? "by " + names_list(names) : mode == "similar" ? "like " + names_list(names)
                                                                            : "from " + names_list(names) + " and others like them";
    if (!genres.empty()) subject += " (" + names_list(genres) + ")";
  } else if (!genres.empty()) {
    subject = "of " + names_list(genres);
  } else {
    subject = "from the whole catalogue";
  }
  if (result.contains("conditions")) subject += " " + str(result, "conditions");
  std::string out;
  for (const auto& missing : result.value("not_found", json::array())) {
    const std::string what = missing.contains("artist") ? str(missing, "artist") : str(missing, "track");
    out += "I couldn't find " + what + " in the catalogue.";
    const auto& candidates = missing.value("candidates", json::array());
    if (!candidates.empty()) {
      std::vector<std::string> close;
      for (const auto& c : candidates) close.push_back(str(c, "name"));
      out += " Close names: " + names_list(close) + ".";
    }
    out += "\n";
  }
  if (tracks.empty()) {
    return out + "I found no tracks " + subject + "." +
           notes(result);
  }
  if (!out.empty()) out += "\n";
  out += "Here are " + std::to_string(tracks.size()) + " tracks " + subject + ":" + tracks_list(tracks, true);
  (void)arguments;
  return out + notes(result);
}

std::string recommend_answer(const json& arguments, const json& result) {
  const auto& tracks = result.value("tracks", json::array());
  const std::string genre = str(result, "genre");
  const std::string mood = str(result, "mood");
  if (tracks.empty()) {
    return "I found no " + (mood.empty() ? "" : mood + " ") + genre +
           " tracks with those conditions" +
           (arguments.contains("exclude_track_ids") ? " that I haven't shown you already." : ".");
  }
  std::string out = "Here are " + std::to_string(tracks.size()) + " " +
                    (mood.empty() ? "" : mood + " ") + genre + " tracks";
  if (result.contains("genre_match")) {
    out += " (for \"" + str(result["genre_match"], "input") + "\")";
  }
  out += ":" + tracks_list(tracks, true);
  if (result.contains("note")) out += "\n\n" + str(result, "note");
  return out;
}

std::string artist_answer(const json& result) {
  std::string out = "**" + str(result, "name") + "**";
  const std::string genres = join(result.value("genres", json::array()));
  if (!genres.empty()) out += " — " + genres;
  out += ".";
  if (str(result, "matched") == "fuzzy" && result.contains("query")) {
    out += " (I took \"" + str(result, "query") + "\" to mean " + str(result, "name") + ".)";
  }
  out += "\n\n" + std::to_string(result.value("track_count", 0)) + " tracks in the catalogue";
  if (result.contains("popularity") && result["popularity"].is_object()) {
    const auto& p = result["popularity"];
    if (p.contains("max") && !p["max"].is_null()) out += ", popularity up to " + p["max"].dump();
  }
  out += ".";
  const auto& lastfm = result.value("lastfm", json());
  if (lastfm.is_object() && lastfm.contains("listeners") && !lastfm["listeners"].is_null()) {
    out += " Last.fm: " + thousands(lastfm["listeners"].get<long long>()) + " listeners";
    if (lastfm.contains("plays") && !lastfm["plays"].is_null()) {
      out += ", " + thousands(lastfm["plays"].get<long long>()) + " plays";
    }
    out += ".";
    const std::string tags = join(lastfm.value("top_tags", json::array()), ", ", 6);
    if (!tags.empty()) out += " Tagged " + tags + ".";
  }
  const auto& spotify = result.value("spotify", json());
  if (spotify.is_object() && spotify.contains("followers") && !spotify["followers"].is_null()) {
    out += " Spotify: " + thousands(spotify["followers"].get<long long>()) + " followers.";
  }
  const auto& top = result.value("top_tracks", json::array());
  if (!top.empty()) {
    out += "\n\nStart with:";
    std::size_t rank = 0;
    for (const auto& track : top) {
      if (rank == 5) break;
      out += "\n" + track_line(++rank, track, false);
    }
  }
  const auto& similar = result.value("similar_artists", json::object()).value("artists", json::array());
  if (!similar.empty()) {
    json names = json::array();
    for (const auto& a : similar) {
      if (names.size() == 5) break;
      names.push_back(str(a, "name"));
    }
    out += "\n\nIf you like them, try " + join(names) + ".";
  }
  return out;
}

std::string similar_artists_answer(const json& result) {
  const auto& similar = result.value("similar", json::array());
  const std::string name = str(result.value("artist", json::object()), "name");
  if (similar.empty()) return "I found no artists similar to " + name + ".";
  const std::string method = str(result, "method");
  std::string out = "Artists similar to **" + name + "**" +
                    (method.empty() ? "" : " (by " + method + ")") + ":";
  std::size_t rank = 0;
  for (const auto& a : similar) {
    out += "\n" + std::to_string(++rank) + ". **" + str(a, "name") + "**";
    const std::string genres = join(a.value("genres", json::array()), ", ", 3);
    if (!genres.empty()) out += " — " + genres;
  }
  if (result.contains("note")) out += "\n\n" + str(result, "note");
  return out;
}

std::string similar_tracks_answer(const json& result) {
  const auto& tracks = result.value("tracks", json::array());
  const auto& seed = result.value("track", json::object());
  const std::string artists = join(seed.value("artists", json::array()));
  const std::string seed_text =
      "**" + str(seed, "name") + "**" + (artists.empty() ? "" : " by " + artists);
  if (tracks.empty()) return "I found no tracks that sound like " + seed_text + ".";
  return "Tracks that sound like " + seed_text + ":" + tracks_list(tracks, false);
}

// What the search read in the query, in a few words: "Katy Perry; danceable; without metal".
std::string understood_text(const json& understood) {
  std::vector<std::string> parts;
  for (const char* key : {"artists", "tracks", "albums", "genres"}) {
    for (const auto& v : understood.value(key, json::array())) parts.push_back(v.get<std::string>());
  }
  if (understood.contains("mood")) parts.push_back(str(understood["mood"], "name"));
  for (const auto& c : understood.value("conditions", json::array())) parts.push_back(c.get<std::string>());
  for (const auto& g : understood.value("without_genres", json::array())) parts.push_back("no " + g.get<std::string>());
  for (const auto& a : understood.value("without_artists", json::array())) parts.push_back("no " + a.get<std::string>());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string search_answer(const json& result) {
  const auto& results = result.value("results", json::array());
  std::string out;
  for (const auto& name : result.value("understood", json::object()).value("not_in_catalogue", json::array())) {
    out += name.get<std::string>() + " is not in the catalogue.\n";
  }
  if (results.empty()) return out + "Nothing in the catalogue matched \"" + str(result, "query") + "\"." + notes(result);
  const std::string read = understood_text(result.value("understood", json::object()));
  out += "Best matches for \"" + str(result, "query") + "\"" + (read.empty() ? "" : " (" + read + ")") + ":";
  std::size_t rank = 0;
  for (const auto& hit : results) {
    if (str(hit, "kind") == "artist") {
      out += "\n" + std::to_string(++rank) + ". **" + str(hit, "name") + "** (artist)";
      const std::string genres = join(hit.value("genres", json::array()), ", ", 3);
      if (!genres.empty()) out += " — " + genres;
    } else {
      out += "\n" + track_line(++rank, hit, false);
      const std::string genres = join(hit.value("genres", json::array()), ", ", 2);
      if (!genres.empty()) out += " — " + genres;
    }
  }
  return out + notes(result);
}

// The sentence that answers a question about an artist before the profile: their albums,
// genres, track count or popularity.
std::string aspect_lead(const json& result, understanding::Aspect aspect) {
  const std::string name = "**" + str(result, "name") + "**";
  switch (aspect) {
    case understanding::Aspect::count:
      return name + " has **" + std::to_string(result.value("track_count", 0)) + "** tracks in the catalogue.\n\n";
    case understanding::Aspect::albums: {
      const auto& albums = result.value("albums", json::array());
      std::string out = name + " has " + std::to_string(result.value("album_count", albums.size())) +
                        (result.value("album_count", albums.size()) == 1 ? " album" : " albums") + " in the catalogue";
      std::vector<std::string> listed;
      for (const auto& a : albums) {
        if (listed.size() == 8) break;
        listed.push_back("*" + str(a, "name") + "* (" + std::to_string(a.value("track_count", 0)) + ")");
      }
      return out + (listed.empty() ? "." : ": " + names_list(listed) + ".") + "\n\n";
    }
    case understanding::Aspect::genres: {
      std::vector<std::string> genres;
      for (const auto& g : result.value("genres", json::array())) genres.push_back(g.get<std::string>());
      return name + (genres.empty() ? " has no genre in the catalogue." : " plays " + names_list(genres) + ".") + "\n\n";
    }
    case understanding::Aspect::popularity: {
      const auto& p = result.value("popularity", json::object());
      std::string out = name + "'s tracks reach popularity " + str(p, "max") + " (mean " + str(p, "mean") + ", on Spotify's 0-100 scale)";
      const auto& lastfm = result.value("lastfm", json());
      if (lastfm.is_object() && lastfm.contains("listeners") && !lastfm["listeners"].is_null())
        out += "; " + thousands(lastfm["listeners"].get<long long>()) + " Last.fm listeners in the sample";
      return out + ".\n\n";
    }
    default:
      return {};
  }
}

std::string cell(const json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) return join(value, ", ", 3);
  if (value.is_number_float()) {
    const double v = value.get<double>();
    return number(v, std::fabs(v) >= 100 ? 0 : 3);
  }
  return value.dump();
}

std::string table_answer(const json& result) {
  const auto& columns = result.value("columns", json::array());
  const auto& rows = result.value("rows", json::array());
  if (rows.empty()) return "The query returned no rows.";
  if (rows.size() == 1 && columns.size() == 1) {
    return "**" + cell(rows[0][0]) + "** (" + str(columns[0], "name") + ").";
  }
  std::string out = "|";
  std::string rule = "|";
  for (const auto& c : columns) {
    out += " " + str(c, "name") + " |";
    rule += "---|";
  }
  out += "\n" + rule;
  for (const auto& row : rows) {
    out += "\n|";
    for (const auto& v : row) {
      std::string text = cell(v);
      for (auto& ch : text) {
        if (ch == '|' || ch == '\n') ch = ' ';
      }
      out += " " + text + " |";
    }
  }
  if (result.value("truncated", false)) out += "\n\n(More rows than shown.)";
  return out;
}

std::string tables_answer(const json& result) {
  std::string out = "The warehouse tables I can query:";
  for (const auto& t : result.value("tables", json::array())) {
    out += "\n- **" + str(t, "table") + "** (" + thousands(t.value("row_count", 0LL)) +
           " rows): " + str(t, "description");
  }
  return out;
}

}  // namespace

// Things the catalogue cannot do that the request asked for, said once under the answer.
std::string caveats(const AnswerContext& context) {
  for (const auto& r : context.parse.requests) {
    if (r.era) {
      return "\n\n(The catalogue has no release dates, so I can't keep to \"" + *r.era +
             "\"; these are chosen by the rest of what you asked.)";
    }
  }
  return {};
}

std::string lead(const std::string& tool, const AnswerContext& context) {
  const bool praised = context.parse.positive && context.parse.requests.empty();
  if (praised && (tool == "recommend_by_genre" || tool == "recommend_from_seeds" || tool == "search_catalog" ||
                  tool == "similar_tracks")) {
    return "Glad you like them! More in the same vein:\n\n";
  }
  return {};
}

std::string write_answer(const std::string& tool, const json& arguments, const json& result,
                         const AnswerContext& context) {
  if (result.contains("error")) return error_answer(tool, arguments, result["error"]);
  if (tool == "lookup_artist") {
    understanding::Aspect aspect = understanding::Aspect::general;
    for (const auto& r : context.parse.requests) {
      if (r.intent == understanding::Intent::artist_info) aspect = r.aspect;
    }
    return aspect_lead(result, aspect) + artist_answer(result);
  }
  const std::string before = lead(tool, context);
  const std::string after = caveats(context);
  if (tool == "recommend_by_genre") return before + recommend_answer(arguments, result) + after;
  if (tool == "recommend_from_seeds") return before + seeds_answer(arguments, result) + after;
  if (tool == "search_catalog") return before + search_answer(result) + after;
  if (tool == "similar_artists") return similar_artists_answer(result);
  if (tool == "similar_tracks") return before + similar_tracks_answer(result) + notes(result);
  if (tool == "warehouse_query") return table_answer(result);
  if (tool == "describe_warehouse") return tables_answer(result);
  return result.dump(2);
}

}  // namespace musicagent::agent
