#include "agent/conversation_locks.hpp"

namespace musicagent::agent {

ConversationLocks::Guard ConversationLocks::lock(const std::string& conversation_id) {
  std::shared_ptr<std::mutex> mutex;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    // Forget the conversations nobody holds any more, so the map stays as small as the number
    // of conversations with a turn running or waiting.
    for (auto it = locks_.begin(); it != locks_.end();) {
      it = it->second.expired() ? locks_.erase(it) : std::next(it);
    }
    auto& slot = locks_[conversation_id];
    mutex = slot.lock();
    if (!mutex) {
      mutex = std::make_shared<std::mutex>();
      slot = mutex;
    }
  }
  return Guard(std::move(mutex));
}

}  // namespace musicagent::agent
