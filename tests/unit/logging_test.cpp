#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "common/logging.hpp"

namespace musicagent::common {
namespace {

// Parallel tool calls ask for a module's logger for the first time at the same moment.
TEST(Logging, ConcurrentFirstUseOfAModuleLoggerGivesEveryoneTheSameLogger) {
  for (int round = 0; round < 200; ++round) {
    const std::string module = "race-" + std::to_string(round);
    std::vector<std::shared_ptr<spdlog::logger>> got(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < got.size(); ++i) {
      threads.emplace_back([&, i] { got[i] = logger(module); });
    }
    for (auto& t : threads) t.join();
    for (const auto& l : got) {
      ASSERT_NE(l, nullptr);
      EXPECT_EQ(l, got[0]);
    }
  }
}

}  // namespace
}  // namespace musicagent::common
