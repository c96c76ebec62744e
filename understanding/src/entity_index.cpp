#include "understanding/entity_index.hpp"

#include <algorithm>
#include <set>

#include "understanding/text.hpp"

namespace musicagent::understanding {
namespace {

template <typename Map, typename Value>
void file_under(Map& map, const std::string& key, Value value) {
  if (key.empty()) return;
  auto& list = map[key];
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// The key of a name without a leading "the".
std::string key_without_article(std::string_view name) {
  const auto tokens = tokenize(name);
  std::size_t first = 0;
  while (first < tokens.size() && !tokens[first].is_word()) ++first;
  if (first + 1 < tokens.size() && tokens[first].norm == "the")
    return compact_key(tokens, first + 1, tokens.size());
  return {};
}

// Only titles of tracks someone might name are worth a fuzzy lookup: it keeps the index small.
constexpr int kFuzzyTitleMinPopularity = 20;

}  // namespace

std::string EntityIndex::cut_title(std::string_view title) {
  // "Sweet Child O' Mine (Remastered)", "Blinding Lights - Live": the name people say.
  std::size_t end = title.size();
  for (const std::string_view mark :
       {std::string_view(" ("), std::string_view(" - "), std::string_view(" ["),
        std::string_view(" feat"), std::string_view(" ft.")}) {
    const auto at = title.find(mark);
    if (at != std::string_view::npos && at > 0) end = std::min(end, at);
  }
  return std::string(title.substr(0, end));
}

EntityIndex::EntityIndex(std::shared_ptr<const catalog::Snapshot> snapshot, const Lexicon& lexicon)
    : snapshot_(std::move(snapshot)), lexicon_(&lexicon) {
  const auto& s = *snapshot_;
  for (const auto& genre : s.genres()) {
    for (auto& w : words(genre.name)) genre_words_.insert(std::move(w));
  }

  // How many distinct titles each word appears in.
  {
    std::set<std::string> seen_titles;
    for (const auto& track : s.tracks()) {
      const auto cut = cut_title(track.name);
      auto folded = fold(cut);
      if (!seen_titles.insert(folded).second) continue;
      std::set<std::string> title_words;
      for (auto& w : words(cut)) title_words.insert(std::move(w));
      for (const auto& w : title_words) ++title_word_frequency_[w];
    }
  }

  // Artists are filed most popular first, so each key's list is ranked.
  std::vector<catalog::ArtistIndex> by_popularity(s.artists().size());
  for (std::size_t i = 0; i < by_popularity.size(); ++i)
    by_popularity[i] = static_cast<catalog::ArtistIndex>(i);
  std::stable_sort(by_popularity.begin(), by_popularity.end(), [&](auto a, auto b) {
    return s.artists()[a].popularity_max > s.artists()[b].popularity_max;
  });
  common_name_.assign(s.artists().size(), 0);
  for (const auto a : by_popularity) {
    const auto& artist = s.artists()[a];
    const auto key = compact_key(artist.name);
    file_under(artists_, key, a);
    file_under(artists_, key_without_article(artist.name), a);
    if (!artist.lastfm_name.empty()) file_under(artists_, compact_key(artist.lastfm_name), a);
    artist_fuzzy_.add(key, a);
    const auto name_words = words(artist.name);
    const bool common = name_words.empty() || key.size() <= 2 ||
                        std::all_of(name_words.begin(), name_words.end(),
                                    [&](const std::string& w) { return common_word(w); });
    common_name_[a] = common ? 1 : 0;
  }
  for (const auto& [alias, name] : lexicon.artist_aliases()) {
    const auto wanted = compact_key(name);
    const auto it = artists_.find(wanted);
    if (it == artists_.end()) continue;  // an alias for an artist this catalogue lacks
    // The alias names the most popular artist with exactly that name.
    for (const auto a : it->second) {
      if (compact_key(s.artists()[a].name) == wanted) {
        file_under(artists_, compact_key(alias), a);
        break;
      }
    }
  }
  for (std::size_t i = 0; i < s.listened_artists().size(); ++i) {
    const auto key = compact_key(s.listened_artists()[i].name);
    if (artists_.count(key) == 0) file_under(listened_, key, static_cast<std::uint32_t>(i));
  }

  // Titles: tracks are most popular first already.
  std::unordered_map<std::string, std::uint32_t> album_slot;
  for (std::size_t t = 0; t < s.tracks().size(); ++t) {
    const auto& track = s.tracks()[t];
    const auto index = static_cast<catalog::TrackIndex>(t);
    const auto full = compact_key(track.name);
    const auto cut = compact_key(cut_title(track.name));
    file_under(titles_, full, index);
    if (cut != full) file_under(titles_, cut, index);
    if (track.popularity >= kFuzzyTitleMinPopularity && !cut.empty()) title_fuzzy_.add(cut, index);
    if (!track.album.empty() && !track.artists.empty()) {
      const std::string album_id = track.album + '\x1f' + std::to_string(track.artists.front());
      auto [it, inserted] =
          album_slot.emplace(album_id, static_cast<std::uint32_t>(albums_.size()));
      if (inserted) {
        albums_.push_back({track.album, track.artists.front(), {}});
        const auto album_key = compact_key(track.album);
        file_under(album_keys_, album_key, it->second);
        const auto album_cut = compact_key(cut_title(track.album));
        if (album_cut != album_key) file_under(album_keys_, album_cut, it->second);
      }
      albums_[it->second].tracks.push_back(index);
    }
  }
  artist_fuzzy_.finish();
  title_fuzzy_.finish();
}

bool EntityIndex::lexicon_word(std::string_view word) const {
  return lexicon_->is_lexicon_word(word) || genre_words_.count(std::string(word)) != 0;
}

bool EntityIndex::common_word(std::string_view word) const {
  if (word.size() <= 1) return true;
  if (lexicon_->is_common_word(word) || lexicon_word(word)) return true;
  if (std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return true;
  const auto it = title_word_frequency_.find(std::string(word));
  return it != title_word_frequency_.end() && it->second >= kCommonTitleWord;
}

bool EntityIndex::title_word(std::string_view word) const {
  constexpr std::uint32_t kRealWord = 3;
  const auto it = title_word_frequency_.find(std::string(word));
  return it != title_word_frequency_.end() && it->second >= kRealWord;
}

const std::vector<catalog::ArtistIndex>* EntityIndex::artists(std::string_view compact) const {
  const auto it = artists_.find(std::string(compact));
  return it == artists_.end() ? nullptr : &it->second;
}

const std::vector<std::uint32_t>* EntityIndex::listened(std::string_view compact) const {
  const auto it = listened_.find(std::string(compact));
  return it == listened_.end() ? nullptr : &it->second;
}

const std::vector<catalog::TrackIndex>* EntityIndex::titles(std::string_view compact) const {
  const auto it = titles_.find(std::string(compact));
  return it == titles_.end() ? nullptr : &it->second;
}

const std::vector<std::uint32_t>* EntityIndex::albums_named(std::string_view compact) const {
  const auto it = album_keys_.find(std::string(compact));
  return it == album_keys_.end() ? nullptr : &it->second;
}

std::size_t EntityIndex::memory_bytes() const {
  auto map_bytes = [](const auto& map, std::size_t value_size) {
    std::size_t bytes = map.bucket_count() * sizeof(void*);
    for (const auto& [key, list] : map) {
      bytes += 64 + (key.capacity() > 15 ? key.capacity() + 1 : 0) + list.capacity() * value_size;
    }
    return bytes;
  };
  std::size_t bytes = map_bytes(artists_, 4) + map_bytes(listened_, 4) + map_bytes(titles_, 4) +
                      map_bytes(album_keys_, 4) + artist_fuzzy_.memory_bytes() +
                      title_fuzzy_.memory_bytes() + common_name_.capacity();
  for (const auto& [word, n] : title_word_frequency_) bytes += 48 + word.capacity() + sizeof(n);
  for (const auto& album : albums_)
    bytes += sizeof(Album) + album.name.capacity() + album.tracks.capacity() * 4;
  return bytes;
}

}  // namespace musicagent::understanding
