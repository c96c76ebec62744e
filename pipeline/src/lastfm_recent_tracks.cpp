#include "pipeline/lastfm_recent_tracks.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

#include "common/logging.hpp"

namespace musicagent::pipeline {
namespace {

std::int64_t as_int64(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_string()) {
    try {
      return std::stoll(value.get<std::string>());
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

RecentTracksLoad load_recent_tracks(LastfmClient& client, pqxx::connection& connection,
                                    const std::string& user, std::int64_t run_id, int page_size) {
  RecentTracksLoad load;
  load.user = user;
  const auto key = lower(user);
  {
    pqxx::read_transaction tx(connection);
    const auto rows = tx.exec_params(
        "select value from ops.watermarks where source = $1 and key = $2", kRecentTracksWatermark,
        key);
    if (!rows.empty()) load.watermark_before = std::stoll(rows[0][0].as<std::string>());
  }
  load.watermark_after = load.watermark_before;
  const std::int64_t to = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();

  for (int page = 1;; ++page) {
    auto result = client.recent_tracks(user, page, page_size, load.watermark_before, to, run_id);
    if (!result) {
      throw std::runtime_error("user.getRecentTracks for " + user + " page " +
                               std::to_string(page) + ": " + result.error().message);
    }
    ++load.pages;
    const auto& body = result.value();
    if (!body.contains("recenttracks") || !body["recenttracks"].is_object())
      throw std::runtime_error("user.getRecentTracks for " + user + ": no recenttracks object");
    const auto& recent = body["recenttracks"];
    // One scrobble comes as an object, several as an array, none as no "track" at all.
    nlohmann::json tracks = recent.value("track", nlohmann::json::array());
    if (tracks.is_object()) tracks = nlohmann::json::array({tracks});
    for (const auto& track : tracks) {
      if (!track.is_object() || !track.contains("date")) continue;  // playing now
      const auto uts = as_int64(track["date"].value("uts", nlohmann::json()));
      if (uts <= load.watermark_before) continue;
      ++load.scrobbles;
      load.watermark_after = std::max(load.watermark_after, uts);
    }
    const auto attributes = recent.value("@attr", nlohmann::json::object());
    const auto total_pages = as_int64(attributes.value("totalPages", nlohmann::json("0")));
    if (tracks.empty() || page >= total_pages) break;
  }

  if (load.watermark_after != load.watermark_before) {
    pqxx::work tx(connection);
    tx.exec_params(
        "insert into ops.watermarks (source, key, value) values ($1, $2, $3) "
        "on conflict (source, key) do update set value = excluded.value, updated_at = now()",
        kRecentTracksWatermark, key, std::to_string(load.watermark_after));
    tx.commit();
  }
  common::logger("pipeline")
      ->info("Last.fm recent tracks of {}: {} new scrobbles in {} page(s), watermark {} -> {}",
             user, load.scrobbles, load.pages, load.watermark_before, load.watermark_after);
  return load;
}

}  // namespace musicagent::pipeline
