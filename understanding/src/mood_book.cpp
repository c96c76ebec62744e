#include "understanding/mood_book.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/text.hpp"

namespace musicagent::understanding {
namespace {

using catalog::Feature;

std::string number_text(Feature feature, double value) {
  char text[32];
  if (feature == Feature::duration_ms || feature == Feature::popularity) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else if (feature == Feature::tempo_bpm || feature == Feature::loudness_db) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.2f", value);
  }
  return text;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(std::floor(position));
  const auto high = std::min(values.size() - 1, low + 1);
  return values[low] + (values[high] - values[low]) * (position - static_cast<double>(low));
}

std::string lower(std::string_view text) {
  return common::ascii_lower(text);
}

// Turns "energy >= 0.7" into "energy <= 0.7", for "not energetic".
catalog::FeatureRange opposite(const catalog::FeatureRange& range) {
  catalog::FeatureRange out{range.feature, {}, {}};
  if (range.min) out.max = *range.min;
  if (range.max) out.min = *range.max;
  return out;
}

}  // namespace

double feature_scale(Feature feature, double value) {
  double scaled = value;
  switch (feature) {
    case Feature::tempo_bpm:
      scaled = (value - 60.0) / 140.0;
      break;
    case Feature::loudness_db:
      scaled = (value + 30.0) / 30.0;
      break;
    case Feature::duration_ms:
      scaled = value / 600000.0;
      break;
    case Feature::popularity:
      scaled = value / 100.0;
      break;
    default:
      break;
  }
  return std::clamp(scaled, 0.0, 1.0);
}

std::string describe(const catalog::FeatureRange& range) {
  const std::string name(catalog::feature_name(range.feature));
  if (range.min && range.max) {
    return number_text(range.feature, *range.min) + " <= " + name +
           " <= " + number_text(range.feature, *range.max);
  }
  if (range.min) return name + " >= " + number_text(range.feature, *range.min);
  if (range.max) return name + " <= " + number_text(range.feature, *range.max);
  return name;
}

bool Mood::admits(const catalog::Track& track) const {
  return std::all_of(conditions.begin(), conditions.end(), [&](const Condition& c) {
    return c.range.admits(track.value(c.range.feature));
  });
}

double Mood::strength(const catalog::Track& track) const {
  if (conditions.empty()) return 0;
  double sum = 0;
  for (const auto& c : conditions) {
    const double position = feature_scale(c.range.feature, track.value(c.range.feature));
    sum += c.range.min ? position : 1.0 - position;
  }
  return sum / static_cast<double>(conditions.size());
}

std::string Mood::describe() const {
  std::string text;
  for (const auto& c : conditions) {
    text += (text.empty() ? "" : ", ") + understanding::describe(c.range);
  }
  if (learned_from_artists > 0) {
    text += " (learned from " + std::to_string(learned_from_artists) + " Last.fm-tagged artists)";
  }
  return text;
}

nlohmann::json Mood::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : conditions) {
    nlohmann::json item{{"feature", catalog::feature_name(c.range.feature)},
                        {"learned", c.learned}};
    if (c.range.min) item["min"] = *c.range.min;
    if (c.range.max) item["max"] = *c.range.max;
    list.push_back(std::move(item));
  }
  nlohmann::json out{{"name", name}, {"description", description}, {"conditions", std::move(list)}};
  if (!tags.empty()) {
    out["tags"] = tags;
    out["learned_from_artists"] = learned_from_artists;
  }
  return out;
}

MoodBook MoodBook::build(const Lexicon& lexicon, const catalog::Snapshot* snapshot,
                         const std::function<bool(const catalog::Artist&)>& use_artist) {
  MoodBook book;
  for (const auto& definition : lexicon.moods()) {
    Mood mood;
    mood.name = definition.name;
    mood.feature_only = definition.feature_only;
    mood.description = definition.description;
    mood.tags = definition.tags;
    for (const auto& range : definition.conditions) mood.conditions.push_back({range, false});

    if (snapshot != nullptr && !definition.tags.empty() && !snapshot->tracks().empty()) {
      std::set<std::string> wanted;
      for (const auto& tag : definition.tags) wanted.insert(lower(tag));
      std::vector<catalog::TrackIndex> tagged_tracks;
      for (const auto& artist : snapshot->artists()) {
        if (use_artist && !use_artist(artist)) continue;
        const bool tagged =
            std::any_of(artist.tags.begin(), artist.tags.end(),
                        [&](const auto& tag) { return wanted.count(lower(tag)) != 0; });
        if (!tagged || artist.tracks.empty()) continue;
        ++mood.learned_from_artists;
        tagged_tracks.insert(tagged_tracks.end(), artist.tracks.begin(), artist.tracks.end());
      }
      if (mood.learned_from_artists >= kMinTaggedArtists) {
        struct Effect {
          Feature feature;
          double d;
        };
        std::vector<Effect> effects;
        for (std::size_t f = 0; f < catalog::kAudioFeatureCount; ++f) {
          const auto feature = static_cast<Feature>(f);
          double sum = 0;
          for (const auto t : tagged_tracks) sum += snapshot->tracks()[t].value(feature);
          const double mean = sum / static_cast<double>(tagged_tracks.size());
          const auto& all = snapshot->stats(feature);
          effects.push_back({feature, (mean - all.mean) / all.sd});
        }
        std::sort(effects.begin(), effects.end(),
                  [](const Effect& a, const Effect& b) { return std::fabs(a.d) > std::fabs(b.d); });
        std::size_t added = 0;
        for (const auto& effect : effects) {
          if (added == kMaxLearnedConditions || std::fabs(effect.d) < kLearnEffect) break;
          const bool written =
              std::any_of(mood.conditions.begin(), mood.conditions.end(),
                          [&](const Condition& c) { return c.range.feature == effect.feature; });
          if (written) continue;
          std::vector<double> values;
          values.reserve(tagged_tracks.size());
          for (const auto t : tagged_tracks)
            values.push_back(snapshot->tracks()[t].value(effect.feature));
          catalog::FeatureRange range{effect.feature, {}, {}};
          const double scale =
              effect.feature == Feature::tempo_bpm || effect.feature == Feature::loudness_db ? 1
                                                                                             : 100;
          // A bound that nine in ten of the tagged tracks meet, rounded outwards: with three
          // such bounds most tracks of tagged artists still pass (a bound at the quartile, rounded
          // to "acousticness <= 0.00", left metal with no "heavy" tracks at all).
          if (effect.d > 0) {
            range.min = std::floor(quantile(values, 0.1) * scale) / scale;
          } else {
            range.max = std::ceil(quantile(values, 0.9) * scale) / scale;
          }
          // A bound nearly every track meets ("instrumentalness >= 0.00") says nothing.
          std::size_t admitted = 0;
          for (const auto& track : snapshot->tracks()) {
            const double v = track.value(effect.feature);
            admitted += (!range.min || v >= *range.min) && (!range.max || v <= *range.max) ? 1 : 0;
          }
          if (admitted * 10 >= snapshot->tracks().size() * 9) continue;
          mood.conditions.push_back({range, true});
          ++added;
        }
        if (added == 0) mood.learned_from_artists = 0;
      } else {
        mood.learned_from_artists = 0;
      }
    }
    if (!definition.negated.empty()) {
      for (const auto& range : definition.negated) mood.negated.push_back({range, false});
    } else {
      for (const auto& c : mood.conditions) mood.negated.push_back({opposite(c.range), c.learned});
    }
    book.moods_.push_back(std::move(mood));
  }
  return book;
}

const Mood* MoodBook::find(std::string_view name) const {
  for (const auto& mood : moods_) {
    if (mood.name == name) return &mood;
  }
  return nullptr;
}

std::vector<std::string> MoodBook::mood_names() const {
  std::vector<std::string> names;
  for (const auto& mood : moods_) {
    if (!mood.feature_only) names.push_back(mood.name);
  }
  return names;
}

}  // namespace musicagent::understanding
