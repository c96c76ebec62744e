#include "scripted_http_server.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

namespace musicagent::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Embedding batches and chat histories can be large; Beast's default request limit is 1 MB.
constexpr std::uint64_t kRequestBodyLimit = 64ull * 1024 * 1024;
constexpr int kNotFound = 404;
constexpr int kInternalServerError = 500;
constexpr const char* kLoopback = "127.0.0.1";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

ScriptedResponse error_response(int status, const std::string& message) {
  ScriptedResponse response;
  response.status = status;
  response.body = nlohmann::json{{"error",
                                  {{"message", message},
                                   {"type", "invalid_request_error"},
                                   {"param", nullptr},
                                   {"code", status == kNotFound ? "not_found" : "server_error"}}}}
                      .dump();
  return response;
}

// Routes and the request log; shared by every session, called on the server thread and
// read from the test thread.
class Router {
 public:
  struct Route {
    std::vector<ScriptedResponse> responses;
    std::size_t next = 0;
    ScriptedHttpServer::Handler handler;
  };

  void set(const std::string& method, const std::string& path, Route route) {
    std::lock_guard lock(mutex_);
    routes_[{method, path}] = std::move(route);
  }

  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  ScriptedResponse respond(const RecordedRequest& request) {
    const auto path = request.target.substr(0, request.target.find('?'));
    ScriptedHttpServer::Handler handler;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      const auto found = routes_.find({request.method, path});
      if (found == routes_.end())
        return error_response(kNotFound, "no scripted response for " + request.method + " " + path);
      auto& route = found->second;
      if (!route.handler) {
        const auto index = std::min(route.next, route.responses.size() - 1);
        ++route.next;
        return route.responses[index];
      }
      handler = route.handler;
    }
    // Outside the lock, so a handler may call requests().
    try {
      return handler(request);
    } catch (const std::exception& e) {
      return error_response(kInternalServerError, std::string("handler threw: ") + e.what());
    }
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Route> routes_;
  std::vector<RecordedRequest> requests_;
};

// One connection: read a request, write the scripted reply, repeat while keep-alive holds.
// Everything runs on the single server thread, so no state here needs a lock.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Router& router)
      : stream_(std::move(socket)), router_(router), timer_(stream_.get_executor()) {}

  void run() { do_read(); }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(kRequestBodyLimit);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) return;  // the client went away or sent garbage; nothing to answer
    auto request = parser_->release();
    keep_alive_ = request.keep_alive();

    RecordedRequest recorded;
    recorded.method = std::string(request.method_string());
    recorded.target = std::string(request.target());
    recorded.body = std::move(request.body());
    for (const auto& field : request)
      recorded.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    reply_ = router_.respond(recorded);

    if (reply_.delay_before_response.count() > 0) {
      timer_.expires_after(reply_.delay_before_response);
      timer_.async_wait(beast::bind_front_handler(&Session::on_delay, shared_from_this()));
      return;
    }
    do_respond();
  }

  void on_delay(beast::error_code ec) {
    if (ec) return;
    do_respond();
  }

  template <typename Message>
  void apply_headers(Message& message, bool streamed) {
    message.result(static_cast<unsigned>(reply_.status));
    message.keep_alive(keep_alive_);
    for (const auto& [name, value] : reply_.headers) message.insert(name, value);
    if (message.find(http::field::content_type) == message.end())
      message.set(http::field::content_type, streamed ? "text/event-stream" : "application/json");
  }

  void do_respond() {
    if (reply_.chunks.empty()) return do_write_plain();
    do_write_head();
  }

  void do_write_plain() {
    plain_ = std::make_unique<http::response<http::string_body>>();
    plain_->version(11);
    apply_headers(*plain_, false);
    plain_->body() = reply_.body;
    plain_->prepare_payload();
    http::async_write(stream_, *plain_,
                      beast::bind_front_handler(&Session::on_write_done, shared_from_this()));
  }

  void do_write_head() {
    head_ = std::make_unique<http::response<http::empty_body>>();
    head_->version(11);
    apply_headers(*head_, true);
    head_->chunked(true);
    head_serializer_ = std::make_unique<http::response_serializer<http::empty_body>>(*head_);
    http::async_write_header(
        stream_, *head_serializer_,
        beast::bind_front_handler(&Session::on_write_head, shared_from_this()));
  }

  void on_write_head(beast::error_code ec, std::size_t) {
    if (ec) return;
    next_chunk_ = 0;
    do_write_chunk();
  }

  void do_write_chunk() {
    while (next_chunk_ < reply_.chunks.size() && reply_.chunks[next_chunk_].empty()) ++next_chunk_;
    if (next_chunk_ == reply_.chunks.size()) {
      if (reply_.drop_connection_after_chunks) return do_drop();
      net::async_write(stream_, http::make_chunk_last(),
                       beast::bind_front_handler(&Session::on_write_done, shared_from_this()));
      return;
    }
    net::async_write(stream_, http::make_chunk(net::buffer(reply_.chunks[next_chunk_])),
                     beast::bind_front_handler(&Session::on_write_chunk, shared_from_this()));
  }

  void on_write_chunk(beast::error_code ec, std::size_t) {
    if (ec) return;
    ++next_chunk_;
    if (next_chunk_ < reply_.chunks.size() && reply_.delay_between_chunks.count() > 0) {
      timer_.expires_after(reply_.delay_between_chunks);
      timer_.async_wait(beast::bind_front_handler(&Session::on_chunk_delay, shared_from_this()));
      return;
    }
    do_write_chunk();
  }

  void on_chunk_delay(beast::error_code ec) {
    if (ec) return;
    do_write_chunk();
  }

  void on_write_done(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive_) return do_close();
    do_read();
  }

  void do_close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  void do_drop() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  Router& router_;
  net::steady_timer timer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  ScriptedResponse reply_;
  bool keep_alive_ = false;
  std::size_t next_chunk_ = 0;
  std::unique_ptr<http::response<http::string_body>> plain_;
  std::unique_ptr<http::response<http::empty_body>> head_;
  std::unique_ptr<http::response_serializer<http::empty_body>> head_serializer_;
};

}  // namespace

ScriptedResponse reply(int status, std::string body,
                       std::vector<std::pair<std::string, std::string>> headers) {
  ScriptedResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

ScriptedResponse stream_reply(std::vector<std::string> chunks,
                              std::chrono::milliseconds delay_between_chunks) {
  ScriptedResponse response;
  response.chunks = std::move(chunks);
  response.delay_between_chunks = delay_between_chunks;
  return response;
}

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

struct ScriptedHttpServer::Impl {
  Router router;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  unsigned short port = 0;
  std::thread thread;

  void do_accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // the acceptor was closed
      // Streams are written one small chunk at a time: without this, Nagle's algorithm and
      // the client's delayed ACK add ~40 ms per reply.
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), router)->run();
      do_accept();
    });
  }
};

ScriptedHttpServer::ScriptedHttpServer() : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint endpoint(net::ip::make_address(kLoopback), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen(net::socket_base::max_listen_connections);
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->do_accept();
  impl_->thread = std::thread([impl = impl_.get()] {
    // A throwing handler must not take the test process down with std::terminate.
    while (true) {
      try {
        impl->ioc.run();
        return;
      } catch (const std::exception& e) {
        std::cerr << "ScriptedHttpServer: " << e.what() << '\n';
      }
    }
  });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  // stop() abandons pending reads, timers and writes; destroying the io_context afterwards
  // destroys their handlers, which owns and closes every session's socket.
  impl_->ioc.stop();
  impl_->thread.join();
}

std::string ScriptedHttpServer::base_url() const {
  return std::string("http://") + kLoopback + ":" + std::to_string(impl_->port);
}

unsigned short ScriptedHttpServer::port() const {
  return impl_->port;
}

void ScriptedHttpServer::script(const std::string& method, const std::string& path,
                                std::vector<ScriptedResponse> responses) {
  if (responses.empty()) throw std::invalid_argument("script() needs at least one response");
  impl_->router.set(method, path, Router::Route{std::move(responses), 0, nullptr});
}

void ScriptedHttpServer::handle(const std::string& method, const std::string& path,
                                Handler handler) {
  if (!handler) throw std::invalid_argument("handle() needs a handler");
  impl_->router.set(method, path, Router::Route{{}, 0, std::move(handler)});
}

std::vector<RecordedRequest> ScriptedHttpServer::requests() const {
  return impl_->router.requests();
}

}  // namespace musicagent::testing
