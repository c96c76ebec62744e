#include "understanding/fuzzy_index.hpp"

#include <algorithm>

#include "understanding/text.hpp"

namespace musicagent::understanding {
namespace {

std::uint64_t hash(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// The key and its one-deletion forms.
template <typename Visit>
void forms(std::string_view key, Visit&& visit) {
  visit(hash(key));
  std::string form;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (i > 0 && key[i] == key[i - 1]) continue;  // deleting either of a double letter is one form
    form.assign(key.substr(0, i));
    form.append(key.substr(i + 1));
    visit(hash(form));
  }
}

}  // namespace

void FuzzyIndex::add(std::string_view key, std::uint32_t id) {
  if (key.size() < kMinKeyLength) return;
  const auto slot = static_cast<std::uint32_t>(keys_.size());
  keys_.emplace_back(key);
  ids_.push_back(id);
  forms(key, [&](std::uint64_t h) { entries_.emplace_back(h, slot); });
}

void FuzzyIndex::finish() {
  std::sort(entries_.begin(), entries_.end());
  entries_.erase(std::unique(entries_.begin(), entries_.end()), entries_.end());
  entries_.shrink_to_fit();
}

std::vector<FuzzyIndex::Match> FuzzyIndex::lookup(std::string_view query, std::size_t max_distance,
                                                  std::size_t limit) const {
  std::vector<Match> matches;
  if (query.size() < kMinKeyLength || entries_.empty()) return matches;
  max_distance = std::min<std::size_t>(max_distance, 2);
  std::vector<std::uint32_t> slots;
  forms(query, [&](std::uint64_t h) {
    auto it =
        std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(h, std::uint32_t{0}));
    for (; it != entries_.end() && it->first == h; ++it) slots.push_back(it->second);
  });
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
  for (const auto slot : slots) {
    const auto distance = edit_distance(query, keys_[slot], max_distance);
    if (distance <= max_distance) matches.push_back({ids_[slot], distance, keys_[slot]});
  }
  std::stable_sort(matches.begin(), matches.end(),
                   [](const Match& a, const Match& b) { return a.distance < b.distance; });
  if (matches.size() > limit) matches.resize(limit);
  return matches;
}

std::size_t FuzzyIndex::memory_bytes() const {
  std::size_t bytes =
      entries_.capacity() * sizeof(entries_[0]) + ids_.capacity() * sizeof(std::uint32_t);
  for (const auto& key : keys_)
    bytes += sizeof(std::string) + (key.capacity() > 15 ? key.capacity() + 1 : 0);
  return bytes;
}

}  // namespace musicagent::understanding
