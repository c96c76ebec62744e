#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket.hpp>

#include "common/logging.hpp"
#include "websocket_session.hpp"

namespace musicagent::web {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->body_limit(context_->settings.max_http_body_bytes);
  parser_->header_limit(kHeaderLimit);
  stream_.expires_after(context_->settings.http_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit) {
    HttpRequest stub;
    stub.version(11);
    stub.keep_alive(false);
    auto res = HttpApi::error_response(stub, 413, "too_large", "the request body is too large");
    context_->metrics->count_http_request(413);
    return send(std::move(res));
  }
  if (ec) return fail(ec, "read");
  auto request = parser_->release();

  const auto origin_field = request[http::field::origin];
  const auto host_field = request[http::field::host];
  const std::string origin(origin_field.data(), origin_field.size());
  const std::string host(host_field.data(), host_field.size());
  if (beast::websocket::is_upgrade(request)) {
    const std::string target(request.target().data(), request.target().size());
    if (target.substr(0, target.find('?')) != "/ws") {
      return send(HttpApi::error_response(request, 404, "not_found", "WebSockets live at /ws"));
    }
    if (!context_->origins.allows(origin, host)) {
      common::logger("web")->info("refused a WebSocket from origin {}", origin);
      auto res = HttpApi::error_response(request, 403, "forbidden_origin",
                                         "this origin may not open the chat socket");
      res.keep_alive(false);
      return send(std::move(res));
    }
    stream_.expires_never();
    std::make_shared<WebSocketSession>(stream_.release_socket(), *context_)
        ->run(std::move(request));
    return;
  }
  const auto method = request.method();
  if (method != http::verb::get && method != http::verb::head &&
      !context_->origins.allows(origin, host)) {
    return send(HttpApi::error_response(request, 403, "forbidden_origin",
                                        "cross-origin requests to the API are not allowed"));
  }
  if (!HttpApi::needs_worker(request)) return send(context_->api.handle(request));
  // Off the I/O threads; the answer comes back to this connection's strand.
  stream_.expires_never();
  net::post(context_->workers, [self = shared_from_this(), request = std::move(request)] {
    auto res = self->context_->api.handle(request);
    net::post(self->stream_.get_executor(),
              [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
  });
}

void HttpSession::send(HttpResponse response) {
  const bool close = response.need_eof();
  response_ = std::make_shared<HttpResponse>(std::move(response));
  stream_.expires_after(context_->settings.http_timeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
}

void HttpSession::on_write(bool close, beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "write");
  response_.reset();
  if (close || context_->shutting_down) return do_close();
  do_read();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
}

void HttpSession::fail(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
      ec == net::error::eof || ec == net::error::connection_reset) {
    return;
  }
  common::logger("web")->debug("http {}: {}", what, ec.message());
}

}  // namespace musicagent::web
