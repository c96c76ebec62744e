#include "agent/planner_intents.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <set>

#include "common/text.hpp"
#include "tools/genre_names.hpp"

namespace musicagent::agent {
namespace {

using nlohmann::json;

using common::ascii_lower;

std::string trim(std::string text) {
  const auto is_edge = [](unsigned char c) {
    return std::isspace(c) || c == '?' || c == '!' || c == '.' || c == ',' || c == ';' ||
           c == ':' || c == '"' || c == '\'';
  };
  while (!text.empty() && is_edge(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && is_edge(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

// Cuts a captured name at the first clause that is not part of it: "radiohead, what should
// I play first" -> "radiohead".
std::string name_only(std::string text) {
  static const std::regex kClauseEnd(
      R"((\s*[,;?!(]|\s+-\s+|\s+(and|what|which|please|for me|pls|thanks)\b|\.\s))",
      std::regex::icase);
  std::smatch m;
  if (std::regex_search(text, m, kClauseEnd)) text = text.substr(0, m.position(0));
  static const std::regex kLeadingArticleOfPlaceholder(R"(^(the (artist|band|singer|group)\s+))",
                                                       std::regex::icase);
  text = std::regex_replace(text, kLeadingArticleOfPlaceholder, "");
  return trim(text);
}

// The text of group `g` of a match on the lower-cased copy of `original`: lower-casing keeps
// byte offsets, so the group comes back with the person's own capitals.
std::string group_of(const std::string& original, const std::smatch& m, std::size_t g) {
  if (!m[g].matched) return {};
  return original.substr(static_cast<std::size_t>(m.position(g)),
                         static_cast<std::size_t>(m.length(g)));
}

bool has(const std::string& text, const std::regex& pattern) {
  return std::regex_search(text, pattern);
}

std::optional<int> requested_count(const std::string& text) {
  static const std::regex kCount(
      R"(\b(\d{1,2})\s+([a-z&'-]+\s+){0,3}?(songs?|tracks?|tunes?|recommendations?|picks?|ones?|artists?|bands?|results?)\b)");
  static const std::regex kTopCount(R"(\b(top|give me|another|play me)\s+(\d{1,2})\b)");
  std::smatch m;
  if (std::regex_search(text, m, kCount)) return std::stoi(m[1].str());
  if (std::regex_search(text, m, kTopCount)) return std::stoi(m[2].str());
  // Compiled once: the planner runs on every offline turn.
  static const auto kWords = [] {
    const std::array<std::pair<std::string_view, int>, 9> words{{{"three", 3},
                                                                 {"four", 4},
                                                                 {"five", 5},
                                                                 {"six", 6},
                                                                 {"seven", 7},
                                                                 {"eight", 8},
                                                                 {"ten", 10},
                                                                 {"twenty", 20},
                                                                 {"a couple", 2}}};
    std::vector<std::pair<std::regex, int>> out;
    for (const auto& [word, n] : words) {
      out.emplace_back(std::regex("\\b" + std::string(word) +
                                  "\\s+(songs?|tracks?|tunes?|artists?|bands?|more)\\b"),
                       n);
    }
    return out;
  }();
  for (const auto& [pattern, n] : kWords) {
    if (std::regex_search(text, pattern)) return n;
  }
  return std::nullopt;
}

int clamp_limit(std::optional<int> n, int fallback) {
  return std::clamp(n.value_or(fallback), 1, 50);
}

struct MoodWord {
  std::string_view word;
  std::string_view mood;
};

// Mood words as people write them, for recommend_by_genre's `mood`.
constexpr std::array<MoodWord, 43> kMoodWords{{
    {"relax", "calm"},           {"relaxation", "calm"},
    {"upbeat", "happy"},         {"happy", "happy"},          {"cheerful", "happy"},
    {"joyful", "happy"},         {"uplifting", "happy"},      {"feel good", "happy"},
    {"feel-good", "happy"},      {"positive", "happy"},       {"sunny", "happy"},
    {"sad", "sad"},              {"melancholic", "sad"},      {"melancholy", "sad"},
    {"depressing", "sad"},       {"gloomy", "sad"},           {"heartbreak", "sad"},
    {"sadder", "sad"},           {"energetic", "energetic"},  {"energy", "energetic"},
    {"intense", "energetic"},    {"workout", "energetic"},    {"gym", "energetic"},
    {"hype", "energetic"},       {"pumped", "energetic"},     {"calm", "calm"},
    {"chill", "calm"},           {"relaxing", "calm"},        {"relaxed", "calm"},
    {"mellow", "calm"},          {"quiet", "calm"},           {"soothing", "calm"},
    {"peaceful", "calm"},        {"danceable", "danceable"},  {"dancey", "danceable"},
    {"groovy", "danceable"},     {"party", "danceable"},      {"dance", "danceable"},
    {"acoustic", "acoustic"},    {"unplugged", "acoustic"},   {"instrumental", "instrumental"},
    {"no vocals", "instrumental"}, {"without vocals", "instrumental"},
}};

struct MoodFound {
  std::string mood;
  std::string remainder;  // the text with every mood word taken out
};

std::optional<MoodFound> find_mood(const std::string& text) {
  static const auto kPatterns = [] {
    std::vector<std::pair<std::regex, std::string_view>> out;
    for (const auto& [word, mood] : kMoodWords) {
      out.emplace_back(std::regex("\\b" + std::string(word) + "\\b"), mood);
    }
    return out;
  }();
  std::optional<MoodFound> found;
  std::string remainder = text;
  for (const auto& [pattern, mood] : kPatterns) {
    if (std::regex_search(remainder, pattern)) {
      if (!found) found = MoodFound{std::string(mood), {}};
      remainder = std::regex_replace(remainder, pattern, " ");
    }
  }
  if (found) found->remainder = remainder;
  return found;
}

// Words that carry no genre: taken out before the genre is looked for.
std::string without_filler(const std::string& text) {
  static const std::regex kFiller(
      R"(\b(some|songs?|tracks?|tunes?|music|play|playing|me|give|recommend|recommendations?|suggest|i|i'm|im|want|wanna|need|would|like|love|listen|listening|to|please|pls|can|could|you|something|a|an|few|the|for|of|with|and|or|any|good|great|best|new|more|stuff|vibes?|mood|feeling|in|on|my|that|is|are|list|playlist|put|together|make|find|show|only|just|clean|no|explicit|lyrics|\d+|top|hits?|popular|picks?|genre|style|kind|sort|type)\b)");
  return std::regex_replace(text, kFiller, " ");
}

bool only_spaces(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

std::string sql_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

PlannedCall sql_call(std::string sql, int max_rows = 20) {
  return {"warehouse_query", json{{"sql", std::move(sql)}, {"max_rows", max_rows}}};
}

struct FeatureColumn {
  std::string_view word;
  std::string_view column;  // in marts.dim_genres
  bool high = true;         // "most <word>" means a high value
};

constexpr std::array<FeatureColumn, 23> kFeatureColumns{{
    {"tempo", "avg_tempo_bpm", true},
    {"danceable", "avg_danceability", true},  {"danceability", "avg_danceability", true},
    {"energetic", "avg_energy", true},        {"energy", "avg_energy", true},
    {"calm", "avg_energy", false},            {"happy", "avg_valence", true},
    {"upbeat", "avg_valence", true},          {"positive", "avg_valence", true},
    {"cheerful", "avg_valence", true},        {"sad", "avg_valence", false},
    {"melancholic", "avg_valence", false},    {"acoustic", "avg_acousticness", true},
    {"instrumental", "avg_instrumentalness", true}, {"popular", "avg_popularity", true},
    {"loud", "avg_loudness_db", true},        {"loudest", "avg_loudness_db", true},
    {"fast", "avg_tempo_bpm", true},          {"slow", "avg_tempo_bpm", false},
    {"explicit", "explicit_share", true},     {"live", "avg_liveness", true},
    {"wordy", "avg_speechiness", true},       {"long", "avg_duration_ms", true},
}};

std::optional<Plan> plan_stats(const std::string& text, const std::vector<std::string>& genres) {
  static const std::regex kGenreRanking(
      R"(\b(most|least|top|highest|lowest)\s+([a-z]+)\s+(music\s+)?genres?\b|\bgenres?\b.*\b(most|least|highest|lowest)\s+([a-z]+)\b|\bwhich genres? (is|are) (the )?(most|least)\s+([a-z]+))");
  std::smatch m;
  if (std::regex_search(text, m, kGenreRanking)) {
    std::string direction, word;
    if (m[1].matched) {
      direction = m[1].str();
      word = m[2].str();
    } else if (m[4].matched) {
      direction = m[4].str();
      word = m[5].str();
    } else {
      direction = m[8].str();
      word = m[9].str();
    }
    const bool most = direction == "most" || direction == "top" || direction == "highest";
    if (word == "tracks" || word == "songs" || word == "common" || word == "big" ||
        word == "biggest") {
      return Plan{{sql_call("select genre, track_count, artist_count from marts.dim_genres "
                            "order by track_count " +
                            std::string(most ? "desc" : "asc") + " limit 10")},
                  {},
                  "stats"};
    }
    for (const auto& feature : kFeatureColumns) {
      if (word != feature.word) continue;
      const bool descending = most == feature.high;
      const std::string column(feature.column);
      return Plan{{sql_call("select genre, round(" + column + "::numeric, 3) as " + column +
                            ", track_count from marts.dim_genres order by " + column +
                            (descending ? " desc" : " asc") + " limit 10")},
                  {},
                  "stats"};
    }
  }
  // Superlatives: "the saddest genres" is "the least happy genres".
  static const std::regex kSuperlative(
      R"(\b(saddest|happiest|fastest|slowest|loudest|quietest|calmest|longest|shortest)\s+(music\s+)?genres?\b)");
  if (std::regex_search(text, m, kSuperlative)) {
    static const std::array<std::pair<std::string_view, std::string_view>, 9> kOrders{{
        {"saddest", "avg_valence asc"},   {"happiest", "avg_valence desc"},
        {"fastest", "avg_tempo_bpm desc"}, {"slowest", "avg_tempo_bpm asc"},
        {"loudest", "avg_loudness_db desc"}, {"quietest", "avg_loudness_db asc"},
        {"calmest", "avg_energy asc"},    {"longest", "avg_duration_ms desc"},
        {"shortest", "avg_duration_ms asc"}}};
    for (const auto& [word, order] : kOrders) {
      if (m[1].str() != word) continue;
      const std::string column(order.substr(0, order.find(' ')));
      return Plan{{sql_call("select genre, round(" + column + "::numeric, 3) as " + column +
                            ", track_count from marts.dim_genres order by " + std::string(order) +
                            " limit 10")},
                  {},
                  "stats"};
    }
  }
  static const std::regex kHowMany(
      R"(\bhow many\s+(([a-z&'-]+\s+){0,3}?)(tracks|songs|artists|bands|genres)\b)");
  if (std::regex_search(text, m, kHowMany)) {
    const std::string what = m[3].str();
    if (what == "genres") {
      return Plan{{sql_call("select count(*) as genres from marts.dim_genres")}, {}, "stats"};
    }
    const bool artists = what == "artists" || what == "bands";
    const auto genre = tools::resolve_genre(
        without_filler(m[1].str() + " " + text.substr(m.position(0) + m.length(0))), genres);
    std::string sql = artists ? "select count(*) as artists from marts.dim_artists"
                              : "select count(*) as tracks from marts.dim_tracks";
    if (genre.ok()) sql += " where " + sql_literal(genre.value().genre) + " = any(genres)";
    return Plan{{sql_call(sql)}, {}, "stats"};
  }
  static const std::regex kTrackRanking(
      R"(\b(most popular|least popular|longest|shortest|fastest|slowest|loudest|most danceable|happiest|saddest)\s+(songs?|tracks?)\b)");
  if (std::regex_search(text, m, kTrackRanking)) {
    const std::string what = m[1].str();
    std::string order = "popularity desc";
    if (what == "least popular") order = "popularity asc";
    if (what == "longest") order = "duration_ms desc";
    if (what == "shortest") order = "duration_ms asc";
    if (what == "fastest") order = "tempo_bpm desc";
    if (what == "slowest") order = "tempo_bpm asc";
    if (what == "loudest") order = "loudness_db desc";
    if (what == "most danceable") order = "danceability desc";
    if (what == "happiest") order = "valence desc";
    if (what == "saddest") order = "valence asc";
    const auto genre = tools::resolve_genre(without_filler(text), genres);
    std::string sql =
        "select track_name, artist_names, popularity, round(tempo_bpm::numeric) as tempo_bpm, "
        "duration_ms / 1000 as seconds from marts.dim_tracks";
    if (genre.ok()) sql += " where " + sql_literal(genre.value().genre) + " = any(genres)";
    sql += " order by " + order + " limit 10";
    return Plan{{sql_call(sql)}, {}, "stats"};
  }
  static const std::regex kAverage(
      R"(\b(average|mean|avg|typical)\s+(tempo|bpm|energy|danceability|valence|popularity|loudness|length|duration)\b)");
  if (std::regex_search(text, m, kAverage)) {
    const std::string what = m[2].str();
    std::string column = "avg_tempo_bpm";
    if (what == "energy") column = "avg_energy";
    if (what == "danceability") column = "avg_danceability";
    if (what == "valence") column = "avg_valence";
    if (what == "popularity") column = "avg_popularity";
    if (what == "loudness") column = "avg_loudness_db";
    if (what == "length" || what == "duration") column = "avg_duration_ms";
    const auto genre = tools::resolve_genre(without_filler(text.substr(m.position(0) + m.length(0))),
                                            genres);
    std::string sql = "select genre, round(" + column + "::numeric, 3) as " + column +
                      " from marts.dim_genres";
    if (genre.ok()) {
      sql += " where genre = " + sql_literal(genre.value().genre);
    } else {
      sql += " order by " + column + " desc limit 10";
    }
    return Plan{{sql_call(sql)}, {}, "stats"};
  }
  return std::nullopt;
}

PlannedCall recommend_call(const std::string& genre, const std::optional<std::string>& mood,
                           const std::string& text) {
  json arguments{{"genre", genre}, {"limit", clamp_limit(requested_count(text), 10)}};
  if (mood) arguments["mood"] = *mood;
  static const std::regex kClean(
      R"(\b(clean|no explicit|not explicit|non[- ]explicit|family[- ]friendly|kid[- ]friendly|for kids|without swearing|no swearing)\b)");
  if (has(text, kClean)) arguments["exclude_explicit"] = true;
  static const std::regex kPopular(R"(\b(popular|hits?|well[- ]known|famous|mainstream)\b)");
  if (has(text, kPopular)) arguments["min_popularity"] = 50;
  return {"recommend_by_genre", std::move(arguments)};
}

std::string infer_kind(const std::string& text) {
  static const std::regex kArtists(R"(\b(artists?|bands?|singers?|musicians?|groups?|rappers?|djs?|producers?)\b)");
  static const std::regex kTracks(R"(\b(songs?|tracks?|tunes?|music|something|anything|playlist)\b)");
  if (has(text, kArtists)) return "artists";
  if (has(text, kTracks)) return "tracks";
  return "any";
}

}  // namespace

std::optional<std::size_t> ordinal_reference(std::string_view raw, std::size_t size) {
  if (size == 0) return std::nullopt;
  const std::string text = ascii_lower(raw);
  static const auto kOrdinals = [] {
    std::vector<std::regex> out;
    for (const char* word : {"first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                             "eighth", "ninth", "tenth"}) {
      out.emplace_back(std::string("\\b(the )?") + word + "\\b");
    }
    return out;
  }();
  for (std::size_t i = 0; i < kOrdinals.size(); ++i) {
    if (std::regex_search(text, kOrdinals[i])) {
      return i < size ? std::optional<std::size_t>(i) : std::nullopt;
    }
  }
  static const std::regex kNumber(R"((#|\bnumber\s*|\bno\.?\s*|\btrack\s+|\bsong\s+)(\d{1,2})\b)");
  static const std::regex kNumbered(R"(\b(\d{1,2})(st|nd|rd|th)\b)");
  std::smatch m;
  std::optional<unsigned long> n;
  if (std::regex_search(text, m, kNumber)) {
    n = std::stoul(m[2].str());
  } else if (std::regex_search(text, m, kNumbered)) {
    n = std::stoul(m[1].str());
  }
  if (n) return *n >= 1 && *n <= size ? std::optional<std::size_t>(*n - 1) : std::nullopt;
  static const std::regex kLast(R"(\b(the )?(last|final|bottom) (one|track|song)\b)");
  if (std::regex_search(text, kLast)) return size - 1;
  static const std::regex kThat(R"(\b(that|this|the top) (one|track|song)\b|\bthat\s*$|\bit\s*$)");
  if (std::regex_search(text, kThat)) return 0;
  return std::nullopt;
}

Plan plan_request(std::string_view raw_text, const std::vector<std::string>& genres,
                  const PlannerMemory& memory) {
  const std::string original = trim(std::string(raw_text));
  const std::string text = ascii_lower(original);
  std::smatch m;

  if (text.empty()) return {{}, "Ask me for music: a genre and a mood, an artist, or a song you like.", "help"};

  static const std::regex kHelp(
      R"(^(hi|hello|hey|help|yo|hiya|good (morning|evening|afternoon))\b.{0,12}$|^(what can you do|how does this work|what do you do|who are you)\b)");
  if (has(text, kHelp)) {
    return {{},
            "I recommend music from a catalogue of 114,000 Spotify tracks and Last.fm listening "
            "data. Try: \"some upbeat jazz\", \"tell me about Radiohead\", \"songs like "
            "Yesterday by The Beatles\", \"artists like Daft Punk\", \"calm acoustic guitar "
            "songs\" or \"which genres are the most danceable?\".",
            "help"};
  }

  // Raw SQL goes to the guarded tool, which refuses anything but a read.
  static const std::regex kSql(
      R"(^(run|execute|query)?\s*(this\s+)?(sql|query)?\s*:?\s*((select|with|insert|update|delete|drop|alter|create|truncate|grant|revoke|copy|set|reset|vacuum|call|do|begin)\b[\s\S]*))",
      std::regex::icase);
  if (std::regex_match(original, m, kSql)) {
    static const std::regex kSqlShape(
        R"(\b(from|into|table|set|values|select|role|schema|database)\b)", std::regex::icase);
    if (has(m[4].str(), kSqlShape)) {
      return {{{"warehouse_query", json{{"sql", m[4].str()}}}}, {}, "sql"};
    }
  }
  static const std::regex kWriteRequest(
      R"(\b(delete|drop|remove|erase|wipe|truncate|update|modify|insert|add|rename|alter|change)\b.*\b(tables?|database|warehouse|rows?|records?|schema|all (the )?(tracks|songs|artists))\b)");
  if (has(text, kWriteRequest)) {
    return {{},
            "I can only read the warehouse: the SQL tool runs one SELECT over the marts as a "
            "read-only role, so I cannot change, add or delete data. I can answer questions "
            "about it instead, for example \"how many jazz tracks are there?\"",
            "refuse_write"};
  }

  static const std::regex kOffTopic(
      R"(\b(weather|forecast|recipe|cook|capital of|stock|bitcoin|crypto|translate|homework|math|equation|news|president|prime minister|football score|time is it|write (me )?(an? )?(essay|poem|story|program|code|email)|tax|medical|doctor)\b)");
  static const std::regex kMusicWords(
      R"(\b(music|songs?|tracks?|artists?|bands?|albums?|genres?|playlist|listen|sing|singer|play)\b)");
  if (has(text, kOffTopic) && !has(text, kMusicWords)) {
    return {{},
            "That is outside what I can help with: I only know music. Ask me for songs by "
            "genre or mood, about an artist, or for tracks like one you love.",
            "off_topic"};
  }

  if (auto stats = plan_stats(text, genres)) return *stats;

  // Similar artists.
  static const std::regex kSimilarArtists(
      R"(\b(artists?|bands?|singers?|musicians?|groups?|rappers?|acts?)\s+(that\s+)?(similar to|like|such as|related to|who sound like|that sound like|comparable to|in the vein of)\s+(.+)|\b(similar|related) (artists?|bands?) (to|of|for|as)\s+(.+)|\bwho (else )?(sounds?|is similar) (like|to)\s+(.+)|\bif i like the artist\s+(.+)|\bfans of\s+(.+))");
  if (std::regex_search(text, m, kSimilarArtists)) {
    std::string who;
    for (std::size_t g : {4u, 8u, 12u, 13u, 14u}) {
      if (m[g].matched) who = group_of(original, m, g);
    }
    who = name_only(who);
    if (!who.empty()) {
      return {{{"similar_artists", json{{"artist", who}, {"limit", clamp_limit(requested_count(text), 10)}}}}, {}, "similar_artists"};
    }
  }

  // Similar tracks, by name or by a position in the last list.
  static const std::regex kSimilarTracks(
      R"(\b(songs?|tracks?|tunes?|music|something|stuff|anything|more)\s+(that\s+)?(similar to|like|that sounds? like|sounding like|in the style of|close to)\s+(.+)|\b(similar|related) (songs?|tracks?) (to|as)\s+(.+))");
  if (std::regex_search(text, m, kSimilarTracks)) {
    const std::size_t group = m[4].matched ? 4 : 8;
    const std::string object_lower = m[group].str();
    if (auto position = ordinal_reference(object_lower, memory.last_tracks.size())) {
      const auto& track = memory.last_tracks[*position];
      return {{{"similar_tracks", json{{"track", track.value("id", std::string())},
                                       {"limit", clamp_limit(requested_count(text), 10)}}}},
              {},
              "similar_tracks"};
    }
    std::string object = trim(group_of(original, m, group));
    static const std::regex kTail(R"(\s*[,;?!]\s*.*$|\s+please\s*$)", std::regex::icase);
    object = trim(std::regex_replace(object, kTail, ""));
    if (!object.empty()) {
      static const std::regex kSameGenre(R"(\b(same genre|in the same genre|same style)\b)");
      json arguments{{"track", object}, {"limit", clamp_limit(requested_count(text), 10)}};
      if (has(text, kSameGenre)) arguments["same_genre"] = true;
      return {{{"similar_tracks", std::move(arguments)}}, {}, "similar_tracks"};
    }
  }

  // About an artist.
  static const std::regex kLookup(
      R"(^(who (is|are|was|were)|tell me (more )?about|what do you know about|info(rmation)? (on|about)|look ?up|describe|introduce me to|what should i (play|listen to|hear) (first )?(by|from)|where (should i|do i) start with|top (songs|tracks) (by|of|from)|best (songs|tracks) (by|of|from)|(play|recommend) (something|some songs|songs|tracks) (by|from))\s+(.+))");
  if (std::regex_match(text, m, kLookup)) {
    std::string who = name_only(group_of(original, m, m.size() - 1));
    if (!who.empty()) {
      return {{{"lookup_artist", json{{"name", who}}}}, {}, "lookup_artist"};
    }
  }
  static const std::regex kPossessive(R"(^(.+?)'s (best|top|greatest|most popular|essential) (songs|tracks|hits|albums))");
  if (std::regex_search(text, m, kPossessive)) {
    return {{{"lookup_artist", json{{"name", trim(group_of(original, m, 1))}}}}, {}, "lookup_artist"};
  }

  // "some tracks by Bach", "music from Adele": what the artist has.
  static const std::regex kByArtist(
      R"(\b(songs?|tracks?|music|stuff|hits|something|anything) (by|from)\s+(.+))");
  if (std::regex_search(text, m, kByArtist)) {
    static const std::regex kEra(R"(^(the )?('?\d|\d0s|the (sixties|seventies|eighties|nineties)))");
    std::string who = name_only(group_of(original, m, 3));
    if (!who.empty() && !std::regex_search(ascii_lower(who), kEra)) {
      return {{{"lookup_artist", json{{"name", who}}}}, {}, "lookup_artist"};
    }
  }

  // Follow-ups on the last recommendation.
  if (memory.last_recommendation) {
    static const std::regex kMore(
        R"(^(more|some more|more please|another( \d+| few| one)?|next|again|give me more|show me more|keep going|any others|others)\b)");
    const auto mood = find_mood(text);
    if (has(text, kMore) && !mood) {
      PlannedCall call = *memory.last_recommendation;
      call.arguments["exclude_track_ids"] = memory.shown_track_ids;
      if (auto n = requested_count(text)) call.arguments["limit"] = clamp_limit(n, 10);
      return {{call}, {}, "recommend_more"};
    }
    static const std::regex kRefine(
        R"(^(only|just|now|but|make (it|them)|what about|how about|something|maybe|more|less|same but|and|ok|okay|can you make)\b)");
    static const std::regex kClean(R"(\b(clean|no explicit|not explicit|family[- ]friendly)\b)");
    const std::string rest = mood ? without_filler(mood->remainder) : without_filler(text);
    const auto genre = tools::resolve_genre(rest, genres);
    if (has(text, kRefine) || (mood && only_spaces(rest))) {
      PlannedCall call = *memory.last_recommendation;
      bool changed = false;
      if (mood) {
        call.arguments["mood"] = mood->mood;
        changed = true;
      }
      if (has(text, kClean)) {
        call.arguments["exclude_explicit"] = true;
        changed = true;
      }
      if (genre.ok() && !only_spaces(rest)) {
        call.arguments["genre"] = genre.value().genre;
        changed = true;
      }
      if (changed) return {{call}, {}, "recommend_refine"};
    }
  }

  // A genre, with or without mood words. "For kids" asks for clean lyrics, not the kids genre.
  static const std::regex kAudience(R"(\b(for|with) (the )?(kids|children|family)\b)");
  const std::string request = std::regex_replace(text, kAudience, " clean ");
  const auto mood = find_mood(request);
  const std::string rest = without_filler(mood ? mood->remainder : request);
  if (!only_spaces(rest)) {
    const auto genre = tools::resolve_genre(rest, genres);
    if (genre.ok()) {
      return {{recommend_call(genre.value().genre, mood ? std::optional(mood->mood) : std::nullopt,
                              request)},
              {},
              "recommend_by_genre"};
    }
  } else {
    // Only mood words ("some happy songs", "chill music"): several moods are genres too.
    const auto genre = tools::resolve_genre(without_filler(request), genres);
    if (genre.ok()) {
      return {{recommend_call(genre.value().genre, std::nullopt, request)}, {}, "recommend_by_genre"};
    }
  }
  // "some <word> music": someone named a genre we do not have; the tool says which are close.
  static const std::regex kNamedGenre(
      R"(^(play |give me |recommend |i want |i'd like |some )*(some )?([a-z0-9&'\- ]{2,24}?) (music|songs|tracks|genre)( please)?$)");
  if (std::regex_match(text, m, kNamedGenre) && !mood) {
    const std::string candidate = trim(m[3].str());
    static const std::regex kNotGenre(R"(\b(good|nice|new|old|great|my|your|any|cool|fun|the|this|that)\b)");
    if (!candidate.empty() && !has(candidate, kNotGenre)) {
      return {{recommend_call(candidate, std::nullopt, text)}, {}, "recommend_by_genre"};
    }
  }

  json arguments{{"query", original}, {"kind", infer_kind(text)},
                 {"limit", clamp_limit(requested_count(text), 10)}};
  return {{{"search_catalog", std::move(arguments)}}, {}, "search_catalog"};
}

}  // namespace musicagent::agent
