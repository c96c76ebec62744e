#pragma once

#include <memory>

#include "common/config.hpp"
#include "rag/embedder.hpp"

namespace musicagent::rag {

// The remote description embedder the settings ask for, or null for the local one (which
// the index build fits on the corpus itself).
std::unique_ptr<Embedder> configured_embedder(const common::Config& config);

}  // namespace musicagent::rag
