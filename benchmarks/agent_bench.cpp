// Agent loop overhead and memory per conversation.
//
//  1. Overhead per turn: the real OpenAIChatClient streams from a scripted OpenAI-compatible
//     server on 127.0.0.1 (one tool call, then a ~60-token answer), the loop runs an
//     in-process tool that does nothing, and each turn_end reports total, model and tool
//     time; overhead is what remains: request building, SSE parsing and assembly, argument
//     validation, events, history and context trimming. Single thread, fixed script.
//  2. Memory per open conversation: N conversations of three turns each held at once, with
//     tool results of the size recommend_by_genre returns (10 tracks, ~6 KB); RSS growth / N.
//
// usage: agent_bench [--turns N] [--conversations N] [--output FILE]
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/agent.hpp"
#include "agent/openai_chat_client.hpp"
#include "common/logging.hpp"
#include "scripted_http_server.hpp"

namespace {

using namespace musicagent;
using nlohmann::json;

long status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

long settled_rss_kb() {
  malloc_trim(0);
  return status_kb("VmRSS");
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// Ten tracks shaped like recommend_by_genre's, so history sizes are realistic.
json ten_tracks() {
  json tracks = json::array();
  for (int i = 0; i < 10; ++i) {
    tracks.push_back({{"id", "4qPNDBW1i3p13qLCt0Ki3" + std::to_string(i)},
                      {"name", "A track name of ordinary length " + std::to_string(i)},
                      {"artists", {"Some Artist", "Another Artist"}},
                      {"album", "An Album Title (Deluxe Edition)"},
                      {"genres", {"rock", "alt-rock"}},
                      {"popularity", 70 + i},
                      {"explicit", false},
                      {"duration_ms", 215093},
                      {"audio_features",
                       {{"acousticness", 0.168}, {"danceability", 0.697}, {"energy", 0.832},
                        {"instrumentalness", 0.00131}, {"liveness", 0.269}, {"loudness_db", -7.264},
                        {"speechiness", 0.0298}, {"tempo_bpm", 125.926}, {"valence", 0.979}}},
                      {"reason", "hit rock track (popularity 83); high valence 0.98 (happy)"}});
  }
  return tracks;
}

class ResultTool : public tools::Tool {
 public:
  std::string name() const override { return "recommend"; }
  std::string description() const override { return "returns ten tracks"; }
  const json& parameters() const override { return schema_; }
  tools::ToolResult invoke(const json& arguments) const override {
    return json{{"genre", arguments.at("genre")}, {"tracks", tracks_}};
  }

 private:
  json schema_ = json::parse(R"({"type": "object", "properties": {"genre": {"type": "string"},
      "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}},
      "required": ["genre"], "additionalProperties": false})");
  json tracks_ = ten_tracks();
};

std::string chunk(const json& delta, const json& finish = nullptr) {
  return "data: " +
         json{{"id", "chatcmpl-1"}, {"object", "chat.completion.chunk"}, {"model", "bench"},
              {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}}
             .dump() +
         "\n\n";
}

std::vector<std::string> tool_call_stream() {
  return {chunk({{"role", "assistant"},
                 {"tool_calls", json::array({{{"index", 0}, {"id", "call_x"}, {"type", "function"},
                                              {"function", {{"name", "recommend"}, {"arguments", ""}}}}})}}),
          chunk({{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", "{\"genre\": "}}}}})}}),
          chunk({{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", "\"rock\"}"}}}}})}}),
          chunk(json::object(), "tool_calls"),
          "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[],"
          "\"usage\":{\"prompt_tokens\":900,\"completion_tokens\":12,\"total_tokens\":912}}\n\n",
          "data: [DONE]\n\n"};
}

std::vector<std::string> text_stream() {
  std::vector<std::string> out{chunk({{"role", "assistant"}, {"content", ""}})};
  for (int i = 0; i < 60; ++i) out.push_back(chunk({{"content", i % 2 ? " word" : " Track"}}));
  out.push_back(chunk(json::object(), "stop"));
  out.push_back("data: [DONE]\n\n");
  return out;
}

// The server answers a request that ends with a tool result with text, any other with a call.
testing::ScriptedResponse respond(const testing::RecordedRequest& request) {
  static const auto calls = tool_call_stream();
  static const auto text = text_stream();
  const auto body = json::parse(request.body);
  const bool after_tool = body.at("messages").back().at("role") == "tool";
  auto reply = testing::stream_reply(after_tool ? text : calls);
  reply.headers = {{"Content-Type", "text/event-stream"}};
  return reply;
}

class InMemoryModel : public agent::ChatModel {
 public:
  std::string describe() const override { return "in-memory"; }
  agent::ChatResult complete(const agent::ChatRequest& request, const TokenSink&,
                             const agent::CancellationToken&) override {
    agent::ChatReply reply;
    if (request.messages.back().role == agent::Role::tool) {
      reply.content = std::string(400, 'x');  // a ten-line answer
    } else {
      reply.tool_calls = {{"", "recommend", R"({"genre": "rock"})"}};
    }
    return reply;
  }
};

}  // namespace

int main(int argc, char** argv) {
  int turns = 2000;
  int conversations = 2000;
  std::string output = std::string(MUSICAGENT_SOURCE_DIR) + "/benchmarks/results/agent_bench.json";
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--turns" && i + 1 < argc) turns = std::stoi(argv[++i]);
    else if (flag == "--conversations" && i + 1 < argc) conversations = std::stoi(argv[++i]);
    else if (flag == "--output" && i + 1 < argc) output = argv[++i];
    else {
      std::fprintf(stderr, "usage: agent_bench [--turns N] [--conversations N] [--output FILE]\n");
      return 2;
    }
  }

  common::init_logging("warn");  // per-call info lines would be most of the turn's cost
  auto registry = std::make_shared<tools::ToolRegistry>();
  registry->add(std::make_unique<ResultTool>());
  const std::string system_prompt(2500, 's');  // about the size of prompts/system.md

  // 1. Overhead per turn against the scripted server.
  testing::ScriptedHttpServer server;
  server.handle("POST", "/v1/chat/completions", respond);
  agent::ChatSettings settings;
  settings.base_url = server.base_url() + "/v1";
  settings.model = "bench";
  auto client = std::make_shared<agent::OpenAIChatClient>(settings);
  agent::Agent agent(client, registry, system_prompt);
  std::vector<double> overhead, model, total;
  const int warmup = std::min(50, turns / 10);
  agent::Conversation conversation{"bench", {}, 0};
  for (int t = 0; t < turns + warmup; ++t) {
    if (t % 5 == 0) conversation = agent::Conversation{"bench" + std::to_string(t), {}, 0};
    agent::TurnTimings timings;
    std::size_t tokens = 0;
    const auto outcome = agent.run_turn(
        conversation, "some rock please",
        [&](const agent::Event& e) {
          if (std::holds_alternative<agent::TokenEvent>(e)) ++tokens;
        },
        agent::CancellationToken{});
    if (outcome.stop_reason != "answered" || tokens == 0) {
      std::fprintf(stderr, "turn %d ended with %s\n", t, outcome.stop_reason.c_str());
      return 1;
    }
    if (t < warmup) continue;
    overhead.push_back(outcome.timings.overhead_ms);
    model.push_back(outcome.timings.model_ms);
    total.push_back(outcome.timings.total_ms);
  }

  // 2. Memory per open conversation.
  agent::Agent memory_agent(std::make_shared<InMemoryModel>(), registry, system_prompt);
  const long before_kb = settled_rss_kb();
  std::vector<agent::Conversation> open(static_cast<std::size_t>(conversations));
  for (std::size_t c = 0; c < open.size(); ++c) {
    open[c].id = "c" + std::to_string(c);
    for (int t = 0; t < 3; ++t) {
      memory_agent.run_turn(open[c], "some rock please", [](const agent::Event&) {},
                            agent::CancellationToken{});
    }
  }
  const long after_kb = settled_rss_kb();
  const double per_conversation_kb =
      static_cast<double>(after_kb - before_kb) / static_cast<double>(conversations);

  json result{{"turns", turns},
              {"overhead_ms", {{"p50", percentile(overhead, 0.5)}, {"p99", percentile(overhead, 0.99)}}},
              {"model_ms", {{"p50", percentile(model, 0.5)}, {"p99", percentile(model, 0.99)}}},
              {"turn_ms", {{"p50", percentile(total, 0.5)}, {"p99", percentile(total, 0.99)}}},
              {"conversations", conversations},
              {"turns_per_conversation", 3},
              {"kb_per_conversation", per_conversation_kb},
              {"rss_before_kb", before_kb},
              {"rss_after_kb", after_kb}};
  std::ofstream(output) << result.dump(2) << "\n";
  std::printf("## Agent loop (%d turns, each one streamed tool call + one streamed 60-token answer)\n\n", turns);
  std::printf("| | p50 | p99 |\n|---|---|---|\n");
  std::printf("| loop overhead per turn (ms) | %.3f | %.3f |\n", percentile(overhead, 0.5), percentile(overhead, 0.99));
  std::printf("| model time (HTTP + SSE, 2 calls) (ms) | %.3f | %.3f |\n", percentile(model, 0.5), percentile(model, 0.99));
  std::printf("| whole turn (ms) | %.3f | %.3f |\n", percentile(total, 0.5), percentile(total, 0.99));
  std::printf("\nMemory: %d open conversations of 3 turns: %.1f KiB each (RSS %ld -> %ld KiB)\n",
              conversations, per_conversation_kb, before_kb, after_kb);
  return 0;
}
