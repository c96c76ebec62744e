#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace musicagent::common {

// Sets the level for all module loggers; "trace".."off" as spdlog spells them.
void init_logging(const std::string& level);

// Each module has its own named logger, writing to stderr so stdout stays for results.
std::shared_ptr<spdlog::logger> logger(const std::string& module);

}  // namespace musicagent::common
