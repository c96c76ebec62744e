#pragma once

#include <cstdint>
#include <random>
#include <set>
#include <string>

namespace musicagent::agent {

// Tool-call ids must be unique within a conversation so each tool message answers exactly
// one call. Some servers send none, or repeat one; those get a fresh id of 9 letters and
// digits, the shape Mistral requires and every other server accepts.
class ToolCallIds {
 public:
  explicit ToolCallIds(std::uint64_t seed = std::random_device{}()) : rng_(seed) {}

  void remember(const std::string& id) { used_.insert(id); }
  // `id` itself when it is non-empty and unused; otherwise a new one.
  std::string claim(const std::string& id);
  std::string generate();

 private:
  std::mt19937_64 rng_;
  std::set<std::string> used_;
};

}  // namespace musicagent::agent
