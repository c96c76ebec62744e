#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "common/http_client.hpp"

namespace musicagent::common {

// A kept-alive HttpClient and the random source for its retry jitter.
struct PooledConnection {
  HttpClient client;
  std::mt19937_64 rng{std::random_device{}()};
};

// Clients for callers on several threads (HttpClient itself is not thread-safe): each call
// borrows one, and gives it back to keep its connection alive for the next call.
class HttpConnectionPool {
 public:
  explicit HttpConnectionPool(std::size_t max_idle = 8) : max_idle_(max_idle) {}

  std::unique_ptr<PooledConnection> borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
      }
    }
    return std::make_unique<PooledConnection>();
  }

  void give_back(std::unique_ptr<PooledConnection> connection) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
  }

 private:
  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
};

}  // namespace musicagent::common
