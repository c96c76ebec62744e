#pragma once

#include <memory>
#include <string>

#include "agent/chat_model.hpp"
#include "understanding/understanding.hpp"

namespace musicagent::agent {

// A deterministic stand-in for a language model, behind the same interface, so the whole
// product works with no endpoint: it parses the latest request (understanding/), plans the
// tool calls for it (planner.hpp), asks for them through the same loop, and writes the
// answer from their results.
class OfflinePlanner : public ChatModel {
 public:
  explicit OfflinePlanner(std::shared_ptr<understanding::UnderstandingProvider> understanding)
      : understanding_(std::move(understanding)) {}

  std::string describe() const override { return "offline planner (no language model)"; }
  bool offline() const override { return true; }
  ChatResult complete(const ChatRequest& request, const TokenSink& on_token,
                      const CancellationToken& cancel) override;

  // Said once per conversation, and at start-up by the terminal and the web page.
  static const char* offline_notice();

 private:
  std::shared_ptr<understanding::UnderstandingProvider> understanding_;
};

}  // namespace musicagent::agent
