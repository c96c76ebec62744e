#include "test_postgres.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>

namespace musicagent::testing {
namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot find a free TCP port");
  }
  const int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

std::filesystem::path make_temp_dir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  // The server may run as the postgres user, which must be able to enter the folder.
  std::filesystem::permissions(
      pattern, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                   std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                   std::filesystem::perms::others_exec);
  return pattern;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

std::string replace_database(const std::string& url, const std::string& database) {
  const auto slash = url.rfind('/');
  return url.substr(0, slash + 1) + database;
}

}  // namespace

CommandResult run_command(const std::string& command) {
  CommandResult result;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TestPostgres& TestPostgres::instance() {
  static TestPostgres cluster;
  return cluster;
}

TestPostgres::TestPostgres() {
  if (const char* external = std::getenv("MUSICAGENT_TEST_DATABASE_URL");
      external != nullptr && *external != '\0') {
    admin_url_ = external;
    return;
  }
  dir_ = make_temp_dir("musicagent-pg-");
  const int port = free_port();
  const std::string script = std::string(MUSICAGENT_SOURCE_DIR) + "/scripts/local-postgres.sh";
  const auto started =
      run_command("bash " + shell_quote(script) + " start --ephemeral --dir " +
                  shell_quote(dir_.string()) + " --port " + std::to_string(port) + " 2>&1");
  if (started.exit_code != 0) {
    throw std::runtime_error("could not start the test PostgreSQL cluster:\n" + started.output);
  }
  owns_cluster_ = true;
  std::ifstream url_file(dir_ / "database_url");
  std::getline(url_file, admin_url_);
}

TestPostgres::~TestPostgres() {
  if (!owns_cluster_) return;
  const std::string script = std::string(MUSICAGENT_SOURCE_DIR) + "/scripts/local-postgres.sh";
  run_command("bash " + shell_quote(script) + " stop --dir " + shell_quote(dir_.string()) +
              " >/dev/null 2>&1");
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string TestPostgres::create_database(const std::string& prefix) {
  const std::string name =
      prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_created_);
  pqxx::connection admin(admin_url_);
  pqxx::nontransaction tx(admin);
  tx.exec("drop database if exists " + tx.quote_name(name));
  tx.exec("create database " + tx.quote_name(name));
  return replace_database(admin_url_, name);
}

TempDir::TempDir() : path_(make_temp_dir("musicagent-test-")) {}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace musicagent::testing
