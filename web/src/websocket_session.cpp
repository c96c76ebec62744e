#include "websocket_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "common/logging.hpp"

namespace musicagent::web {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using nlohmann::json;

namespace {

// How long a close may wait for the write in progress before the socket is simply dropped.
constexpr std::chrono::seconds kCloseGrace{5};

std::string frame_of(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

WebSocketSession::WebSocketSession(net::ip::tcp::socket&& socket,
                                   ServerContext& context)
    : ws_(std::move(socket)), context_(&context), close_timer_(ws_.get_executor()) {}

WebSocketSession::~WebSocketSession() {
  if (accepted_) context_->metrics->socket_closed();
}

void WebSocketSession::run(beast::http::request<beast::http::string_body> request) {
  const auto& settings = context_->settings;
  // The WebSocket stream keeps its own timers: no deadline on the TCP layer under it.
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = settings.handshake_timeout;
  timeouts.idle_timeout = settings.idle_timeout;
  timeouts.keep_alive_pings = true;  // a silent but live page answers pings and stays
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "musicagent");
  }));
  ws_.read_message_max(settings.max_message_bytes);
  ws_.async_accept(request, beast::bind_front_handler(&WebSocketSession::on_accept,
                                                      shared_from_this()));
}

void WebSocketSession::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "accept");
  accepted_ = true;
  context_->metrics->socket_opened();
  context_->add_session(shared_from_this());
  const auto& model = context_->runtime->agent->model();
  send(frame_of({{"type", "hello"},
                 {"model", model.describe()},
                 {"offline", model.offline()},
                 {"max_message_bytes", context_->settings.max_message_bytes}}));
  if (context_->shutting_down) {
    close_after_turn_ = true;
    do_close(websocket::close_code::going_away, "server is shutting down");
    return;
  }
  do_read();
}

void WebSocketSession::do_read() {
  ws_.async_read(buffer_,
                 beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "read");
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (!ws_.got_text()) {
    send_error("bad_frame", "binary frames are not understood; send JSON text frames");
  } else {
    handle_message(text);
  }
  if (!closing_) do_read();
}

void WebSocketSession::handle_message(const std::string& text) {
  const auto message = json::parse(text, nullptr, false);
  if (message.is_discarded()) return send_error("bad_json", "the frame is not valid JSON");
  if (!message.is_object() || !message.contains("type") || !message["type"].is_string()) {
    return send_error("bad_message", "a message is a JSON object with a string \"type\"");
  }
  const auto type = message["type"].get<std::string>();
  if (type == "cancel") {
    if (turn_running_) cancel_.cancel();
    return;
  }
  if (type == "ping") return send(frame_of({{"type", "pong"}}));
  if (type != "user_message") {
    return send_error("unknown_type", "unknown message type \"" + type +
                                          "\"; expected user_message, cancel or ping");
  }
  if (!message.contains("text") || !message["text"].is_string() ||
      message["text"].get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
    return send_error("bad_message", "user_message needs a non-empty string \"text\"");
  }
  std::string conversation_id;
  if (message.contains("conversation_id") && !message["conversation_id"].is_null()) {
    if (!message["conversation_id"].is_string()) {
      return send_error("bad_message", "\"conversation_id\" must be a string");
    }
    conversation_id = message["conversation_id"].get<std::string>();
  }
  auto user_text = message["text"].get<std::string>();
  if (user_text.size() > context_->settings.max_text_chars) {
    return send_error("too_long", "the message is longer than " +
                                      std::to_string(context_->settings.max_text_chars) +
                                      " characters");
  }
  if (close_after_turn_ || context_->shutting_down) {
    return send_error("shutting_down", "the server is shutting down; reconnect in a moment");
  }
  if (turn_running_) {
    return send_error("busy", "a turn is still running; wait for turn_end or send cancel");
  }
  start_turn(std::move(user_text), std::move(conversation_id));
}

void WebSocketSession::start_turn(std::string text, std::string conversation_id) {
  turn_running_ = true;
  cancel_ = agent::CancellationToken{};
  context_->metrics->turn_started();
  net::post(context_->workers, [self = shared_from_this(), text = std::move(text),
                                conversation_id = std::move(conversation_id),
                                cancel = cancel_] {
    const auto executor = self->ws_.get_executor();
    const agent::EventSink sink = [&self, &executor](const agent::Event& event) {
      self->context_->metrics->observe(event);
      net::post(executor, [self, frame = frame_of(agent::to_json(event))]() mutable {
        self->send(std::move(frame));
      });
    };
    try {
      if (!self->chat_ ||
          (!conversation_id.empty() && conversation_id != self->chat_->conversation().id)) {
        self->chat_.reset();
        self->chat_.emplace(self->context_->runtime->open(conversation_id));
      }
      self->chat_->send(text, sink, cancel);
    } catch (const std::invalid_argument& e) {
      sink(agent::ErrorEvent{"unknown_conversation", e.what()});
    } catch (const std::exception& e) {
      common::logger("web")->error("turn failed: {}", e.what());
      sink(agent::ErrorEvent{"internal", e.what()});
    }
    net::post(executor, [self] { self->on_turn_done(); });
  });
}

void WebSocketSession::on_turn_done() {
  turn_running_ = false;
  context_->metrics->turn_finished();
  if (close_after_turn_) do_close(websocket::close_code::going_away, "server is shutting down");
}

void WebSocketSession::begin_shutdown() {
  net::post(ws_.get_executor(), [self = shared_from_this()] {
    self->close_after_turn_ = true;
    if (!self->turn_running_) {
      self->do_close(websocket::close_code::going_away, "server is shutting down");
    }
  });
}

void WebSocketSession::cancel_turn() {
  net::post(ws_.get_executor(), [self = shared_from_this()] { self->cancel_.cancel(); });
}

void WebSocketSession::send_error(const std::string& code, const std::string& message) {
  const agent::Event event = agent::ErrorEvent{code, message};
  context_->metrics->observe(event);
  send(frame_of(agent::to_json(event)));
}

void WebSocketSession::send(std::string frame) {
  if (closing_ || pending_close_) return;
  const auto& settings = context_->settings;
  if (queue_.size() >= settings.send_queue_frames ||
      queued_bytes_ + frame.size() > settings.send_queue_bytes) {
    // A reader this slow would make the queue grow without end: drop what waits (the frame
    // being written must stay), stop the turn and close with a reason.
    context_->metrics->count_slow_reader();
    cancel_.cancel();
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back().size();
      queue_.pop_back();
    }
    do_close(websocket::close_code::policy_error, "client is not reading fast enough");
    return;
  }
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  if (!writing_ && accepted_) do_write();
}

void WebSocketSession::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front()),
                  beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (ec) return fail(ec, "write");
  queued_bytes_ -= queue_.front().size();
  queue_.pop_front();
  if (!queue_.empty()) return do_write();
  if (pending_close_ && !closing_) {
    closing_ = true;
    ws_.async_close(websocket::close_reason(pending_close_->first, pending_close_->second),
                    beast::bind_front_handler(&WebSocketSession::on_close, shared_from_this()));
  }
}

void WebSocketSession::do_close(websocket::close_code code, const std::string& reason) {
  if (closing_ || pending_close_) return;
  pending_close_.emplace(code, reason);
  // A write stuck on a peer that reads nothing must not hold the socket open for ever.
  close_timer_.expires_after(kCloseGrace);
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
  if (writing_ || !queue_.empty()) {
    if (!writing_) do_write();  // flush what is queued; on_write closes after the last frame
    return;
  }
  closing_ = true;
  ws_.async_close(websocket::close_reason(code, reason),
                  beast::bind_front_handler(&WebSocketSession::on_close, shared_from_this()));
}

void WebSocketSession::on_close(beast::error_code ec) {
  close_timer_.cancel();
  if (ec) fail(ec, "close");
}

void WebSocketSession::fail(beast::error_code ec, const char* what) {
  closing_ = true;
  cancel_.cancel();  // nobody is left to read the answer
  close_timer_.cancel();
  if (ec == net::error::operation_aborted || ec == websocket::error::closed ||
      ec == beast::error::timeout || ec == net::error::eof) {
    return;
  }
  common::logger("web")->debug("websocket {}: {}", what, ec.message());
}

}  // namespace musicagent::web
