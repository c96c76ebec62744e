#pragma once

#include <atomic>
#include <memory>

namespace musicagent::agent {

// Shared between whoever may cancel a turn (Ctrl-C, a WebSocket "cancel") and the code that
// runs it; copies observe the same flag.
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace musicagent::agent
