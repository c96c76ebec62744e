#include "agent/stream_assembler.hpp"

#include <algorithm>
#include <array>

namespace musicagent::agent {
namespace {

constexpr std::string_view kDoneMarker = "[DONE]";
constexpr std::size_t kGeneratedIdLength = 9;
constexpr std::size_t kMaxQuotedChars = 300;
constexpr std::string_view kIdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr long kUnauthorized = 401;
constexpr long kForbidden = 403;
constexpr long kNotFound = 404;
constexpr long kRequestTimeout = 408;
constexpr long kTooManyRequests = 429;
constexpr long kFirstClientError = 400;
constexpr long kFirstServerError = 500;
constexpr long kLastServerError = 599;

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

std::string quote(std::string_view text) {
  text = trim(text);
  if (text.size() <= kMaxQuotedChars) return std::string(text);
  return std::string(text.substr(0, kMaxQuotedChars)) + "...";
}

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

std::string string_member(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// A string, or a number written as text (OpenRouter sends error.code as 429).
std::string text_member(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_number_integer()) return value->dump();
  return {};
}

long long_member(const nlohmann::json& object, const char* key) {
  const auto* value = member(object, key);
  if (value == nullptr || !value->is_number()) return 0;
  return value->is_number_float() ? static_cast<long>(value->get<double>()) : value->get<long>();
}

// Message content: a string, or an array of parts ({"type": "text", "text"}).
std::string content_text(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string text;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_string())
        text += part.get<std::string>();
      else
        text += string_member(part, "text");
    }
  }
  return text;
}

// Arguments are JSON text; a few servers send the object itself.
std::string arguments_text(const nlohmann::json& function) {
  const auto* arguments = member(function, "arguments");
  if (arguments == nullptr) return {};
  if (arguments->is_string()) return arguments->get<std::string>();
  return arguments->dump();
}

std::optional<Usage> parse_usage(const nlohmann::json& chunk) {
  const nlohmann::json* usage = member(chunk, "usage");
  if (usage == nullptr || !usage->is_object()) {
    // Groq repeats it under x_groq; use that when the top level has none.
    const auto* groq = member(chunk, "x_groq");
    usage = groq != nullptr ? member(*groq, "usage") : nullptr;
  }
  if (usage == nullptr || !usage->is_object()) return std::nullopt;
  Usage parsed;
  parsed.prompt_tokens = member(*usage, "prompt_tokens") != nullptr
                             ? long_member(*usage, "prompt_tokens")
                             : long_member(*usage, "input_tokens");
  parsed.completion_tokens = member(*usage, "completion_tokens") != nullptr
                                 ? long_member(*usage, "completion_tokens")
                                 : long_member(*usage, "output_tokens");
  parsed.total_tokens = member(*usage, "total_tokens") != nullptr
                            ? long_member(*usage, "total_tokens")
                            : parsed.prompt_tokens + parsed.completion_tokens;
  return parsed;
}

ChatError::Kind kind_for_server_error(const ServerError& error) {
  if (error.status != 0) return kind_for_status(error.status);
  if (error.code == "rate_limit_exceeded") return ChatError::Kind::rate_limited;
  if (error.code == "model_not_found") return ChatError::Kind::model_not_found;
  if (error.code == "invalid_api_key") return ChatError::Kind::auth;
  if (error.type == "invalid_request_error") return ChatError::Kind::bad_request;
  return ChatError::Kind::server;
}

std::string describe_server_error(const ServerError& error, std::string_view fallback) {
  std::string text = error.message.empty() ? std::string(fallback) : error.message;
  if (!error.code.empty() && text.find(error.code) == std::string::npos)
    text += " [" + error.code + "]";
  return text;
}

// Ids must be unique within a reply; the agent loop answers each call by its id.
void complete_calls(std::vector<ToolCall>& calls, std::mt19937_64& rng) {
  for (auto& call : calls) {
    if (call.arguments.empty()) call.arguments = "{}";
    if (!call.id.empty()) continue;
    std::string id;
    do {
      id = generate_tool_call_id(rng);
    } while (std::any_of(calls.begin(), calls.end(),
                         [&](const ToolCall& other) { return other.id == id; }));
    call.id = std::move(id);
  }
}

std::mt19937_64 seeded_rng() {
  std::random_device device;
  return std::mt19937_64((static_cast<std::uint64_t>(device()) << 32) ^ device());
}

}  // namespace

std::string generate_tool_call_id(std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> pick(0, kIdAlphabet.size() - 1);
  std::string id(kGeneratedIdLength, ' ');
  for (auto& c : id) c = kIdAlphabet[pick(rng)];
  return id;
}

ChatError::Kind kind_for_status(long status) {
  if (status == kUnauthorized || status == kForbidden) return ChatError::Kind::auth;
  if (status == kNotFound) return ChatError::Kind::model_not_found;
  if (status == kTooManyRequests) return ChatError::Kind::rate_limited;
  if (status == kRequestTimeout) return ChatError::Kind::timeout;
  if (status >= kFirstServerError && status <= kLastServerError) return ChatError::Kind::server;
  if (status >= kFirstClientError && status < kFirstServerError)
    return ChatError::Kind::bad_request;
  return ChatError::Kind::bad_response;
}

ServerError parse_server_error(const nlohmann::json& body) {
  ServerError parsed;
  if (!body.is_object()) return parsed;
  const nlohmann::json* error = member(body, "error");
  if (error != nullptr && error->is_string()) {
    parsed.message = error->get<std::string>();
    return parsed;
  }
  // vLLM and some proxies put the fields at the top level ({"object": "error", ...}).
  if (error == nullptr || !error->is_object()) error = &body;
  parsed.message = string_member(*error, "message");
  if (const auto* metadata = member(*error, "metadata")) {
    const auto raw = string_member(*metadata, "raw");
    if (!raw.empty()) parsed.message += (parsed.message.empty() ? "" : ": ") + raw;
  }
  parsed.code = text_member(*error, "code");
  parsed.param = string_member(*error, "param");
  parsed.type = string_member(*error, "type");
  parsed.status = long_member(*error, "status_code");
  if (parsed.status == 0) {
    if (const auto* code = member(*error, "code"); code != nullptr && code->is_number_integer())
      parsed.status = code->get<long>();
  }
  if (parsed.message.empty()) {
    if (const auto* detail = member(body, "detail"))
      parsed.message = detail->is_string() ? detail->get<std::string>() : quote(detail->dump());
  }
  return parsed;
}

ServerError parse_error_body(std::string_view body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    auto error = parse_server_error(parsed);
    if (!error.message.empty()) return error;
  }
  ServerError error;
  error.message = quote(body);
  return error;
}

StreamAssembler::StreamAssembler() : rng_(seeded_rng()) {}

std::string StreamAssembler::add_event(const SseEvent& event) {
  if (done_ || failed()) return {};
  const auto data = trim(event.data);
  if (data == kDoneMarker) {
    done_ = true;
    return {};
  }
  if (event.event == "error") {
    const auto body = nlohmann::json::parse(data, nullptr, false);
    fail_with(body.is_discarded() ? nlohmann::json() : body, data);
    return {};
  }
  if (data.empty()) return {};
  const auto chunk = nlohmann::json::parse(data, nullptr, false);
  if (!chunk.is_discarded()) return add_chunk(chunk);

  // Several objects in one event: the blank lines between `data:` lines were lost (pasted
  // transcripts, careless proxies). Each line then holds one chunk.
  std::string text;
  std::string_view rest = data;
  while (!rest.empty() && !failed()) {
    const auto newline = rest.find('\n');
    const auto line = trim(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (line.empty()) continue;
    if (line == kDoneMarker) {
      done_ = true;
      break;
    }
    const auto part = nlohmann::json::parse(line, nullptr, false);
    if (part.is_discarded()) {
      error_ = ChatError{ChatError::Kind::bad_response,
                         "the model server sent an event that is not JSON: " + quote(line), 0};
      break;
    }
    text += add_chunk(part);
  }
  return text;
}

std::string StreamAssembler::add_chunk(const nlohmann::json& chunk) {
  if (done_ || failed()) return {};
  ++chunks_;
  if (!chunk.is_object()) {
    error_ = ChatError{
        ChatError::Kind::bad_response,
        "the model server sent a chunk that is not a JSON object: " + quote(chunk.dump()), 0};
    return {};
  }
  if (member(chunk, "error") != nullptr || string_member(chunk, "object") == "error") {
    fail_with(chunk, "");
    return {};
  }
  if (model_.empty()) model_ = string_member(chunk, "model");
  if (auto usage = parse_usage(chunk)) usage_ = *usage;

  std::string text;
  const auto* choices = member(chunk, "choices");
  if (choices == nullptr || !choices->is_array()) return text;
  for (const auto& choice : *choices) {
    // Only the first choice (n=1); servers that number choices number it 0.
    if (long_member(choice, "index") != 0) continue;
    if (const auto* delta = member(choice, "delta"); delta != nullptr && delta->is_object()) {
      if (const auto* content = member(*delta, "content")) text += content_text(*content);
      text += string_member(*delta, "refusal");
      // reasoning_content / reasoning are the model's thinking, not its answer: skipped.
      if (const auto* calls = member(*delta, "tool_calls"); calls != nullptr && calls->is_array())
        for (const auto& call : *calls) add_tool_call_delta(call);
    }
    const auto finish = string_member(choice, "finish_reason");
    if (!finish.empty()) finish_reason_ = finish;
  }
  content_ += text;
  return text;
}

void StreamAssembler::add_tool_call_delta(const nlohmann::json& delta) {
  if (!delta.is_object()) return;
  const auto id = string_member(delta, "id");
  std::optional<long> wire_index;
  if (const auto* index = member(delta, "index"); index != nullptr && index->is_number_integer())
    wire_index = index->get<long>();
  const nlohmann::json* function = member(delta, "function");
  const auto name = function != nullptr ? string_member(*function, "name") : std::string();
  const auto arguments = function != nullptr ? arguments_text(*function) : std::string();

  const auto last_with_index = [&]() -> PartialCall* {
    for (auto it = calls_.rbegin(); it != calls_.rend(); ++it)
      if (it->wire_index == wire_index) return &*it;
    return nullptr;
  };

  PartialCall* target = nullptr;
  if (!id.empty()) {
    // A known id continues its call (ids repeated on every delta); a new id is a new call,
    // even at an index already used.
    for (auto& partial : calls_)
      if (partial.call.id == id) target = &partial;
    if (target == nullptr && wire_index) {
      // A call that started without an id and learns it now.
      if (auto* candidate = last_with_index(); candidate != nullptr && candidate->call.id.empty())
        target = candidate;
    }
  } else if (wire_index) {
    target = last_with_index();
  } else if (!calls_.empty()) {
    target = &calls_.back();
  }
  if (target == nullptr) {
    calls_.push_back(PartialCall{ToolCall{}, wire_index});
    target = &calls_.back();
  }

  if (target->call.id.empty()) target->call.id = id;
  if (target->call.name.empty()) target->call.name = name;
  // A server that repeats a finished call whole (same id, same arguments) must not double it.
  if (!arguments.empty() && arguments == target->call.arguments) {
    const auto parsed = nlohmann::json::parse(arguments, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) return;
  }
  target->call.arguments += arguments;
}

void StreamAssembler::fail_with(const nlohmann::json& error_body, std::string_view fallback_text) {
  const auto parsed = parse_server_error(error_body);
  ChatError error;
  error.kind = kind_for_server_error(parsed);
  error.status = parsed.status;
  error.message =
      "the model server reported an error mid-stream: " +
      describe_server_error(parsed, fallback_text.empty() ? std::string_view("no details")
                                                          : std::string_view(quote(fallback_text)));
  error_ = std::move(error);
}

ChatResult StreamAssembler::finish() const {
  if (error_) return *error_;
  if (chunks_ == 0) {
    return ChatError{ChatError::Kind::bad_response,
                     "the model server ended the stream without sending a reply", 0};
  }
  ChatReply reply;
  reply.content = content_;
  for (const auto& partial : calls_) {
    // A fragment that never got a name or arguments is noise, not a call.
    if (partial.call.name.empty() && partial.call.arguments.empty()) continue;
    reply.tool_calls.push_back(partial.call);
  }
  complete_calls(reply.tool_calls, rng_);
  reply.finish_reason = finish_reason_;
  reply.usage = usage_;
  reply.model = model_;
  return reply;
}

ChatResult parse_chat_completion(const nlohmann::json& body) {
  if (!body.is_object()) {
    return ChatError{ChatError::Kind::bad_response,
                     "the model server's reply is not a JSON object: " + quote(body.dump()), 0};
  }
  if (member(body, "error") != nullptr || string_member(body, "object") == "error") {
    const auto parsed = parse_server_error(body);
    return ChatError{
        kind_for_server_error(parsed),
        "the model server reported an error: " + describe_server_error(parsed, "no details"),
        parsed.status};
  }
  const auto* choices = member(body, "choices");
  if (choices == nullptr || !choices->is_array() || choices->empty()) {
    return ChatError{ChatError::Kind::bad_response,
                     "the model server's reply has no choices: " + quote(body.dump()), 0};
  }
  const nlohmann::json* choice = &choices->front();
  for (const auto& candidate : *choices)
    if (long_member(candidate, "index") == 0) {
      choice = &candidate;
      break;
    }
  ChatReply reply;
  if (const auto* message = member(*choice, "message"); message != nullptr) {
    if (const auto* content = member(*message, "content")) reply.content = content_text(*content);
    reply.content += string_member(*message, "refusal");
    if (const auto* calls = member(*message, "tool_calls"); calls != nullptr && calls->is_array()) {
      for (const auto& call : *calls) {
        ToolCall parsed;
        parsed.id = string_member(call, "id");
        if (const auto* function = member(call, "function")) {
          parsed.name = string_member(*function, "name");
          parsed.arguments = arguments_text(*function);
        }
        if (parsed.name.empty() && parsed.arguments.empty()) continue;
        reply.tool_calls.push_back(std::move(parsed));
      }
    }
  }
  auto rng = seeded_rng();
  complete_calls(reply.tool_calls, rng);
  reply.finish_reason = string_member(*choice, "finish_reason");
  if (auto usage = parse_usage(body)) reply.usage = *usage;
  reply.model = string_member(body, "model");
  return reply;
}

}  // namespace musicagent::agent
