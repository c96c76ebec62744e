#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/chat_model.hpp"
#include "common/config.hpp"
#include "common/http_client.hpp"

namespace musicagent::agent {

// How to reach an OpenAI-compatible chat endpoint; built from common::Config.
struct ChatSettings {
  std::string base_url;               // OPENAI_BASE_URL, e.g. https://api.openai.com/v1
  std::string api_key;                // OPENAI_API_KEY (secret); local servers need none
  std::string model = "gpt-4o-mini";  // MUSICAGENT_MODEL
  std::optional<double> temperature;  // MUSICAGENT_TEMPERATURE; unset: not sent
  std::optional<long> max_tokens;     // MUSICAGENT_MAX_TOKENS; unset: not sent
  bool stream = true;                 // MUSICAGENT_STREAM; false: one JSON reply per call
  std::chrono::milliseconds connect_timeout{10000};  // MUSICAGENT_LLM_CONNECT_TIMEOUT_MS
  // Until the first byte of a streamed body (MUSICAGENT_LLM_FIRST_BYTE_TIMEOUT_MS); not used
  // without streaming, where the first byte comes with the whole reply.
  std::chrono::milliseconds first_byte_timeout{60000};
  std::chrono::milliseconds timeout{300000};  // MUSICAGENT_LLM_TIMEOUT_MS: the whole call
  common::RetryPolicy retry{3, std::chrono::milliseconds(500), std::chrono::milliseconds(20000)};

  static ChatSettings from_config(const common::Config& config);
  std::string endpoint() const;  // {base_url}/chat/completions
};

// A ChatModel over `POST {base_url}/chat/completions` (OpenAI, Ollama, llama.cpp server, vLLM,
// LM Studio, and hosted compatible APIs). Streams by default. Retries 429, 5xx and broken
// connections with exponential backoff and jitter, honouring Retry-After / retry-after-ms,
// but never once a token has gone to on_token. Safe to call from several threads: each call
// borrows its own kept-alive connection.
class OpenAIChatClient : public ChatModel {
 public:
  // Throws std::invalid_argument when base_url or model is empty.
  explicit OpenAIChatClient(ChatSettings settings);
  ~OpenAIChatClient() override;
  OpenAIChatClient(const OpenAIChatClient&) = delete;
  OpenAIChatClient& operator=(const OpenAIChatClient&) = delete;

  std::string describe() const override;
  ChatResult complete(const ChatRequest& request, const TokenSink& on_token,
                      const CancellationToken& cancel) override;

  // The request body complete() sends (for tests and `--verbose`).
  nlohmann::json request_body(const ChatRequest& request) const;
  const ChatSettings& settings() const { return settings_; }

 private:
  struct Pool;

  ChatSettings settings_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace musicagent::agent
