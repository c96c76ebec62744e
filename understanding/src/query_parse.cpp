#include "understanding/query_parse.hpp"

#include <algorithm>
#include <cmath>

namespace musicagent::understanding {
namespace {

nlohmann::json mention_json(const Mention& m) {
  nlohmann::json out{{"text", m.text},
                     {"span", {m.begin, m.end}},
                     {"confidence", std::round(m.confidence * 100.0) / 100.0},
                     {"match", m.match}};
  if (m.negated) out["negated"] = true;
  return out;
}

}  // namespace

std::string_view intent_name(Intent intent) {
  switch (intent) {
    case Intent::none:
      return "none";
    case Intent::recommend:
      return "recommend";
    case Intent::artist_tracks:
      return "artist_tracks";
    case Intent::similar_artists:
      return "similar_artists";
    case Intent::similar_tracks:
      return "similar_tracks";
    case Intent::artist_info:
      return "artist_info";
    case Intent::stats:
      return "stats";
    case Intent::more:
      return "more";
    case Intent::refine:
      return "refine";
    case Intent::search:
      return "search";
    case Intent::social:
      return "social";
    case Intent::help:
      return "help";
    case Intent::off_topic:
      return "off_topic";
    case Intent::refuse_write:
      return "refuse_write";
    case Intent::sql:
      return "sql";
    case Intent::unknown:
      return "unknown";
  }
  return "none";
}

std::string_view aspect_name(Aspect aspect) {
  switch (aspect) {
    case Aspect::general:
      return "general";
    case Aspect::albums:
      return "albums";
    case Aspect::genres:
      return "genres";
    case Aspect::count:
      return "count";
    case Aspect::popularity:
      return "popularity";
    case Aspect::first:
      return "first";
  }
  return "general";
}

bool Request::has(Cue cue) const {
  return std::find(cues.begin(), cues.end(), cue) != cues.end();
}

bool Request::has_head() const {
  auto any = [](const auto& list) {
    return std::any_of(list.begin(), list.end(), [](const Mention& m) { return !m.negated; });
  };
  // A genre named by a mood word ("chill", "sad") is what a request is about only when nothing
  // else is; it does not make the request stand on its own after a list.
  const bool genre = std::any_of(genres.begin(), genres.end(), [](const GenreMention& g) {
    return !g.negated && g.match != "mood_word";
  });
  return any(artists) || any(tracks) || any(albums) || genre || any(listened);
}

std::vector<std::string> Request::genre_names(bool negated) const {
  std::vector<std::string> out;
  for (const auto& g : genres) {
    if (g.negated == negated && std::find(out.begin(), out.end(), g.genre) == out.end())
      out.push_back(g.genre);
  }
  return out;
}

std::vector<std::string> Request::mood_names(bool negated) const {
  std::vector<std::string> out;
  for (const auto& m : moods) {
    if (m.negated == negated && std::find(out.begin(), out.end(), m.mood) == out.end())
      out.push_back(m.mood);
  }
  return out;
}

bool QueryParse::social_only() const {
  if (sql) return false;
  return std::all_of(requests.begin(), requests.end(), [](const Request& r) {
    return r.intent == Intent::social || r.intent == Intent::none;
  });
}

nlohmann::json QueryParse::to_json(const catalog::Snapshot& snapshot) const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : requests) {
    nlohmann::json item{
        {"intent", intent_name(r.intent)}, {"text", r.text}, {"span", {r.begin, r.end}}};
    auto add = [&](const char* key, nlohmann::json value) {
      if (!value.empty()) item[key] = std::move(value);
    };
    nlohmann::json artists = nlohmann::json::array();
    for (const auto& a : r.artists) {
      auto m = mention_json(a);
      m["id"] = snapshot.artists()[a.artist].id;
      m["name"] = snapshot.artists()[a.artist].name;
      artists.push_back(std::move(m));
    }
    add("artists", std::move(artists));
    nlohmann::json listened = nlohmann::json::array();
    for (const auto& l : r.listened) {
      auto m = mention_json(l);
      m["name"] = snapshot.listened_artists()[l.listened].name;
      m["in_catalogue"] = false;
      listened.push_back(std::move(m));
    }
    add("lastfm_artists", std::move(listened));
    nlohmann::json tracks = nlohmann::json::array();
    for (const auto& t : r.tracks) {
      auto m = mention_json(t);
      const auto& track = snapshot.tracks()[t.track];
      m["id"] = track.id;
      m["name"] = track.name;
      nlohmann::json names = nlohmann::json::array();
      for (const auto a : track.artists) names.push_back(snapshot.artists()[a].name);
      m["artists"] = std::move(names);
      tracks.push_back(std::move(m));
    }
    add("tracks", std::move(tracks));
    nlohmann::json albums = nlohmann::json::array();
    for (const auto& a : r.albums) albums.push_back(mention_json(a));
    add("albums", std::move(albums));
    nlohmann::json genres = nlohmann::json::array();
    for (const auto& g : r.genres) {
      auto m = mention_json(g);
      m["genre"] = g.genre;
      genres.push_back(std::move(m));
    }
    add("genres", std::move(genres));
    nlohmann::json moods = nlohmann::json::array();
    for (const auto& m : r.moods) {
      auto j = mention_json(m);
      j["mood"] = m.mood;
      moods.push_back(std::move(j));
    }
    add("moods", std::move(moods));
    nlohmann::json thresholds = nlohmann::json::array();
    for (const auto& t : r.thresholds) {
      auto j = mention_json(t);
      j["feature"] = catalog::feature_name(t.range.feature);
      if (t.range.min) j["min"] = *t.range.min;
      if (t.range.max) j["max"] = *t.range.max;
      thresholds.push_back(std::move(j));
    }
    add("conditions", std::move(thresholds));
    nlohmann::json comparatives = nlohmann::json::array();
    for (const auto& c : r.comparatives) {
      auto j = mention_json(c);
      j["feature"] = catalog::feature_name(c.feature);
      j["direction"] = c.sign > 0 ? "more" : "less";
      comparatives.push_back(std::move(j));
    }
    add("comparatives", std::move(comparatives));
    if (!r.feature_nouns.empty()) {
      nlohmann::json nouns = nlohmann::json::array();
      for (const auto f : r.feature_nouns) nouns.push_back(catalog::feature_name(f));
      item["about_features"] = std::move(nouns);
    }
    if (r.superlative != 0) item["superlative"] = r.superlative > 0 ? "most" : "least";
    if (r.count) item["count"] = *r.count;
    if (r.ordinal) item["ordinal"] = *r.ordinal;
    if (r.refers_back) item["refers_back"] = true;
    if (r.refers_to_people) item["refers_to_people"] = true;
    if (r.similar) item["similar"] = true;
    if (r.blend) item["blend"] = true;
    if (r.wants_artists) item["wants_artists"] = true;
    if (r.clean) item["clean"] = true;
    if (r.kids) item["kids"] = true;
    if (r.question) item["question"] = true;
    if (r.aspect != Aspect::general) item["aspect"] = aspect_name(r.aspect);
    if (r.era) item["era"] = *r.era;
    add("unread", nlohmann::json(r.content_words));
    list.push_back(std::move(item));
  }
  nlohmann::json social = nlohmann::json::array();
  if (greeting) social.push_back("greeting");
  if (thanks) social.push_back("thanks");
  if (closing) social.push_back("closing");
  if (positive) social.push_back("positive");
  if (negative_feedback) social.push_back("negative_feedback");
  if (help) social.push_back("help");
  nlohmann::json out{{"requests", std::move(list)}, {"social", std::move(social)}};
  if (sql) out["sql"] = *sql;
  if (truncated) out["truncated"] = true;
  return out;
}

}  // namespace musicagent::understanding
