#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace musicagent::common {

// A few PostgreSQL connections shared by threads: lease() blocks until one is free and
// returns it when the lease ends. A connection found broken is replaced on the next lease.
class ConnectionPool {
 public:
  ConnectionPool(std::string database_url, std::size_t size);

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    pqxx::connection& operator*() const { return *connection_; }
    pqxx::connection* operator->() const { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
  };

  Lease lease();
  const std::string& database_url() const { return database_url_; }

 private:
  void give_back(std::unique_ptr<pqxx::connection> connection);

  std::string database_url_;
  std::size_t size_;
  std::size_t opened_ = 0;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::mutex mutex_;
  std::condition_variable available_;
};

}  // namespace musicagent::common
