#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "catalog/snapshot.hpp"
#include "understanding/lexicon.hpp"

namespace musicagent::understanding {

// What one request of a message asks for.
enum class Intent {
  none,             // nothing to do (an empty clause)
  recommend,        // tracks by genre, mood or features
  artist_tracks,    // tracks of named artists (or named tracks, or an album)
  similar_artists,  // artists like a named one
  similar_tracks,   // tracks like a named track, a named artist or one just shown
  artist_info,      // a question about an artist (who, albums, genre, how many songs ...)
  stats,            // a question over the whole catalogue (counts, rankings, averages)
  more,             // more of what was just shown
  refine,           // what was just shown, changed: faster, without metal, only clean ...
  search,           // a description to look up ("songs about the ocean")
  social,           // a greeting, thanks, goodbye or feedback with nothing to do
  help,             // what can you do
  off_topic,        // not about music
  refuse_write,     // asks to change the warehouse
  sql,              // the message is SQL
  unknown,          // words we could not read
};
std::string_view intent_name(Intent intent);

enum class Aspect { general, albums, genres, count, popularity, first };
std::string_view aspect_name(Aspect aspect);

// Where a mention is in the text, what it said and how sure the reading is.
struct Mention {
  std::uint32_t begin = 0;  // bytes in the original text
  std::uint32_t end = 0;
  std::string text;         // as written
  double confidence = 1.0;  // 0..1
  std::string match;        // exact, alias, lastfm, fuzzy, synonym, title, quoted, ...
  bool negated = false;     // under a negation: to leave out
};

struct ArtistMention : Mention {
  catalog::ArtistIndex artist = 0;
};
// A Last.fm artist the catalogue does not have.
struct ListenedMention : Mention {
  std::uint32_t listened = 0;
};
struct TrackMention : Mention {
  catalog::TrackIndex track = 0;
};
struct AlbumMention : Mention {
  std::uint32_t album = 0;  // EntityIndex::albums()
};
struct GenreMention : Mention {
  std::string genre;  // the catalogue's name
};
struct MoodMention : Mention {
  std::string mood;  // a name of moods.yaml
};
// An explicit condition: "under two minutes", "above 170 bpm", or a feature word ("fast").
struct Threshold : Mention {
  catalog::FeatureRange range;
};
struct ComparativeMention : Mention {
  catalog::Feature feature = catalog::Feature::energy;
  int sign = +1;  // +1 more of the feature, -1 less
};

struct Request {
  Intent intent = Intent::none;
  std::uint32_t begin = 0, end = 0;  // the clause, in bytes
  std::string text;                  // the clause as written

  std::vector<ArtistMention> artists;
  std::vector<ListenedMention> listened;
  std::vector<TrackMention> tracks;
  std::vector<AlbumMention> albums;
  std::vector<GenreMention> genres;
  std::vector<MoodMention> moods;
  std::vector<Threshold> thresholds;
  std::vector<ComparativeMention> comparatives;

  std::vector<catalog::Feature> feature_nouns;  // "tempo", "energy": what a question is about
  int superlative = 0;                          // +1 "most", "saddest"; -1 "least", "lowest"
  std::optional<int> count;                     // "5 songs", "top 10", "a few more"
  std::optional<int> ordinal;                   // "the second one": 2; "the last one": -1
  bool refers_back = false;                     // "these", "those", "more like this"
  bool refers_to_people = false;                // "him", "those artists"
  bool similar = false;                         // a similarity cue ("like", "similar to")
  bool blend = false;          // "X and similar artists": the seeds and others like them
  bool wants_artists = false;  // "artists", "bands" were named
  bool question = false;
  bool clean = false;  // no explicit lyrics
  bool kids = false;   // for children
  Aspect aspect = Aspect::general;
  std::optional<std::string> era;          // "80s", "newer": the catalogue has no release dates
  std::vector<Cue> cues;                   // every cue of the clause, once, in order
  std::vector<std::string> content_words;  // words nothing above explained
  // Unexplained words that are not small talk, even if many titles use them ("Christmas",
  // "holiday"): with a request, what to search for.
  std::vector<std::string> topic_words;

  bool has(Cue cue) const;
  // Heads are what a request is about: artists, tracks, albums or genres (not negated, and not
  // a genre that is only a mood word).
  bool has_head() const;
  std::vector<std::string> genre_names(bool negated) const;
  std::vector<std::string> mood_names(bool negated) const;
};

// The typed reading of one message.
struct QueryParse {
  std::vector<Request> requests;  // in the order they were asked
  bool greeting = false, thanks = false, closing = false, positive = false,
       negative_feedback = false, help = false;
  std::optional<std::string> sql;  // the message is SQL for the warehouse
  bool truncated = false;          // the message was longer than the parser reads
  std::size_t tokens = 0;

  // Only social words (greeting, thanks, goodbye, feedback): nothing to look up.
  bool social_only() const;
  nlohmann::json to_json(const catalog::Snapshot& snapshot) const;
};

}  // namespace musicagent::understanding
