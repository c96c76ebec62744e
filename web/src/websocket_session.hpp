#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/cancellation.hpp"
#include "agent/chat_session.hpp"
#include "server_context.hpp"

namespace musicagent::web {

// One chat page over a WebSocket: reads client messages, runs each user message as an agent
// turn on the worker pool, and sends the turn's events back as JSON text frames through a
// bounded write queue (one write outstanding; a reader too slow for the queue is closed).
// Everything but the turn itself runs on the connection's strand.
class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(boost::asio::ip::tcp::socket&& socket, ServerContext& context);
  ~WebSocketSession();

  void run(boost::beast::http::request<boost::beast::http::string_body> request);
  // From any thread: no new turns; close once the running turn (if any) is done.
  void begin_shutdown();
  // From any thread: cancel the running turn (shutdown deadline passed).
  void cancel_turn();

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle_message(const std::string& text);
  void start_turn(std::string text, std::string conversation_id);
  void on_turn_done();
  void send_error(const std::string& code, const std::string& message);
  void send(std::string frame);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_close(boost::beast::websocket::close_code code, const std::string& reason);
  void on_close(boost::beast::error_code ec);
  void fail(boost::beast::error_code ec, const char* what);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  ServerContext* context_;  // owned by the Server, which outlives every session
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool accepted_ = false;
  bool closing_ = false;       // a close was started (or the socket failed)
  bool close_after_turn_ = false;
  std::optional<std::pair<boost::beast::websocket::close_code, std::string>> pending_close_;
  bool turn_running_ = false;
  agent::CancellationToken cancel_;
  boost::asio::steady_timer close_timer_;
  // Touched only by the worker running this socket's turn (one at a time).
  std::optional<agent::ChatSession> chat_;
};

}  // namespace musicagent::web
