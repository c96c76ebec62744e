#include "web/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <stdexcept>
#include <thread>

#include "common/logging.hpp"
#include "http_session.hpp"
#include "server_context.hpp"
#include "websocket_session.hpp"

namespace musicagent::web {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kPollInterval{20};
// After the deadline, cancelled turns get this long to stop before the threads are stopped.
constexpr std::chrono::milliseconds kCancelGrace{3000};

// Accepts connections, each on its own strand, and hands them to an HttpSession.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(ServerContext& context, tcp::endpoint endpoint)
      : context_(context), acceptor_(net::make_strand(context.ioc)) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                               std::to_string(endpoint.port()) + ": " + ec.message());
    }
  }

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void run() { do_accept(); }
  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(context_.ioc),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }
  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      common::logger("web")->warn("accept: {}", ec.message());
    } else {
      std::make_shared<HttpSession>(std::move(socket), context_)->run();
    }
    do_accept();
  }

  ServerContext& context_;
  tcp::acceptor acceptor_;
};

int positive(const common::Environment& env, const std::string& name, int fallback) {
  const auto value = env.get(name);
  if (!value || value->empty()) return fallback;
  try {
    std::size_t used = 0;
    const int n = std::stoi(*value, &used);
    if (used == value->size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(name + " must be a non-negative whole number, not \"" + *value + "\"");
}

}  // namespace

ServerSettings ServerSettings::from_environment(const common::Environment& env) {
  ServerSettings s;
  s.host = env.get_or("MUSICAGENT_WEB_HOST", s.host);
  const int port = positive(env, "MUSICAGENT_WEB_PORT", s.port);
  if (port > 65535) throw std::invalid_argument("MUSICAGENT_WEB_PORT must be below 65536");
  s.port = static_cast<unsigned short>(port);
  s.workers = std::max(1, positive(env, "MUSICAGENT_WEB_WORKERS", s.workers));
  s.idle_timeout = std::chrono::milliseconds(
      positive(env, "MUSICAGENT_WEB_IDLE_TIMEOUT_MS", static_cast<int>(s.idle_timeout.count())));
  s.shutdown_deadline = std::chrono::milliseconds(positive(
      env, "MUSICAGENT_WEB_SHUTDOWN_DEADLINE_MS", static_cast<int>(s.shutdown_deadline.count())));
  s.max_message_bytes = static_cast<std::size_t>(positive(
      env, "MUSICAGENT_WEB_MAX_MESSAGE_BYTES", static_cast<int>(s.max_message_bytes)));
  // The agent's limit on a message, so every door refuses the same lengths.
  s.max_text_chars = static_cast<std::size_t>(
      positive(env, "MUSICAGENT_MAX_MESSAGE_CHARS", static_cast<int>(s.max_text_chars)));
  if (const auto origins = env.get("MUSICAGENT_WEB_ALLOWED_ORIGINS")) {
    std::string rest = *origins;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) s.allowed_origins.push_back(item);
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
  }
  return s;
}

struct Server::Impl {
  Impl(std::shared_ptr<const agent::AgentRuntime> runtime, ServerSettings settings)
      : context(std::move(runtime), std::move(settings)), work(net::make_work_guard(context.ioc)) {}

  ServerContext context;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;
};

Server::Server(std::shared_ptr<const agent::AgentRuntime> runtime, ServerSettings settings)
    : impl_(std::make_unique<Impl>(std::move(runtime), std::move(settings))) {}

Server::~Server() {
  if (impl_->started && !impl_->stopped) shutdown(std::chrono::milliseconds(0));
}

Metrics& Server::metrics() { return *impl_->context.metrics; }

void Server::start() {
  auto& context = impl_->context;
  beast::error_code ec;
  const auto address = net::ip::make_address(context.settings.host, ec);
  if (ec) throw std::invalid_argument("not an IP address to listen on: " + context.settings.host);
  impl_->listener = std::make_shared<Listener>(context, tcp::endpoint(address, context.settings.port));
  impl_->listener->run();
  for (int i = 0; i < std::max(1, context.settings.io_threads); ++i) {
    impl_->threads.emplace_back([&context] { context.ioc.run(); });
  }
  impl_->started = true;
  common::logger("web")->info("listening on http://{}:{} ({} I/O threads, {} workers)",
                              context.settings.host, port(), context.settings.io_threads,
                              context.settings.workers);
}

unsigned short Server::port() const { return impl_->listener ? impl_->listener->port() : 0; }

void Server::shutdown(std::chrono::milliseconds deadline) {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  auto& context = impl_->context;
  auto& metrics = *context.metrics;
  context.shutting_down = true;
  impl_->listener->stop();
  // Sockets close now when idle, or as soon as their turn has finished.
  for (const auto& session : context.live_sessions()) session->begin_shutdown();

  const auto wait_until = [&](std::chrono::steady_clock::time_point until, auto done) {
    while (!done() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(kPollInterval);
    }
    return done();
  };
  const auto start = std::chrono::steady_clock::now();
  const bool finished = wait_until(start + deadline, [&] {
    return metrics.turns_in_progress() == 0 && metrics.open_sockets() == 0;
  });
  if (!finished && metrics.turns_in_progress() > 0) {
    common::logger("web")->warn("shutdown deadline passed with {} turns running; cancelling them",
                                metrics.turns_in_progress());
    for (const auto& session : context.live_sessions()) session->cancel_turn();
  }
  wait_until(std::chrono::steady_clock::now() + kCancelGrace, [&] {
    return metrics.turns_in_progress() == 0 && metrics.open_sockets() == 0;
  });
  impl_->work.reset();
  context.ioc.stop();
  for (auto& thread : impl_->threads) thread.join();
  context.workers.join();
  common::logger("web")->info("stopped");
}

}  // namespace musicagent::web
