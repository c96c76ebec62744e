#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/http_client.hpp"
#include "rag/embedder.hpp"

namespace musicagent::rag {

struct OpenAiEmbedderOptions {
  std::string base_url;  // e.g. "https://api.openai.com/v1" or "http://localhost:11434/v1"
  std::string api_key;   // sent as "Authorization: Bearer"; local servers need none
  std::string model = "text-embedding-3-small";
  // Sent as "dimensions" only when set (text-embedding-3-* can shorten vectors); otherwise the
  // dimension is learned from the first response.
  std::optional<std::size_t> dimensions;
  std::size_t batch_size = 128;  // texts per request
  common::RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{60000};  // per request, per attempt
};

// An Embedder over any OpenAI-compatible `POST {base_url}/embeddings`. Safe to call from
// several threads: each concurrent call borrows its own kept-alive HTTP connection.
class OpenAiEmbedder : public Embedder {
 public:
  // Throws std::invalid_argument for options that cannot work (no base_url, batch_size 0).
  explicit OpenAiEmbedder(OpenAiEmbedderOptions options);
  ~OpenAiEmbedder() override;
  OpenAiEmbedder(const OpenAiEmbedder&) = delete;
  OpenAiEmbedder& operator=(const OpenAiEmbedder&) = delete;

  // From the options, else from the first response; makes a one-text probe call if neither
  // is known yet.
  std::size_t dimension() const override;
  std::vector<float> embed(const std::vector<std::string>& texts) const override;
  // {"name": "openai", "model", "dimensions", "base_url"}; never the key.
  nlohmann::json describe() const override;

 private:
  struct State;

  std::vector<std::vector<float>> embed_batch(const std::vector<std::string>& texts,
                                              std::size_t first, std::size_t count) const;
  [[noreturn]] void fail_response(const common::HttpResponse& response, int attempts) const;
  std::string scrub(std::string text) const;

  OpenAiEmbedderOptions options_;
  std::string endpoint_;
  std::unique_ptr<State> state_;
};

}  // namespace musicagent::rag
