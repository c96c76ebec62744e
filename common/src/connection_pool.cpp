#include "common/connection_pool.hpp"

#include "common/database.hpp"

namespace musicagent::common {

ConnectionPool::ConnectionPool(std::string database_url, std::size_t size)
    : database_url_(std::move(database_url)), size_(size == 0 ? 1 : size) {}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && connection_) pool_->give_back(std::move(connection_));
}

ConnectionPool::Lease ConnectionPool::lease() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || opened_ < size_; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->is_open()) return Lease(*this, std::move(connection));
    --opened_;
  }
  ++opened_;
  lock.unlock();
  try {
    return Lease(*this, connect_owned(database_url_));
  } catch (...) {
    std::lock_guard relock(mutex_);
    --opened_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::give_back(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mutex_);
  if (connection->is_open()) {
    idle_.push_back(std::move(connection));
  } else {
    --opened_;
  }
  available_.notify_one();
}

}  // namespace musicagent::common
