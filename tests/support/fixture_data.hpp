#pragma once

#include <filesystem>
#include <string>

namespace musicagent::testing {

struct FixtureOptions {
  bool kaggle_index_column = false;  // Kaggle's download has an unnamed leading index column
  bool kaggle_gzip = false;          // dataset.csv.gz instead of dataset.csv
  bool bad_rows = false;             // append rows the loader must reject
  int popularity_of_first = 73;      // change to make a "new version" of the tracks file
};

// A small data directory shaped like ../shared/data (Kaggle tracks and the five HetRec
// files), with the edge cases of the real files: quoted commas and quotes, multi-artist
// credits, a track under two genres, non-Latin names and emoji, CRLF line ends, a Latin-1
// tags.dat, and Last.fm names that match Spotify's only after normalisation.
void write_fixture(const std::filesystem::path& data_dir, const FixtureOptions& options = {});

// What the fixture's good rows produce.
struct FixtureFacts {
  static constexpr int kTrackRows = 7;       // rows in the tracks file (good ones)
  static constexpr int kDistinctTracks = 6;  // one track is listed under two genres
  static constexpr int kGenres = 5;
  static constexpr int kBadRows = 5;  // added with bad_rows
  static constexpr int kLastfmArtists = 5;
  static constexpr int kUserArtistRows = 7;
};

// A copy of the project's pipeline/ folder (models and bootstrap SQL) under `home`, for
// tests that break a model on purpose.
void copy_pipeline_project(const std::filesystem::path& home);

}  // namespace musicagent::testing
