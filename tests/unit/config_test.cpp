#include "common/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/environment.hpp"

namespace musicagent::common {
namespace {

namespace fs = std::filesystem;

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// <tmp>/config_test_<pid>_<test>/checkout is MUSICAGENT_HOME; the parent may get shared/data.
class TempTree {
 public:
  TempTree() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("config_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(root_);
    fs::create_directories(home());
  }
  ~TempTree() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const fs::path& root() const { return root_; }
  fs::path home() const { return root_ / "checkout"; }

  void write(const fs::path& path, const std::string& text) const {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  Environment env(std::map<std::string, std::string> values = {}) const {
    values.emplace("MUSICAGENT_HOME", home().string());
    return Environment(std::move(values));
  }

 private:
  fs::path root_;
};

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

TEST(LoadConfigTest, DatabaseUrlFromEnvironmentWins) {
  TempTree tree;
  tree.write(tree.home() / "var" / "database_url",
             "postgresql://local@127.0.0.1:5999/musicagent\n");
  const Config config = load_config(tree.env({{"DATABASE_URL", "postgresql://env@db/app"}}));
  EXPECT_EQ(config.database_url, "postgresql://env@db/app");
  EXPECT_EQ(config.database_url_origin, "DATABASE_URL");
}

TEST(LoadConfigTest, LocalClusterFileIsUsedWithoutDatabaseUrl) {
  TempTree tree;
  const auto file = tree.home() / "var" / "database_url";
  tree.write(file, "postgresql://musicagent@127.0.0.1:5999/musicagent  \r\nsecond line\n");
  for (const auto& env : {tree.env(), tree.env({{"DATABASE_URL", ""}})}) {
    const Config config = load_config(env);
    EXPECT_EQ(config.database_url, "postgresql://musicagent@127.0.0.1:5999/musicagent");
    EXPECT_THAT(config.database_url_origin,
                AllOf(HasSubstr(file.string()), HasSubstr("local cluster")));
  }
}

TEST(LoadConfigTest, FallbackWhenNoUrlAnywhere) {
  TempTree tree;
  const Config config = load_config(tree.env());
  EXPECT_EQ(config.database_url, "postgresql:///musicagent");
  EXPECT_THAT(config.database_url_origin, HasSubstr("default"));
  EXPECT_THAT(joined(describe(config)),
              HasSubstr("DATABASE_URL=postgresql:///musicagent  [default"));
}

TEST(LoadConfigTest, DataDirFromEnvironment) {
  TempTree tree;
  fs::create_directories(tree.root() / "shared" / "data");
  const Config config = load_config(tree.env({{"MUSICAGENT_DATA_DIR", "/srv/music-data"}}));
  EXPECT_EQ(config.data_dir, fs::path("/srv/music-data"));
}

TEST(LoadConfigTest, DefaultDataDirIsSharedDataBesideHomeWhenPresent) {
  TempTree tree;
  fs::create_directories(tree.root() / "shared" / "data");
  const Config config = load_config(tree.env());
  EXPECT_TRUE(fs::equivalent(config.data_dir, tree.root() / "shared" / "data")) << config.data_dir;
}

// MUSICAGENT_HOME=/path/to/checkout/ (as shell completion writes it) is the same folder.
TEST(LoadConfigTest, DefaultDataDirFoundWhenHomeHasTrailingSlash) {
  TempTree tree;
  fs::create_directories(tree.root() / "shared" / "data");
  const Config config = load_config(Environment(
      std::map<std::string, std::string>{{"MUSICAGENT_HOME", tree.home().string() + "/"}}));
  EXPECT_TRUE(fs::exists(config.data_dir) &&
              fs::equivalent(config.data_dir, tree.root() / "shared" / "data"))
      << config.data_dir;
}

TEST(LoadConfigTest, DefaultDataDirIsHomeDataOtherwise) {
  TempTree tree;
  EXPECT_EQ(load_config(tree.env()).data_dir, tree.home() / "data");
  // shared/data must be a folder, not a file.
  tree.write(tree.root() / "shared" / "data", "not a folder");
  EXPECT_EQ(load_config(tree.env()).data_dir, tree.home() / "data");
}

TEST(LoadConfigTest, DefaultsAndOverrides) {
  TempTree tree;
  const Config defaults = load_config(tree.env());
  EXPECT_EQ(defaults.home, tree.home());
  EXPECT_EQ(defaults.model, "gpt-4o-mini");
  EXPECT_EQ(defaults.log_level, "warn");
  EXPECT_EQ(defaults.openai_base_url, "");
  EXPECT_EQ(defaults.openai_api_key, "");
  EXPECT_EQ(defaults.var_dir(), tree.home() / "var");
  EXPECT_EQ(defaults.models_dir(), tree.home() / "pipeline" / "models");
  EXPECT_EQ(defaults.bootstrap_sql(), tree.home() / "pipeline" / "sql" / "bootstrap.sql");

  const Config custom = load_config(tree.env({{"MUSICAGENT_MODEL", "local-model"},
                                              {"MUSICAGENT_LOG_LEVEL", "debug"},
                                              {"OPENAI_BASE_URL", "http://localhost:8080/v1"},
                                              {"SPOTIFY_CLIENT_ID", "client-id"}}));
  EXPECT_EQ(custom.model, "local-model");
  EXPECT_EQ(custom.log_level, "debug");
  EXPECT_EQ(custom.openai_base_url, "http://localhost:8080/v1");
  EXPECT_EQ(custom.spotify_client_id, "client-id");
  // An empty value means unset, so the default applies.
  EXPECT_EQ(load_config(tree.env({{"MUSICAGENT_MODEL", ""}})).model, "gpt-4o-mini");
}

TEST(LoadConfigTest, HomeDefaultsToTheSourceTree) {
  const Config config = load_config(
      Environment(std::map<std::string, std::string>{{"DATABASE_URL", "postgresql:///x"}}));
  const auto source_root = fs::path(MUSICAGENT_SOURCE_DIR);
  EXPECT_TRUE(fs::equivalent(config.home, source_root)) << config.home;
}

TEST(DescribeTest, NeverPrintsSecrets) {
  TempTree tree;
  const Config config = load_config(tree.env({
      {"DATABASE_URL", "postgresql://alice:Hunter2Pass@db.example:5432/app"},
      {"OPENAI_API_KEY", "sk-openai-hidden-0001"},
      {"SPOTIFY_CLIENT_ID", "public-client-id"},
      {"SPOTIFY_CLIENT_SECRET", "spotify-hidden-0002"},
      {"LASTFM_API_KEY", "lastfm-hidden-0003"},
  }));
  const auto lines = describe(config);
  const auto text = joined(lines);
  for (const std::string secret : {"Hunter2Pass", "sk-openai-hidden-0001", "spotify-hidden-0002",
                                   "lastfm-hidden-0003", "hidden"}) {
    EXPECT_THAT(text, Not(HasSubstr(secret))) << secret;
  }
  EXPECT_THAT(lines,
              Contains(StartsWith("DATABASE_URL=postgresql://alice:***@db.example:5432/app")));
  EXPECT_THAT(lines, Contains("OPENAI_API_KEY=*** (21 chars)"));
  EXPECT_THAT(lines, Contains(StartsWith("SPOTIFY_CLIENT_SECRET=***")));
  EXPECT_THAT(lines, Contains(StartsWith("LASTFM_API_KEY=***")));
  // Not secret, and useful when debugging.
  EXPECT_THAT(lines, Contains("SPOTIFY_CLIENT_ID=public-client-id"));
  EXPECT_THAT(lines, Contains("MUSICAGENT_HOME=" + tree.home().string()));
}

TEST(DescribeTest, SaysOfflinePlannerWhenNoBaseUrl) {
  TempTree tree;
  const auto offline = describe(load_config(tree.env()));
  EXPECT_THAT(offline,
              Contains(AllOf(StartsWith("OPENAI_BASE_URL="), HasSubstr("offline planner"))));
  EXPECT_THAT(offline, Contains("OPENAI_API_KEY=(not set)"));
  EXPECT_THAT(offline, Contains("SPOTIFY_CLIENT_SECRET=(not set)"));

  const auto online =
      describe(load_config(tree.env({{"OPENAI_BASE_URL", "https://api.example/v1"}})));
  EXPECT_THAT(online, Contains("OPENAI_BASE_URL=https://api.example/v1"));
  EXPECT_THAT(joined(online), Not(HasSubstr("offline planner")));
}

TEST(DescribeTest, MasksPasswordFromLocalClusterFileToo) {
  TempTree tree;
  tree.write(tree.home() / "var" / "database_url", "postgresql://u:FilePass9@127.0.0.1:5999/db\n");
  const auto text = joined(describe(load_config(tree.env())));
  EXPECT_THAT(
      text, AllOf(Not(HasSubstr("FilePass9")), HasSubstr("postgresql://u:***@127.0.0.1:5999/db")));
}

TEST(MaskDatabaseUrlTest, UrlForm) {
  EXPECT_EQ(mask_database_url("postgresql://alice:s3cret@db:5432/app"),
            "postgresql://alice:***@db:5432/app");
  EXPECT_EQ(mask_database_url("postgres://alice:p%40ss:w0rd@db/app?sslmode=require"),
            "postgres://alice:***@db/app?sslmode=require");
  EXPECT_EQ(mask_database_url("postgresql://:onlypass@db/app"), "postgresql://:***@db/app");
  // Nothing to hide: unchanged (a port is not a password).
  EXPECT_EQ(mask_database_url("postgresql://alice@db:5432/app"), "postgresql://alice@db:5432/app");
  EXPECT_EQ(mask_database_url("postgresql://db:5432/app"), "postgresql://db:5432/app");
  EXPECT_EQ(mask_database_url("postgresql:///musicagent"), "postgresql:///musicagent");
  EXPECT_EQ(mask_database_url(""), "");
}

TEST(MaskDatabaseUrlTest, PasswordInQueryString) {
  const auto masked = mask_database_url("postgresql://db/app?user=alice&password=s3cret");
  EXPECT_THAT(masked, AllOf(Not(HasSubstr("s3cret")), HasSubstr("password=***")));
}

TEST(MaskDatabaseUrlTest, KeyValueForm) {
  EXPECT_EQ(mask_database_url("host=db user=alice password=s3cret dbname=app"),
            "host=db user=alice password=*** dbname=app");
  EXPECT_EQ(mask_database_url("host=db password = 's3 cr et' dbname=app"),
            "host=db password = *** dbname=app");
  EXPECT_EQ(mask_database_url("PASSWORD=s3cret host=db"), "PASSWORD=*** host=db");
  EXPECT_EQ(mask_database_url("host=db dbname=app"), "host=db dbname=app");
}

}  // namespace
}  // namespace musicagent::common

namespace musicagent::common {
namespace {

TEST(EmbeddingSettingsTest, LocalByDefaultAndOpenAiUsesTheChatEndpointUnlessOverridden) {
  const auto local =
      load_config(Environment(std::map<std::string, std::string>{{"MUSICAGENT_HOME", "/x"}}));
  EXPECT_EQ(local.embeddings, "local");
  const auto remote = load_config(Environment(
      std::map<std::string, std::string>{{"MUSICAGENT_HOME", "/x"},
                                         {"MUSICAGENT_EMBEDDINGS", "openai"},
                                         {"OPENAI_BASE_URL", "http://localhost:11434/v1"},
                                         {"MUSICAGENT_EMBEDDING_DIMENSIONS", "256"}}));
  EXPECT_EQ(remote.embedding_base_url, "http://localhost:11434/v1");
  EXPECT_EQ(remote.embedding_dimensions, 256u);
  EXPECT_EQ(remote.embedding_model, "text-embedding-3-small");
}

TEST(EmbeddingSettingsTest, BadValuesNameTheVariable) {
  EXPECT_THAT(
      [] {
        load_config(
            Environment(std::map<std::string, std::string>{{"MUSICAGENT_EMBEDDINGS", "bert"}}));
      },
      ::testing::ThrowsMessage<std::runtime_error>(::testing::HasSubstr("MUSICAGENT_EMBEDDINGS")));
  EXPECT_THAT(
      [] {
        load_config(
            Environment(std::map<std::string, std::string>{{"MUSICAGENT_EMBEDDINGS", "openai"}}));
      },
      ::testing::ThrowsMessage<std::runtime_error>(::testing::HasSubstr("OPENAI_BASE_URL")));
  EXPECT_THAT(
      [] {
        load_config(Environment(
            std::map<std::string, std::string>{{"MUSICAGENT_EMBEDDING_DIMENSIONS", "many"}}));
      },
      ::testing::ThrowsMessage<std::runtime_error>(
          ::testing::HasSubstr("MUSICAGENT_EMBEDDING_DIMENSIONS")));
}

// Negative, fractional or trailing-junk numbers are refused at start with the variable named,
// rather than wrapping ("-1" dimensions was 2^64 - 1) or being read up to the junk.
TEST(ConfigTest, JunkAndNegativeNumbersAreRefusedByName) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"MUSICAGENT_EMBEDDING_DIMENSIONS", "-1"}, {"MUSICAGENT_EMBEDDING_DIMENSIONS", "1.5"},
      {"MUSICAGENT_EMBEDDING_DIMENSIONS", "256x"}, {"MUSICAGENT_API_CACHE_TTL_S", "-5"},
      {"MUSICAGENT_API_CACHE_TTL_S", "10 minutes"}, {"MUSICAGENT_DB_CONNECTIONS", "-2"},
      {"MUSICAGENT_LLM_MAX_ATTEMPTS", "3.5"}, {"MUSICAGENT_LLM_TIMEOUT_MS", "-1"},
      {"MUSICAGENT_TEMPERATURE", "hot"}};
  for (const auto& [name, value] : bad) {
    try {
      load_config(Environment(std::map<std::string, std::string>{{name, value}}));
      ADD_FAILURE() << name << "=" << value << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr(name)) << value;
      EXPECT_THAT(e.what(), ::testing::HasSubstr("'" + value + "'"));
    }
  }
  const auto good = load_config(Environment(std::map<std::string, std::string>{
      {"MUSICAGENT_EMBEDDING_DIMENSIONS", "512"}, {"MUSICAGENT_API_CACHE_TTL_S", "0"}}));
  EXPECT_EQ(good.embedding_dimensions, 512u);
  EXPECT_EQ(good.api_cache_ttl.count(), 0);
  // 0 dimensions means the model's own length, as when unset.
  EXPECT_EQ(load_config(Environment(std::map<std::string, std::string>{{"MUSICAGENT_EMBEDDING_DIMENSIONS", "0"}}))
                .embedding_dimensions,
            0u);
}

}  // namespace
}  // namespace musicagent::common
