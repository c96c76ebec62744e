#pragma once

#include "tools/tool_registry.hpp"
#include "tools/tool_services.hpp"

namespace musicagent::tools {

// Every tool of the product, sharing one set of services.
ToolRegistry make_default_registry(const ToolServices& services);

}  // namespace musicagent::tools
