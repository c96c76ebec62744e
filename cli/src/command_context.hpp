#pragma once

#include <functional>

#include "common/config.hpp"

namespace musicagent::cli {

// What every subcommand receives: settings parsed once, plus global flags.
struct CommandContext {
  common::Config config;
};

// A parsed subcommand, run after parsing so logging and settings are ready; returns the exit code.
using Action = std::function<int(const CommandContext&)>;

}  // namespace musicagent::cli
