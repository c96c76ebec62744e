#pragma once

#include <memory>
#include <string>

#include "agent/agent.hpp"
#include "agent/session_store.hpp"

namespace musicagent::agent {

// One conversation through the agent, saved after every turn when a store is given.
class ChatSession {
 public:
  ChatSession(std::shared_ptr<const Agent> agent, std::shared_ptr<SessionStore> store,
              Conversation conversation)
      : agent_(std::move(agent)), store_(std::move(store)), conversation_(std::move(conversation)) {}

  // A saving failure is reported as an `error` event after the turn, and the turn's answer
  // still stands: losing the audit row must not lose the person's answer.
  TurnOutcome send(const std::string& text, const EventSink& sink,
                   const CancellationToken& cancel);

  const Conversation& conversation() const { return conversation_; }
  const Agent& agent() const { return *agent_; }

 private:
  std::shared_ptr<const Agent> agent_;
  std::shared_ptr<SessionStore> store_;
  Conversation conversation_;
};

}  // namespace musicagent::agent
