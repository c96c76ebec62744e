#include "fixture_data.hpp"

#include <zlib.h>

#include <fstream>
#include <stdexcept>
#include <vector>

namespace musicagent::testing {
namespace {

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

void write_gzip(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("cannot write " + path.string());
  gzwrite(file, content.data(), static_cast<unsigned>(content.size()));
  gzclose(file);
}

std::string tracks_csv(const FixtureOptions& options) {
  const std::string header =
      "track_id,artists,album_name,track_name,popularity,duration_ms,explicit,danceability,energy,"
      "key,"
      "loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,time_"
      "signature,track_genre";
  std::vector<std::string> rows = {
      "5SuOikwiRyPMVoIQDJUgSV,Gen Hoshino;Ben Woodward,\"Comedy, \"\"Live\"\"\",Comedy," +
          std::to_string(options.popularity_of_first) +
          ",230666,False,0.676,0.461,1,-6.746,0,0.143,0.0322,1.01e-06,0.358,0.715,87.917,4,"
          "acoustic",
      "5SuOikwiRyPMVoIQDJUgSV,Gen Hoshino;Ben Woodward,\"Comedy, "
      "\"\"Live\"\"\",Comedy,70,230666,False,0.676,0.461,1,"
      "-6.746,0,0.143,0.0322,1.01e-06,0.358,0.715,87.917,4,j-pop",
      "4qPNDBW1i3p13qLCt0Ki3A,The Beatles,Abbey "
      "Road,Something,80,182293,False,0.4,0.3,0,-10.1,1,0.03,0.6,0.0,0.1,0.4,"
      "66.0,4,rock",
      "1iJBSr7s7jYXzM8EGcbK5b,Beyoncé,Lemonade,Formation "
      "🐝,77,206080,True,0.8,0.7,5,-5.2,1,0.2,0.01,0.0,0.2,0.5,123.9,"
      "4,pop",
      "6lfxq3CG4xtTiEg7opyCyx,AC/DC,Back in Black,\"Back In "
      "Black\",81,255493,False,0.31,0.7,9,-5.6,1,0.04,0.011,0.0017,"
      "0.08,0.76,188.4,4,rock",
      "2Ej9bLjUSxvULA5wVaNjfF,米津玄師,STRAY "
      "SHEEP,\"Lemon\nmultiline\",75,255000,False,0.5,0.6,2,-4.1,0,0.03,0.2,0.0,0.1,"
      "0.3,87.0,4,j-pop",
      "0hVXuCcriWRGvwMV1r5Yn9,Mercedes "
      "Sosa,Cantora,Zamba,40,300000,False,0.45,0.2,7,-12.0,1,0.05,0.9,0.0001,0.2,0.3,"
      "90.0,3,folk",
  };
  if (options.bad_rows) {
    rows.push_back(
        ",Nobody,Nothing,No Id,10,1000,False,0.5,0.5,1,-5,1,0.1,0.1,0.1,0.1,0.1,100,4,pop");
    rows.push_back(
        "BadDance000000000000001,Someone,Album,Too "
        "Danceable,10,1000,False,1.5,0.5,1,-5,1,0.1,0.1,0.1,0.1,0.1,"
        "100,4,pop");
    rows.push_back("ShortRow00000000000001,Someone,Album,Short Row,10,1000");
    rows.push_back(
        "BadPop0000000000000001,Someone,Album,Bad "
        "Popularity,abc,1000,False,0.5,0.5,1,-5,1,0.1,0.1,0.1,0.1,"
        "0.1,100,4,pop");
    rows.push_back(
        "BadBool000000000000001,Someone,Album,Bad "
        "Bool,10,1000,Maybe,0.5,0.5,1,-5,1,0.1,0.1,0.1,0.1,0.1,100,"
        "4,pop");
  }
  std::string csv = (options.kaggle_index_column ? "," : "") + header + "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    csv += (options.kaggle_index_column ? std::to_string(i) + "," : "") + rows[i] + "\n";
  }
  return csv;
}

}  // namespace

void write_fixture(const std::filesystem::path& data_dir, const FixtureOptions& options) {
  const std::string csv = tracks_csv(options);
  std::filesystem::remove(data_dir / "spotify_tracks" / "dataset.csv");
  std::filesystem::remove(data_dir / "spotify_tracks" / "dataset.csv.gz");
  if (options.kaggle_gzip) {
    write_gzip(data_dir / "spotify_tracks" / "dataset.csv.gz", csv);
  } else {
    write_file(data_dir / "spotify_tracks" / "dataset.csv", csv);
  }
  const auto lastfm = data_dir / "lastfm_hetrec2011";
  // Last.fm's 2011 spellings: each matches a Spotify name only after normalisation,
  // except "Unknown Band", which has no Spotify tracks at all.
  write_file(lastfm / "artists.dat",
             "id\tname\turl\tpictureURL\r\n"
             "1\tthe beatles\thttp://www.last.fm/music/The+Beatles\t\r\n"
             "2\tBeyonce\thttp://www.last.fm/music/Beyonce\t\r\n"
             "3\tACDC\thttp://www.last.fm/music/ACDC\t\r\n"
             "4\tUnknown Band\thttp://www.last.fm/music/Unknown+Band\t\r\n"
             "5\tGen Hoshino\thttp://www.last.fm/music/Gen+Hoshino\t\r\n");
  // Latin-1: 0xE9 is 'é', 0xFC is 'ü'.
  write_file(lastfm / "tags.dat",
             "tagID\ttagValue\r\n1\trock\r\n2\t\xE9lectronique\r\n3\tgr\xFCn\r\n4\tpop\r\n");
  write_file(
      lastfm / "user_artists.dat",
      "userID\tartistID\tweight\r\n"
      "2\t1\t1000\r\n2\t2\t500\r\n2\t4\t50\r\n3\t1\t300\r\n3\t3\t200\r\n4\t5\t10\r\n4\t2\t20\r\n");
  write_file(lastfm / "user_friends.dat", "userID\tfriendID\r\n2\t3\r\n3\t2\r\n");
  write_file(
      lastfm / "user_taggedartists.dat",
      "userID\tartistID\ttagID\tday\tmonth\tyear\r\n"
      "2\t1\t1\t1\t4\t2009\r\n3\t1\t1\t1\t5\t2009\r\n2\t2\t4\t1\t4\t2009\r\n2\t2\t2\t1\t4\t2010\r\n"
      "3\t3\t1\t1\t1\t2008\r\n4\t5\t3\t1\t1\t2007\r\n");
}

void copy_pipeline_project(const std::filesystem::path& home) {
  const std::filesystem::path source = std::filesystem::path(MUSICAGENT_SOURCE_DIR) / "pipeline";
  std::filesystem::create_directories(home / "pipeline");
  std::filesystem::copy(source / "models", home / "pipeline" / "models",
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy(source / "sql", home / "pipeline" / "sql",
                        std::filesystem::copy_options::recursive);
}

}  // namespace musicagent::testing
