#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "catalog/snapshot.hpp"
#include "understanding/lexicon.hpp"

namespace musicagent::understanding {

struct Condition {
  catalog::FeatureRange range;
  bool learned = false;  // from Last.fm tags, not written in moods.yaml
};

// A mood ready to filter and rank tracks: the written conditions of moods.yaml plus those
// learned from the catalogue for moods that name Last.fm tags.
struct Mood {
  std::string name;
  bool feature_only = false;
  std::string description;
  std::vector<Condition> conditions;
  std::vector<Condition> negated;  // "not X": written, else each condition turned around
  std::vector<std::string> tags;
  std::size_t learned_from_artists = 0;  // tagged artists the learned conditions came from

  bool admits(const catalog::Track& track) const;
  // 0..1: how strongly a track has the mood (the mean over its conditions of the feature's
  // position on the condition's side), for ranking among tracks that pass.
  double strength(const catalog::Track& track) const;
  // "energy <= 0.4", "valence <= 0.35, acousticness >= 0.31 (learned from 812 tagged artists)".
  std::string describe() const;
  nlohmann::json to_json() const;
};

// Conditions on a track as a person reads them: "tempo_bpm >= 120", "duration_ms <= 180000".
std::string describe(const catalog::FeatureRange& range);
// 0..1 position of a feature value on a scale where 1 means "more of it".
double feature_scale(catalog::Feature feature, double value);

// Every mood of the lexicon, with conditions learned from the catalogue where the mood names
// Last.fm tags: the tracks of tagged artists against all tracks, on the (at most two) audio
// features where the tagged tracks differ by at least kLearnEffect standard deviations; the
// condition keeps 75% of the tagged tracks (their 25th or 75th percentile). `use_artist`
// picks the artists to learn from (all when empty), so learning can be scored on others.
class MoodBook {
 public:
  static constexpr double kLearnEffect = 0.3;
  static constexpr std::size_t kMinTaggedArtists = 20;
  static constexpr std::size_t kMaxLearnedConditions = 2;

  static MoodBook build(const Lexicon& lexicon, const catalog::Snapshot* snapshot,
                        const std::function<bool(const catalog::Artist&)>& use_artist = {});

  const std::vector<Mood>& moods() const { return moods_; }
  const Mood* find(std::string_view name) const;
  // The names of the moods a tool may be asked for (kind: mood), in lexicon order.
  std::vector<std::string> mood_names() const;

 private:
  std::vector<Mood> moods_;
};

}  // namespace musicagent::understanding
