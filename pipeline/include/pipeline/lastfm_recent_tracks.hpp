#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "pipeline/lastfm_client.hpp"

namespace musicagent::pipeline {

// The ops.watermarks source of user.getRecentTracks; the key is the user name, lower case.
inline constexpr const char* kRecentTracksWatermark = "lastfm.recent_tracks";
inline constexpr int kRecentTracksPageSize = 200;  // the most Last.fm serves per page

struct RecentTracksLoad {
  std::string user;
  std::int64_t watermark_before = 0;  // unix seconds of the newest scrobble loaded before
  std::int64_t watermark_after = 0;
  std::int64_t pages = 0;
  std::int64_t scrobbles = 0;  // new scrobbles landed (the playing-now entry is not one)
};

// Lands a user's scrobbles newer than the watermark in raw.lastfm_api_responses, page by page
// (`to` fixed at the start so pages do not shift), then advances the watermark. A failure
// throws and leaves the watermark where it was: the next run fetches the same range again,
// and stg_lastfm__recent_tracks drops the scrobbles landed twice, so it ends the same.
RecentTracksLoad load_recent_tracks(LastfmClient& client, pqxx::connection& connection,
                                    const std::string& user, std::int64_t run_id,
                                    int page_size = kRecentTracksPageSize);

}  // namespace musicagent::pipeline
