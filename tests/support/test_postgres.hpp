#pragma once

#include <filesystem>
#include <string>

namespace musicagent::testing {

// A throwaway PostgreSQL cluster for one test process, started on first use in a temporary
// folder with scripts/local-postgres.sh and removed at exit. Set
// MUSICAGENT_TEST_DATABASE_URL to use an existing server (its role must be able to CREATE
// DATABASE) instead.
class TestPostgres {
 public:
  static TestPostgres& instance();

  // A new, empty database; returns its URL.
  std::string create_database(const std::string& prefix);

  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;

 private:
  TestPostgres();
  ~TestPostgres();

  std::filesystem::path dir_;
  std::string admin_url_;
  int databases_created_ = 0;
  bool owns_cluster_ = false;
};

// A temporary folder removed when it goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a shell command, returning its exit status and standard output.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::string& command);

}  // namespace musicagent::testing
