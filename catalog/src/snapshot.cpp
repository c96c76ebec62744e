#include "catalog/snapshot.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/text.hpp"

namespace musicagent::catalog {
namespace {

// Arrays come back joined by the unit separator, which no name contains: much cheaper to
// split than a text[] literal or JSON.
constexpr char kSeparator = '\x1f';

std::vector<std::string> split(const pqxx::field& field) {
  std::vector<std::string> out;
  if (field.is_null()) return out;
  const std::string_view text(field.c_str(), field.size());
  if (text.empty()) return out;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(kSeparator, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string text_or_empty(const pqxx::field& field) {
  return field.is_null() ? std::string() : std::string(field.c_str(), field.size());
}

bool relation_exists(pqxx::transaction_base& tx, const std::string& name) {
  return !tx.exec_params1("select to_regclass($1) is null", name)[0].as<bool>();
}

}  // namespace

double Track::value(Feature feature) const {
  switch (feature) {
    case Feature::duration_ms:
      return static_cast<double>(duration_ms);
    case Feature::popularity:
      return popularity;
    default:
      return audio[static_cast<std::size_t>(feature)];
  }
}

std::shared_ptr<const Snapshot> Snapshot::load(pqxx::connection& connection) {
  auto snapshot = std::make_shared<Snapshot>(Key{});
  Snapshot& s = *snapshot;
  pqxx::read_transaction tx(connection);
  for (const char* relation : {"marts.dim_tracks", "marts.dim_artists", "marts.dim_genres"}) {
    if (!relation_exists(tx, relation)) {
      throw CatalogUnavailable(std::string(relation) +
                               " does not exist: the warehouse is not built yet; run "
                               "`musicagent pipeline run`");
    }
  }
  for (const auto& row : tx.exec("select genre from marts.dim_genres order by genre")) {
    s.genre_of_name_.emplace(row[0].as<std::string>(), static_cast<GenreIndex>(s.genres_.size()));
    s.genres_.push_back({row[0].as<std::string>(), {}});
  }
  auto genre_indexes = [&](const pqxx::field& field) {
    std::vector<GenreIndex> out;
    for (const auto& name : split(field)) {
      if (const auto it = s.genre_of_name_.find(name); it != s.genre_of_name_.end())
        out.push_back(it->second);
    }
    return out;
  };

  const auto artists = tx.exec(
      "select artist_id, artist_name, array_to_string(genres, chr(31)), coalesce(track_count, 0), "
      "coalesce(popularity_max, 0), coalesce(popularity_mean, 0), "
      "array_to_string(lastfm_top_tags, chr(31)), coalesce(lastfm_artist_name, ''), "
      "coalesce(lastfm_listeners, 0) from marts.dim_artists order by artist_id");
  s.artists_.reserve(artists.size());
  for (const auto& row : artists) {
    Artist artist;
    artist.id = row[0].as<std::string>();
    artist.name = text_or_empty(row[1]);
    artist.genres = genre_indexes(row[2]);
    artist.track_count = row[3].as<int>();
    artist.popularity_max = row[4].as<int>();
    artist.popularity_mean = row[5].as<double>();
    artist.tags = split(row[6]);
    artist.lastfm_name = row[7].as<std::string>();
    artist.lastfm_listeners = row[8].as<std::int64_t>();
    s.artist_of_id_.emplace(artist.id, static_cast<ArtistIndex>(s.artists_.size()));
    s.artists_.push_back(std::move(artist));
  }

  // Most popular first, so every list built from this order is ranked already.
  const auto tracks = tx.exec(
      "select track_id, coalesce(track_name, ''), coalesce(album_name, ''), "
      "array_to_string(artist_ids, chr(31)), array_to_string(genres, chr(31)), "
      "coalesce(popularity, 0), coalesce(is_explicit, false), coalesce(duration_ms, 0), "
      "coalesce(danceability, 0), coalesce(energy, 0), coalesce(valence, 0), "
      "coalesce(acousticness, 0), coalesce(instrumentalness, 0), coalesce(speechiness, 0), "
      "coalesce(liveness, 0), coalesce(tempo_bpm, 0), coalesce(loudness_db, 0) "
      "from marts.dim_tracks order by popularity desc nulls last, track_id");
  s.tracks_.reserve(tracks.size());
  for (const auto& row : tracks) {
    Track track;
    track.id = row[0].as<std::string>();
    track.name = row[1].as<std::string>();
    track.album = row[2].as<std::string>();
    for (const auto& id : split(row[3])) {
      if (const auto it = s.artist_of_id_.find(id); it != s.artist_of_id_.end())
        track.artists.push_back(it->second);
    }
    track.genres = genre_indexes(row[4]);
    track.popularity = row[5].as<int>();
    track.is_explicit = row[6].as<bool>();
    track.duration_ms = row[7].as<std::int64_t>();
    for (std::size_t f = 0; f < kAudioFeatureCount; ++f)
      track.audio[f] = row[static_cast<int>(8 + f)].as<float>();
    s.tracks_.push_back(std::move(track));
  }

  if (relation_exists(tx, "marts.fct_listens")) {
    for (const auto& row :
         tx.exec("select lastfm_artist_name, count(distinct user_id) from marts.fct_listens "
                 "where artist_id is null and lastfm_artist_name is not null "
                 "group by lastfm_artist_name order by 2 desc, 1")) {
      s.listened_.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>()});
    }
  }
  s.finish();
  return snapshot;
}

std::shared_ptr<const Snapshot> Snapshot::from_json(const nlohmann::json& data) {
  auto snapshot = std::make_shared<Snapshot>(Key{});
  Snapshot& s = *snapshot;
  for (const auto& name : data.at("genres")) {
    s.genre_of_name_.emplace(name.get<std::string>(), static_cast<GenreIndex>(s.genres_.size()));
    s.genres_.push_back({name.get<std::string>(), {}});
  }
  auto genre_indexes = [&](const nlohmann::json& names) {
    std::vector<GenreIndex> out;
    for (const auto& name : names) out.push_back(s.genre_of_name_.at(name.get<std::string>()));
    return out;
  };
  for (const auto& item : data.at("artists")) {
    Artist artist;
    artist.id = item.at("id").get<std::string>();
    artist.name = item.at("name").get<std::string>();
    artist.genres = genre_indexes(item.value("genres", nlohmann::json::array()));
    artist.tags = item.value("tags", std::vector<std::string>{});
    artist.lastfm_name = item.value("lastfm_name", std::string());
    artist.lastfm_listeners = item.value("listeners", std::int64_t{0});
    s.artist_of_id_.emplace(artist.id, static_cast<ArtistIndex>(s.artists_.size()));
    s.artists_.push_back(std::move(artist));
  }
  for (const auto& item : data.at("tracks")) {
    Track track;
    track.id = item.at("id").get<std::string>();
    track.name = item.at("name").get<std::string>();
    track.album = item.value("album", std::string());
    for (const auto& id : item.at("artists"))
      track.artists.push_back(s.artist_of_id_.at(id.get<std::string>()));
    track.genres = genre_indexes(item.at("genres"));
    std::sort(track.genres.begin(), track.genres.end());
    track.popularity = item.value("popularity", 0);
    track.is_explicit = item.value("explicit", false);
    track.duration_ms = item.value("duration_ms", std::int64_t{200000});
    const auto features = item.value("audio_features", nlohmann::json::object());
    for (std::size_t f = 0; f < kAudioFeatureCount; ++f) {
      const auto name = std::string(feature_name(static_cast<Feature>(f)));
      track.audio[f] = features.value(name, name == "tempo_bpm"     ? 120.0f
                                            : name == "loudness_db" ? -8.0f
                                                                    : 0.5f);
    }
    s.tracks_.push_back(std::move(track));
  }
  std::stable_sort(s.tracks_.begin(), s.tracks_.end(), [](const Track& a, const Track& b) {
    return a.popularity != b.popularity ? a.popularity > b.popularity : a.id < b.id;
  });
  for (const auto& item : data.value("listened_artists", nlohmann::json::array())) {
    s.listened_.push_back(
        {item.at("name").get<std::string>(), item.value("listeners", std::int64_t{1})});
  }
  s.finish();
  for (auto& artist : s.artists_) {
    if (artist.track_count == 0) artist.track_count = static_cast<int>(artist.tracks.size());
  }
  return snapshot;
}

void Snapshot::finish() {
  track_of_id_.clear();
  track_of_id_.reserve(tracks_.size());
  // Tracks are most popular first: the first version of a title an artist has is its best.
  std::vector<std::set<std::string>> titles_seen(artists_.size());
  for (std::size_t i = 0; i < tracks_.size(); ++i) {
    const auto& track = tracks_[i];
    track_of_id_.emplace(track.id, static_cast<TrackIndex>(i));
    for (const auto genre : track.genres)
      genres_[genre].tracks.push_back(static_cast<TrackIndex>(i));
    for (const auto artist : track.artists) {
      if (titles_seen[artist].insert(common::ascii_lower(track.name)).second)
        artists_[artist].tracks.push_back(static_cast<TrackIndex>(i));
    }
  }
  for (auto& artist : artists_) {
    if (artist.popularity_max == 0 && !artist.tracks.empty())
      artist.popularity_max = tracks_[artist.tracks.front()].popularity;
  }
  for (const Feature feature : kAllFeatures) {
    double sum = 0, squares = 0;
    for (const auto& track : tracks_) sum += track.value(feature);
    const double n = static_cast<double>(tracks_.size());
    const double mean = n > 0 ? sum / n : 0;
    for (const auto& track : tracks_) squares += std::pow(track.value(feature) - mean, 2);
    const double sd = n > 1 ? std::sqrt(squares / (n - 1)) : 1;
    stats_[static_cast<std::size_t>(feature)] = {mean, sd > 1e-9 ? sd : 1};
  }
}

std::vector<std::string> Snapshot::genre_names() const {
  std::vector<std::string> names;
  names.reserve(genres_.size());
  for (const auto& genre : genres_) names.push_back(genre.name);
  return names;
}

std::optional<TrackIndex> Snapshot::find_track(std::string_view id) const {
  const auto it = track_of_id_.find(std::string(id));
  return it == track_of_id_.end() ? std::nullopt : std::optional<TrackIndex>(it->second);
}

std::optional<ArtistIndex> Snapshot::find_artist(std::string_view id) const {
  const auto it = artist_of_id_.find(std::string(id));
  return it == artist_of_id_.end() ? std::nullopt : std::optional<ArtistIndex>(it->second);
}

std::optional<GenreIndex> Snapshot::find_genre(std::string_view name) const {
  const auto it = genre_of_name_.find(std::string(name));
  return it == genre_of_name_.end() ? std::nullopt : std::optional<GenreIndex>(it->second);
}

std::size_t Snapshot::memory_bytes() const {
  auto string_bytes = [](const std::string& s) {
    return sizeof(std::string) + (s.capacity() > 15 ? s.capacity() + 1 : 0);
  };
  std::size_t bytes = sizeof(Snapshot);
  for (const auto& t : tracks_) {
    bytes += sizeof(Track) + string_bytes(t.id) - sizeof(std::string) + string_bytes(t.name) -
             sizeof(std::string) + string_bytes(t.album) - sizeof(std::string) +
             t.artists.capacity() * sizeof(ArtistIndex) + t.genres.capacity() * sizeof(GenreIndex);
  }
  for (const auto& a : artists_) {
    bytes += sizeof(Artist) + a.id.capacity() + a.name.capacity() + a.lastfm_name.capacity() +
             a.genres.capacity() * sizeof(GenreIndex) + a.tracks.capacity() * sizeof(TrackIndex);
    for (const auto& tag : a.tags) bytes += string_bytes(tag);
  }
  for (const auto& g : genres_) bytes += sizeof(Genre) + g.tracks.capacity() * sizeof(TrackIndex);
  for (const auto& l : listened_) bytes += sizeof(ListenedArtist) + l.name.capacity();
  // Hash maps: a node per entry (key string, value, next pointer) plus the bucket array.
  const auto map_bytes = [](std::size_t entries, std::size_t buckets) {
    return entries * (sizeof(std::string) + 16 + 8) + buckets * sizeof(void*);
  };
  bytes += map_bytes(track_of_id_.size(), track_of_id_.bucket_count()) +
           map_bytes(artist_of_id_.size(), artist_of_id_.bucket_count()) +
           map_bytes(genre_of_name_.size(), genre_of_name_.bucket_count());
  return bytes;
}

}  // namespace musicagent::catalog
