#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace musicagent::rag {

// Turns texts into vectors for the FAISS stores. Implementations: the local hashing
// embedder (no download) and an OpenAI-compatible /v1/embeddings client.
class Embedder {
 public:
  virtual ~Embedder() = default;

  virtual std::size_t dimension() const = 0;

  // Row-major n x dimension() matrix, one L2-normalised row per text, in input order.
  // Throws std::runtime_error with an actionable message when embedding is impossible.
  virtual std::vector<float> embed(const std::vector<std::string>& texts) const = 0;

  // Name and parameters, stored in the index manifest so a mismatched index is detected.
  virtual nlohmann::json describe() const = 0;
};

}  // namespace musicagent::rag
