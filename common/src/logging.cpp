#include "common/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace musicagent::common {

void init_logging(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
}

std::shared_ptr<spdlog::logger> logger(const std::string& module) {
  if (auto existing = spdlog::get(module)) return existing;
  // Parallel tool calls can ask for a new module's logger at the same moment; the check above
  // and the registration below are not one step, so the loser of that race reads the winner's.
  try {
    auto created = spdlog::stderr_color_mt(module);
    created->set_level(spdlog::get_level());
    return created;
  } catch (const spdlog::spdlog_ex&) {
    if (auto existing = spdlog::get(module)) return existing;
    throw;
  }
}

}  // namespace musicagent::common
