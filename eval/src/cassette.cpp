#include "eval/cassette.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <fstream>
#include <map>
#include <thread>

namespace musicagent::eval {
namespace {

using nlohmann::json;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

std::string data_line(const json& chunk) { return "data: " + chunk.dump() + "\n\n"; }

json chunk(const std::string& model, json delta, json finish = nullptr) {
  return {{"id", "chatcmpl-cassette"},
          {"object", "chat.completion.chunk"},
          {"model", model},
          {"choices", json::array({{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish)}}})}};
}

json error_body(const std::string& message) {
  return {{"error", {{"message", message}, {"type", "cassette_mismatch"}, {"code", "cassette_mismatch"}}}};
}

}  // namespace

std::string to_sse(const agent::ChatReply& reply, const std::string& model) {
  std::string out = data_line(chunk(model, {{"role", "assistant"}, {"content", reply.content}}));
  if (!reply.tool_calls.empty()) {
    json calls = json::array();
    for (std::size_t i = 0; i < reply.tool_calls.size(); ++i) {
      const auto& c = reply.tool_calls[i];
      calls.push_back({{"index", i},
                       {"id", c.id},
                       {"type", "function"},
                       {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    }
    out += data_line(chunk(model, {{"tool_calls", calls}}));
  }
  const std::string finish = reply.finish_reason.empty()
                                 ? (reply.tool_calls.empty() ? "stop" : "tool_calls")
                                 : reply.finish_reason;
  out += data_line(chunk(model, json::object(), finish));
  out += data_line({{"id", "chatcmpl-cassette"},
                    {"object", "chat.completion.chunk"},
                    {"model", model},
                    {"choices", json::array()},
                    {"usage", reply.usage.to_json()}});
  return out + "data: [DONE]\n\n";
}

json request_key(const json& messages) {
  if (!messages.is_array() || messages.empty()) return json::object();
  const json& last = messages.back();
  json key{{"last_role", last.value("role", std::string())}};
  if (key["last_role"] == "tool") {
    key["last_tool_call_id"] = last.value("tool_call_id", std::string());
  } else {
    key["last_content"] = last.contains("content") && last["content"].is_string()
                              ? last["content"].get<std::string>()
                              : std::string();
  }
  return key;
}

agent::ChatResult RecordingChatModel::complete(const agent::ChatRequest& request,
                                               const TokenSink& on_token,
                                               const agent::CancellationToken& cancel) {
  auto result = inner_->complete(request, on_token, cancel);
  json messages = json::array();
  for (const auto& m : request.messages) messages.push_back(m.to_openai());
  json response;
  if (result.ok()) {
    response = {{"status", 200},
                {"content_type", "text/event-stream"},
                {"body", to_sse(result.value(), result.value().model.empty() ? "recorded" : result.value().model)}};
  } else {
    response = {{"status", result.error().status > 0 ? result.error().status : 500},
                {"content_type", "application/json"},
                {"body", error_body(result.error().message).dump()}};
  }
  std::lock_guard lock(mutex_);
  exchanges_.push_back({{"request", request_key(messages)}, {"response", std::move(response)}});
  return result;
}

void RecordingChatModel::write(const std::filesystem::path& file, const std::string& case_id) const {
  std::lock_guard lock(mutex_);
  std::filesystem::create_directories(file.parent_path());
  const auto temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary);
    out << json{{"case", case_id}, {"model", inner_->describe()}, {"exchanges", exchanges_}}.dump(1) << "\n";
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, file);  // a crash never leaves half a cassette
}

struct CassetteServer::Impl {
  std::filesystem::path folder;
  boost::asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread accept_thread;
  std::mutex mutex;
  std::map<std::string, json> cassettes;       // case id -> exchanges
  std::map<std::string, std::size_t> cursor;   // case id -> next exchange
  std::vector<std::thread> connections;
  std::vector<int> sockets;
  bool stopping = false;

  json* cassette(const std::string& id) {
    auto found = cassettes.find(id);
    if (found != cassettes.end()) return &found->second;
    const auto file = folder / (id + ".json");
    std::ifstream in(file);
    if (!in) return nullptr;
    json document = json::parse(in, nullptr, false);
    if (document.is_discarded() || !document.contains("exchanges")) return nullptr;
    return &(cassettes[id] = document["exchanges"]);
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request) {
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    auto reply = [&](int status, const std::string& type, std::string body) {
      response.result(static_cast<http::status>(status));
      response.set(http::field::content_type, type);
      response.body() = std::move(body);
      response.prepare_payload();
      return response;
    };
    const std::string target(request.target());
    const std::string prefix = "/cassettes/";
    const std::string suffix = "/v1/chat/completions";
    if (target.rfind(prefix, 0) != 0 || target.size() <= prefix.size() + suffix.size() ||
        target.compare(target.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return reply(404, "application/json", error_body("no such path: " + target).dump());
    }
    const std::string id = target.substr(prefix.size(), target.size() - prefix.size() - suffix.size());
    std::lock_guard lock(mutex);
    json* exchanges = cassette(id);
    if (!exchanges) {
      return reply(409, "application/json",
                   error_body("no cassette for case " + id + " in " + folder.string() +
                              " (record one with --record)").dump());
    }
    auto& next = cursor[id];
    if (next >= exchanges->size()) {
      return reply(409, "application/json",
                   error_body("the cassette of " + id + " has no exchange " + std::to_string(next + 1) +
                              ": the agent made more model calls than were recorded").dump());
    }
    const json body = json::parse(request.body(), nullptr, false);
    const json key = request_key(body.is_object() ? body.value("messages", json::array()) : json());
    const json& recorded = (*exchanges)[next];
    if (key != recorded.at("request")) {
      return reply(409, "application/json",
                   error_body("exchange " + std::to_string(next + 1) + " of " + id + " differs: recorded " +
                              recorded.at("request").dump() + ", got " + key.dump()).dump());
    }
    ++next;
    const json& r = recorded.at("response");
    return reply(r.value("status", 200), r.value("content_type", "text/event-stream"),
                 r.value("body", std::string()));
  }

  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) break;
      auto response = answer(request);
      http::write(socket, response, ec);
      if (ec || !response.keep_alive()) break;
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    // Forget the descriptor before the socket closes it, so shutdown never hits a reused one.
    std::lock_guard lock(mutex);
    sockets.erase(std::remove(sockets.begin(), sockets.end(), socket.native_handle()), sockets.end());
  }
};

CassetteServer::CassetteServer(std::filesystem::path folder) : impl_(std::make_unique<Impl>()) {
  impl_->folder = std::move(folder);
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->accept_thread = std::thread([impl = impl_.get()] {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(impl->io);
      impl->acceptor.accept(socket, ec);
      std::lock_guard lock(impl->mutex);
      if (ec || impl->stopping) return;
      impl->sockets.push_back(socket.native_handle());
      impl->connections.emplace_back([impl, s = std::move(socket)]() mutable { impl->serve(std::move(s)); });
    }
  });
}

CassetteServer::~CassetteServer() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    // Wakes the blocking reads of kept-alive connections and the blocking accept.
    for (int fd : impl_->sockets) ::shutdown(fd, SHUT_RDWR);
    ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  }
  impl_->accept_thread.join();
  for (auto& t : impl_->connections) t.join();
}

std::string CassetteServer::base_url(const std::string& case_id) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->cursor[case_id] = 0;
  }
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port()) + "/cassettes/" +
         case_id + "/v1";
}

bool CassetteServer::has(const std::string& case_id) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->cassette(case_id) != nullptr;
}

}  // namespace musicagent::eval
