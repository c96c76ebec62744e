#pragma once

// Recorded chat-completions traffic in ../shared/data/llm_transcripts, for the chat-model
// client's tests. Header-only so unit tests can use it without the integration support library.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "agent/sse_parser.hpp"

namespace musicagent::testing {

// MUSICAGENT_DATA_DIR/llm_transcripts, else ../shared/data/llm_transcripts beside the checkout.
inline std::filesystem::path llm_transcripts_dir() {
  if (const char* data_dir = std::getenv("MUSICAGENT_DATA_DIR"); data_dir != nullptr && *data_dir)
    return std::filesystem::path(data_dir) / "llm_transcripts";
  return std::filesystem::path(MUSICAGENT_SOURCE_DIR).parent_path() / "shared" / "data" /
         "llm_transcripts";
}

// True when the data must be there (CI sets MUSICAGENT_REQUIRE_DATA=1).
inline bool llm_transcripts_required() {
  const char* require = std::getenv("MUSICAGENT_REQUIRE_DATA");
  return require != nullptr && std::string(require) == "1";
}

// Use as `if (!have_llm_transcripts()) GTEST_SKIP() << ...;` (fails instead when required).
inline bool have_llm_transcripts() {
  std::error_code ec;
  if (std::filesystem::is_directory(llm_transcripts_dir(), ec)) return true;
  if (llm_transcripts_required())
    ADD_FAILURE() << "MUSICAGENT_REQUIRE_DATA=1 but " << llm_transcripts_dir() << " is missing";
  return false;
}

inline std::string read_transcript(const std::string& name) {
  std::ifstream in(llm_transcripts_dir() / name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// A transcript as the raw SSE body a server would send: `.sse` files as they are,
// `.chunks.jsonl` files with each line wrapped as `data: ...` and a final `data: [DONE]`
// (the recorder stripped both).
inline std::string transcript_as_sse(const std::string& name) {
  const auto text = read_transcript(name);
  if (!name.ends_with(".chunks.jsonl")) return text;
  std::string body;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    body += "data: " + line + "\n\n";
  }
  body += "data: [DONE]\n\n";
  return body;
}

// The transcript's events, parsed in one piece.
inline std::vector<agent::SseEvent> transcript_events(const std::string& name) {
  agent::SseParser parser;
  auto events = parser.feed(transcript_as_sse(name));
  for (auto& event : parser.finish()) events.push_back(std::move(event));
  return events;
}

inline std::vector<std::string> transcript_files() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(llm_transcripts_dir(), ec)) {
    const auto name = entry.path().filename().string();
    if (name != "SOURCES.txt") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace musicagent::testing
