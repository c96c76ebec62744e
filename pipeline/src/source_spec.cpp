#include "pipeline/source_spec.hpp"

namespace musicagent::pipeline {
namespace {

ColumnSpec text(std::string header, std::string column, bool required = false) {
  return {std::move(header), std::move(column), FieldType::text, required, {}, {}};
}
ColumnSpec integer(std::string header, std::string column, std::optional<double> min = {},
                   std::optional<double> max = {}) {
  return {std::move(header), std::move(column), FieldType::integer, true, min, max};
}
ColumnSpec real(std::string header, std::optional<double> min, std::optional<double> max) {
  return {header, header, FieldType::real, true, min, max};
}
// Audio features the dataset documents as fractions.
ColumnSpec unit_interval(std::string header) {
  return real(std::move(header), 0.0, 1.0);
}

constexpr CsvOptions kTabSeparated{'\t', false};

}  // namespace

std::vector<SourceSpec> builtin_sources() {
  return {
      {"kaggle.tracks",
       "kaggle_tracks",
       {"spotify_tracks/dataset.csv.gz", "spotify_tracks/dataset.csv", "dataset.csv.gz",
        "dataset.csv"},
       CsvOptions{},
       false,
       {text("track_id", "track_id", true),
        text("artists", "artists"),
        text("album_name", "album_name"),
        text("track_name", "track_name"),
        integer("popularity", "popularity", 0, 100),
        {"duration_ms", "duration_ms", FieldType::bigint, true, 0.0, {}},
        {"explicit", "explicit", FieldType::boolean, true, {}, {}},
        unit_interval("danceability"),
        unit_interval("energy"),
        integer("key", "key", -1, 11),
        real("loudness", -100.0, 20.0),
        integer("mode", "mode", 0, 1),
        unit_interval("speechiness"),
        unit_interval("acousticness"),
        unit_interval("instrumentalness"),
        unit_interval("liveness"),
        unit_interval("valence"),
        real("tempo", 0.0, 400.0),
        integer("time_signature", "time_signature", 0, 7),
        text("track_genre", "track_genre", true)}},
      {"lastfm.artists",
       "lastfm_artists",
       {"lastfm_hetrec2011/artists.dat", "hetrec2011-lastfm-2k/artists.dat", "artists.dat"},
       kTabSeparated,
       false,
       {integer("id", "id", 1), text("name", "name", true), text("url", "url"),
        text("pictureURL", "picture_url")}},
      {"lastfm.tags",
       "lastfm_tags",
       {"lastfm_hetrec2011/tags.dat", "hetrec2011-lastfm-2k/tags.dat", "tags.dat"},
       kTabSeparated,
       true,
       {integer("tagID", "tag_id", 1), text("tagValue", "tag_value", true)}},
      {"lastfm.user_artists",
       "lastfm_user_artists",
       {"lastfm_hetrec2011/user_artists.dat", "hetrec2011-lastfm-2k/user_artists.dat",
        "user_artists.dat"},
       kTabSeparated,
       false,
       {integer("userID", "user_id", 1),
        integer("artistID", "artist_id", 1),
        {"weight", "weight", FieldType::bigint, true, 0.0, {}}}},
      {"lastfm.user_friends",
       "lastfm_user_friends",
       {"lastfm_hetrec2011/user_friends.dat", "hetrec2011-lastfm-2k/user_friends.dat",
        "user_friends.dat"},
       kTabSeparated,
       false,
       {integer("userID", "user_id", 1), integer("friendID", "friend_id", 1)}},
      {"lastfm.user_taggedartists",
       "lastfm_user_taggedartists",
       {"lastfm_hetrec2011/user_taggedartists.dat", "hetrec2011-lastfm-2k/user_taggedartists.dat",
        "user_taggedartists.dat"},
       kTabSeparated,
       false,
       {integer("userID", "user_id", 1), integer("artistID", "artist_id", 1),
        integer("tagID", "tag_id", 1), integer("day", "day", 1, 31),
        integer("month", "month", 1, 12), integer("year", "year", 1900, 2100)}},
  };
}

}  // namespace musicagent::pipeline
