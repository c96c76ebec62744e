// The web server's pure parts: which origins may open the socket, and the Prometheus text.
#include <gmock/gmock.h>

#include "web/metrics.hpp"
#include "web/origin_policy.hpp"

namespace musicagent::web {
namespace {

using ::testing::HasSubstr;

TEST(OriginPolicy, AllowsTheServersOwnHostAndListedOrigins) {
  const OriginPolicy same_host;
  EXPECT_TRUE(same_host.allows("", "127.0.0.1:8080"));  // not a browser: no Origin header
  EXPECT_TRUE(same_host.allows("http://127.0.0.1:8080", "127.0.0.1:8080"));
  EXPECT_TRUE(same_host.allows("https://Music.Example", "music.example"));
  EXPECT_FALSE(same_host.allows("http://127.0.0.1:9999", "127.0.0.1:8080"));
  EXPECT_FALSE(same_host.allows("http://evil.example", "127.0.0.1:8080"));
  EXPECT_FALSE(same_host.allows("null", "127.0.0.1:8080"));
  EXPECT_FALSE(same_host.allows("http://127.0.0.1:8080.evil.example", "127.0.0.1:8080"));

  const OriginPolicy listed({"http://allowed.example"});
  EXPECT_TRUE(listed.allows("http://allowed.example", "127.0.0.1:8080"));
  EXPECT_FALSE(listed.allows("http://other.example", "127.0.0.1:8080"));
  EXPECT_TRUE(OriginPolicy({"*"}).allows("http://anything.example", "127.0.0.1:8080"));
}

TEST(Metrics, RendersCountersHistogramsAndGaugesInPrometheusText) {
  Metrics metrics;
  metrics.observe(agent::ToolResultEvent{"c1", "recommend_by_genre", true, {}, {}, 12.0});
  metrics.observe(agent::ToolResultEvent{"c2", "lookup_\"odd\"", false, {}, {}, 3000.0});
  agent::TurnEndEvent end;
  end.stop_reason = "answered";
  end.steps = 2;
  end.timings.total_ms = 40;
  end.timings.model_ms = 20;
  metrics.observe(end);
  metrics.observe(agent::ErrorEvent{"bad_json", "x"});
  metrics.socket_opened();
  metrics.count_http_request(200);
  const auto text = metrics.render();
  EXPECT_THAT(text, HasSubstr("musicagent_turns_total{stop_reason=\"answered\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_turn_duration_seconds_bucket{le=\"0.05\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_turn_duration_seconds_bucket{le=\"0.025\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_turn_duration_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_model_duration_seconds_sum 0.02\n"));
  EXPECT_THAT(text, HasSubstr(
                        "musicagent_tool_duration_seconds_bucket{tool=\"recommend_by_genre\",le=\"0.025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_tool_calls_total{tool=\"lookup_\\\"odd\\\"\",ok=\"false\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_errors_total{code=\"bad_json\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_websocket_connections 1\n"));
  EXPECT_THAT(text, HasSubstr("musicagent_http_requests_total{status=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE musicagent_tool_duration_seconds histogram\n"));
}

}  // namespace
}  // namespace musicagent::web
