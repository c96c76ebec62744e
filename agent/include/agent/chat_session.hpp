#pragma once

#include <memory>
#include <string>

#include "agent/agent.hpp"
#include "agent/conversation_locks.hpp"
#include "agent/session_store.hpp"

namespace musicagent::agent {

// One conversation through the agent, saved after every turn when a store is given.
class ChatSession {
 public:
  ChatSession(std::shared_ptr<const Agent> agent, std::shared_ptr<SessionStore> store,
              Conversation conversation, std::shared_ptr<ConversationLocks> locks = nullptr)
      : agent_(std::move(agent)),
        store_(std::move(store)),
        locks_(std::move(locks)),
        conversation_(std::move(conversation)) {}

  // With locks, turns of one conversation in this process run one at a time, and a session
  // whose copy is behind the store (another tab's turn) reloads before it answers, so every
  // turn sees the ones before it. A saving failure is reported as an `error` event after the
  // turn, and the turn's answer still stands: losing the audit row must not lose the answer.
  TurnOutcome send(const std::string& text, const EventSink& sink,
                   const CancellationToken& cancel);

  const Conversation& conversation() const { return conversation_; }
  const Agent& agent() const { return *agent_; }

 private:
  std::shared_ptr<const Agent> agent_;
  std::shared_ptr<SessionStore> store_;
  std::shared_ptr<ConversationLocks> locks_;
  Conversation conversation_;
};

}  // namespace musicagent::agent
