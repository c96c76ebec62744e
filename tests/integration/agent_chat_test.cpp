// The agent end to end on the fixture warehouse: `musicagent chat --once --json` with the
// offline planner, sessions resumed from app.*, recommendations modelled into
// marts.fct_recommendations, the terminal chat in a pseudo-terminal, and the agent loop
// driving the real OpenAI-compatible client against a scripted server.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>

#include "agent/agent_runtime.hpp"
#include "agent/openai_chat_client.hpp"
#include "common/database.hpp"
#include "pipeline_fixture.hpp"
#include "rag/catalog_index.hpp"
#include "scripted_http_server.hpp"

namespace musicagent::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class AgentChatTest : public PipelineFixture {
 protected:
  void SetUp() override {
    PipelineFixture::SetUp();
    copy_pipeline_project(home_.path());
    for (const char* folder : {"tools", "prompts", "understanding"}) {
      std::filesystem::copy(std::filesystem::path(MUSICAGENT_SOURCE_DIR) / folder,
                            home_.path() / folder, std::filesystem::copy_options::recursive);
    }
    config_.home = home_.path();
    ASSERT_EQ(run().status, "success");
    auto connection = common::connect(database_url_);
    rag::CatalogIndex::build(connection, config_.index_dir(), {});
  }

  std::string env() const {
    return "env -u DATABASE_URL -u OPENAI_BASE_URL DATABASE_URL='" + database_url_ +
           "' MUSICAGENT_HOME='" + home_.path().string() + "' MUSICAGENT_DATA_DIR='" +
           data_.path().string() + "' ";
  }

  // The JSON lines of `chat --once MESSAGE --json`.
  std::vector<json> once(const std::string& message, const std::string& conversation = {}) {
    const auto result = run_command(env() + MUSICAGENT_BINARY + " chat --once '" + message +
                                    "' --json" +
                                    (conversation.empty() ? "" : " --conversation " + conversation) +
                                    " 2>/dev/null");
    std::vector<json> events;
    std::istringstream lines(result.output);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) events.push_back(json::parse(line));
    }
    return events;
  }

  static std::vector<json> of_type(const std::vector<json>& events, const std::string& type) {
    std::vector<json> out;
    for (const auto& e : events) {
      if (e.at("type") == type) out.push_back(e);
    }
    return out;
  }

  TempDir home_;
};

TEST_F(AgentChatTest, OnceJsonStreamsTheTurnAndRecordsTheSession) {
  const auto events = once("some energetic rock");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().at("type"), "turn_start");
  EXPECT_EQ(events.front().at("offline"), true);
  EXPECT_EQ(events.back().at("type"), "turn_end");
  EXPECT_EQ(events.back().at("stop_reason"), "answered");

  const auto calls = of_type(events, "tool_call");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].at("name"), "recommend_by_genre");
  EXPECT_EQ(calls[0].at("/arguments/genre"_json_pointer), "rock");
  EXPECT_EQ(calls[0].at("/arguments/mood"_json_pointer), "energetic");
  const auto results = of_type(events, "tool_result");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].at("ok"), true);
  EXPECT_FALSE(of_type(events, "token").empty());
  const auto messages = of_type(events, "message");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_THAT(messages[0].at("text").get<std::string>(), HasSubstr("Back In Black"));
  EXPECT_THAT(messages[0].at("text").get<std::string>(), HasSubstr("without a language model"));

  const std::string id = events.front().at("conversation_id");
  EXPECT_EQ(count("select count(*) from app.messages where conversation_id = '" + id + "'"), 4);
  EXPECT_EQ(count("select count(*) from app.tool_calls where conversation_id = '" + id +
                  "' and tool = 'recommend_by_genre' and ok"),
            1);
  const auto recommended = count("select count(*) from app.recommendations where conversation_id = '" + id + "'");
  EXPECT_GE(recommended, 1);

  // A follow-up in the same conversation excludes what was shown and says no notice again.
  const auto more = once("more", id);
  const auto more_calls = of_type(more, "tool_call");
  ASSERT_EQ(more_calls.size(), 1u);
  EXPECT_EQ(more_calls[0].at("/arguments/genre"_json_pointer), "rock");
  EXPECT_EQ(more_calls[0].at("/arguments/exclude_track_ids"_json_pointer).size(),
            static_cast<std::size_t>(recommended));
  EXPECT_EQ(more.front().at("turn"), 2);
  EXPECT_THAT(of_type(more, "message").at(0).at("text").get<std::string>(),
              ::testing::Not(HasSubstr("without a language model")));

  // The pipeline models what was recommended, with names from the catalogue.
  ASSERT_EQ(run().status, "success");
  EXPECT_EQ(count("marts.fct_recommendations"), recommended);
  EXPECT_EQ(count("select count(*) from marts.fct_recommendations where item_name is null"), 0);
}

TEST_F(AgentChatTest, ToolErrorsAndWarehouseRefusalsAreAnsweredNotCrashed) {
  const auto unknown = once("some polka music");
  EXPECT_EQ(of_type(unknown, "tool_result").at(0).at("ok"), false);
  EXPECT_THAT(of_type(unknown, "message").at(0).at("text").get<std::string>(),
              HasSubstr("closest genres"));

  const auto write = once("DROP TABLE marts.dim_tracks");
  const auto result = of_type(write, "tool_result").at(0);
  EXPECT_EQ(result.at("ok"), false);
  EXPECT_EQ(result.at("/error/code"_json_pointer), "sql_refused");
  EXPECT_EQ(count("marts.dim_tracks"), FixtureFacts::kDistinctTracks);

  const auto stats = once("how many rock tracks are there?");
  EXPECT_EQ(of_type(stats, "tool_result").at(0).at("ok"), true);
  EXPECT_THAT(of_type(stats, "message").at(0).at("text").get<std::string>(), HasSubstr("**2**"));
}

TEST_F(AgentChatTest, ResumingAnUnknownConversationIsAClearError) {
  const auto result = run_command(env() + MUSICAGENT_BINARY +
                                  " chat --once hello --conversation c_nope 2>&1");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr("no conversation with id c_nope"));
}

// The evaluation harness end to end: offline with the planner (recording cassettes), then
// replayed through the real HTTP client, with reports and the --min-pass exit code.
TEST_F(AgentChatTest, EvalOfflineRecordsCassettesThatReplayOverHttp) {
  TempDir work;
  const auto conversations = work.path() / "conversations";
  std::filesystem::create_directories(conversations);
  std::ofstream(conversations / "cases.json") << R"([
    {"id": "rock", "tags": ["genre"], "turns": [{"user": "some energetic rock",
      "expect": {"tools": [{"name": "recommend_by_genre", "arguments": {"genre": {"iequals": "rock"}}}],
                 "answer": {"mentions_tool_item": true}}},
      {"user": "more please", "expect": {"tools": [{"name": "recommend_by_genre",
        "arguments": {"exclude_track_ids": {"present": true}}}]}}]},
    {"id": "weather", "tags": ["irrelevance"], "turns": [{"user": "what's the weather tomorrow?",
      "expect": {"no_tools": true}}]},
    {"id": "wrong-on-purpose", "tags": ["genre"], "turns": [{"user": "some folk",
      "expect": {"tools": [{"name": "recommend_by_genre", "arguments": {"genre": "jazz"}}]}}]}
  ])";
  const auto cassettes = work.path() / "cassettes";
  const std::string eval = env() + MUSICAGENT_BINARY + " eval " + conversations.string();
  const auto offline = run_command(eval + " --mode offline --record " + cassettes.string() +
                                   " --report " + (work.path() / "offline.json").string() +
                                   " --html " + (work.path() / "offline.html").string() +
                                   " --min-pass 0.5 2>&1");
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
  EXPECT_THAT(offline.output, HasSubstr("2 of 3 cases passed"));
  EXPECT_THAT(offline.output, HasSubstr("argument recommend_by_genre.genre: expected \"jazz\", got \"folk\""));
  std::ifstream report_file(work.path() / "offline.json");
  const auto report = json::parse(report_file);
  EXPECT_EQ(report.at("/summary/cases"_json_pointer), 3);
  EXPECT_EQ(report.at("/summary/irrelevance_accuracy"_json_pointer), 1.0);
  EXPECT_DOUBLE_EQ(report.at("/summary/tool_selection_accuracy"_json_pointer).get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(report.at("/summary/argument_accuracy"_json_pointer).get<double>(), 2.0 / 3.0);
  std::ifstream html(work.path() / "offline.html");
  const std::string page((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_THAT(page, HasSubstr("<svg"));
  EXPECT_TRUE(std::filesystem::exists(cassettes / "rock.json"));

  const auto replay = run_command(eval + " --mode replay --cassettes " + cassettes.string() + " 2>&1");
  EXPECT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_THAT(replay.output, HasSubstr("replay mode"));
  EXPECT_THAT(replay.output, HasSubstr("2 of 3 cases passed"));

  const auto strict = run_command(eval + " --mode replay --cassettes " + cassettes.string() + " --min-pass 0.9 2>&1");
  EXPECT_EQ(strict.exit_code, 1) << strict.output;

  // A cassette that no longer matches the conversation fails with the reason.
  std::filesystem::remove(cassettes / "weather.json");
  const auto missing = run_command(eval + " --mode replay --cassettes " + cassettes.string() + " 2>&1");
  EXPECT_THAT(missing.output, HasSubstr("no cassette for case weather"));
}

// A child process on a pseudo-terminal, read until a text appears.
class Terminal {
 public:
  explicit Terminal(const std::string& command) {
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }
  // Waits until the program has been quiet for a moment first: libedit switches the terminal
  // mode with TCSAFLUSH around its prompt, which drops input typed in that instant.
  void type(const std::string& text) {
    settle();
    [[maybe_unused]] auto n = write(master_, text.data(), text.size());
  }
  void settle() {
    for (int quiet = 0; quiet < 3;) {
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) {
        ++quiet;
        continue;
      }
      quiet = 0;
      char buffer[4096];
      const auto n = read(master_, buffer, sizeof buffer);
      if (n <= 0) return;
      screen_.append(buffer, static_cast<std::size_t>(n));
    }
  }
  // Everything read so far once `wanted` has appeared, or after the deadline.
  bool wait_for(const std::string& wanted, std::chrono::seconds deadline = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (screen_.find(wanted, consumed_) == std::string::npos) {
      if (std::chrono::steady_clock::now() > until) return false;
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buffer[4096];
      const auto n = read(master_, buffer, sizeof buffer);
      if (n <= 0) return false;
      screen_.append(buffer, static_cast<std::size_t>(n));
    }
    consumed_ = screen_.find(wanted, consumed_) + wanted.size();
    return true;
  }
  int exit_code() {
    int status = 0;
    // Drain so the child never blocks on a full terminal buffer.
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        char buffer[4096];
        if (read(master_, buffer, sizeof buffer) > 0) continue;
      }
    }
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& screen() const { return screen_; }

 private:
  int master_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string screen_;
  std::size_t consumed_ = 0;
};

TEST_F(AgentChatTest, TerminalChatInAPseudoTerminal) {
  Terminal terminal("exec " + env() + MUSICAGENT_BINARY + " chat 2>&1");
  ASSERT_TRUE(terminal.wait_for("without a language model")) << terminal.screen();
  ASSERT_TRUE(terminal.wait_for("you> ")) << terminal.screen();
  terminal.type("/help\r");
  ASSERT_TRUE(terminal.wait_for("/history")) << terminal.screen();
  terminal.type("tell me about the beatles\r");
  ASSERT_TRUE(terminal.wait_for("-> lookup_artist")) << terminal.screen();
  ASSERT_TRUE(terminal.wait_for("Something")) << terminal.screen();
  ASSERT_TRUE(terminal.wait_for("you> ")) << terminal.screen();
  // Ctrl-C at the prompt does not end the program.
  bool hinted = false;
  for (int attempt = 0; attempt < 5 && !hinted; ++attempt) {
    terminal.type("\x03");
    hinted = terminal.wait_for("/quit to leave", std::chrono::seconds(2));
  }
  ASSERT_TRUE(hinted) << terminal.screen();
  terminal.type("/history\r");
  ASSERT_TRUE(terminal.wait_for("you> tell me about the beatles")) << terminal.screen();
  terminal.type("/quit\r");
  ASSERT_TRUE(terminal.wait_for("resume with musicagent chat --conversation")) << terminal.screen();
  EXPECT_EQ(terminal.exit_code(), 0);
}

// The agent loop with the real HTTP client against a scripted OpenAI-compatible server:
// a streamed tool call, the real tool on the warehouse, then a streamed answer.
TEST_F(AgentChatTest, LoopDrivesTheOpenAIClientAndRealTools) {
  ScriptedHttpServer server;
  auto chunk = [](const json& delta, const json& finish = nullptr) {
    return "data: " +
           json{{"id", "x"}, {"object", "chat.completion.chunk"}, {"model", "scripted"},
                {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}}
               .dump() +
           "\n\n";
  };
  server.script(
      "POST", "/v1/chat/completions",
      {stream_reply({chunk({{"role", "assistant"},
                            {"tool_calls", json::array({{{"index", 0}, {"id", "call_1"}, {"type", "function"},
                                                         {"function", {{"name", "lookup_artist"}, {"arguments", "{\"name\": "}}}}})}}),
                     chunk({{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", "\"ac/dc\"}"}}}}})}}),
                     chunk(json::object(), "tool_calls"), "data: [DONE]\n\n"}),
       stream_reply({chunk({{"role", "assistant"}, {"content", "Start with "}}),
                     chunk({{"content", "Back In Black."}}), chunk(json::object(), "stop"),
                     "data: [DONE]\n\n"})});
  auto config = config_;
  config.openai_base_url = server.base_url() + "/v1";
  config.model = "scripted-model";
  const auto runtime = agent::make_runtime(config, {});
  auto session = runtime.open();
  std::vector<agent::Event> events;
  const auto outcome = session.send("who are AC/DC?", [&](const agent::Event& e) { events.push_back(e); },
                                    agent::CancellationToken{});
  EXPECT_EQ(outcome.stop_reason, "answered");
  EXPECT_EQ(outcome.answer, "Start with Back In Black.");
  ASSERT_EQ(outcome.tool_calls.size(), 1u);
  EXPECT_TRUE(outcome.tool_calls[0].ok);
  EXPECT_EQ(outcome.tool_calls[0].result.at("name"), "AC/DC");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  const auto second = json::parse(requests[1].body);
  EXPECT_EQ(second.at("model"), "scripted-model");
  const auto& messages = second.at("messages");
  EXPECT_EQ(messages.at(0).at("role"), "system");
  EXPECT_EQ(messages.back().at("role"), "tool");
  EXPECT_EQ(messages.back().at("tool_call_id"), "call_1");
  EXPECT_THAT(messages.back().at("content").get<std::string>(), HasSubstr("Back In Black"));
  EXPECT_EQ(second.at("tools").size(), 8u);

  const auto stored = runtime.sessions->load(session.conversation().id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->messages.size(), 4u);
  EXPECT_EQ(stored->messages[1].tool_calls.at(0).name, "lookup_artist");
}

}  // namespace
}  // namespace musicagent::testing
