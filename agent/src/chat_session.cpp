#include "agent/chat_session.hpp"

#include <optional>

#include "common/logging.hpp"

namespace musicagent::agent {

TurnOutcome ChatSession::send(const std::string& text, const EventSink& sink,
                              const CancellationToken& cancel) {
  // turn_end is held back until the turn is saved, so a client that sees turn_end can
  // resume the conversation from the store.
  std::optional<Event> turn_end;
  auto hold = [&](const Event& event) {
    if (std::holds_alternative<TurnEndEvent>(event)) {
      turn_end = event;
    } else {
      sink(event);
    }
  };
  std::optional<ConversationLocks::Guard> guard;
  if (locks_) guard.emplace(locks_->lock(conversation_.id));
  if (store_) {
    try {
      if (store_->stored_turns(conversation_.id) > conversation_.turns) {
        if (auto stored = store_->load(conversation_.id)) conversation_ = std::move(*stored);
      }
    } catch (const std::exception& e) {
      common::logger("agent")->warn("conversation {}: could not check for newer turns: {}", conversation_.id,
                                    e.what());
    }
  }
  auto outcome = agent_->run_turn(conversation_, text, hold, cancel);
  if (store_) {
    try {
      const int saved = store_->save_turn(conversation_, outcome, agent_->model().describe());
      // Another process saved a turn meanwhile: this one was stored after it; take the
      // stored order so the next turn sees both.
      if (saved != outcome.turn) {
        if (auto stored = store_->load(conversation_.id)) conversation_ = std::move(*stored);
      }
    } catch (const std::exception& e) {
      common::logger("agent")->error("conversation {}: saving turn {} failed: {}",
                                     conversation_.id, outcome.turn, e.what());
      sink(ErrorEvent{"session_not_saved",
                      std::string("the answer stands, but saving the conversation failed: ") +
                          e.what()});
    }
  }
  if (turn_end) sink(*turn_end);
  return outcome;
}

}  // namespace musicagent::agent
