#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "understanding/understanding.hpp"

namespace musicagent::test {

// The small catalogue of tests/cases/understanding/catalog.json with the real lexicons: what
// unit tests of reading requests, planning and tools run against, with no database.
inline std::shared_ptr<const understanding::Understanding> fixture_understanding() {
  static const auto built = [] {
    std::ifstream in(std::string(MUSICAGENT_SOURCE_DIR) +
                     "/tests/cases/understanding/catalog.json");
    auto snapshot = catalog::Snapshot::from_json(nlohmann::json::parse(in));
    auto lexicon = std::make_shared<const understanding::Lexicon>(understanding::Lexicon::load(
        std::string(MUSICAGENT_SOURCE_DIR) + "/understanding/lexicons"));
    return understanding::Understanding::build(lexicon, snapshot);
  }();
  return built;
}

}  // namespace musicagent::test
