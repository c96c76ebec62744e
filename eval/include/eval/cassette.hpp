#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/chat_model.hpp"

namespace musicagent::eval {

// A cassette holds one case's model exchanges in the chat-completions wire format, so a replay
// runs the real HTTP client. eval/cassettes/<case-id>.json:
//   {"case": ID, "model": "...", "exchanges": [{"request": {"last_role", "last_content" |
//    "last_tool_call_id"}, "response": {"status": 200, "content_type": "text/event-stream",
//    "body": "data: {...}\n\n...data: [DONE]\n\n"}}]}

// A reply as a chat-completions SSE stream: content, tool calls, finish reason, usage, [DONE].
std::string to_sse(const agent::ChatReply& reply, const std::string& model);

// What identifies a request: the role and text (or tool_call_id) of its last message.
nlohmann::json request_key(const nlohmann::json& openai_messages);

// Wraps a model and keeps every exchange; write() saves them as a cassette.
class RecordingChatModel : public agent::ChatModel {
 public:
  explicit RecordingChatModel(std::shared_ptr<agent::ChatModel> inner) : inner_(std::move(inner)) {}
  std::string describe() const override { return inner_->describe(); }
  bool offline() const override { return inner_->offline(); }
  agent::ChatResult complete(const agent::ChatRequest& request, const TokenSink& on_token,
                             const agent::CancellationToken& cancel) override;
  void write(const std::filesystem::path& file, const std::string& case_id) const;

 private:
  std::shared_ptr<agent::ChatModel> inner_;
  mutable std::mutex mutex_;
  nlohmann::json exchanges_ = nlohmann::json::array();
};

// Serves cassettes over HTTP on 127.0.0.1: POST /cassettes/<case-id>/v1/chat/completions
// answers with the case's next recorded response when the request's last message matches
// the recorded one, else 409 with an OpenAI-style error saying what differs. Runs on its own
// threads until destroyed.
class CassetteServer {
 public:
  explicit CassetteServer(std::filesystem::path folder);
  ~CassetteServer();
  CassetteServer(const CassetteServer&) = delete;
  CassetteServer& operator=(const CassetteServer&) = delete;

  // The OPENAI_BASE_URL for one case; rewinds that case's cassette.
  std::string base_url(const std::string& case_id);
  bool has(const std::string& case_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace musicagent::eval
