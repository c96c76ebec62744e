#pragma once

#include <boost/beast/http.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/agent_runtime.hpp"
#include "web/metrics.hpp"
#include "web/server_settings.hpp"

namespace musicagent::web {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The HTTP side: the page's static files and the JSON API. Plain blocking code; the session
// runs the routes that touch the database or the agent on the worker pool.
class HttpApi {
 public:
  HttpApi(std::shared_ptr<const agent::AgentRuntime> runtime, ServerSettings settings,
          std::shared_ptr<Metrics> metrics);

  // Whether the request may block (database, tools, a whole agent turn): run it off the I/O
  // threads.
  static bool needs_worker(const HttpRequest& request);

  HttpResponse handle(const HttpRequest& request) const;

  // A JSON response with the request's HTTP version and keep-alive.
  static HttpResponse json_response(const HttpRequest& request, unsigned status,
                                    const nlohmann::json& body);
  static HttpResponse error_response(const HttpRequest& request, unsigned status,
                                     const std::string& code, const std::string& message);

 private:
  HttpResponse route(const HttpRequest& request) const;
  HttpResponse chat(const HttpRequest& request) const;
  HttpResponse list_tools(const HttpRequest& request) const;
  HttpResponse call_tool(const HttpRequest& request, const std::string& name) const;
  HttpResponse list_conversations(const HttpRequest& request) const;
  HttpResponse get_conversation(const HttpRequest& request, const std::string& id) const;
  HttpResponse ready(const HttpRequest& request) const;
  HttpResponse stats(const HttpRequest& request, const std::string& what) const;
  HttpResponse static_file(const HttpRequest& request) const;

  std::shared_ptr<const agent::AgentRuntime> runtime_;
  ServerSettings settings_;
  std::shared_ptr<Metrics> metrics_;
};

}  // namespace musicagent::web
