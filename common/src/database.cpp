#include "common/database.hpp"

#include <stdexcept>

#include "common/config.hpp"

namespace musicagent::common {

pqxx::connection connect(const std::string& database_url) {
  try {
    return pqxx::connection(database_url);
  } catch (const pqxx::broken_connection& e) {
    std::string reason = e.what();
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    throw std::runtime_error("cannot connect to PostgreSQL at " + mask_database_url(database_url) +
                             ": " + reason +
                             "\n  Run ./scripts/setup.sh to create and start the local cluster, "
                             "or set DATABASE_URL.");
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
