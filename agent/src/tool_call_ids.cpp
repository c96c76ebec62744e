#include "agent/tool_call_ids.hpp"

#include "agent/stream_assembler.hpp"

namespace musicagent::agent {

std::string ToolCallIds::claim(const std::string& id) {
  if (!id.empty() && used_.insert(id).second) return id;
  return generate();
}

std::string ToolCallIds::generate() {
  for (;;) {
    std::string id = generate_tool_call_id(rng_);
    if (used_.insert(id).second) return id;
  }
}

}  // namespace musicagent::agent
