// The libcurl client against a real local HTTP server: methods, headers, bodies, errors as
// values, timeouts and streaming.
#include "common/http_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "scripted_http_server.hpp"

namespace musicagent::testing {
namespace {

using common::HttpClient;
using common::HttpError;
using common::HttpRequest;
using common::HttpResponse;
using common::HttpResult;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// By value: callers pass temporaries straight from send().
HttpResponse as_response(const HttpResult& result) {
  if (const auto* error = std::get_if<HttpError>(&result)) {
    ADD_FAILURE() << "expected a response, got " << common::to_string(error->kind) << ": "
                  << error->message;
    return {};
  }
  return std::get<HttpResponse>(result);
}

std::chrono::milliseconds elapsed_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

class HttpClientTest : public ::testing::Test {
 protected:
  HttpRequest request(const std::string& method, const std::string& target) {
    HttpRequest r;
    r.method = method;
    r.url = server_.base_url() + target;
    return r;
  }

  ScriptedHttpServer server_;
  HttpClient client_;
};

TEST_F(HttpClientTest, GetReturnsStatusHeadersAndBody) {
  server_.script("GET", "/v1/models",
                 {reply(200, R"({"data":[{"id":"gpt-4o-mini"}]})", {{"X-Request-Id", "req_123"}})});
  auto r = request("GET", "/v1/models?limit=5");
  r.headers = {{"Accept", "application/json"}, {"X-Trace", "t-1"}};

  const auto response = as_response(client_.send(r));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"data":[{"id":"gpt-4o-mini"}]})");
  EXPECT_EQ(response.header("x-request-id"), "req_123");
  EXPECT_EQ(response.header("content-type"), "application/json");

  const auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].method, "GET");
  EXPECT_EQ(recorded[0].target, "/v1/models?limit=5");
  EXPECT_EQ(recorded[0].header("accept"), "application/json");
  EXPECT_EQ(recorded[0].header("X-Trace"), "t-1");
  EXPECT_EQ(recorded[0].body, "");
}

TEST_F(HttpClientTest, PostSendsBodyAndHeadersWithoutExpectContinue) {
  server_.script("POST", "/echo", {reply(201, "created")});
  auto r = request("POST", "/echo");
  r.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer sk-test"}};
  // Large enough that libcurl would otherwise ask for 100-continue.
  r.body = R"({"input":")" + std::string(200000, 'x') + R"("})";

  const auto started = std::chrono::steady_clock::now();
  const auto response = as_response(client_.send(r));
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "created");
  EXPECT_LT(elapsed_since(started), 900ms);

  const auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].method, "POST");
  EXPECT_EQ(recorded[0].body, r.body);
  EXPECT_EQ(recorded[0].header("Content-Type"), "application/json");
  EXPECT_EQ(recorded[0].header("Authorization"), "Bearer sk-test");
  EXPECT_EQ(recorded[0].header("Expect"), std::nullopt);
}

TEST_F(HttpClientTest, OtherMethodsAndEmptyPostWork) {
  server_.script("PUT", "/thing", {reply(200, "put")});
  server_.script("DELETE", "/thing", {reply(204)});
  server_.script("POST", "/empty", {reply(200, "ok")});

  auto put = request("PUT", "/thing");
  put.body = "new";
  EXPECT_EQ(as_response(client_.send(put)).body, "put");
  EXPECT_EQ(as_response(client_.send(request("DELETE", "/thing"))).status, 204);
  EXPECT_EQ(as_response(client_.send(request("POST", "/empty"))).body, "ok");

  const auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_EQ(recorded[0].method, "PUT");
  EXPECT_EQ(recorded[0].body, "new");
  EXPECT_EQ(recorded[1].method, "DELETE");
  EXPECT_EQ(recorded[2].method, "POST");
  EXPECT_EQ(recorded[2].body, "");
}

TEST_F(HttpClientTest, ClientAndServerErrorsAreResponsesNotErrors) {
  server_.script("GET", "/broken", {reply(500, R"({"error":"boom"})")});

  const auto missing = as_response(client_.send(request("GET", "/nowhere")));
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("no scripted response for GET /nowhere"));

  const auto broken = as_response(client_.send(request("GET", "/broken")));
  EXPECT_EQ(broken.status, 500);
  EXPECT_EQ(broken.body, R"({"error":"boom"})");
}

TEST_F(HttpClientTest, ScriptedResponsesAreServedInOrderAndTheLastRepeats) {
  server_.script("GET", "/seq", {reply(200, "one"), reply(200, "two")});
  EXPECT_EQ(as_response(client_.send(request("GET", "/seq"))).body, "one");
  EXPECT_EQ(as_response(client_.send(request("GET", "/seq"))).body, "two");
  EXPECT_EQ(as_response(client_.send(request("GET", "/seq"))).body, "two");
}

TEST_F(HttpClientTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  server_.handle("GET", "/count", [this](const RecordedRequest&) {
    return reply(200, std::to_string(server_.requests().size()));
  });
  for (int i = 1; i <= 5; ++i)
    EXPECT_EQ(as_response(client_.send(request("GET", "/count"))).body, std::to_string(i));
  // A second client while the first one's connection stays open must not be starved.
  HttpClient other;
  EXPECT_EQ(as_response(other.send(request("GET", "/count"))).body, "6");
}

TEST_F(HttpClientTest, ConnectionRefusedIsAConnectError) {
  std::string closed_url;
  {
    ScriptedHttpServer gone;
    closed_url = gone.base_url() + "/v1/models";
  }
  HttpRequest r;
  r.url = closed_url;
  const auto result = client_.send(r);
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::connect);
  EXPECT_THAT(std::get<HttpError>(result).message, HasSubstr("127.0.0.1"));
}

TEST_F(HttpClientTest, MalformedUrlIsAnInvalidUrlError) {
  HttpRequest r;
  r.url = "ftp://example.com/file";
  const auto result = client_.send(r);
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::invalid_url);
}

TEST_F(HttpClientTest, TotalTimeoutStopsASlowServer) {
  auto late = reply(200, "late");
  late.delay_before_response = 3s;
  server_.script("GET", "/slow", {late});
  auto r = request("GET", "/slow");
  r.total_timeout = 300ms;

  const auto started = std::chrono::steady_clock::now();
  const auto result = client_.send(r);
  const auto took = elapsed_since(started);
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::timeout);
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2500ms);

  // The handle stays usable after a failed transfer.
  server_.script("GET", "/fast", {reply(200, "ok")});
  EXPECT_EQ(as_response(client_.send(request("GET", "/fast"))).body, "ok");
}

TEST_F(HttpClientTest, StreamingDeliversChunksInOrderAsTheyArrive) {
  const std::vector<std::string> events = {"data: {\"n\":1}\n\n", "data: {\"n\":2}\n\n",
                                           "data: {\"n\":3}\n\n", "data: [DONE]\n\n"};
  server_.script("POST", "/v1/chat/completions", {stream_reply(events, 100ms)});

  std::vector<std::string> received;
  std::vector<std::chrono::milliseconds> arrival;
  const auto started = std::chrono::steady_clock::now();
  const auto result =
      client_.send_streaming(request("POST", "/v1/chat/completions"), [&](std::string_view chunk) {
        received.emplace_back(chunk);
        arrival.push_back(elapsed_since(started));
        return true;
      });
  const auto response = as_response(result);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(response.body, "");

  std::string joined;
  for (const auto& chunk : received) joined += chunk;
  EXPECT_EQ(joined, events[0] + events[1] + events[2] + events[3]);
  // Delivered incrementally: the first event arrives well before the stream ends.
  ASSERT_GE(received.size(), 2u);
  EXPECT_EQ(received.front(), events[0]);
  EXPECT_LT(arrival.front() + 200ms, arrival.back());
}

TEST_F(HttpClientTest, StreamingAbortStopsTheTransfer) {
  std::vector<std::string> events(20, "data: {\"token\":\"la\"}\n\n");
  server_.script("POST", "/stream", {stream_reply(events, 100ms)});

  int calls = 0;
  const auto started = std::chrono::steady_clock::now();
  const auto result = client_.send_streaming(request("POST", "/stream"), [&](std::string_view) {
    ++calls;
    return false;
  });
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::aborted);
  EXPECT_FALSE(common::is_retryable(result));
  EXPECT_EQ(calls, 1);
  EXPECT_LT(elapsed_since(started), 1500ms);
}

TEST_F(HttpClientTest, StreamingErrorBodyIsCollectedNotStreamed) {
  server_.script("POST", "/stream", {reply(429, R"({"error":{"message":"slow"}})")});
  int calls = 0;
  const auto response =
      as_response(client_.send_streaming(request("POST", "/stream"), [&](std::string_view) {
        ++calls;
        return true;
      }));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.body, R"({"error":{"message":"slow"}})");
  EXPECT_EQ(calls, 0);
}

TEST_F(HttpClientTest, DroppedStreamIsANetworkError) {
  auto dropped = stream_reply({"data: 1\n\n", "data: 2\n\n"});
  dropped.drop_connection_after_chunks = true;
  server_.script("POST", "/stream", {dropped});
  std::string joined;
  const auto result = client_.send_streaming(request("POST", "/stream"), [&](std::string_view c) {
    joined += c;
    return true;
  });
  ASSERT_TRUE(std::holds_alternative<HttpError>(result));
  EXPECT_EQ(std::get<HttpError>(result).kind, HttpError::Kind::network);
  EXPECT_EQ(joined, "data: 1\n\ndata: 2\n\n");
}

TEST_F(HttpClientTest, SendWithRetryRetriesUntilSuccess) {
  server_.script("GET", "/flaky",
                 {reply(503), reply(429, "", {{"Retry-After", "0"}}), reply(200, "ok")});
  std::mt19937_64 rng(1);
  const common::RetryPolicy policy{4, 10ms, 50ms};
  const auto outcome = common::send_with_retry(client_, request("GET", "/flaky"), policy, rng);
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(as_response(outcome.result).body, "ok");
}

TEST_F(HttpClientTest, SendWithRetryGivesUpAfterMaxAttempts) {
  server_.script("GET", "/down", {reply(502)});
  std::mt19937_64 rng(1);
  const common::RetryPolicy policy{3, 1ms, 5ms};
  const auto outcome = common::send_with_retry(client_, request("GET", "/down"), policy, rng);
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(as_response(outcome.result).status, 502);
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST(ScriptedHttpServerTest, StopsPromptlyWithAClientConnectedAndAReplyPending) {
  HttpClient client;
  const auto started = std::chrono::steady_clock::now();
  std::thread waiting;
  {
    ScriptedHttpServer server;
    auto hang = reply(200);
    hang.delay_before_response = 30s;
    server.script("GET", "/hang", {hang});
    HttpRequest r;
    r.url = server.base_url() + "/hang";
    r.total_timeout = 20s;
    waiting = std::thread([&client, r] { (void)client.send(r); });
    while (server.requests().empty() && elapsed_since(started) < 5s)
      std::this_thread::sleep_for(10ms);
  }
  waiting.join();
  EXPECT_LT(elapsed_since(started), 5s);
}

}  // namespace
}  // namespace musicagent::testing
