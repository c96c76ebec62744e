// The live sources over real HTTP: the Spotify Web API and Last.fm API clients against a
// scripted server replaying the captured bodies in ../shared/data/api_fixtures, with their
// raw landing and TTL reuse in a real PostgreSQL; lookup_artist with Spotify configured (and
// down); and the incremental user.getRecentTracks extract feeding marts.fct_listens.
#include <gmock/gmock.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "common/connection_pool.hpp"
#include "common/logging.hpp"
#include "pipeline/lastfm_client.hpp"
#include "pipeline/lastfm_recent_tracks.hpp"
#include "pipeline/spotify_client.hpp"
#include "pipeline_fixture.hpp"
#include "scripted_http_server.hpp"
#include "tools/lookup_artist_tool.hpp"
#include "tools/tool_registry.hpp"

namespace musicagent::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

constexpr const char* kClientId = "test-client-id";
constexpr const char* kClientSecret = "test-client-secret-0123456789";
constexpr const char* kLastfmKey = "test-lastfm-key-abcdef";
constexpr const char* kFixtureToken =
    "taHZ2SdB-bPA3FsK3D7ZN5npZS47cMy-IEySVEGttOhXmqaVAIo0ESvTCLjLBifhHOHOIuhFUKPW1WMDP7w6dj3MAZdWT8"
    "CLI2MkZaXbYLTeoDvXesf2eeiLYPBGdx8tIwQJKgV8XdnzH_DONk";

fs::path fixtures_dir() {
  if (const char* data = std::getenv("MUSICAGENT_DATA_DIR")) return fs::path(data) / "api_fixtures";
  return fs::path(MUSICAGENT_SOURCE_DIR).parent_path() / "shared" / "data" / "api_fixtures";
}

std::string fixture(const std::string& relative) {
  std::ifstream in(fixtures_dir() / relative, std::ios::binary);
  if (!in) throw std::runtime_error("missing API fixture " + (fixtures_dir() / relative).string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

json fixture_json(const std::string& relative) {
  return json::parse(std::string(pipeline::strip_utf8_bom(fixture(relative))));
}

std::map<std::string, std::string> query_of(const std::string& target) {
  std::map<std::string, std::string> params;
  const auto question = target.find('?');
  if (question == std::string::npos) return params;
  std::stringstream query(target.substr(question + 1));
  std::string pair;
  while (std::getline(query, pair, '&')) {
    const auto equals = pair.find('=');
    params[pair.substr(0, equals)] = equals == std::string::npos ? "" : pair.substr(equals + 1);
  }
  return params;
}

std::size_t count_requests(const ScriptedHttpServer& server, const std::string& path) {
  std::size_t n = 0;
  for (const auto& request : server.requests())
    if (request.target.substr(0, request.target.find('?')) == path) ++n;
  return n;
}

// A steady clock the test moves by hand (token expiry).
struct ManualClock {
  std::shared_ptr<std::chrono::steady_clock::time_point> now =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  pipeline::TokenBucket::Clock function() const {
    return [now = now] { return *now; };
  }
  void advance(std::chrono::seconds by) const { *now += by; }
};

// Captures what the clients and the HTTP layer log, at debug level.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)) {
    for (const char* name : {"http", "spotify", "lastfm", "tools", "pipeline"}) {
      auto log = common::logger(name);
      previous_levels_.emplace_back(log, log->level());
      log->sinks().push_back(sink_);
      log->set_level(spdlog::level::debug);
    }
  }
  ~LogCapture() {
    for (auto& [log, level] : previous_levels_) {
      auto& sinks = log->sinks();
      sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
      log->set_level(level);
    }
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  std::vector<std::pair<std::shared_ptr<spdlog::logger>, spdlog::level::level_enum>>
      previous_levels_;
};

common::RetryPolicy fast_retry() {
  common::RetryPolicy policy;
  policy.max_attempts = 3;
  policy.base_delay = std::chrono::milliseconds(10);
  policy.max_delay = std::chrono::milliseconds(3000);
  return policy;
}

// --- clients on a bootstrapped database -------------------------------------------------

class LiveClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(fixtures_dir())) GTEST_SKIP() << "no " << fixtures_dir();
    database_url_ = TestPostgres::instance().create_database("live");
    pqxx::connection connection(database_url_);
    pqxx::work tx(connection);
    tx.exec("set local client_min_messages = warning");
    std::ifstream in(fs::path(MUSICAGENT_SOURCE_DIR) / "pipeline" / "sql" / "bootstrap.sql");
    std::stringstream sql;
    sql << in.rdbuf();
    tx.exec(sql.str());
    tx.commit();
    pool_ = std::make_shared<common::ConnectionPool>(database_url_, 2);
    server_.script("POST", "/api/token", {reply(200, fixture("spotify/ClientCredentials.json"))});
  }

  pipeline::SpotifySettings spotify_settings(std::chrono::seconds ttl = std::chrono::hours(24)) {
    pipeline::SpotifySettings settings;
    settings.client_id = kClientId;
    settings.client_secret = kClientSecret;
    settings.api_base_url = server_.base_url() + "/v1";
    settings.accounts_base_url = server_.base_url();
    settings.cache_ttl = ttl;
    settings.retry = fast_retry();
    settings.clock = clock_.function();
    return settings;
  }

  pipeline::SpotifyClient spotify(std::chrono::seconds ttl = std::chrono::hours(24)) {
    return pipeline::SpotifyClient(spotify_settings(ttl), pipeline::spotify_response_store(pool_));
  }

  pipeline::LastfmClient lastfm() {
    pipeline::LastfmSettings settings;
    settings.api_key = kLastfmKey;
    settings.base_url = server_.base_url() + "/2.0/";
    settings.retry = fast_retry();
    return pipeline::LastfmClient(settings, pipeline::lastfm_response_store(pool_));
  }

  pqxx::result query(const std::string& sql) {
    pqxx::connection connection(database_url_);
    pqxx::read_transaction tx(connection);
    return tx.exec(sql);
  }

  std::string database_url_;
  std::shared_ptr<common::ConnectionPool> pool_;
  ScriptedHttpServer server_;
  ManualClock clock_;
};

constexpr const char* kArtistPath = "/v1/artists/0OdUWJ0sBjDrqHygGUXeCF";

TEST_F(LiveClientTest, SpotifyTokenIsFetchedOnceAndRefreshedBeforeItExpires) {
  server_.script("GET", kArtistPath, {reply(200, fixture("spotify/GetArtistRequest.json"))});
  auto client = spotify(std::chrono::seconds(0));  // no reuse: every call goes out

  const auto first = client.artist("0OdUWJ0sBjDrqHygGUXeCF");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first.value().at("/followers/total"_json_pointer), 306565);
  ASSERT_EQ(count_requests(server_, "/api/token"), 1u);
  const auto token_request = server_.requests().front();
  EXPECT_EQ(token_request.body, "grant_type=client_credentials");
  // Basic base64("test-client-id:test-client-secret-0123456789")
  EXPECT_EQ(token_request.header("Authorization"),
            "Basic dGVzdC1jbGllbnQtaWQ6dGVzdC1jbGllbnQtc2VjcmV0LTAxMjM0NTY3ODk=");
  EXPECT_EQ(server_.requests().back().header("Authorization"),
            std::string("Bearer ") + kFixtureToken);

  clock_.advance(std::chrono::seconds(3000));  // the fixture's token lives 3600 s
  ASSERT_TRUE(client.artist("0OdUWJ0sBjDrqHygGUXeCF").ok());
  EXPECT_EQ(count_requests(server_, "/api/token"), 1u);

  clock_.advance(std::chrono::seconds(550));  // 50 s left: inside the refresh margin
  ASSERT_TRUE(client.artist("0OdUWJ0sBjDrqHygGUXeCF").ok());
  EXPECT_EQ(count_requests(server_, "/api/token"), 2u);
  EXPECT_EQ(count_requests(server_, kArtistPath), 3u);
}

TEST_F(LiveClientTest, Spotify429WaitsForRetryAfter) {
  server_.script("GET", "/v1/search",
                 {reply(429, R"({"error": {"status": 429, "message": "API rate limit exceeded"}})",
                        {{"Retry-After", "1"}}),
                  reply(200, fixture("spotify/SearchArtistsRequest.json"))});
  auto client = spotify();
  const auto started = std::chrono::steady_clock::now();
  const auto found = client.search_artists("Muse");
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(count_requests(server_, "/v1/search"), 2u);
  EXPECT_GE(waited, std::chrono::milliseconds(950));  // the 1 s Retry-After, not 10 ms backoff
  EXPECT_FALSE(found.value().at("/artists/items"_json_pointer).empty());
}

TEST_F(LiveClientTest, Spotify5xxIsRetriedThenSucceedsOrEndsAsAnError) {
  server_.script("GET", kArtistPath,
                 {reply(503, "<html>Service Unavailable</html>"), reply(502, "bad gateway"),
                  reply(200, fixture("spotify/GetArtistRequest.json"))});
  auto client = spotify();
  const auto artist = client.artist("0OdUWJ0sBjDrqHygGUXeCF");
  ASSERT_TRUE(artist.ok()) << artist.error().message;
  EXPECT_EQ(count_requests(server_, kArtistPath), 3u);

  server_.script("GET", "/v1/artists/down", {reply(500, R"({"error": {"status": 500, "message": "Server error"}})")});
  const auto down = client.artist("down");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().http_status, 500);
  EXPECT_THAT(down.error().message, HasSubstr("Server error"));
  EXPECT_EQ(count_requests(server_, "/v1/artists/down"), 3u);  // max_attempts
}

TEST_F(LiveClientTest, SpotifyResponsesAreReusedWithinTheTtlAndFetchedAgainAfter) {
  server_.script("GET", kArtistPath, {reply(200, fixture("spotify/GetArtistRequest.json"))});
  auto client = spotify(std::chrono::hours(24));
  ASSERT_TRUE(client.artist("0OdUWJ0sBjDrqHygGUXeCF").ok());
  const auto again = client.artist("0OdUWJ0sBjDrqHygGUXeCF");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().at("name"), "Band of Horses");
  EXPECT_EQ(count_requests(server_, kArtistPath), 1u);

  // A day later (the stored response aged past the TTL) it calls again.
  pqxx::connection connection(database_url_);
  pqxx::work tx(connection);
  tx.exec("update raw.spotify_api_responses set fetched_at = fetched_at - interval '25 hours'");
  tx.commit();
  ASSERT_TRUE(client.artist("0OdUWJ0sBjDrqHygGUXeCF").ok());
  EXPECT_EQ(count_requests(server_, kArtistPath), 2u);
}

TEST_F(LiveClientTest, EverySpotifyResponseLandsRawWithoutSecrets) {
  server_.script("GET", "/v1/search", {reply(200, fixture("spotify/SearchArtistsRequest.json"))});
  server_.script("GET", "/v1/artists", {reply(200, fixture("spotify/GetSeveralArtistsRequest.json"))});
  server_.script("GET", "/v1/artists/0OdUWJ0sBjDrqHygGUXeCF/top-tracks",
                 {reply(200, fixture("spotify/GetArtistsTopTracksRequest.json"))});
  server_.script("GET", "/v1/artists/0OdUWJ0sBjDrqHygGUXeCF/albums",
                 {reply(404, R"({"error": {"status": 404, "message": "Not found."}})")});
  LogCapture logs;
  auto client = spotify();
  ASSERT_TRUE(client.search_artists("Muse", 10).ok());
  const auto several = client.artists({"0oSGxfWSnnOXhD2fKuz2Gy", "3dBVyJ7JuOMt4GE9607Qin"});
  ASSERT_TRUE(several.ok());
  EXPECT_EQ(several.value().at("/artists/0/name"_json_pointer), "David Bowie");
  ASSERT_TRUE(client.artist_top_tracks("0OdUWJ0sBjDrqHygGUXeCF").ok());
  const auto albums = client.artist_albums("0OdUWJ0sBjDrqHygGUXeCF");
  ASSERT_FALSE(albums.ok());
  EXPECT_EQ(albums.error().http_status, 404);

  const auto rows = query(
      "select endpoint, request_key, status, jsonb_typeof(body), _source, _run_id is null, "
      "body::text from raw.spotify_api_responses order by response_id");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "token");
  EXPECT_THAT(rows[0][6].as<std::string>(), HasSubstr(R"("access_token": "***")"));
  EXPECT_EQ(rows[1][0].as<std::string>(), "search");
  EXPECT_EQ(rows[1][1].as<std::string>(), "/search?q=Muse&type=artist&limit=10");
  EXPECT_EQ(rows[2][1].as<std::string>(), "/artists?ids=0oSGxfWSnnOXhD2fKuz2Gy,3dBVyJ7JuOMt4GE9607Qin");
  EXPECT_EQ(rows[3][0].as<std::string>(), "artist_top_tracks");
  EXPECT_EQ(rows[4][0].as<std::string>(), "artist_albums");
  EXPECT_EQ(rows[4][2].as<int>(), 404);
  for (const auto& row : rows) {
    EXPECT_EQ(row[3].as<std::string>(), "object");
    EXPECT_EQ(row[4].as<std::string>(), "spotify.api");
    EXPECT_TRUE(row[5].as<bool>());
    EXPECT_THAT(row[6].as<std::string>(), Not(HasSubstr(kFixtureToken)));
  }
  const auto logged = logs.text();
  EXPECT_THAT(logged, HasSubstr("/search?q=Muse"));  // the capture works
  EXPECT_THAT(logged, Not(HasSubstr(kClientSecret)));
  EXPECT_THAT(logged, Not(HasSubstr(kFixtureToken)));
}

TEST_F(LiveClientTest, LastfmBodyWithAByteOrderMarkParsesAndLandsAsJson) {
  server_.script("GET", "/2.0/", {reply(200, fixture("lastfm/UserApi_UserGetTopArtistsMultiple.json"))});
  ASSERT_TRUE(fixture("lastfm/UserApi_UserGetTopArtistsMultiple.json").starts_with("\xEF\xBB\xBF"));
  LogCapture logs;
  auto client = lastfm();
  const auto top = client.call("user.getTopArtists", {{"user", "RJ"}});
  ASSERT_TRUE(top.ok()) << top.error().message;
  EXPECT_EQ(top.value().at("/topartists/artist/0/name"_json_pointer), "Anathema");

  const auto request = server_.requests().back();
  const auto params = query_of(request.target);
  EXPECT_EQ(params.at("method"), "user.getTopArtists");
  EXPECT_EQ(params.at("api_key"), kLastfmKey);
  EXPECT_EQ(params.at("format"), "json");
  const auto rows = query(
      "select endpoint, request_key, body #>> '{topartists,artist,0,name}', _source "
      "from raw.lastfm_api_responses");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "user.gettopartists");
  EXPECT_EQ(rows[0][1].as<std::string>(), "method=user.gettopartists&user=RJ");
  EXPECT_EQ(rows[0][2].as<std::string>(), "Anathema");
  EXPECT_EQ(rows[0][3].as<std::string>(), "lastfm.api");
  EXPECT_THAT(logs.text(), Not(HasSubstr(kLastfmKey)));
}

TEST_F(LiveClientTest, LastfmErrorBodyWithHttp200IsAnErrorAndNotReused) {
  server_.script("GET", "/2.0/", {reply(200, fixture("lastfm/ArtistApi_ArtistGetInfoMissing.json"))});
  auto client = lastfm();
  for (int call = 1; call <= 2; ++call) {
    const auto info = client.artist_info("No Such Band 123");
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().api_code, 6);
    EXPECT_EQ(info.error().http_status, 200);
    EXPECT_THAT(info.error().message, HasSubstr("could not be found"));
    EXPECT_EQ(count_requests(server_, "/2.0/"), static_cast<std::size_t>(call));
  }
  // A success is reused within the TTL.
  server_.script("GET", "/2.0/", {reply(200, fixture("lastfm/ArtistApi_ArtistGetInfoSuccess.json"))});
  ASSERT_TRUE(client.artist_info("Frightened Rabbit").ok());
  const auto again = client.artist_info("Frightened Rabbit");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().at("/artist/stats/listeners"_json_pointer), "513447");
  EXPECT_EQ(count_requests(server_, "/2.0/"), 3u);
}

// --- lookup_artist with Spotify ---------------------------------------------------------

class LiveLookupArtistTest : public PipelineFixture {
 protected:
  void SetUp() override {
    if (!fs::is_directory(fixtures_dir())) GTEST_SKIP() << "no " << fixtures_dir();
    PipelineFixture::SetUp();
    ASSERT_EQ(run().status, "success");
    search_ = fixture_json("spotify/SearchArtistsRequest.json");
    artist_ = fixture_json("spotify/GetArtistRequest.json");
    albums_ = fixture_json("spotify/GetArtistsAlbumsRequest.json");
    first_id_ = search_.at("/artists/items/0/id"_json_pointer).get<std::string>();
    server_.script("POST", "/api/token", {reply(200, fixture("spotify/ClientCredentials.json"))});
    server_.script("GET", "/v1/search", {reply(200, search_.dump())});
    server_.script("GET", "/v1/artists/" + first_id_, {reply(200, artist_.dump())});
    server_.script("GET", "/v1/artists/" + first_id_ + "/albums", {reply(200, albums_.dump())});

    config_.spotify_client_id = kClientId;
    config_.spotify_client_secret = kClientSecret;
    config_.spotify_api_base_url = server_.base_url() + "/v1";
    config_.spotify_accounts_base_url = server_.base_url();
    auto services = tools::ToolServices::from_config(config_);
    EXPECT_TRUE(services.spotify) << "Spotify credentials set: the client is configured";
    auto settings = pipeline::SpotifySettings::from(config_);
    settings.retry = fast_retry();
    services.spotify = std::make_shared<pipeline::SpotifyClient>(
        settings, pipeline::spotify_response_store(services.database));
    registry_.add(std::make_unique<tools::LookupArtistTool>(services));
  }

  json lookup(const std::string& name) {
    const auto outcome = registry_.call("lookup_artist", {{"name", name}});
    EXPECT_TRUE(outcome.result.ok())
        << (outcome.result.ok() ? "" : outcome.result.error().to_json().dump());
    return outcome.result.ok() ? outcome.result.value() : json::object();
  }

  ScriptedHttpServer server_;
  tools::ToolRegistry registry_;
  json search_, artist_, albums_;
  std::string first_id_;
};

TEST_F(LiveLookupArtistTest, LookupArtistAddsSpotifyFollowersGenresImagesAndAlbums) {
  const auto result = lookup("The Beatles");
  EXPECT_EQ(result.at("name"), "The Beatles");  // the warehouse's answer is all still there
  EXPECT_FALSE(result.at("top_tracks").empty());
  const auto& spotify = result.at("spotify");
  ASSERT_TRUE(spotify.is_object()) << result.dump();
  ASSERT_FALSE(spotify.contains("error")) << spotify.dump();
  EXPECT_EQ(spotify.at("followers"), artist_.at("/followers/total"_json_pointer));
  EXPECT_EQ(spotify.at("genres"), artist_.at("genres"));
  EXPECT_EQ(spotify.at("popularity"), artist_.at("popularity"));
  ASSERT_EQ(spotify.at("images").size(), artist_.at("images").size());
  EXPECT_EQ(spotify.at("/images/0/url"_json_pointer), artist_.at("/images/0/url"_json_pointer));
  ASSERT_EQ(spotify.at("albums").size(), albums_.at("items").size());
  EXPECT_EQ(spotify.at("/albums/0/name"_json_pointer), albums_.at("/items/0/name"_json_pointer));
  EXPECT_EQ(spotify.at("album_total"), albums_.at("total"));
  EXPECT_EQ(query_of(server_.requests()[1].target).at("q"), "The%20Beatles");

  // Looked up again within the TTL: answered from raw.spotify_api_responses, no HTTP.
  const auto requests_before = server_.requests().size();
  const auto again = lookup("The Beatles");
  EXPECT_EQ(again.at("spotify"), spotify);
  EXPECT_EQ(server_.requests().size(), requests_before);
  EXPECT_EQ(count("select count(*) from raw.spotify_api_responses where status = 200"), 4);
}

TEST_F(LiveLookupArtistTest, SpotifyDownStillAnswersFromTheWarehouseWithANote) {
  server_.script("GET", "/v1/search", {reply(503, R"({"error": {"status": 503, "message": "Service unavailable"}})")});
  const auto result = lookup("AC/DC");
  EXPECT_EQ(result.at("name"), "AC/DC");
  EXPECT_FALSE(result.at("genres").empty());
  ASSERT_TRUE(result.at("spotify").is_object()) << result.dump();
  EXPECT_THAT(result.at("/spotify/error"_json_pointer).get<std::string>(), HasSubstr("503"));

  // Unreachable entirely (nothing listens on the port): the same.
  auto services = tools::ToolServices::from_config(config_);
  auto settings = pipeline::SpotifySettings::from(config_);
  settings.api_base_url = "http://127.0.0.1:1/v1";
  settings.accounts_base_url = "http://127.0.0.1:1";
  settings.retry = fast_retry();
  services.spotify = std::make_shared<pipeline::SpotifyClient>(
      settings, pipeline::spotify_response_store(services.database));
  const tools::LookupArtistTool unreachable(services);
  const auto outcome = unreachable.invoke({{"name", "Beyonce"}, {"tracks_limit", 3}});
  ASSERT_TRUE(outcome.ok()) << outcome.error().to_json().dump();
  EXPECT_EQ(outcome.value().at("name"), "Beyoncé");
  EXPECT_THAT(outcome.value().at("/spotify/error"_json_pointer).get<std::string>(),
              HasSubstr("unreachable"));
}

TEST_F(LiveLookupArtistTest, LastfmFillsListenersAndTagsTheWarehouseLacks) {
  server_.script("GET", "/2.0/", {reply(200, fixture("lastfm/ArtistApi_ArtistGetInfoSuccess.json"))});
  config_.lastfm_api_key = kLastfmKey;
  config_.lastfm_api_base_url = server_.base_url() + "/2.0/";
  auto services = tools::ToolServices::from_config(config_);
  ASSERT_TRUE(services.lastfm);
  const tools::LookupArtistTool tool(services);
  // 米津玄師 is not in the fixture's 2011 Last.fm data; The Beatles are.
  const auto outcome = tool.invoke({{"name", "米津玄師"}, {"tracks_limit", 3}});
  ASSERT_TRUE(outcome.ok()) << outcome.error().to_json().dump();
  const auto& lastfm = outcome.value().at("lastfm");
  EXPECT_EQ(lastfm.at("listeners"), 513447);
  EXPECT_EQ(lastfm.at("plays"), 16319896);
  EXPECT_EQ(lastfm.at("/top_tags/0"_json_pointer), "indie");
  EXPECT_EQ(lastfm.at("source"), "lastfm_api");
  EXPECT_EQ(query_of(server_.requests().back().target).at("method"), "artist.getInfo");

  const auto requests_before = server_.requests().size();
  const auto beatles = tool.invoke({{"name", "The Beatles"}, {"tracks_limit", 3}});
  ASSERT_TRUE(beatles.ok());
  EXPECT_EQ(beatles.value().at("/lastfm/listeners"_json_pointer), 2);  // the warehouse's
  for (std::size_t i = requests_before; i < server_.requests().size(); ++i)
    EXPECT_NE(server_.requests()[i].target.substr(0, 5), "/2.0/");
}

// --- Last.fm recent tracks into fct_listens ---------------------------------------------

// Serves the captured user.getRecentTracks scrobbles (20, newest first) the way Last.fm
// pages them: from/to filter, `per_page` a page, a playing-now entry first, a BOM in front.
class RecentTracksTest : public PipelineFixture {
 protected:
  void SetUp() override {
    if (!fs::is_directory(fixtures_dir())) GTEST_SKIP() << "no " << fixtures_dir();
    PipelineFixture::SetUp();
    const auto captured = fixture_json("lastfm/UserApi_UserGetRecentTracksMultiple.json");
    for (const auto& track : captured.at("/recenttracks/track"_json_pointer)) all_.push_back(track);
    server_.handle("GET", "/2.0/", [this](const RecordedRequest& request) { return serve(request); });
    config_.lastfm_api_key = kLastfmKey;
    config_.lastfm_api_base_url = server_.base_url() + "/2.0/";
    config_.lastfm_users = {"RJ"};
  }

  ScriptedResponse serve(const RecordedRequest& request) {
    const auto params = query_of(request.target);
    if (params.at("method") != "user.getRecentTracks") return reply(400, R"({"error": 3, "message": "Invalid Method"})");
    const auto page = std::stoi(params.at("page"));
    if (page == failing_page_) return reply(500, "Internal Server Error");
    const std::int64_t from = params.count("from") ? std::stoll(params.at("from")) : 0;
    const std::int64_t to = params.count("to") ? std::stoll(params.at("to")) : INT64_MAX;
    std::vector<json> matching;
    // The captured list is newest first; the oldest `visible_` exist so far.
    for (std::size_t i = all_.size() - visible_; i < all_.size(); ++i) {
      const auto uts = std::stoll(all_[i].at("/date/uts"_json_pointer).get<std::string>());
      if (uts >= from && uts <= to) matching.push_back(all_[i]);
    }
    const int per_page = std::min(kPerPage, std::stoi(params.at("limit")));
    const int total_pages = static_cast<int>((matching.size() + per_page - 1) / per_page);
    json tracks = json::array();
    if (page == 1) {
      auto playing = all_.front();
      playing.erase("date");
      playing["@attr"] = {{"nowplaying", "true"}};
      tracks.push_back(playing);
    }
    for (std::size_t i = static_cast<std::size_t>((page - 1) * per_page);
         i < matching.size() && i < static_cast<std::size_t>(page * per_page); ++i)
      tracks.push_back(matching[i]);
    json body = {{"recenttracks",
                  {{"track", tracks},
                   {"@attr",
                    {{"user", "RJ"},
                     {"page", std::to_string(page)},
                     {"perPage", std::to_string(per_page)},
                     {"totalPages", std::to_string(total_pages)},
                     {"total", std::to_string(matching.size())}}}}}};
    return reply(200, "\xEF\xBB\xBF" + body.dump());
  }

  std::int64_t uts(std::size_t newest_first_index) const {
    return std::stoll(all_[newest_first_index].at("/date/uts"_json_pointer).get<std::string>());
  }

  std::int64_t step_rows_out(std::int64_t run_id) {
    return count("select coalesce(sum(rows_out), -1) from ops.step_runs where run_id = " +
                 std::to_string(run_id) + " and step = 'extract lastfm.recent_tracks RJ'");
  }

  static constexpr int kPerPage = 5;
  ScriptedHttpServer server_;
  std::vector<json> all_;
  std::size_t visible_ = 12;
  int failing_page_ = 0;
};

TEST_F(RecentTracksTest, ScrobblesLoadIncrementallyFromTheWatermarkIntoFctListens) {
  const auto first = run();
  ASSERT_EQ(first.status, "success") << first.error;
  EXPECT_EQ(count("staging.stg_lastfm__recent_tracks"), 12);
  EXPECT_EQ(step_rows_out(first.run_id), 12);
  EXPECT_EQ(scalar("select value from ops.watermarks where source = 'lastfm.recent_tracks' and "
                   "key = 'rj'"),
            std::to_string(uts(all_.size() - 12)));
  EXPECT_EQ(count("select coalesce(sum(plays), 0) from marts.fct_listens where listen_source = "
                  "'lastfm_api'"),
            12);
  EXPECT_EQ(count("select count(*) from marts.fct_listens where listen_source = 'hetrec'"),
            FixtureFacts::kUserArtistRows);
  for (const auto& request : server_.requests()) EXPECT_EQ(query_of(request.target).count("from"), 0u);

  visible_ = all_.size();  // eight newer scrobbles appear
  const auto before = server_.requests().size();
  const auto second = run();
  ASSERT_EQ(second.status, "success") << second.error;
  EXPECT_EQ(step_rows_out(second.run_id), 8);
  const auto requests = server_.requests();
  for (std::size_t i = before; i < requests.size(); ++i)
    EXPECT_EQ(query_of(requests[i].target).at("from"), std::to_string(uts(all_.size() - 12) + 1));
  EXPECT_EQ(count("staging.stg_lastfm__recent_tracks"), 20);
  EXPECT_EQ(count("select coalesce(sum(plays), 0) from marts.fct_listens where listen_source = "
                  "'lastfm_api'"),
            20);
  EXPECT_EQ(scalar("select plays from marts.fct_listens where lastfm_user = 'RJ' and "
                   "lastfm_artist_name = 'Cream'"),
            "4");
  EXPECT_EQ(scalar("select count(distinct user_id) from marts.fct_listens where listen_source = "
                   "'lastfm_api' and user_id < 0"),
            "1");
  EXPECT_EQ(scalar("select value from ops.watermarks where key = 'rj'"), std::to_string(uts(0)));

  const auto listens = fingerprint("marts.fct_listens");
  const auto third = run();  // nothing new
  ASSERT_EQ(third.status, "success") << third.error;
  EXPECT_EQ(step_rows_out(third.run_id), 0);
  EXPECT_EQ(count("staging.stg_lastfm__recent_tracks"), 20);
  EXPECT_EQ(fingerprint("marts.fct_listens"), listens);
}

TEST_F(RecentTracksTest, AFailureMidwayLeavesTheWatermarkAndARerunEndsTheSame) {
  visible_ = all_.size();
  failing_page_ = 2;
  const auto failed = run();
  EXPECT_EQ(failed.status, "failed");
  EXPECT_THAT(failed.error, HasSubstr("page 2"));
  EXPECT_EQ(count("ops.watermarks"), 0);
  EXPECT_GE(count("select count(*) from raw.lastfm_api_responses where status = 200"), 1);

  failing_page_ = 0;
  const auto rerun = run();
  ASSERT_EQ(rerun.status, "success") << rerun.error;
  // Page 1 landed twice; its scrobbles count once.
  EXPECT_EQ(count("staging.stg_lastfm__recent_tracks"), 20);
  EXPECT_EQ(count("select coalesce(sum(plays), 0) from marts.fct_listens where listen_source = "
                  "'lastfm_api'"),
            20);
  EXPECT_EQ(scalar("select value from ops.watermarks where key = 'rj'"), std::to_string(uts(0)));
}

TEST_F(RecentTracksTest, WithoutAKeyOrUsersTheExtractIsSkippedWithTheReason) {
  config_.lastfm_api_key.clear();
  const auto summary = run();
  ASSERT_EQ(summary.status, "success") << summary.error;
  bool found = false;
  for (const auto& step : summary.steps) {
    if (step.step != "extract lastfm.recent_tracks") continue;
    found = true;
    EXPECT_EQ(step.status, "skipped");
    EXPECT_THAT(step.detail, HasSubstr("LASTFM_API_KEY"));
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(server_.requests().empty());
  EXPECT_EQ(count("staging.stg_lastfm__recent_tracks"), 0);
}

}  // namespace
}  // namespace musicagent::testing
