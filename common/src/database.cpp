#include "common/database.hpp"

#include <stdexcept>

#include "common/config.hpp"

namespace musicagent::common {
namespace {

[[noreturn]] void explain_connect_failure(const std::string& database_url, const pqxx::broken_connection& e) {
  std::string reason = e.what();
  while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
  throw std::runtime_error("cannot connect to PostgreSQL at " + mask_database_url(database_url) + ": " + reason +
                           "\n  Run ./scripts/setup.sh to create and start the local cluster, or set DATABASE_URL.");
}

}  // namespace

pqxx::connection connect(const std::string& database_url) {
  try {
    return pqxx::connection(database_url);
  } catch (const pqxx::broken_connection& e) {
    explain_connect_failure(database_url, e);
  }
}

std::unique_ptr<pqxx::connection> connect_owned(const std::string& database_url) {
  try {
    return std::make_unique<pqxx::connection>(database_url);
  } catch (const pqxx::broken_connection& e) {
    explain_connect_failure(database_url, e);
  }
}

std::string quote_ident(const std::string& name) {
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace musicagent::common
