#include "chat_command.hpp"

#include <editline/readline.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/agent_runtime.hpp"
#include "agent/offline_planner.hpp"
#include "chat_printer.hpp"
#include "common/environment.hpp"

namespace musicagent::cli {
namespace {

struct ChatFlags {
  std::string once;
  bool json = false;
  std::string conversation;
  bool list = false;
  bool timings = false;
};

constexpr const char* kHelp =
    "Ask for music in plain words: \"some upbeat jazz\", \"tell me about Radiohead\",\n"
    "\"songs like Yesterday by The Beatles\", \"artists like Daft Punk\",\n"
    "\"which genres are the most danceable?\".\n"
    "Commands: /help  /new (a new conversation)  /history (this conversation)  /quit\n"
    "Ctrl-C cancels the answer being written; Ctrl-D or /quit leaves.\n";

// The watcher thread's id, for the SIGINT handler: a handler can reach nothing but globals,
// so this is the program's one piece of global state.
std::atomic<pthread_t> interrupt_watcher_thread{0};

// Threads started before main (OpenBLAS starts its pool when the library loads) do not block
// SIGINT, so the kernel may deliver it to them; the handler passes it on to the watcher.
extern "C" void forward_interrupt(int) {
  const pthread_t watcher = interrupt_watcher_thread.load();
  if (watcher != 0) pthread_kill(watcher, SIGINT);
}

// SIGINT is blocked on our threads and waited for by one thread, which cancels the turn in
// progress (if any) or reminds how to leave; nothing else runs in signal context.
class InterruptWatcher {
 public:
  InterruptWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] { watch(); });
    interrupt_watcher_thread = thread_.native_handle();
    struct sigaction action {};
    action.sa_handler = forward_interrupt;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_);
    rl_catch_signals = 0;  // libedit would otherwise reset the terminal and re-raise
  }
  ~InterruptWatcher() {
    sigaction(SIGINT, &previous_, nullptr);
    interrupt_watcher_thread = 0;
    stop_ = true;
    thread_.join();
    pthread_sigmask(SIG_UNBLOCK, &set_, nullptr);
  }
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  void arm(agent::CancellationToken token) {
    std::lock_guard lock(mutex_);
    current_ = std::move(token);
  }
  void disarm() {
    std::lock_guard lock(mutex_);
    current_.reset();
  }

 private:
  void watch() {
    const timespec wait{0, 100'000'000};
    while (!stop_) {
      if (sigtimedwait(&set_, nullptr, &wait) != SIGINT) continue;
      std::lock_guard lock(mutex_);
      if (current_) {
        current_->cancel();
      } else {
        static constexpr char kHint[] = "\n(Ctrl-D or /quit to leave)\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, kHint, sizeof kHint - 1);
      }
    }
  }

  sigset_t set_;
  struct sigaction previous_ {};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::optional<agent::CancellationToken> current_;
  std::thread thread_;
};

void print_history(const agent::Conversation& conversation) {
  for (const auto& m : conversation.messages) {
    if (m.role == agent::Role::user) std::printf("you> %s\n", m.content.c_str());
    if (m.role == agent::Role::assistant && !m.content.empty()) {
      std::printf("musicagent> %s\n", m.content.c_str());
    }
    if (m.role == agent::Role::assistant) {
      for (const auto& call : m.tool_calls) {
        std::printf("  -> %s %s\n", call.name.c_str(), call.arguments.c_str());
      }
    }
  }
}

int list_conversations(const agent::AgentRuntime& runtime) {
  for (const auto& c : runtime.sessions->list(50)) {
    std::printf("%s  %s  %2d turns  %s\n", c.id.c_str(), c.updated_at.c_str(), c.turns,
                c.title.c_str());
  }
  return 0;
}

int run_once(const agent::AgentRuntime& runtime, const ChatFlags& flags,
             InterruptWatcher& watcher) {
  if (const auto why = runtime.agent->refusal(flags.once); !why.empty()) {
    std::fprintf(stderr, "musicagent chat: %s\n", why.c_str());
    return 2;
  }
  auto session = runtime.open(flags.conversation);
  agent::CancellationToken cancel;
  watcher.arm(cancel);
  ChatPrinter printer(stdout, false, flags.timings);
  const auto outcome = session.send(
      flags.once,
      [&](const agent::Event& event) {
        if (flags.json) {
          print_json_event(stdout, event);
        } else {
          printer(event);
        }
      },
      cancel);
  watcher.disarm();
  if (!flags.json) std::fprintf(stderr, "conversation %s\n", session.conversation().id.c_str());
  return outcome.stop_reason == "answered" ? 0 : 1;
}

int run_interactive(const agent::AgentRuntime& runtime, const ChatFlags& flags,
                    InterruptWatcher& watcher) {
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  auto session = runtime.open(flags.conversation);
  std::printf("musicagent chat, %s. /help for help.\n",
              runtime.agent->model().describe().c_str());
  if (runtime.agent->model().offline()) {
    std::printf("%s\n", agent::OfflinePlanner::offline_notice());
  }
  if (!flags.conversation.empty()) print_history(session.conversation());

  const auto history_file = (runtime.config.var_dir() / "chat_history").string();
  using_history();
  read_history(history_file.c_str());
  ChatPrinter printer(stdout, tty, flags.timings);

  for (;;) {
    std::unique_ptr<char, decltype(&std::free)> line(readline("you> "), &std::free);
    if (!line) {
      std::printf("\n");
      break;
    }
    std::string text = line.get();
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    text = text.substr(first);
    add_history(text.c_str());
    if (text == "/quit" || text == "/exit") break;
    if (text == "/help") {
      std::printf("%s", kHelp);
      continue;
    }
    if (text == "/new") {
      session = runtime.open();
      std::printf("(new conversation %s)\n", session.conversation().id.c_str());
      continue;
    }
    if (text == "/history") {
      std::printf("(conversation %s)\n", session.conversation().id.c_str());
      print_history(session.conversation());
      continue;
    }
    if (text[0] == '/') {
      std::printf("unknown command %s; /help lists them\n", text.c_str());
      continue;
    }
    if (const auto why = runtime.agent->refusal(text); !why.empty()) {
      std::printf("(not sent: %s)\n", why.c_str());
      continue;
    }
    agent::CancellationToken cancel;
    watcher.arm(cancel);
    std::printf("musicagent> ");
    std::fflush(stdout);
    session.send(text, printer, cancel);
    watcher.disarm();
  }
  write_history(history_file.c_str());
  std::printf("(conversation %s; resume with musicagent chat --conversation %s)\n",
              session.conversation().id.c_str(), session.conversation().id.c_str());
  return 0;
}

int chat(const CommandContext& context, const ChatFlags& flags) {
  // Before any other thread starts, so that every thread inherits the blocked SIGINT.
  InterruptWatcher watcher;
  agent::RuntimeOptions options;
  options.agent = agent::AgentSettings::from_environment(common::Environment::from_process());
  const auto runtime = agent::make_runtime(context.config, options);
  if (flags.list) return list_conversations(runtime);
  if (!flags.once.empty()) return run_once(runtime, flags, watcher);
  return run_interactive(runtime, flags, watcher);
}

}  // namespace

void add_chat_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ChatFlags>();
  auto* cmd = app.add_subcommand("chat", "talk with the recommender in the terminal");
  cmd->add_option("--once", flags->once, "run one turn with this message and exit");
  cmd->add_flag("--json", flags->json, "with --once: print the event stream as JSON lines");
  cmd->add_option("--conversation", flags->conversation, "resume the conversation with this id");
  cmd->add_flag("--list", flags->list, "list recent conversations");
  cmd->add_flag("--timings", flags->timings, "show model/tool calls, time and tokens per turn");
  cmd->callback([&action, flags] {
    action = [flags](const CommandContext& context) { return chat(context, *flags); };
  });
}

}  // namespace musicagent::cli
