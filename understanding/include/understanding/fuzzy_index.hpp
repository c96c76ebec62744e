#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace musicagent::understanding {

// Finds keys within two edits of a misspelt one ("metalica", "billieelish") without comparing
// against every key: each key is filed under itself and every form with one character deleted,
// and a query looks up its own such forms (symmetric deletion), then the real edit distance
// decides. Written here because no Debian package offers it; memory is one (hash, slot) pair
// per filed form.
class FuzzyIndex {
 public:
  static constexpr std::size_t kMinKeyLength = 4;

  void add(std::string_view key, std::uint32_t id);
  void finish();  // sorts; call once after the last add

  struct Match {
    std::uint32_t id;
    std::size_t distance;
    std::string_view key;
  };
  // Ids whose key is within `max_distance` (at most 2) of `query`, nearest first, at most `limit`.
  std::vector<Match> lookup(std::string_view query, std::size_t max_distance,
                            std::size_t limit = 16) const;
  std::size_t memory_bytes() const;

 private:
  std::vector<std::pair<std::uint64_t, std::uint32_t>> entries_;  // hash of a form -> slot
  std::vector<std::string> keys_;
  std::vector<std::uint32_t> ids_;
};

}  // namespace musicagent::understanding
