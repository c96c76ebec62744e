#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "server_context.hpp"

namespace musicagent::web {

// One HTTP/1.1 connection: reads a request, answers it (on the worker pool when it may
// block), and hands the socket to a WebSocketSession on an upgrade to /ws. One request at a
// time, so a client cannot queue unbounded work.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, ServerContext& context)
      : stream_(std::move(socket)), context_(&context) {}
  void run();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void send(HttpResponse response);
  void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
  void do_close();
  void fail(boost::beast::error_code ec, const char* what);

  boost::beast::tcp_stream stream_;
  ServerContext* context_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<HttpResponse> response_;  // kept alive until written
};

}  // namespace musicagent::web
