#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "agent/cancellation.hpp"
#include "agent/chat_types.hpp"
#include "common/result.hpp"

namespace musicagent::agent {

// Why a model call produced no reply, with a message a person can act on.
struct ChatError {
  enum class Kind {
    auth,             // 401/403: check OPENAI_API_KEY
    model_not_found,  // the endpoint does not serve MUSICAGENT_MODEL
    rate_limited,     // 429 after the retries ran out
    server,           // 5xx after the retries ran out
    bad_request,      // another 4xx (the message carries the server's own words)
    network,          // connect failed or the connection broke
    timeout,          // connect, first byte or whole-call timeout
    bad_response,     // a reply we could not read
    cancelled,        // the turn was cancelled
  };
  Kind kind = Kind::network;
  std::string message;
  long status = 0;  // HTTP status when there was one
};
const char* to_string(ChatError::Kind kind);

using ChatResult = common::Result<ChatReply, ChatError>;

// A chat model behind the agent loop: an OpenAI-compatible endpoint, or the offline planner.
class ChatModel {
 public:
  using TokenSink = std::function<void(std::string_view text)>;

  virtual ~ChatModel() = default;
  // For the start-up line and `turn_end`: "gpt-4o-mini at https://api.openai.com/v1".
  virtual std::string describe() const = 0;
  virtual bool offline() const { return false; }
  // One completion. Text deltas go to `on_token` as they arrive; the reply holds the whole
  // text as well. Cancelling stops the call promptly with ChatError::Kind::cancelled.
  virtual ChatResult complete(const ChatRequest& request, const TokenSink& on_token,
                              const CancellationToken& cancel) = 0;
};

}  // namespace musicagent::agent
