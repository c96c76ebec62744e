#include "rag/embedder_factory.hpp"

#include "rag/openai_embedder.hpp"

namespace musicagent::rag {

std::unique_ptr<Embedder> configured_embedder(const common::Config& config) {
  if (config.embeddings != "openai") return nullptr;
  OpenAiEmbedderOptions options;
  options.base_url = config.embedding_base_url;
  options.api_key = config.openai_api_key;
  options.model = config.embedding_model;
  if (config.embedding_dimensions > 0) options.dimensions = config.embedding_dimensions;
  return std::make_unique<OpenAiEmbedder>(options);
}

}  // namespace musicagent::rag
