// The OpenAI-compatible embedder against a scripted /v1/embeddings over real HTTP: request
// shape, batching, ordering, retries and the messages people see when it fails.
#include "rag/openai_embedder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scripted_http_server.hpp"

namespace musicagent::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::size_t kDimension = 4;
constexpr const char* kEmbeddingsPath = "/v1/embeddings";

std::filesystem::path transcripts_dir() {
  return std::filesystem::path(MUSICAGENT_SOURCE_DIR).parent_path() / "shared" / "data" /
         "llm_transcripts";
}

std::optional<std::string> read_transcript(const std::string& name) {
  std::ifstream in(transcripts_dir() / name);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A deterministic, not-yet-normalised vector for text number `n`, pointing in a different
// direction for each n, so tests can tell which input each normalised row came from.
std::vector<float> raw_vector(std::size_t n, std::size_t dimension = kDimension) {
  constexpr std::size_t kStride = 7;
  std::vector<float> v(dimension);
  for (std::size_t i = 0; i < dimension; ++i) v[i] = static_cast<float>(n + 1 + i * kStride);
  return v;
}

std::vector<float> unit(std::vector<float> v) {
  double sum = 0;
  for (const float x : v) sum += static_cast<double>(x) * x;
  for (float& x : v) x = static_cast<float>(x / std::sqrt(sum));
  return v;
}

// The real response shape. Each text "text-N" gets raw_vector(N), any other text raw_vector(0).
ScriptedResponse embeddings_reply(const json& inputs, bool reverse = false,
                                  std::size_t dimension = kDimension) {
  json data = json::array();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto text = inputs.at(i).get<std::string>();
    const auto dash = text.find("text-");
    const std::size_t n = dash == 0 ? std::stoul(text.substr(5)) : 0;  // e.g. the probe text
    data.push_back(
        {{"object", "embedding"}, {"index", i}, {"embedding", raw_vector(n, dimension)}});
  }
  if (reverse) std::reverse(data.begin(), data.end());
  return reply(200, json{{"object", "list"},
                         {"data", data},
                         {"model", "text-embedding-3-small"},
                         {"usage", {{"prompt_tokens", 8}, {"total_tokens", 8}}}}
                        .dump());
}

std::vector<std::string> texts(std::size_t count) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back("text-" + std::to_string(i));
  return out;
}

class OpenAiEmbedderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.handle("POST", kEmbeddingsPath, [](const RecordedRequest& request) {
      return embeddings_reply(json::parse(request.body).at("input"));
    });
  }

  rag::OpenAiEmbedderOptions options() {
    rag::OpenAiEmbedderOptions o;
    o.base_url = server_.base_url() + "/v1";
    o.retry = {4, 1ms, 20ms};
    return o;
  }

  std::vector<json> request_bodies() {
    std::vector<json> bodies;
    for (const auto& r : server_.requests()) bodies.push_back(json::parse(r.body));
    return bodies;
  }

  std::string embed_error(const rag::OpenAiEmbedder& embedder) {
    try {
      embedder.embed(texts(2));
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "embed() did not throw";
    return {};
  }

  ScriptedHttpServer server_;
};

TEST_F(OpenAiEmbedderTest, SendsTheOpenAiRequestShape) {
  const rag::OpenAiEmbedder embedder(options());
  embedder.embed({"text-0", "text-1"});

  const auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].method, "POST");
  EXPECT_EQ(recorded[0].target, "/v1/embeddings");
  EXPECT_EQ(recorded[0].header("Content-Type"), "application/json");
  const auto body = json::parse(recorded[0].body);
  EXPECT_EQ(body.at("model"), "text-embedding-3-small");
  EXPECT_EQ(body.at("input"), json::array({"text-0", "text-1"}));
  EXPECT_FALSE(body.contains("dimensions"));
  EXPECT_EQ(recorded[0].header("Authorization"), std::nullopt);
}

TEST_F(OpenAiEmbedderTest, SendsKeyAndDimensionsOnlyWhenConfigured) {
  auto o = options();
  o.api_key = "sk-test-123";
  o.dimensions = kDimension;
  o.model = "text-embedding-3-large";
  o.base_url += "/";  // a trailing slash must not produce "//embeddings"
  const rag::OpenAiEmbedder embedder(o);
  EXPECT_EQ(embedder.dimension(), kDimension);
  EXPECT_TRUE(server_.requests().empty()) << "a configured dimension needs no probe";
  embedder.embed({"text-0"});

  const auto recorded = server_.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].target, "/v1/embeddings");
  EXPECT_EQ(recorded[0].header("Authorization"), "Bearer sk-test-123");
  const auto body = json::parse(recorded[0].body);
  EXPECT_EQ(body.at("dimensions"), kDimension);
  EXPECT_EQ(body.at("model"), "text-embedding-3-large");
}

TEST_F(OpenAiEmbedderTest, SplitsIntoBatchesAndKeepsInputOrder) {
  const rag::OpenAiEmbedder embedder(options());
  const auto input = texts(300);
  const auto matrix = embedder.embed(input);
  ASSERT_EQ(matrix.size(), 300 * kDimension);

  const auto bodies = request_bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies[0].at("input").size(), 128u);
  EXPECT_EQ(bodies[1].at("input").size(), 128u);
  EXPECT_EQ(bodies[2].at("input").size(), 44u);
  std::vector<std::string> sent;
  for (const auto& body : bodies)
    for (const auto& text : body.at("input")) sent.push_back(text.get<std::string>());
  EXPECT_EQ(sent, input);

  for (const std::size_t row : {0u, 127u, 128u, 299u}) {
    const auto expected = unit(raw_vector(row));
    for (std::size_t i = 0; i < kDimension; ++i)
      EXPECT_NEAR(matrix[row * kDimension + i], expected[i], 1e-6) << "row " << row;
  }
}

TEST_F(OpenAiEmbedderTest, OrdersRowsByIndexNotByPosition) {
  server_.handle("POST", kEmbeddingsPath, [](const RecordedRequest& request) {
    return embeddings_reply(json::parse(request.body).at("input"), /*reverse=*/true);
  });
  const rag::OpenAiEmbedder embedder(options());
  const auto matrix = embedder.embed(texts(5));
  ASSERT_EQ(matrix.size(), 5 * kDimension);
  for (std::size_t row = 0; row < 5; ++row) {
    const auto expected = unit(raw_vector(row));
    for (std::size_t i = 0; i < kDimension; ++i)
      EXPECT_NEAR(matrix[row * kDimension + i], expected[i], 1e-6) << "row " << row;
  }
}

TEST_F(OpenAiEmbedderTest, OutOfOrderIndicesAreRestored) {
  // Distinct directions per input, so a mix-up would be visible after normalisation.
  server_.script(
      "POST", kEmbeddingsPath,
      {reply(200,
             json{{"object", "list"},
                  {"data",
                   {{{"object", "embedding"}, {"index", 2}, {"embedding", {0.0, 0.0, 3.0, 0.0}}},
                    {{"object", "embedding"}, {"index", 0}, {"embedding", {2.0, 0.0, 0.0, 0.0}}},
                    {{"object", "embedding"}, {"index", 1}, {"embedding", {0.0, 5.0, 0.0, 0.0}}}}},
                  {"model", "text-embedding-3-small"},
                  {"usage", {{"prompt_tokens", 3}, {"total_tokens", 3}}}}
                 .dump())});
  const rag::OpenAiEmbedder embedder(options());
  const auto matrix = embedder.embed({"a", "b", "c"});
  const std::vector<float> expected = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
  EXPECT_EQ(matrix, expected);
}

TEST_F(OpenAiEmbedderTest, VectorsAreUnitLength) {
  const rag::OpenAiEmbedder embedder(options());
  const auto matrix = embedder.embed(texts(10));
  for (std::size_t row = 0; row < 10; ++row) {
    double sum = 0;
    for (std::size_t i = 0; i < kDimension; ++i)
      sum += static_cast<double>(matrix[row * kDimension + i]) * matrix[row * kDimension + i];
    EXPECT_NEAR(std::sqrt(sum), 1.0, 1e-5) << "row " << row;
  }
}

TEST_F(OpenAiEmbedderTest, DimensionIsLearnedWithOneProbeCall) {
  const rag::OpenAiEmbedder embedder(options());
  EXPECT_EQ(embedder.dimension(), kDimension);
  EXPECT_EQ(embedder.dimension(), kDimension);
  const auto bodies = request_bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].at("input").size(), 1u);

  const auto description = embedder.describe();
  EXPECT_EQ(description.at("name"), "openai");
  EXPECT_EQ(description.at("model"), "text-embedding-3-small");
  EXPECT_EQ(description.at("dimensions"), kDimension);
  EXPECT_EQ(description.at("base_url"), server_.base_url() + "/v1");
}

TEST_F(OpenAiEmbedderTest, DescribeNeverContainsTheKey) {
  auto o = options();
  o.api_key = "sk-very-secret";
  o.dimensions = kDimension;
  const rag::OpenAiEmbedder embedder(o);
  EXPECT_THAT(embedder.describe().dump(), Not(HasSubstr("sk-very-secret")));
}

TEST_F(OpenAiEmbedderTest, RateLimitWithRetryAfterIsRetried) {
  const auto body_429 =
      read_transcript("issue-transcript__openai-429-rate_limit_exceeded.error.json")
          .value_or(R"({"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}})");
  int calls = 0;
  server_.handle("POST", kEmbeddingsPath, [&](const RecordedRequest& request) {
    if (++calls == 1) return reply(429, body_429, {{"Retry-After", "0"}});
    return embeddings_reply(json::parse(request.body).at("input"));
  });
  auto o = options();
  o.retry = {4, 5s, 20s};  // only Retry-After: 0 keeps this test fast
  const rag::OpenAiEmbedder embedder(o);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(embedder.embed(texts(3)).size(), 3 * kDimension);
  EXPECT_EQ(server_.requests().size(), 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(OpenAiEmbedderTest, ServerErrorsAreRetriedThenReported) {
  server_.script("POST", kEmbeddingsPath, {reply(503, R"({"error":"overloaded"})")});
  const rag::OpenAiEmbedder embedder(options());
  const auto message = embed_error(embedder);
  EXPECT_EQ(server_.requests().size(), 4u);
  EXPECT_THAT(message, HasSubstr("503"));
  EXPECT_THAT(message, HasSubstr("overloaded"));
  EXPECT_THAT(message, HasSubstr("4 attempt"));
}

TEST_F(OpenAiEmbedderTest, PersistentRateLimitSaysSo) {
  const auto body = read_transcript("issue-transcript__openai-429-rate_limit_exceeded.error.json");
  if (!body) GTEST_SKIP() << "no transcript in " << transcripts_dir();
  server_.script("POST", kEmbeddingsPath, {reply(429, *body)});
  const rag::OpenAiEmbedder embedder(options());
  const auto message = embed_error(embedder);
  EXPECT_THAT(message, HasSubstr("rate limiting"));
  EXPECT_THAT(message, HasSubstr("Rate limit reached for 10KTPM-200RPM"));
}

TEST_F(OpenAiEmbedderTest, UnauthorizedNamesOpenAiApiKey) {
  const auto body = read_transcript("issue-transcript__openai-401-invalid_api_key.error.json");
  if (!body) GTEST_SKIP() << "no transcript in " << transcripts_dir();
  server_.script("POST", kEmbeddingsPath, {reply(401, *body)});
  auto o = options();
  o.api_key = "sk-wrong";
  const rag::OpenAiEmbedder embedder(o);
  const auto message = embed_error(embedder);
  EXPECT_THAT(message, HasSubstr("OPENAI_API_KEY"));
  EXPECT_THAT(message, HasSubstr("Incorrect API key provided"));
  EXPECT_EQ(server_.requests().size(), 1u) << "401 is not retried";
}

TEST_F(OpenAiEmbedderTest, KeyEchoedByTheServerIsScrubbed) {
  server_.script(
      "POST", kEmbeddingsPath,
      {reply(401, R"({"error":{"message":"Incorrect API key provided: sk-echoed-in-full"}})")});
  auto o = options();
  o.api_key = "sk-echoed-in-full";
  const rag::OpenAiEmbedder embedder(o);
  EXPECT_THAT(embed_error(embedder), Not(HasSubstr("sk-echoed-in-full")));
}

TEST_F(OpenAiEmbedderTest, NotFoundNamesTheModelAndTheEndpoint) {
  const auto body = read_transcript("pydantic-ai__groq-404-model_not_found.error.json");
  if (!body) GTEST_SKIP() << "no transcript in " << transcripts_dir();
  server_.script("POST", kEmbeddingsPath, {reply(404, *body)});
  auto o = options();
  o.model = "non-existent";
  const rag::OpenAiEmbedder embedder(o);
  const auto message = embed_error(embedder);
  EXPECT_THAT(message, HasSubstr("'non-existent'"));
  EXPECT_THAT(message, HasSubstr(server_.base_url() + "/v1/embeddings"));
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(OpenAiEmbedderTest, WrongBaseUrlNamesTheModelAndTheEndpoint) {
  auto o = options();
  o.base_url = server_.base_url();  // missing /v1: the server's generic 404
  const rag::OpenAiEmbedder embedder(o);
  const auto message = embed_error(embedder);
  EXPECT_THAT(message, HasSubstr("text-embedding-3-small"));
  EXPECT_THAT(message, HasSubstr(server_.base_url() + "/embeddings"));
}

TEST_F(OpenAiEmbedderTest, WrongVectorLengthNamesExpectedAndGot) {
  server_.handle("POST", kEmbeddingsPath, [](const RecordedRequest& request) {
    return embeddings_reply(json::parse(request.body).at("input"), false, 3);
  });
  auto o = options();
  o.dimensions = kDimension;
  const rag::OpenAiEmbedder embedder(o);
  const auto message = embed_error(embedder);
  EXPECT_THAT(message, HasSubstr("length 3"));
  EXPECT_THAT(message, HasSubstr("expected 4"));
}

TEST_F(OpenAiEmbedderTest, LengthChangingBetweenCallsFailsClearly) {
  const rag::OpenAiEmbedder embedder(options());
  embedder.embed(texts(1));
  server_.handle("POST", kEmbeddingsPath, [](const RecordedRequest& request) {
    return embeddings_reply(json::parse(request.body).at("input"), false, 8);
  });
  const auto message = embed_error(embedder);
  EXPECT_THAT(message, HasSubstr("length 8"));
  EXPECT_THAT(message, HasSubstr("expected 4"));
}

TEST_F(OpenAiEmbedderTest, MissingRowsFailClearly) {
  server_.script("POST", kEmbeddingsPath,
                 {reply(200, R"({"object":"list","data":[{"index":0,"embedding":[1,0,0,0]}]})")});
  const rag::OpenAiEmbedder embedder(options());
  EXPECT_THAT(embed_error(embedder), HasSubstr("expected 2 embeddings"));
}

TEST_F(OpenAiEmbedderTest, UnreachableEndpointNamesTheUrl) {
  std::string closed;
  {
    ScriptedHttpServer gone;
    closed = gone.base_url() + "/v1";
  }
  auto o = options();
  o.base_url = closed;
  o.retry = {2, 1ms, 5ms};
  const rag::OpenAiEmbedder embedder(o);
  const auto message = embed_error(embedder);
  EXPECT_THAT(message, HasSubstr(closed + "/embeddings"));
  EXPECT_THAT(message, HasSubstr("OPENAI_BASE_URL"));
}

TEST_F(OpenAiEmbedderTest, EmptyInputMakesNoRequest) {
  auto o = options();
  o.dimensions = kDimension;
  const rag::OpenAiEmbedder embedder(o);
  EXPECT_TRUE(embedder.embed({}).empty());
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(OpenAiEmbedderTest, ConcurrentCallersEachGetTheirOwnRows) {
  const rag::OpenAiEmbedder embedder(options());
  std::vector<std::thread> threads;
  std::vector<std::vector<float>> results(4);
  for (std::size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] { results[t] = embedder.embed({"text-" + std::to_string(t)}); });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) EXPECT_EQ(result.size(), kDimension);
}

TEST(OpenAiEmbedderOptionsTest, RejectsOptionsThatCannotWork) {
  rag::OpenAiEmbedderOptions o;
  EXPECT_THROW(rag::OpenAiEmbedder{o}, std::invalid_argument);
  o.base_url = "http://localhost:11434/v1";
  o.batch_size = 0;
  EXPECT_THROW(rag::OpenAiEmbedder{o}, std::invalid_argument);
}

}  // namespace
}  // namespace musicagent::testing
