#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "catalog/snapshot.hpp"
#include "understanding/fuzzy_index.hpp"
#include "understanding/lexicon.hpp"

namespace musicagent::understanding {

// An album: tracks sharing an album name and a first artist.
struct Album {
  std::string name;
  catalog::ArtistIndex artist = 0;
  std::vector<catalog::TrackIndex> tracks;  // most popular first
};

// Names of the catalogue by their compact keys (text.hpp): every artist (also without a leading
// "The", under its Last.fm name and under the aliases of artist_aliases.tsv), every track title
// (also without a "(Remastered)" or " - Live" tail), every album, and the Last.fm artists the
// catalogue lacks. Built once per catalogue snapshot; read by any number of threads.
class EntityIndex {
 public:
  // A word in this many distinct titles or more is an everyday word for name gating.
  static constexpr std::size_t kCommonTitleWord = 25;
  static constexpr std::size_t kMaxNameWords = 8;

  EntityIndex(std::shared_ptr<const catalog::Snapshot> snapshot, const Lexicon& lexicon);

  const catalog::Snapshot& snapshot() const { return *snapshot_; }

  // Artists with this key, most popular first (null when none).
  const std::vector<catalog::ArtistIndex>* artists(std::string_view compact) const;
  // Positions in snapshot().listened_artists() with this key.
  const std::vector<std::uint32_t>* listened(std::string_view compact) const;
  // Tracks with this title key, most popular first.
  const std::vector<catalog::TrackIndex>* titles(std::string_view compact) const;
  // Positions in albums() with this key, most popular first.
  const std::vector<std::uint32_t>* albums_named(std::string_view compact) const;
  const std::vector<Album>& albums() const { return albums_; }

  std::vector<FuzzyIndex::Match> fuzzy_artists(std::string_view compact,
                                               std::size_t max_distance) const {
    return artist_fuzzy_.lookup(compact, max_distance);
  }
  std::vector<FuzzyIndex::Match> fuzzy_titles(std::string_view compact,
                                              std::size_t max_distance) const {
    return title_fuzzy_.lookup(compact, max_distance);
  }

  // True when every word of the artist's name is an everyday word ("Queen", "Young", "Blue
  // October"): such a name needs the sentence to say it is an artist.
  bool common_name(catalog::ArtistIndex artist) const { return common_name_[artist] != 0; }
  bool common_word(std::string_view word) const;
  // A word that several catalogue titles use ("video", "games"): a real word, so not read as a
  // misspelling of a name.
  bool title_word(std::string_view word) const;
  // A word of a lexicon phrase or of a genre's name ("piano", "relaxing"): a name made only of
  // such words is read as the artist only when the sentence names an artist.
  bool lexicon_word(std::string_view word) const;
  // The compact key of an artist's name and of a track's title without its tail.
  static std::string cut_title(std::string_view title);

  std::size_t memory_bytes() const;

 private:
  std::shared_ptr<const catalog::Snapshot> snapshot_;
  const Lexicon* lexicon_;
  std::unordered_map<std::string, std::vector<catalog::ArtistIndex>> artists_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> listened_;
  std::unordered_map<std::string, std::vector<catalog::TrackIndex>> titles_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> album_keys_;
  std::unordered_map<std::string, std::uint32_t> title_word_frequency_;
  std::vector<Album> albums_;
  std::vector<std::uint8_t> common_name_;
  std::unordered_set<std::string> genre_words_;
  FuzzyIndex artist_fuzzy_;
  FuzzyIndex title_fuzzy_;
};

}  // namespace musicagent::understanding
