#include "web/http_api.hpp"

#include <boost/beast/version.hpp>
#include <pqxx/pqxx>
#include <stdexcept>

#include "common/logging.hpp"
#include "rag/catalog_index.hpp"
#include "static_files.hpp"

namespace musicagent::web {
namespace http = boost::beast::http;
using nlohmann::json;

namespace {

constexpr std::size_t kDefaultConversations = 50;
constexpr std::size_t kMaxConversations = 500;

std::string target_of(const HttpRequest& request) {
  const auto target = request.target();
  return std::string(target.data(), target.size());
}

std::string path_of(const HttpRequest& request) {
  const auto target = target_of(request);
  return target.substr(0, target.find('?'));
}

// The value of ?name= in the target (no percent-decoding: only numbers are read this way).
std::string query_param(const HttpRequest& request, const std::string& name) {
  const auto full = target_of(request);
  const std::string_view target = full;
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    if (pair.substr(0, pair.find('=')) == name && pair.find('=') != std::string_view::npos) {
      return std::string(pair.substr(pair.find('=') + 1));
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

unsigned status_for_tool_error(const std::string& code) {
  if (code == "invalid_arguments") return 400;
  if (code == "not_found") return 404;
  if (code == "unavailable") return 503;
  return 422;  // refused (sql_refused, ambiguous, ...): the request was understood, not done
}

// Rows of a query as a JSON array, built by PostgreSQL itself.
json query_json(pqxx::connection& connection, const std::string& sql) {
  pqxx::read_transaction tx(connection);
  const auto row = tx.exec1("select coalesce(json_agg(t), '[]'::json)::text from (" + sql + ") t");
  return json::parse(row[0].as<std::string>());
}

json message_json(const agent::ChatMessage& m) {
  json out{{"role", agent::to_string(m.role)}, {"content", m.content}};
  if (!m.tool_calls.empty()) {
    out["tool_calls"] = json::array();
    for (const auto& call : m.tool_calls) {
      auto arguments = json::parse(call.arguments, nullptr, false);
      out["tool_calls"].push_back({{"id", call.id},
                                   {"name", call.name},
                                   {"arguments", arguments.is_discarded() ? json(call.arguments)
                                                                          : arguments}});
    }
  }
  if (!m.tool_call_id.empty()) out["tool_call_id"] = m.tool_call_id;
  if (!m.name.empty()) out["name"] = m.name;
  return out;
}

}  // namespace

HttpApi::HttpApi(std::shared_ptr<const agent::AgentRuntime> runtime, ServerSettings settings,
                 std::shared_ptr<Metrics> metrics)
    : runtime_(std::move(runtime)), settings_(std::move(settings)), metrics_(std::move(metrics)) {
  if (settings_.static_dir.empty()) settings_.static_dir = runtime_->config.home / "web" / "static";
}

bool HttpApi::needs_worker(const HttpRequest& request) {
  const auto path = path_of(request);
  return starts_with(path, "/api/") || path == "/readyz";
}

HttpResponse HttpApi::json_response(const HttpRequest& request, unsigned status,
                                    const json& body) {
  HttpResponse res{static_cast<http::status>(status), request.version()};
  res.set(http::field::server, "musicagent");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
  res.prepare_payload();
  return res;
}

HttpResponse HttpApi::error_response(const HttpRequest& request, unsigned status,
                                     const std::string& code, const std::string& message) {
  return json_response(request, status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpResponse HttpApi::handle(const HttpRequest& request) const {
  HttpResponse res;
  try {
    res = route(request);
  } catch (const std::exception& e) {
    common::logger("web")->error("{} {}: {}", std::string(request.method_string()),
                                 target_of(request), e.what());
    res = error_response(request, 500, "internal", e.what());
  }
  metrics_->count_http_request(static_cast<int>(res.result_int()));
  return res;
}

HttpResponse HttpApi::route(const HttpRequest& request) const {
  const auto path = path_of(request);
  const auto method = request.method();
  const bool get = method == http::verb::get || method == http::verb::head;
  const bool post = method == http::verb::post;

  if (path == "/healthz" && get) return json_response(request, 200, {{"status", "ok"}});
  if (path == "/readyz" && get) return ready(request);
  if (path == "/metrics" && get) {
    HttpResponse res{http::status::ok, request.version()};
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.keep_alive(request.keep_alive());
    res.body() = metrics_->render();
    res.prepare_payload();
    return res;
  }
  if (path == "/api/chat") {
    return post ? chat(request) : error_response(request, 405, "method_not_allowed", "POST only");
  }
  if (path == "/api/tools" && get) return list_tools(request);
  if (starts_with(path, "/api/tools/")) {
    return post ? call_tool(request, path.substr(11))
                : error_response(request, 405, "method_not_allowed", "POST only");
  }
  if (path == "/api/conversations" && get) return list_conversations(request);
  if (starts_with(path, "/api/conversations/") && get) {
    return get_conversation(request, path.substr(19));
  }
  if (starts_with(path, "/api/stats/") && get) return stats(request, path.substr(11));
  if (starts_with(path, "/api/")) {
    return error_response(request, 404, "not_found", "no API route " + path);
  }
  if (get) return static_file(request);
  return error_response(request, 405, "method_not_allowed", "GET only");
}

HttpResponse HttpApi::chat(const HttpRequest& request) const {
  const auto body = json::parse(request.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return error_response(request, 400, "bad_json", "the body must be a JSON object");
  }
  if (!body.contains("text") || !body["text"].is_string() ||
      body["text"].get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
    return error_response(request, 400, "bad_message", "\"text\" must be a non-empty string");
  }
  const auto text = body["text"].get<std::string>();
  if (text.size() > settings_.max_text_chars) {
    return error_response(request, 413, "too_long",
                          "\"text\" is longer than " + std::to_string(settings_.max_text_chars) +
                              " characters");
  }
  std::string conversation_id;
  if (body.contains("conversation_id") && !body["conversation_id"].is_null()) {
    if (!body["conversation_id"].is_string()) {
      return error_response(request, 400, "bad_message", "\"conversation_id\" must be a string");
    }
    conversation_id = body["conversation_id"].get<std::string>();
  }
  std::optional<agent::ChatSession> session;
  try {
    session.emplace(runtime_->open(conversation_id));
  } catch (const std::invalid_argument& e) {
    return error_response(request, 404, "unknown_conversation", e.what());
  }
  json events = json::array();
  metrics_->turn_started();
  const auto outcome = session->send(
      text,
      [&](const agent::Event& event) {
        metrics_->observe(event);
        events.push_back(agent::to_json(event));
      },
      agent::CancellationToken{});
  metrics_->turn_finished();
  return json_response(request, 200,
                       {{"conversation_id", session->conversation().id},
                        {"stop_reason", outcome.stop_reason},
                        {"answer", outcome.answer},
                        {"events", std::move(events)}});
}

HttpResponse HttpApi::list_tools(const HttpRequest& request) const {
  json tools = json::array();
  for (const auto* tool : runtime_->tools->tools()) {
    tools.push_back({{"name", tool->name()},
                     {"description", tool->description()},
                     {"parameters", tool->parameters()}});
  }
  return json_response(request, 200, {{"tools", std::move(tools)}});
}

HttpResponse HttpApi::call_tool(const HttpRequest& request, const std::string& name) const {
  if (!runtime_->tools->find(name)) {
    return error_response(request, 404, "unknown_tool",
                          "no tool named " + name + " (GET /api/tools lists them)");
  }
  auto arguments = request.body().empty() ? json::object()
                                          : json::parse(request.body(), nullptr, false);
  if (arguments.is_discarded()) {
    return error_response(request, 400, "bad_json", "the body must be the tool's JSON arguments");
  }
  const auto outcome = runtime_->tools->call(name, arguments);
  metrics_->observe(agent::ToolResultEvent{"http", name, outcome.result.ok(),
                                           outcome.result.ok() ? outcome.result.value() : json(),
                                           {}, outcome.elapsed_ms});
  if (outcome.result.ok()) return json_response(request, 200, outcome.result.value());
  const auto& error = outcome.result.error();
  return json_response(request, status_for_tool_error(error.code), error.to_json());
}

HttpResponse HttpApi::list_conversations(const HttpRequest& request) const {
  std::size_t limit = kDefaultConversations;
  if (const auto value = query_param(request, "limit"); !value.empty()) {
    try {
      limit = std::min<std::size_t>(std::stoul(value), kMaxConversations);
    } catch (const std::exception&) {
      return error_response(request, 400, "bad_request", "limit must be a number");
    }
  }
  json out = json::array();
  for (const auto& c : runtime_->sessions->list(limit)) {
    out.push_back({{"id", c.id},
                   {"title", c.title},
                   {"model", c.model},
                   {"turns", c.turns},
                   {"updated_at", c.updated_at}});
  }
  return json_response(request, 200, {{"conversations", std::move(out)}});
}

HttpResponse HttpApi::get_conversation(const HttpRequest& request, const std::string& id) const {
  const auto conversation = runtime_->sessions->load(id);
  if (!conversation) {
    return error_response(request, 404, "unknown_conversation", "no conversation with id " + id);
  }
  json messages = json::array();
  for (const auto& m : conversation->messages) messages.push_back(message_json(m));
  return json_response(request, 200,
                       {{"id", conversation->id},
                        {"turns", conversation->turns},
                        {"messages", std::move(messages)}});
}

HttpResponse HttpApi::ready(const HttpRequest& request) const {
  json checks = json::object();
  bool ok = true;
  try {
    auto connection = runtime_->database->lease();
    {
      pqxx::read_transaction tx(*connection);
      tx.exec1("select 1");
    }
    checks["database"] = {{"ok", true}};
    auto index = rag::index_state(*connection, runtime_->config.index_dir());
    const bool index_ok = index.value("state", "") == "ready";
    index["ok"] = index_ok;
    checks["index"] = std::move(index);
    ok = index_ok;
  } catch (const std::exception& e) {
    checks["database"] = {{"ok", false}, {"error", e.what()}};
    ok = false;
  }
  return json_response(request, ok ? 200 : 503,
                       {{"status", ok ? "ready" : "not_ready"}, {"checks", std::move(checks)}});
}

HttpResponse HttpApi::stats(const HttpRequest& request, const std::string& what) const {
  auto connection = runtime_->database->lease();
  if (what == "pipeline") {
    return json_response(
        request, 200,
        {{"runs", query_json(*connection,
                             "select run_id, started_at, ended_at, status, command, error, "
                             "extract(epoch from (ended_at - started_at)) as seconds "
                             "from ops.pipeline_runs order by run_id desc limit 20")},
         {"steps", query_json(*connection,
                              "select step, kind, status, rows_in, rows_out, elapsed_ms, error "
                              "from ops.step_runs where run_id = (select max(run_id) from "
                              "ops.pipeline_runs) order by step_id")},
         {"tests", query_json(*connection,
                              "select status, severity, count(*) as tests from ops.test_results "
                              "where run_id = (select max(run_id) from ops.test_results) "
                              "group by status, severity order by status, severity")},
         {"rejected_rows", query_json(*connection,
                                      "select source, raw_table, sum(rows_rejected) as rows "
                                      "from ops.load_batches group by source, raw_table "
                                      "order by source, raw_table")}});
  }
  if (what == "catalogue") {
    return json_response(
        request, 200,
        {{"counts", query_json(*connection,
                               "select (select count(*) from marts.dim_tracks) as tracks, "
                               "(select count(*) from marts.dim_artists) as artists, "
                               "(select count(*) from marts.dim_genres) as genres, "
                               "(select count(*) from marts.fct_listens) as listens")
                        .at(0)},
         {"genres", query_json(*connection,
                               "select genre, track_count, avg_popularity, avg_danceability, "
                               "avg_energy, avg_valence, avg_tempo_bpm from marts.dim_genres "
                               "order by track_count desc, genre limit 30")}});
  }
  if (what == "recommendations") {
    return json_response(
        request, 200,
        {{"top", query_json(*connection,
                            "select item_kind, item_id, item_name, count(*) as times, "
                            "count(distinct conversation_id) as conversations "
                            "from marts.fct_recommendations group by item_kind, item_id, "
                            "item_name order by times desc, item_name limit 25")},
         {"by_tool", query_json(*connection,
                                "select tool, count(*) as items from marts.fct_recommendations "
                                "group by tool order by items desc")}});
  }
  return error_response(request, 404, "not_found",
                        "no statistics named " + what + " (pipeline, catalogue, recommendations)");
}

HttpResponse HttpApi::static_file(const HttpRequest& request) const {
  std::string target = target_of(request);
  if (target == "/dashboard" || target.rfind("/dashboard?", 0) == 0) target = "/dashboard.html";
  auto file = read_static_file(settings_.static_dir, target);
  if (!file) return error_response(request, 404, "not_found", "no page at " + path_of(request));
  HttpResponse res{http::status::ok, request.version()};
  res.set(http::field::server, "musicagent");
  res.set(http::field::content_type, file->content_type);
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  // The page loads only its own scripts and talks only to its own server.
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  res.keep_alive(request.keep_alive());
  if (request.method() != http::verb::head) res.body() = std::move(file->body);
  res.prepare_payload();
  return res;
}

}  // namespace musicagent::web
