#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "agent/chat_model.hpp"
#include "agent/chat_types.hpp"
#include "agent/sse_parser.hpp"

namespace musicagent::agent {

// Builds one ChatReply from a streamed chat completion: `chat.completion.chunk` objects as
// OpenAI sends them (tool-call deltas keyed by `index`, `id` and `name` on the first delta,
// `arguments` in fragments, a usage chunk with empty `choices` before `[DONE]`), and as other
// servers do instead:
//   - no `index` (Mistral): a delta with a new `id` is a new call, one without continues the
//     last call; `index` reused for several calls with different ids (Ollama, two streams);
//   - `id`, `type` and `name` repeated on every delta, or sent as "" (Hunyuan, Alibaba, GLM):
//     empty strings never overwrite, a known id continues its call;
//   - whole calls in one delta, several calls in one chunk (Groq, xAI, Doubao);
//   - usage on the finish chunk, on a chunk with choices (relays), `choices: null`;
//   - `reasoning_content` / `reasoning` deltas (not part of the answer text);
//   - no `[DONE]` before the body ends;
//   - an `event: error` or `{"error": ...}` chunk mid-stream: a ChatError with the server's
//     message;
//   - several JSON objects in one event because the blank lines between them were lost.
// Calls without an id get a generated 9-character alphanumeric one (Mistral insists on that
// form when the call is replayed); calls whose arguments are empty get "{}".
class StreamAssembler {
 public:
  StreamAssembler();

  // One SSE event; returns the answer text it adds (empty when none), to pass on as tokens.
  std::string add_event(const SseEvent& event);
  // One parsed chunk object; returns the answer text it adds.
  std::string add_chunk(const nlohmann::json& chunk);

  bool done() const { return done_; }  // [DONE] arrived
  bool failed() const { return error_.has_value(); }
  bool empty() const { return chunks_ == 0; }  // no chunk arrived yet
  const std::optional<ChatError>& error() const { return error_; }

  // The reply once the body has ended; an error when the server reported one, or when nothing
  // at all arrived.
  ChatResult finish() const;

 private:
  struct PartialCall {
    ToolCall call;
    std::optional<long> wire_index;  // the `index` the server gave it, if any
  };

  void add_tool_call_delta(const nlohmann::json& delta);
  void fail_with(const nlohmann::json& error_body, std::string_view fallback_text);

  std::string content_;
  std::vector<PartialCall> calls_;
  std::string finish_reason_;
  Usage usage_;
  std::string model_;
  std::optional<ChatError> error_;
  bool done_ = false;
  long chunks_ = 0;
  mutable std::mt19937_64 rng_;
};

// A generated tool-call id: 9 characters from [A-Za-z0-9].
std::string generate_tool_call_id(std::mt19937_64& rng);

// A non-streamed chat.completion body (or a streamed reply a server sent as one JSON object).
// An `{"error": ...}` body becomes a ChatError.
ChatResult parse_chat_completion(const nlohmann::json& body);

// What an error body says, for messages: error.message (plus OpenRouter's metadata.raw),
// error.code, error.param and error.type, from the shapes servers use ({"error": {...}},
// {"error": "..."}, vLLM's {"object": "error", "message"}, FastAPI's {"detail"}).
struct ServerError {
  std::string message;  // empty when the body said nothing readable
  std::string code;     // numbers as text ("429")
  std::string param;
  std::string type;
  long status = 0;  // a status the body itself names (error.status_code, numeric code)
};
ServerError parse_error_body(std::string_view body);
ServerError parse_server_error(const nlohmann::json& body);

// The ChatError::Kind a failed HTTP status stands for (0: not known).
ChatError::Kind kind_for_status(long status);

}  // namespace musicagent::agent
