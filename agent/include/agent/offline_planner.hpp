#pragma once

#include <string>
#include <vector>

#include "agent/chat_model.hpp"

namespace musicagent::agent {

// A deterministic stand-in for a language model, behind the same interface, so the whole
// product works with no endpoint: it reads the latest request (plan_request), asks for the
// same tools through the same loop, and writes the answer from their results.
class OfflinePlanner : public ChatModel {
 public:
  // `genres`: the warehouse's genre names (marts.dim_genres), for reading genre words.
  explicit OfflinePlanner(std::vector<std::string> genres) : genres_(std::move(genres)) {}

  std::string describe() const override { return "offline planner (no language model)"; }
  bool offline() const override { return true; }
  ChatResult complete(const ChatRequest& request, const TokenSink& on_token,
                      const CancellationToken& cancel) override;

  // Said once per conversation, and at start-up by the terminal and the web page.
  static const char* offline_notice();

 private:
  std::vector<std::string> genres_;
};

}  // namespace musicagent::agent
