#include "agent/planner.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/text.hpp"
#include "understanding/text.hpp"

namespace musicagent::agent {
namespace {

using catalog::Feature;
using nlohmann::json;
using understanding::Cue;
using understanding::Intent;
using understanding::Request;

constexpr int kDefaultLimit = 10;
constexpr int kMaxLimit = 50;
constexpr int kPopularThreshold = 50;
constexpr std::size_t kShortAcknowledgement = 4;  // tokens: "ok", "great!", "alright sounds good"

// Comparatives against what was just shown move the mean of the shown tracks by this much.
constexpr double kUnitStep = 0.1;      // features on 0..1
constexpr double kTempoFactor = 0.08;  // tempo, as a share
constexpr double kDurationFactor = 0.2;
constexpr double kPopularityStep = 10;

const char* kHelp =
    "I recommend music from a catalogue of 114,000 Spotify tracks and Last.fm listening data. Try: "
    "\"some upbeat jazz\", \"tell me about Radiohead\", \"Bruno Mars, Justin Bieber, Marshmello\", "
    "\"something like Daft Punk but chill\", \"songs like Yesterday by The Beatles\", \"no metal, "
    "something "
    "relaxing\" or \"which genres are the most danceable?\".";

std::string lower(std::string_view text) {
  return common::ascii_lower(text);
}

// "some polka music": an unread word right before "music" or "songs" names a genre the
// catalogue may lack; asking the genre tool for it gets an honest answer with the closest genres.
std::optional<std::string> unknown_genre_word(const Request& r,
                                              const understanding::QueryParser& parser) {
  const auto tokens = understanding::tokenize(r.text);
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    const auto& next = tokens[i + 1].norm;
    if (next != "music" && next != "songs" && next != "tracks" && next != "genre") continue;
    const auto& word = tokens[i];
    if (word.kind != understanding::Token::Kind::word || word.norm.size() < 4) continue;
    if (parser.entities().common_word(word.norm)) continue;
    return word.norm;
  }
  return std::nullopt;
}

int limit_of(const Request& r, int fallback = kDefaultLimit) {
  return std::clamp(r.count.value_or(fallback), 1, kMaxLimit);
}

// Feature ranges as the tools take them, merged: a range that contradicts one already there is
// left out (the first word said wins), one that agrees narrows it.
class Features {
 public:
  void add(const catalog::FeatureRange& range) {
    auto& slot = ranges_[range.feature];
    if (!slot) {
      slot = range;
      return;
    }
    auto merged = *slot;
    if (range.min) merged.min = merged.min ? std::max(*merged.min, *range.min) : *range.min;
    if (range.max) merged.max = merged.max ? std::min(*merged.max, *range.max) : *range.max;
    if (merged.min && merged.max && *merged.min > *merged.max) return;
    slot = merged;
  }
  bool conflicts(const catalog::FeatureRange& range) const {
    const auto it = ranges_.find(range.feature);
    if (it == ranges_.end() || !it->second) return false;
    const auto& have = *it->second;
    return (range.min && have.max && *range.min > *have.max) ||
           (range.max && have.min && *range.max < *have.min);
  }
  void replace(const catalog::FeatureRange& range) { ranges_[range.feature] = range; }
  void read(const json& features) {
    if (!features.is_object()) return;
    for (const auto& [name, value] : features.items()) {
      const auto feature = catalog::feature_from_name(name);
      if (!feature) continue;
      catalog::FeatureRange range{*feature, {}, {}};
      if (value.contains("min")) range.min = value["min"].get<double>();
      if (value.contains("max")) range.max = value["max"].get<double>();
      ranges_[*feature] = range;
    }
  }
  json to_json() const {
    json out = json::object();
    for (const auto& [feature, range] : ranges_) {
      if (!range) continue;
      json r = json::object();
      if (range->min) r["min"] = std::round(*range->min * 1000.0) / 1000.0;
      if (range->max) r["max"] = std::round(*range->max * 1000.0) / 1000.0;
      out[std::string(catalog::feature_name(feature))] = std::move(r);
    }
    return out;
  }
  bool empty() const { return ranges_.empty(); }

 private:
  std::map<Feature, std::optional<catalog::FeatureRange>> ranges_;
};

// A comparative with nothing shown before it is the plain word: "faster" is "fast".
std::optional<std::string> absolute_mood(const understanding::ComparativeMention& c) {
  switch (c.feature) {
    case Feature::tempo_bpm:
      return c.sign > 0 ? "fast" : "slow";
    case Feature::energy:
      return c.sign > 0 ? "energetic" : "calm";
    case Feature::valence:
      return c.sign > 0 ? "happy" : "sad";
    case Feature::acousticness:
      return c.sign > 0 ? std::optional<std::string>("acoustic") : std::nullopt;
    case Feature::danceability:
      return c.sign > 0 ? std::optional<std::string>("danceable") : std::nullopt;
    case Feature::popularity:
      return c.sign > 0 ? "popular" : "obscure";
    case Feature::duration_ms:
      return c.sign > 0 ? "long" : "short";
    case Feature::instrumentalness:
      return c.sign > 0 ? "instrumental" : "vocal";
    default:
      return std::nullopt;
  }
}

// "Faster" than what was just shown: past the mean of the shown tracks by a step.
catalog::FeatureRange relative(const understanding::ComparativeMention& c,
                               const std::vector<json>& shown) {
  const std::string name(catalog::feature_name(c.feature));
  double sum = 0;
  std::size_t n = 0;
  for (const auto& track : shown) {
    const json* value = nullptr;
    if (track.contains("audio_features") && track["audio_features"].contains(name)) {
      value = &track["audio_features"][name];
    } else if (track.contains(name)) {
      value = &track[name];
    }
    if (value != nullptr && value->is_number()) {
      sum += value->get<double>();
      ++n;
    }
  }
  catalog::FeatureRange range{c.feature, {}, {}};
  if (n == 0) return range;
  const double mean = sum / static_cast<double>(n);
  double target = mean;
  switch (c.feature) {
    case Feature::tempo_bpm:
      target = mean * (1.0 + c.sign * kTempoFactor);
      break;
    case Feature::duration_ms:
      target = mean * (1.0 + c.sign * kDurationFactor);
      break;
    case Feature::popularity:
      target = std::clamp(mean + c.sign * kPopularityStep, 0.0, 100.0);
      break;
    case Feature::loudness_db:
      target = mean + c.sign * 2.0;
      break;
    default:
      target = std::clamp(mean + c.sign * kUnitStep, 0.0, 1.0);
      break;
  }
  if (c.sign > 0) {
    range.min = target;
  } else {
    range.max = target;
  }
  return range;
}

class Planner {
 public:
  Planner(const understanding::QueryParser& parser, const PlannerMemory& memory)
      : parser_(parser), memory_(memory), snapshot_(parser.snapshot()) {}

  Plan run(const understanding::QueryParse& parse);

 private:
  void request(const Request& r);
  // The mood, features and exclusions of a request into `arguments`.
  void conditions(const Request& r, json& arguments, bool genre_tool,
                  const std::vector<json>* shown = nullptr);
  void call(std::string tool, json arguments, std::string intent) {
    for (const auto& existing : out_.calls) {
      if (existing.tool == tool && existing.arguments == arguments) return;
    }
    out_.calls.push_back({std::move(tool), std::move(arguments)});
    out_.intents.push_back(std::move(intent));
  }
  void reply(std::string text, std::string intent) {
    if (!out_.reply.empty()) out_.reply += "\n\n";
    out_.reply += std::move(text);
    out_.intents.push_back(std::move(intent));
  }
  std::vector<std::string> artist_names(const Request& r, bool negated) const;
  std::string track_text(catalog::TrackIndex t) const;
  void more(const Request* r, const std::string& intent);
  void refine(const Request& r);
  bool follow_up_of_last(const Request& r) const;

  const understanding::QueryParser& parser_;
  const PlannerMemory& memory_;
  const catalog::Snapshot& snapshot_;
  Plan out_;
};

std::vector<std::string> Planner::artist_names(const Request& r, bool negated) const {
  std::vector<std::string> names;
  for (const auto& a : r.artists) {
    if (a.negated != negated) continue;
    const auto& name = snapshot_.artists()[a.artist].name;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// "Title by Artist": readable in the call, and the tools resolve it to the same track.
std::string Planner::track_text(catalog::TrackIndex t) const {
  const auto& track = snapshot_.tracks()[t];
  if (track.artists.empty() || track.name.empty()) return track.id;
  return understanding::EntityIndex::cut_title(track.name) + " by " +
         snapshot_.artists()[track.artists.front()].name;
}

void Planner::conditions(const Request& r, json& arguments, bool genre_tool,
                         const std::vector<json>* shown) {
  Features features;
  if (arguments.contains("features")) features.read(arguments["features"]);
  std::optional<std::string> mood = arguments.contains("mood")
                                        ? std::optional(arguments["mood"].get<std::string>())
                                        : std::nullopt;
  bool new_mood = false;
  for (const auto& m : r.moods) {
    const auto* definition = parser_.moods().find(m.mood);
    if (definition == nullptr) continue;
    if (m.negated) {
      for (const auto& c : definition->negated) {
        if (!features.conflicts(c.range)) features.add(c.range);
      }
      continue;
    }
    if (!new_mood) {  // this request's first mood replaces any earlier one
      mood = m.mood;
      new_mood = true;
      continue;
    }
    const auto* primary = parser_.moods().find(*mood);
    for (const auto& c : definition->conditions) {
      const bool clash =
          primary != nullptr && std::any_of(primary->conditions.begin(), primary->conditions.end(),
                                            [&](const understanding::Condition& p) {
                                              return p.range.feature == c.range.feature;
                                            });
      if (!clash && !features.conflicts(c.range)) features.add(c.range);
    }
  }
  for (const auto& t : r.thresholds) {
    if (t.range.feature == Feature::popularity && t.range.min && !t.range.max && genre_tool) {
      arguments["min_popularity"] = static_cast<int>(*t.range.min);
      continue;
    }
    if (new_mood || !features.conflicts(t.range)) features.add(t.range);
  }
  for (const auto& c : r.comparatives) {
    if (shown != nullptr && !shown->empty()) {
      const auto range = relative(c, *shown);
      if (range.min || range.max) features.replace(range);
      continue;
    }
    if (const auto word = absolute_mood(c)) {
      const auto* definition = parser_.moods().find(*word);
      if (definition == nullptr) continue;
      if (!definition->feature_only && !mood) {
        mood = *word;
        continue;
      }
      for (const auto& cond : definition->conditions) {
        if (cond.range.feature == Feature::popularity && cond.range.min && genre_tool) {
          arguments["min_popularity"] = static_cast<int>(*cond.range.min);
        } else if (!features.conflicts(cond.range)) {
          features.add(cond.range);
        }
      }
    }
  }
  if (mood) arguments["mood"] = *mood;
  if (!features.empty()) arguments["features"] = features.to_json();

  auto append_unique = [&](const char* key, const std::vector<std::string>& values) {
    if (values.empty()) return;
    json list = arguments.value(key, json::array());
    for (const auto& v : values) {
      if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
    }
    arguments[key] = std::move(list);
  };
  append_unique("exclude_genres", r.genre_names(true));
  append_unique("exclude_artists", artist_names(r, true));
  if (r.clean) arguments["exclude_explicit"] = true;
  if (r.count) arguments["limit"] = limit_of(r);
}

bool Planner::follow_up_of_last(const Request& r) const {
  // A request of modifiers only (a mood, a comparative, a negation) changes what was just
  // shown; one that names its own subject starts afresh.
  return memory_.last_call && !r.has_head() && !r.wants_artists && r.content_words.empty();
}

void Planner::more(const Request* r, const std::string& intent) {
  if (!memory_.last_call) {
    reply("More of what? Tell me a genre, an artist or a mood, and I will find tracks.", intent);
    return;
  }
  PlannedCall next = *memory_.last_call;
  next.arguments["exclude_track_ids"] = memory_.shown_track_ids;
  if (r != nullptr) {
    if (r->count) next.arguments["limit"] = limit_of(*r);
    conditions(*r, next.arguments, next.tool == "recommend_by_genre", &memory_.last_tracks);
  }
  call(next.tool, std::move(next.arguments), intent);
}

void Planner::refine(const Request& r) {
  if (!memory_.last_call) {
    // Nothing shown yet: the exclusions and words apply to the whole catalogue.
    json arguments{{"limit", limit_of(r)}};
    conditions(r, arguments, false);
    if (arguments.contains("mood") || arguments.contains("features")) {
      arguments["query"] = r.text;
      arguments["kind"] = "tracks";
      call("search_catalog", std::move(arguments), "refine");
    } else if (arguments.contains("exclude_genres") || arguments.contains("exclude_artists") ||
               arguments.contains("exclude_explicit")) {
      arguments["mode"] = "own";
      call("recommend_from_seeds", std::move(arguments), "refine");
    } else {
      reply("What would you like instead? Tell me a genre, an artist or a mood.", "refine");
    }
    return;
  }
  PlannedCall next = *memory_.last_call;
  conditions(r, next.arguments, next.tool == "recommend_by_genre", &memory_.last_tracks);
  // "I didn't like those", "other ones": not what was shown.
  if (r.has(Cue::negative_feedback) || r.has(Cue::more) ||
      next.arguments == memory_.last_call->arguments)
    next.arguments["exclude_track_ids"] = memory_.shown_track_ids;
  call(next.tool, std::move(next.arguments), "refine");
}

void Planner::request(const Request& r) {
  switch (r.intent) {
    case Intent::refuse_write:
      reply(
          "I can only read the warehouse: the SQL tool runs one SELECT over the marts as a "
          "read-only role, so I "
          "cannot change, add or delete data. I can answer questions about it instead, for example "
          "\"how many "
          "jazz tracks are there?\"",
          "refuse_write");
      return;
    case Intent::off_topic:
      reply(
          "That is outside what I can help with: I only know music. Ask me for songs by genre or "
          "mood, about an "
          "artist, or for tracks like one you love.",
          "off_topic");
      return;
    case Intent::help:
      reply(kHelp, "help");
      return;
    case Intent::sql:
    case Intent::none:
    case Intent::social:
      return;
    case Intent::stats: {
      if (const auto sql = stats_sql(r, parser_)) {
        call("warehouse_query", {{"sql", *sql}, {"max_rows", 20}}, "stats");
      } else {
        reply(
            "I can't turn that question into a query without a language model. Ask, for example, "
            "\"how many jazz "
            "tracks are there?\", \"which genres are the most danceable?\" or send a SELECT over "
            "the marts.",
            "stats");
      }
      return;
    }
    case Intent::artist_info: {
      const auto names = artist_names(r, false);
      for (const auto& name : names) call("lookup_artist", {{"name", name}}, "artist_info");
      if (names.empty()) {
        for (const auto& l : r.listened) {
          const auto& artist = snapshot_.listened_artists()[l.listened];
          reply(artist.name + " is not in the catalogue: Last.fm's 2011 data knows them (" +
                    std::to_string(artist.listeners) +
                    " listeners in the sample), but there are no tracks of theirs "
                    "here to play. Tell me an artist you like who is, or a genre.",
                "artist_info");
        }
      }
      return;
    }
    case Intent::similar_artists: {
      for (const auto& name : artist_names(r, false)) {
        call("similar_artists", {{"artist", name}, {"limit", limit_of(r)}}, "similar_artists");
      }
      return;
    }
    case Intent::similar_tracks: {
      std::vector<std::string> tracks;
      for (const auto& t : r.tracks) {
        if (!t.negated) tracks.push_back(track_text(t.track));
      }
      if (tracks.size() == 1) {
        json arguments{{"track", tracks.front()}, {"limit", limit_of(r)}};
        if (r.text.find("same genre") != std::string::npos ||
            r.text.find("same style") != std::string::npos)
          arguments["same_genre"] = true;
        conditions(r, arguments, false);
        arguments["limit"] = limit_of(r);
        call("similar_tracks", std::move(arguments), "similar_tracks");
        return;
      }
      if (tracks.size() > 1) {  // "songs like X by A, Y by B": those and their sound-alikes
        json arguments{{"tracks", tracks}, {"mode", "blend"}, {"limit", limit_of(r)}};
        conditions(r, arguments, false);
        call("recommend_from_seeds", std::move(arguments), "similar_tracks");
        return;
      }
      const auto artists = artist_names(r, false);
      if (!artists.empty()) {
        // "Something like Nina Simone": her songs and others like them, unless other artists
        // are asked for.
        const auto text = lower(r.text);
        const bool others_only = text.find("other") != std::string::npos ||
                                 text.find("besides") != std::string::npos ||
                                 text.find("different") != std::string::npos;
        json arguments{{"artists", artists},
                       {"mode", others_only ? "similar" : "blend"},
                       {"limit", limit_of(r)}};
        conditions(r, arguments, false);
        if (const auto genres = r.genre_names(false); !genres.empty()) arguments["genres"] = genres;
        call("recommend_from_seeds", std::move(arguments), "similar_tracks");
        return;
      }
      if (r.ordinal) {
        const auto size = static_cast<int>(memory_.last_tracks.size());
        const int position = *r.ordinal < 0 ? size + *r.ordinal : *r.ordinal - 1;
        if (position >= 0 && position < size) {
          json arguments{
              {"track", memory_.last_tracks[static_cast<std::size_t>(position)].value("id", "")},
              {"limit", limit_of(r)}};
          conditions(r, arguments, false);
          call("similar_tracks", std::move(arguments), "similar_tracks");
        } else {
          reply(size == 0 ? "Which one? I haven't shown you a list yet."
                          : "There is no such position in the list I showed (it had " +
                                std::to_string(size) + " tracks).",
                "similar_tracks");
        }
        return;
      }
      more(&r, "more");
      return;
    }
    case Intent::artist_tracks: {
      auto artists = artist_names(r, false);
      if (artists.empty() && r.refers_to_people) artists = memory_.last_artists;
      std::vector<std::string> tracks;
      for (const auto& t : r.tracks) {
        if (!t.negated) tracks.push_back(track_text(t.track));
      }
      for (const auto& a : r.albums) {
        if (a.negated) continue;
        const auto& album = parser_.entities().albums()[a.album];
        for (std::size_t i = 0; i < album.tracks.size() && tracks.size() < 10; ++i)
          tracks.push_back(snapshot_.tracks()[album.tracks[i]].id);
      }
      if (artists.empty() && tracks.empty() && r.listened.empty() && r.genres.empty() &&
          memory_.last_call) {
        more(&r, "more");  // "that is exactly what I am looking for": keep the playlist going
        return;
      }
      if (artists.empty() && tracks.empty()) {
        // Only artists the catalogue lacks: say so, and search the words instead.
        for (const auto& l : r.listened) {
          const auto& artist = snapshot_.listened_artists()[l.listened];
          reply(artist.name +
                    " is not in the catalogue (Last.fm's 2011 data knows them, but there are no "
                    "tracks of "
                    "theirs to play here).",
                "artist_tracks");
        }
        call("search_catalog", {{"query", r.text}, {"kind", "tracks"}, {"limit", limit_of(r)}},
             "search");
        return;
      }
      json arguments{{"limit", limit_of(r)}, {"mode", r.blend ? "blend" : "own"}};
      if (!artists.empty()) arguments["artists"] = artists;
      if (!tracks.empty()) arguments["tracks"] = tracks;
      if (const auto genres = r.genre_names(false); !genres.empty()) arguments["genres"] = genres;
      conditions(r, arguments, false);
      if (r.has(Cue::more)) arguments["exclude_track_ids"] = memory_.shown_track_ids;
      call("recommend_from_seeds", std::move(arguments), "artist_tracks");
      return;
    }
    case Intent::recommend: {
      auto genres = r.genre_names(false);
      if (genres.empty() && r.kids && snapshot_.find_genre("kids")) genres.push_back("kids");
      // "Only the acoustic ones", "something chill": after a list, a mood word changes the list
      // even when it is also a genre's name.
      const bool mood_words_only = std::all_of(r.genres.begin(), r.genres.end(), [](const auto& g) {
        return g.negated || g.match == "mood_word";
      });
      if (mood_words_only && follow_up_of_last(r)) {
        refine(r);
        return;
      }
      json arguments{{"limit", limit_of(r)}};
      // "What about blues?" after calm jazz: the same mood in another genre.
      const bool keeps_mood = memory_.last_call && r.moods.empty() && r.thresholds.empty() &&
                              (r.has(Cue::request) || r.has(Cue::joint)) &&
                              lower(r.text).find("about") != std::string::npos;
      if (keeps_mood && memory_.last_call->arguments.contains("mood"))
        arguments["mood"] = memory_.last_call->arguments["mood"];
      if (genres.size() == 1) {
        arguments["genre"] = genres.front();
        conditions(r, arguments, true);
        // "Some happy songs": the genre happy says it already.
        if (arguments.value("mood", "") == genres.front()) arguments.erase("mood");
        call("recommend_by_genre", std::move(arguments), "recommend");
        return;
      }
      if (r.wants_artists && !genres.empty()) {  // "a band that mixes punk and reggae"
        arguments["query"] = r.text;
        arguments["kind"] = "artists";
        call("search_catalog", std::move(arguments), "search");
        return;
      }
      if (genres.size() > 1) {
        arguments["genres"] = genres;
        arguments["mode"] = "own";
        conditions(r, arguments, false);
        call("recommend_from_seeds", std::move(arguments), "recommend");
        return;
      }
      if (r.wants_artists) {
        arguments["query"] = r.text;
        arguments["kind"] = "artists";
        call("search_catalog", std::move(arguments), "search");
        return;
      }
      // Only a mood that is also a genre of the catalogue ("some happy songs", "chill music").
      const auto moods = r.mood_names(false);
      if (moods.size() == 1 && r.thresholds.empty() && snapshot_.find_genre(moods.front()) &&
          r.comparatives.empty()) {
        arguments["genre"] = moods.front();
        conditions(r, arguments, true);
        arguments.erase("mood");
        call("recommend_by_genre", std::move(arguments), "recommend");
        return;
      }
      arguments["query"] = r.text;
      arguments["kind"] = "tracks";
      conditions(r, arguments, false);
      call("search_catalog", std::move(arguments), "recommend");
      return;
    }
    case Intent::more:
      more(&r, "more");
      return;
    case Intent::refine:
      refine(r);
      return;
    case Intent::search:
    case Intent::unknown: {
      // "some polka music": the genre tool says whether the catalogue has it (and the closest
      // genres), and the search still finds what the words match.
      if (const auto genre = unknown_genre_word(r, parser_);
          genre && r.artists.empty() && r.tracks.empty()) {
        json arguments{{"genre", *genre}, {"limit", limit_of(r)}};
        conditions(r, arguments, true);
        call("recommend_by_genre", std::move(arguments), "recommend");
      }
      // A request to play something wants tracks back; "any" would answer it with artist cards.
      json arguments{{"query", r.text},
                     {"kind", r.wants_artists ? "artists" : "tracks"},
                     {"limit", limit_of(r)}};
      conditions(r, arguments, false);
      call("search_catalog", std::move(arguments), "search");
      return;
    }
  }
}

Plan Planner::run(const understanding::QueryParse& parse) {
  if (parse.sql) {
    call("warehouse_query", {{"sql", *parse.sql}}, "sql");
    return out_;
  }
  for (const auto& r : parse.requests) request(r);
  if (!out_.calls.empty() || !out_.reply.empty()) return out_;

  // Nothing asked: a greeting, thanks, feedback or goodbye.
  if (parse.help) {
    reply(kHelp, "help");
  } else if (parse.closing) {
    reply("Enjoy the music! Come back any time for more.", "closing");
  } else if (parse.negative_feedback && memory_.last_call) {
    Request none;
    none.cues.push_back(Cue::negative_feedback);
    refine(none);
  } else if (parse.positive && !parse.thanks && memory_.last_call &&
             parse.tokens <= kShortAcknowledgement) {
    // "ok", "cool", "sounds good": an acknowledgement, not a request; offer the next step.
    reply(
        "Glad you like them! Want more like these, or something different: another artist, genre "
        "or mood?",
        "acknowledged");
  } else if (parse.positive && !parse.thanks && memory_.last_call) {
    more(nullptr, "more");  // "these are fantastic, I love all of them!": keep the playlist going
  } else if (parse.thanks) {
    reply(memory_.last_call ? "You're welcome! Want more like these, or something different?"
                            : "You're welcome! Tell me what you'd like to hear.",
          "thanks");
  } else if (parse.greeting || parse.positive) {
    reply("Hello! " + std::string(kHelp), "greeting");
  } else {
    reply(
        "I couldn't tell what to play from that. Tell me an artist, a song, a genre or a mood, for "
        "example "
        "\"some upbeat jazz\" or \"artists like Radiohead\".",
        "unknown");
  }
  return out_;
}

}  // namespace

Plan plan(const understanding::QueryParse& parse, const understanding::QueryParser& parser,
          const PlannerMemory& memory) {
  return Planner(parser, memory).run(parse);
}

}  // namespace musicagent::agent
