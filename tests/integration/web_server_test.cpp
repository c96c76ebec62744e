// The web server over real sockets on the fixture warehouse: the WebSocket protocol (events,
// malformed and binary frames, oversized messages, cancel, slow readers, origins, graceful
// shutdown, many clients at once), the HTTP API, /metrics and /readyz, and the browser test
// (tests/e2e/chat_page.mjs: Chromium driven by playwright-core) against a running server.
#include <gmock/gmock.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "agent/agent_runtime.hpp"
#include "common/database.hpp"
#include "fixture_data.hpp"
#include "pipeline/pipeline_runner.hpp"
#include "rag/catalog_index.hpp"
#include "scripted_http_server.hpp"
#include "test_postgres.hpp"
#include "web/server.hpp"

namespace musicagent::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kXssName = "<img src=x onerror=alert(1)>";
constexpr int kClientTimeoutSeconds = 30;

// A blocking WebSocket client with a receive timeout, so a broken server fails the test
// instead of hanging it.
class WsClient {
 public:
  explicit WsClient(unsigned short port, const std::string& origin = {}, int rcvbuf = 0)
      : ws_(ioc_) {
    tcp::resolver resolver(ioc_);
    auto& socket = ws_.next_layer();
    socket.open(tcp::v4());
    if (rcvbuf > 0) setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval tv{kClientTimeoutSeconds, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
      if (!origin.empty()) req.set(http::field::origin, origin);
    }));
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/ws");
    hello_ = read();
  }

  void send(const json& message) { send_text(message.dump()); }
  void send_text(const std::string& text) {
    ws_.text(true);
    ws_.write(net::buffer(text));
  }
  void send_binary(const std::string& bytes) {
    ws_.binary(true);
    ws_.write(net::buffer(bytes));
  }
  json read() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    return json::parse(beast::buffers_to_string(buffer.data()));
  }
  // Events up to and including turn_end.
  std::vector<json> turn(const std::string& text, const std::string& conversation_id = {}) {
    json message{{"type", "user_message"}, {"text", text}};
    if (!conversation_id.empty()) message["conversation_id"] = conversation_id;
    send(message);
    return until_turn_end();
  }
  std::vector<json> until_turn_end() {
    std::vector<json> events;
    for (;;) {
      events.push_back(read());
      if (events.back().at("type") == "turn_end") return events;
    }
  }
  // Reads until the server closes; returns the close code (0 when the connection just broke).
  int read_until_closed() {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      ws_.read(buffer, ec);
      buffer.consume(buffer.size());
      if (ec == websocket::error::closed) return static_cast<int>(ws_.reason().code);
      if (ec) return 0;
    }
  }
  const websocket::close_reason& reason() const { return ws_.reason(); }
  const json& hello() const { return hello_; }
  void close() {
    beast::error_code ec;
    ws_.close(websocket::close_code::normal, ec);
  }

 private:
  net::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  json hello_;
};

struct HttpReply {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  json json_body() const { return json::parse(body); }
};

HttpReply http_call(unsigned short port, http::verb method, const std::string& target,
                    const std::string& body = {}, const std::string& origin = {}) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!origin.empty()) req.set(http::field::origin, origin);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  return {res.result_int(), res.body(), std::string(res[http::field::content_type])};
}

std::vector<json> of_type(const std::vector<json>& events, const std::string& type) {
  std::vector<json> out;
  for (const auto& e : events) {
    if (e.at("type") == type) out.push_back(e);
  }
  return out;
}

// One fixture warehouse (with a track whose name is markup), one index and one running server
// for the whole suite; tests that need other settings start their own server on it.
class WebServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new TempDir;
    home_ = new TempDir;
    write_fixture(data_->path());
    {
      // A rock track whose name and artist are markup: the page must show them as text.
      std::ofstream tracks(data_->path() / "spotify_tracks" / "dataset.csv", std::ios::app);
      tracks << "0XssTrack0000000000001,<b>Evil</b> Band,Markup Album,\"" << kXssName
             << "\",86,200000,False,0.5,0.95,1,-4.0,1,0.05,0.01,0.0,0.1,0.8,130.0,4,rock\n";
    }
    copy_pipeline_project(home_->path());
    for (const char* folder : {"tools", "prompts", "understanding"}) {
      std::filesystem::copy(std::filesystem::path(MUSICAGENT_SOURCE_DIR) / folder,
                            home_->path() / folder, std::filesystem::copy_options::recursive);
    }
    config_ = new common::Config;
    config_->home = home_->path();
    config_->database_url = TestPostgres::instance().create_database("web");
    config_->data_dir = data_->path();
    pipeline::PipelineOptions options;
    options.data_dir = data_->path();
    const auto summary = pipeline::run_pipeline(*config_, options);
    ASSERT_EQ(summary.status, "success");
    auto connection = common::connect(config_->database_url);
    rag::CatalogIndex::build(connection, config_->index_dir(), {});
    runtime_ = new std::shared_ptr<const agent::AgentRuntime>(
        std::make_shared<const agent::AgentRuntime>(agent::make_runtime(*config_, {})));
    server_ = new web::Server(*runtime_, settings());
    server_->start();
  }

  static void TearDownTestSuite() {
    delete server_;
    delete runtime_;
    delete config_;
    delete home_;
    delete data_;
  }

  static web::ServerSettings settings() {
    web::ServerSettings s;
    s.port = 0;
    s.static_dir = std::filesystem::path(MUSICAGENT_SOURCE_DIR) / "web" / "static";
    s.workers = 4;
    return s;
  }

  static unsigned short port() { return server_->port(); }

  // A runtime whose model is a scripted OpenAI-compatible server streaming `words` words,
  // `delay` apart: a turn that takes a while, for cancel and shutdown.
  static std::shared_ptr<const agent::AgentRuntime> slow_runtime(ScriptedHttpServer& model,
                                                                 int words,
                                                                 std::chrono::milliseconds delay) {
    auto chunk = [](const json& delta, const json& finish = nullptr) {
      return "data: " +
             json{{"id", "x"},
                  {"object", "chat.completion.chunk"},
                  {"model", "scripted"},
                  {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}}
                 .dump() +
             "\n\n";
    };
    std::vector<std::string> chunks{chunk({{"role", "assistant"}, {"content", ""}})};
    for (int i = 0; i < words; ++i) chunks.push_back(chunk({{"content", "word" + std::to_string(i) + " "}}));
    chunks.push_back(chunk(json::object(), "stop"));
    chunks.push_back("data: [DONE]\n\n");
    model.script("POST", "/v1/chat/completions", {stream_reply(chunks, delay)});
    auto config = *config_;
    config.openai_base_url = model.base_url() + "/v1";
    config.model = "scripted-model";
    return std::make_shared<const agent::AgentRuntime>(agent::make_runtime(config, {}));
  }

  static TempDir* data_;
  static TempDir* home_;
  static common::Config* config_;
  static std::shared_ptr<const agent::AgentRuntime>* runtime_;
  static web::Server* server_;
};

TempDir* WebServerTest::data_ = nullptr;
TempDir* WebServerTest::home_ = nullptr;
common::Config* WebServerTest::config_ = nullptr;
std::shared_ptr<const agent::AgentRuntime>* WebServerTest::runtime_ = nullptr;
web::Server* WebServerTest::server_ = nullptr;

TEST_F(WebServerTest, ChatOverWebSocketStreamsTheEventsAndKeepsTheConversation) {
  WsClient client(port());
  EXPECT_EQ(client.hello().at("type"), "hello");
  EXPECT_EQ(client.hello().at("offline"), true);

  const auto events = client.turn("some energetic rock");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().at("type"), "turn_start");
  EXPECT_EQ(events.front().at("offline"), true);
  EXPECT_EQ(events.front().at("turn"), 1);
  EXPECT_EQ(events.back().at("stop_reason"), "answered");
  const auto calls = of_type(events, "tool_call");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].at("name"), "recommend_by_genre");
  EXPECT_EQ(of_type(events, "tool_result").at(0).at("ok"), true);
  EXPECT_FALSE(of_type(events, "token").empty());
  EXPECT_THAT(of_type(events, "message").at(0).at("text").get<std::string>(),
              HasSubstr("Back In Black"));

  // The same socket goes on with the same conversation.
  const std::string id = events.front().at("conversation_id");
  const auto more = client.turn("more");
  EXPECT_EQ(more.front().at("conversation_id"), id);
  EXPECT_EQ(more.front().at("turn"), 2);

  // A new socket resumes it by id.
  WsClient other(port());
  const auto resumed = other.turn("what about pop?", id);
  EXPECT_EQ(resumed.front().at("conversation_id"), id);
  EXPECT_EQ(resumed.front().at("turn"), 3);

  // An unknown id is an error event, and the socket still works.
  other.send({{"type", "user_message"}, {"text", "hi"}, {"conversation_id", "c_nope"}});
  const auto error = other.read();
  EXPECT_EQ(error.at("type"), "error");
  EXPECT_EQ(error.at("code"), "unknown_conversation");
  client.close();
  other.close();
}

TEST_F(WebServerTest, MalformedMessagesGetErrorEventsAndTheSocketStaysUsable) {
  WsClient client(port());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"this is not json", "bad_json"},
      {"{\"type\": ", "bad_json"},
      {"[1, 2, 3]", "bad_message"},
      {"{\"text\": \"no type\"}", "bad_message"},
      {"{\"type\": 42}", "bad_message"},
      {"{\"type\": \"dance\"}", "unknown_type"},
      {"{\"type\": \"user_message\"}", "bad_message"},
      {"{\"type\": \"user_message\", \"text\": \"   \"}", "bad_message"},
      {"{\"type\": \"user_message\", \"text\": \"hi\", \"conversation_id\": 7}", "bad_message"},
      {"{\"type\": \"user_message\", \"text\": \"" + std::string(5000, 'a') + "\"}", "too_long"},
  };
  for (const auto& [frame, code] : cases) {
    client.send_text(frame);
    const auto event = client.read();
    EXPECT_EQ(event.at("type"), "error") << frame;
    EXPECT_EQ(event.at("code"), code) << frame;
    EXPECT_FALSE(event.at("message").get<std::string>().empty());
  }
  client.send_binary(std::string("\x00\x01\x02\xff", 4));
  const auto binary = client.read();
  EXPECT_EQ(binary.at("type"), "error");
  EXPECT_EQ(binary.at("code"), "bad_frame");
  // A cancel with nothing running is harmless; then a real turn still works.
  client.send({{"type", "cancel"}});
  const auto events = client.turn("some rock");
  EXPECT_EQ(events.back().at("stop_reason"), "answered");
  client.close();
}

TEST_F(WebServerTest, OversizedMessageClosesWithTooBigAndTheServerGoesOn) {
  auto s = settings();
  s.max_message_bytes = 1024;
  web::Server server(*runtime_, s);
  server.start();
  WsClient client(server.port());
  // Just over the limit, so the whole frame has reached the server when it closes (a much
  // larger one may leave unread bytes behind, and the peer then sees a reset instead).
  client.send({{"type", "user_message"}, {"text", std::string(1100, 'x')}});
  EXPECT_EQ(client.read_until_closed(), static_cast<int>(websocket::close_code::too_big));
  EXPECT_EQ(http_call(server.port(), http::verb::get, "/healthz").status, 200u);
  WsClient again(server.port());
  EXPECT_EQ(again.turn("some rock").back().at("stop_reason"), "answered");
  again.close();
  server.shutdown(std::chrono::seconds(5));
}

TEST_F(WebServerTest, CancelStopsTheRunningTurn) {
  ScriptedHttpServer model;
  web::Server server(slow_runtime(model, 40, std::chrono::milliseconds(100)), settings());
  server.start();
  WsClient client(server.port());
  EXPECT_EQ(client.hello().at("offline"), false);
  client.send({{"type", "user_message"}, {"text", "talk slowly"}});
  // Wait for the answer to start streaming, then cancel it.
  for (;;) {
    const auto event = client.read();
    if (event.at("type") == "token") break;
  }
  // A second message while the turn runs is refused, not queued.
  client.send({{"type", "user_message"}, {"text", "and another"}});
  client.send({{"type", "cancel"}});
  const auto started = std::chrono::steady_clock::now();
  const auto events = client.until_turn_end();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(events.back().at("stop_reason"), "cancelled");
  bool busy = false;
  for (const auto& e : of_type(events, "error")) busy = busy || e.at("code") == "busy";
  EXPECT_TRUE(busy);
  EXPECT_LT(of_type(events, "token").size(), 39u);
  client.close();
  server.shutdown(std::chrono::seconds(1));
}

TEST_F(WebServerTest, ConcurrentClientsEachGetTheirOwnAnswers) {
  constexpr int kClients = 24;
  const std::vector<std::pair<std::string, std::string>> asks = {
      {"some rock", "rock"}, {"some pop", "pop"}, {"some folk", "folk"},
      {"some j-pop", "j-pop"}, {"some acoustic music", "acoustic"}};
  std::vector<std::future<std::pair<std::string, std::string>>> results;
  for (int i = 0; i < kClients; ++i) {
    results.push_back(std::async(std::launch::async, [i, &asks] {
      WsClient client(port());
      const auto& [text, genre] = asks[static_cast<std::size_t>(i) % asks.size()];
      const auto events = client.turn(text);
      client.close();
      const auto calls = of_type(events, "tool_call");
      const std::string asked = calls.empty() ? "" : calls[0].value("/arguments/genre"_json_pointer, "");
      EXPECT_EQ(asked, genre) << text;
      EXPECT_EQ(events.back().at("stop_reason"), "answered");
      return std::make_pair(events.front().at("conversation_id").get<std::string>(), asked);
    }));
  }
  std::set<std::string> ids;
  for (auto& r : results) ids.insert(r.get().first);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kClients));
}

// What is stored for a conversation: turns counted, distinct turn numbers, user messages, and
// whether the message sequence numbers run 0..n-1 without a gap.
struct StoredConversation {
  int turns = 0;
  int distinct_turns = 0;
  int user_messages = 0;
  bool contiguous = false;
};

StoredConversation stored_conversation(const std::string& database_url, const std::string& id) {
  auto connection = common::connect(database_url);
  pqxx::read_transaction tx(connection);
  const auto row = tx.exec_params1(
      "select (select turns from app.conversations where conversation_id = $1), "
      "count(distinct turn), count(*) filter (where role = 'user'), "
      "coalesce(max(seq) + 1 = count(*) and min(seq) = 0, false) "
      "from app.messages where conversation_id = $1",
      id);
  return {row[0].as<int>(), row[1].as<int>(), row[2].as<int>(), row[3].as<bool>()};
}

// Two tabs, two sockets, client retries: concurrent turns on one conversation run one after
// another and every answered turn is stored.
TEST_F(WebServerTest, ConcurrentTurnsOnOneConversationAreAllStored) {
  const auto first = http_call(port(), http::verb::post, "/api/chat", R"({"text": "some rock"})");
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string id = first.json_body().at("conversation_id");
  constexpr int kParallel = 12;
  std::vector<std::future<int>> turns;
  for (int i = 0; i < kParallel; ++i) {
    turns.push_back(std::async(std::launch::async, [i, &id] {
      if (i % 3 == 2) {  // some over the WebSocket, resuming the conversation by id
        WsClient client(port());
        const auto events = client.turn(i % 2 == 0 ? "some folk" : "more", id);
        client.close();
        EXPECT_EQ(events.back().at("stop_reason"), "answered");
        return events.front().value("turn", 0);
      }
      const auto reply = http_call(port(), http::verb::post, "/api/chat",
                                   json{{"text", i % 2 == 0 ? "some pop" : "more"}, {"conversation_id", id}}.dump());
      EXPECT_EQ(reply.status, 200u) << reply.body;
      if (reply.status != 200u) return 0;
      EXPECT_EQ(reply.json_body().at("stop_reason"), "answered");
      return reply.json_body().at("events").front().value("turn", 0);
    }));
  }
  std::set<int> numbers;
  for (auto& t : turns) numbers.insert(t.get());
  // Serialised: each turn saw the ones before it, so no two share a number.
  EXPECT_EQ(numbers.size(), static_cast<std::size_t>(kParallel));
  EXPECT_EQ(*numbers.begin(), 2);
  EXPECT_EQ(*numbers.rbegin(), kParallel + 1);
  const auto stored = stored_conversation(config_->database_url, id);
  EXPECT_EQ(stored.turns, kParallel + 1);
  EXPECT_EQ(stored.distinct_turns, kParallel + 1);
  EXPECT_EQ(stored.user_messages, kParallel + 1);
  EXPECT_TRUE(stored.contiguous);
}

// Two servers on one database (no shared lock): sessions loaded at the same point both save,
// the later one numbered after the earlier, and the next turn of either sees both.
TEST_F(WebServerTest, TurnsSavedByTwoProcessesAtOnceAreBothKept) {
  const auto& runtime = **runtime_;
  auto opened = runtime.open();
  opened.send("some rock", [](const agent::Event&) {}, agent::CancellationToken{});
  const std::string id = opened.conversation().id;
  // Separate sessions without the runtime's locks stand in for two server processes.
  agent::ChatSession one(runtime.agent, runtime.sessions, *runtime.sessions->load(id));
  agent::ChatSession two(runtime.agent, runtime.sessions, *runtime.sessions->load(id));
  std::promise<void> go;
  auto start = go.get_future().share();
  auto a = std::async(std::launch::async, [&] {
    start.wait();
    return one.send("some pop", [](const agent::Event&) {}, agent::CancellationToken{}).stop_reason;
  });
  auto b = std::async(std::launch::async, [&] {
    start.wait();
    return two.send("some folk", [](const agent::Event&) {}, agent::CancellationToken{}).stop_reason;
  });
  go.set_value();
  EXPECT_EQ(a.get(), "answered");
  EXPECT_EQ(b.get(), "answered");
  auto stored = stored_conversation(config_->database_url, id);
  EXPECT_EQ(stored.turns, 3);
  EXPECT_EQ(stored.distinct_turns, 3);
  EXPECT_EQ(stored.user_messages, 3);
  EXPECT_TRUE(stored.contiguous);
  // Both sessions now hold the stored history, and their next turn is the fourth.
  const auto next = one.send("more", [](const agent::Event&) {}, agent::CancellationToken{});
  EXPECT_EQ(next.turn, 4);
  EXPECT_EQ(one.conversation().turns, 4);
  stored = stored_conversation(config_->database_url, id);
  EXPECT_EQ(stored.turns, 4);
  EXPECT_TRUE(stored.contiguous);
}

TEST_F(WebServerTest, HttpApiRunsTurnsToolsAndConversations) {
  auto chat = http_call(port(), http::verb::post, "/api/chat", R"({"text": "some energetic rock"})");
  ASSERT_EQ(chat.status, 200u) << chat.body;
  EXPECT_EQ(chat.content_type, "application/json");
  const auto turn = chat.json_body();
  const std::string id = turn.at("conversation_id");
  EXPECT_EQ(turn.at("events").front().at("type"), "turn_start");
  EXPECT_EQ(turn.at("events").back().at("type"), "turn_end");
  const auto follow = http_call(port(), http::verb::post, "/api/chat",
                                json{{"text", "more"}, {"conversation_id", id}}.dump());
  ASSERT_EQ(follow.status, 200u);
  EXPECT_EQ(follow.json_body().at("events").front().at("turn"), 2);
  EXPECT_EQ(http_call(port(), http::verb::post, "/api/chat",
                      R"({"text": "hi", "conversation_id": "c_nope"})").status, 404u);
  EXPECT_EQ(http_call(port(), http::verb::post, "/api/chat", "{nope").status, 400u);
  EXPECT_EQ(http_call(port(), http::verb::post, "/api/chat", R"({"text": ""})").status, 400u);
  const auto too_long = http_call(port(), http::verb::post, "/api/chat", json{{"text", std::string(5000, 'a')}}.dump());
  EXPECT_EQ(too_long.status, 413u);
  EXPECT_EQ(too_long.json_body().at("/error/code"_json_pointer), "too_long");
  EXPECT_EQ(http_call(port(), http::verb::get, "/api/chat").status, 405u);

  const auto tools = http_call(port(), http::verb::get, "/api/tools").json_body().at("tools");
  EXPECT_EQ(tools.size(), 8u);
  EXPECT_EQ(tools.at(0).count("parameters"), 1u);
  const auto rock = http_call(port(), http::verb::post, "/api/tools/recommend_by_genre",
                              R"({"genre": "rock", "limit": 3})");
  ASSERT_EQ(rock.status, 200u) << rock.body;
  EXPECT_THAT(rock.body, HasSubstr("Back In Black"));
  const auto invalid = http_call(port(), http::verb::post, "/api/tools/recommend_by_genre", "{}");
  EXPECT_EQ(invalid.status, 400u);
  EXPECT_EQ(invalid.json_body().at("/error/code"_json_pointer), "invalid_arguments");
  const auto refused = http_call(port(), http::verb::post, "/api/tools/warehouse_query",
                                 R"({"sql": "drop table marts.dim_tracks"})");
  EXPECT_EQ(refused.status, 422u);
  EXPECT_EQ(refused.json_body().at("/error/code"_json_pointer), "sql_refused");
  EXPECT_EQ(http_call(port(), http::verb::post, "/api/tools/nope", "{}").status, 404u);
  EXPECT_EQ(http_call(port(), http::verb::post, "/api/tools/recommend_by_genre", "{x").status, 400u);

  const auto list = http_call(port(), http::verb::get, "/api/conversations?limit=500").json_body();
  bool listed = false;
  for (const auto& c : list.at("conversations")) listed = listed || c.at("id") == id;
  EXPECT_TRUE(listed);
  const auto conversation = http_call(port(), http::verb::get, "/api/conversations/" + id);
  ASSERT_EQ(conversation.status, 200u);
  const auto messages = conversation.json_body().at("messages");
  EXPECT_EQ(messages.at(0).at("role"), "user");
  EXPECT_EQ(messages.at(0).at("content"), "some energetic rock");
  EXPECT_EQ(messages.at(1).at("tool_calls").at(0).at("name"), "recommend_by_genre");
  EXPECT_EQ(http_call(port(), http::verb::get, "/api/conversations/c_nope").status, 404u);
  EXPECT_EQ(http_call(port(), http::verb::get, "/api/nothing").status, 404u);

  for (const char* what : {"pipeline", "catalogue", "recommendations"}) {
    const auto stats = http_call(port(), http::verb::get, std::string("/api/stats/") + what);
    EXPECT_EQ(stats.status, 200u) << what << ": " << stats.body;
  }
}

TEST_F(WebServerTest, HealthReadinessMetricsAndTheStaticPage) {
  EXPECT_EQ(http_call(port(), http::verb::get, "/healthz").json_body().at("status"), "ok");
  const auto ready = http_call(port(), http::verb::get, "/readyz");
  EXPECT_EQ(ready.status, 200u) << ready.body;
  EXPECT_EQ(ready.json_body().at("/checks/database/ok"_json_pointer), true);
  EXPECT_EQ(ready.json_body().at("/checks/index/state"_json_pointer), "ready");

  {
    WsClient client(port());
    client.turn("some rock");
    const auto metrics = http_call(port(), http::verb::get, "/metrics");
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_THAT(metrics.content_type, HasSubstr("text/plain; version=0.0.4"));
    EXPECT_THAT(metrics.body, HasSubstr("musicagent_turns_total{stop_reason=\"answered\"}"));
    EXPECT_THAT(metrics.body, HasSubstr("musicagent_tool_duration_seconds_bucket{tool=\"recommend_by_genre\",le=\"+Inf\"}"));
    EXPECT_THAT(metrics.body, HasSubstr("# TYPE musicagent_model_duration_seconds histogram"));
    EXPECT_THAT(metrics.body, HasSubstr("musicagent_tool_calls_total{tool=\"recommend_by_genre\",ok=\"true\"}"));
    EXPECT_THAT(metrics.body, ::testing::ContainsRegex("musicagent_websocket_connections [1-9]"));
    client.close();
  }

  const auto page = http_call(port(), http::verb::get, "/");
  EXPECT_EQ(page.status, 200u);
  EXPECT_THAT(page.content_type, HasSubstr("text/html"));
  EXPECT_THAT(page.body, HasSubstr("app.js"));
  EXPECT_THAT(http_call(port(), http::verb::get, "/app.js").content_type, HasSubstr("javascript"));
  EXPECT_EQ(http_call(port(), http::verb::get, "/../CMakeLists.txt").status, 404u);
  EXPECT_EQ(http_call(port(), http::verb::get, "/%2e%2e/CMakeLists.txt").status, 404u);
  EXPECT_EQ(http_call(port(), http::verb::get, "/nothing.html").status, 404u);

  // Readiness says so when the index is missing.
  auto config = *config_;
  config.home = home_->path() / "elsewhere";
  std::filesystem::create_directories(config.home / "prompts");
  std::filesystem::copy(home_->path() / "prompts", config.home / "prompts",
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy(home_->path() / "tools", config.home / "tools",
                        std::filesystem::copy_options::recursive);
  std::filesystem::copy(home_->path() / "understanding", config.home / "understanding",
                        std::filesystem::copy_options::recursive);
  web::Server unready(std::make_shared<const agent::AgentRuntime>(agent::make_runtime(config, {})),
                      settings());
  unready.start();
  const auto not_ready = http_call(unready.port(), http::verb::get, "/readyz");
  EXPECT_EQ(not_ready.status, 503u);
  EXPECT_EQ(not_ready.json_body().at("/checks/index/state"_json_pointer), "missing");
  unready.shutdown(std::chrono::seconds(1));
}

TEST_F(WebServerTest, OriginsOtherThanTheServersOwnAreRefused) {
  const std::string own = "http://127.0.0.1:" + std::to_string(port());
  EXPECT_NO_THROW(WsClient(port(), own).close());
  EXPECT_THROW(WsClient(port(), "http://evil.example"), boost::system::system_error);
  EXPECT_EQ(http_call(port(), http::verb::post, "/api/chat", R"({"text": "some rock"})",
                      "http://evil.example").status, 403u);
  // GETs are not state-changing, so any page may read them.
  EXPECT_EQ(http_call(port(), http::verb::get, "/healthz", {}, "http://evil.example").status, 200u);

  auto s = settings();
  s.allowed_origins = {"http://allowed.example"};
  web::Server server(*runtime_, s);
  server.start();
  EXPECT_NO_THROW(WsClient(server.port(), "http://allowed.example").close());
  EXPECT_THROW(WsClient(server.port(), "http://evil.example"), boost::system::system_error);
  server.shutdown(std::chrono::seconds(1));
}

TEST_F(WebServerTest, ASlowReaderIsClosedWithAReasonInsteadOfGrowingMemory) {
  auto s = settings();
  s.send_queue_frames = 64;
  s.send_queue_bytes = 64 * 1024;
  web::Server server(*runtime_, s);
  server.start();
  WsClient client(server.port(), {}, 4096);
  // Pings are answered with pongs; a client that never reads them fills every buffer
  // between it and the server, then the server's bounded queue.
  const std::string ping = json{{"type", "ping"}, {"pad", std::string(200, 'p')}}.dump();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    try {
      for (int i = 0; i < 200000 && !stop; ++i) client.send_text(ping);
    } catch (const std::exception&) {
      // The server closed the socket: what this test waits for.
    }
  });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until &&
         server.metrics().render().find("musicagent_websocket_slow_readers_total 1") ==
             std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  EXPECT_THAT(server.metrics().render(), HasSubstr("musicagent_websocket_slow_readers_total 1"));
  const int code = client.read_until_closed();
  writer.join();
  // The close frame may be lost behind the unread pongs when the server drops the socket.
  if (code != 0) {
    EXPECT_EQ(code, static_cast<int>(websocket::close_code::policy_error));
    EXPECT_EQ(client.reason().reason, "client is not reading fast enough");
  }
  server.shutdown(std::chrono::seconds(1));
}

TEST_F(WebServerTest, SilentConnectionsAreClosedByTheTimeouts) {
  auto s = settings();
  s.http_timeout = std::chrono::milliseconds(300);
  s.idle_timeout = std::chrono::milliseconds(400);
  web::Server server(*runtime_, s);
  server.start();
  // A TCP connection that never sends a request.
  net::io_context ioc;
  tcp::socket silent(ioc);
  silent.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  timeval tv{5, 0};
  setsockopt(silent.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto started = std::chrono::steady_clock::now();
  char byte = 0;
  beast::error_code ec;
  silent.read_some(net::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, net::error::eof);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));

  // A WebSocket whose client stops answering (no reads, so no pongs) is closed too.
  WsClient client(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  client.read_until_closed();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.metrics().open_sockets() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server.metrics().open_sockets(), 0);
  server.shutdown(std::chrono::seconds(1));
}

TEST_F(WebServerTest, ShutdownLetsRunningTurnsFinishThenClosesWithGoingAway) {
  ScriptedHttpServer model;
  web::Server server(slow_runtime(model, 10, std::chrono::milliseconds(100)), settings());
  server.start();
  WsClient busy(server.port());
  WsClient idle(server.port());
  busy.send({{"type", "user_message"}, {"text", "take your time"}});
  EXPECT_EQ(busy.read().at("type"), "turn_start");
  auto stopping = std::async(std::launch::async, [&] { server.shutdown(std::chrono::seconds(10)); });
  EXPECT_EQ(idle.read_until_closed(), static_cast<int>(websocket::close_code::going_away));
  const auto events = busy.until_turn_end();
  EXPECT_EQ(events.back().at("stop_reason"), "answered");
  EXPECT_EQ(busy.read_until_closed(), static_cast<int>(websocket::close_code::going_away));
  stopping.get();
}

TEST_F(WebServerTest, ShutdownCancelsTurnsStillRunningAtTheDeadline) {
  ScriptedHttpServer model;
  web::Server server(slow_runtime(model, 100, std::chrono::milliseconds(100)), settings());
  server.start();
  WsClient busy(server.port());
  busy.send({{"type", "user_message"}, {"text", "take all day"}});
  EXPECT_EQ(busy.read().at("type"), "turn_start");
  const auto started = std::chrono::steady_clock::now();
  auto stopping = std::async(std::launch::async, [&] { server.shutdown(std::chrono::milliseconds(300)); });
  const auto events = busy.until_turn_end();
  EXPECT_EQ(events.back().at("stop_reason"), "cancelled");
  EXPECT_EQ(busy.read_until_closed(), static_cast<int>(websocket::close_code::going_away));
  stopping.get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}


// The page in Debian's Chromium (tests/e2e/chat_page.cjs): streamed text, a tool card, track
// charts, a markup-named track shown as text with no dialog, reload and resume. Skipped when
// Chromium or web/node_modules is missing, unless MUSICAGENT_REQUIRE_E2E=1 (CI).
TEST_F(WebServerTest, BrowserChatPageEndToEnd) {
  const std::filesystem::path source = MUSICAGENT_SOURCE_DIR;
  const char* chromium = std::getenv("CHROMIUM_PATH");
  const bool have_browser = std::filesystem::exists(chromium ? chromium : "/usr/bin/chromium") &&
                            std::filesystem::exists(source / "web" / "node_modules" / "playwright-core");
  const char* require = std::getenv("MUSICAGENT_REQUIRE_E2E");
  if (!have_browser) {
    if (require && std::string(require) == "1") FAIL() << "chromium or web/node_modules missing";
    GTEST_SKIP() << "needs /usr/bin/chromium and `npm ci` in web/ (scripts/setup.sh)";
  }
  const auto result = run_command("node '" + (source / "tests" / "e2e" / "chat_page.cjs").string() +
                                  "' http://127.0.0.1:" + std::to_string(port()) + " 2>&1");
  std::printf("%s", result.output.c_str());  // one line per browser check
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.output, HasSubstr(" passed, 0 failed"));
}

}  // namespace
}  // namespace musicagent::testing
