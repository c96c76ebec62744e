// Query understanding on the full catalogue: how long a parse takes (p50/p99 over every CPCD
// user message, and over hostile inputs), what the catalogue snapshot and the name index cost
// to build and hold, and how well the moods learned from Last.fm tags generalise (learned from
// half of the tagged artists, scored on the other half, beside the written conditions alone).
//
//   understanding_bench --database-url URL --cpcd FILE [--output FILE] [--repeat N]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <random>
#include <set>

#include "understanding/understanding.hpp"

namespace {

using namespace musicagent;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())) - 1);
  return values[std::min(at, values.size() - 1)];
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

json latency(const understanding::QueryParser& parser, const std::vector<std::string>& texts,
             int repeat) {
  std::vector<double> us;
  us.reserve(texts.size() * static_cast<std::size_t>(repeat));
  std::size_t requests = 0;
  for (int r = 0; r < repeat; ++r) {
    for (const auto& text : texts) {
      const auto started = Clock::now();
      const auto parse = parser.parse(text);
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - started).count());
      requests += parse.requests.size();
    }
  }
  return {{"inputs", texts.size()},
          {"parses", us.size()},
          {"p50_us", std::round(percentile(us, 0.5) * 10) / 10},
          {"p99_us", std::round(percentile(us, 0.99) * 10) / 10},
          {"max_us", std::round(percentile(us, 1.0) * 10) / 10},
          {"requests_read", requests}};
}

// The area under the ROC curve of `score` separating tagged artists from the others.
double auc(std::vector<std::pair<double, bool>> scored) {
  std::sort(scored.begin(), scored.end());
  double rank_sum = 0, positives = 0, negatives = 0;
  for (std::size_t i = 0; i < scored.size();) {
    std::size_t j = i;
    while (j < scored.size() && scored[j].first == scored[i].first) ++j;
    const double mean_rank = (static_cast<double>(i + j + 1)) / 2.0;
    for (std::size_t k = i; k < j; ++k) {
      if (scored[k].second) {
        rank_sum += mean_rank;
        ++positives;
      } else {
        ++negatives;
      }
    }
    i = j;
  }
  if (positives == 0 || negatives == 0) return 0;
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"query-understanding benchmark"};
  std::string database_url, cpcd_path, output;
  int repeat = 5;
  app.add_option("--database-url", database_url)->required();
  app.add_option("--cpcd", cpcd_path)->required();
  app.add_option("--output", output);
  app.add_option("--repeat", repeat);
  CLI11_PARSE(app, argc, argv);

  json report;
  pqxx::connection connection(database_url);
  const auto load_started = Clock::now();
  auto snapshot = catalog::Snapshot::load(connection);
  const double load_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - load_started).count();
  auto lexicon = std::make_shared<const understanding::Lexicon>(
      understanding::Lexicon::load(std::string(MUSICAGENT_SOURCE_DIR) + "/understanding/lexicons"));
  const auto understood = understanding::Understanding::build(lexicon, snapshot);
  report["catalogue"] = {
      {"tracks", snapshot->tracks().size()},
      {"artists", snapshot->artists().size()},
      {"genres", snapshot->genres().size()},
      {"load_ms", std::round(load_ms)},
      {"snapshot_mb", std::round(static_cast<double>(snapshot->memory_bytes()) / 1e5) / 10},
      {"understanding_build_ms", std::round(understood->build_ms)},
      {"name_index_mb",
       std::round(static_cast<double>(understood->entities->memory_bytes()) / 1e5) / 10}};

  std::vector<std::string> messages;
  std::ifstream in(cpcd_path);
  for (std::string line; std::getline(in, line);) {
    const auto conversation = json::parse(line);
    for (const auto& turn : conversation.at("turns"))
      messages.push_back(turn.at("user_query").get<std::string>());
  }
  report["parse_cpcd_messages"] = latency(*understood->parser, messages, repeat);

  // Hostile and unusual inputs: long, repetitive, nested, binary, every name at once.
  std::vector<std::string> hostile;
  hostile.push_back(std::string(100'000, 'a'));
  hostile.push_back(std::string(100'000, '('));
  {
    std::string words;
    for (int i = 0; i < 20'000; ++i) words += "no metal and jazz but not too fast ";
    hostile.push_back(words);
    std::string names;
    for (std::size_t i = 0; i < snapshot->artists().size() && names.size() < 50'000; i += 97)
      names += snapshot->artists()[i].name + ", ";
    hostile.push_back(names);
    std::mt19937 random(42);
    std::string bytes(50'000, '\0');
    for (auto& c : bytes) c = static_cast<char>(random() & 0xFF);
    hostile.push_back(bytes);
  }
  report["parse_hostile_inputs"] = latency(*understood->parser, hostile, 3);

  // Learned moods on artists they were not learned from.
  auto learn_half = [](const catalog::Artist& a) { return fnv1a(a.id) % 2 == 0; };
  const auto learned = understanding::MoodBook::build(*lexicon, snapshot.get(), learn_half);
  const auto written = understanding::MoodBook::build(*lexicon, nullptr);
  json moods = json::array();
  for (const auto& mood : learned.moods()) {
    if (mood.tags.empty() || mood.learned_from_artists == 0) continue;
    const auto* plain = written.find(mood.name);
    std::set<std::string> tags;
    for (auto t : mood.tags) {
      for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      tags.insert(t);
    }
    std::vector<std::pair<double, bool>> with_learned, with_written;
    for (const auto& artist : snapshot->artists()) {
      if (learn_half(artist) || artist.tags.empty() || artist.tracks.empty()) continue;
      bool tagged = false;
      for (auto t : artist.tags) {
        for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        tagged = tagged || tags.count(t) != 0;
      }
      double a = 0, b = 0;
      for (const auto t : artist.tracks) {
        a += mood.strength(snapshot->tracks()[t]) + (mood.admits(snapshot->tracks()[t]) ? 1 : 0);
        b +=
            plain->strength(snapshot->tracks()[t]) + (plain->admits(snapshot->tracks()[t]) ? 1 : 0);
      }
      with_learned.emplace_back(a / static_cast<double>(artist.tracks.size()), tagged);
      with_written.emplace_back(b / static_cast<double>(artist.tracks.size()), tagged);
    }
    std::size_t positives = 0;
    for (const auto& [score, tagged] : with_learned) positives += tagged ? 1 : 0;
    moods.push_back({{"mood", mood.name},
                     {"learned", mood.describe()},
                     {"written", plain->describe()},
                     {"learned_from_artists", mood.learned_from_artists},
                     {"scored_artists", with_learned.size()},
                     {"scored_tagged", positives},
                     {"auc_learned", std::round(auc(with_learned) * 1000) / 1000},
                     {"auc_written_only", std::round(auc(with_written) * 1000) / 1000}});
  }
  report["learned_moods_held_out"] = moods;

  const auto text = report.dump(2);
  std::cout << text << "\n";
  if (!output.empty()) std::ofstream(output) << text << "\n";
  return 0;
}
