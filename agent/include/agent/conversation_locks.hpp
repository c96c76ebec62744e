#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace musicagent::agent {

// One mutex per conversation id, so turns on one conversation (two tabs, two sockets, an
// /api/chat retry) run one after another in this process instead of racing. Entries live as
// long as someone holds or waits for them.
class ConversationLocks {
 public:
  class Guard {
   public:
    Guard(std::shared_ptr<std::mutex> mutex) : mutex_(std::move(mutex)), lock_(*mutex_) {}

   private:
    std::shared_ptr<std::mutex> mutex_;  // before lock_: destroyed after it
    std::unique_lock<std::mutex> lock_;
  };

  // Blocks until no other turn of this conversation runs here.
  Guard lock(const std::string& conversation_id);

 private:
  std::mutex mutex_;
  std::map<std::string, std::weak_ptr<std::mutex>> locks_;
};

}  // namespace musicagent::agent
