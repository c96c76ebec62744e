#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace musicagent::testing {

struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type defaults to JSON
  std::string body;
  // When non-empty, the body is ignored and these are sent with chunked transfer encoding,
  // one chunk per write (for SSE streams); empty strings are skipped, since a zero-length
  // chunk would end the body.
  std::vector<std::string> chunks;
  std::chrono::milliseconds delay_between_chunks{0};
  bool drop_connection_after_chunks = false;  // close the socket instead of ending the body
  std::chrono::milliseconds delay_before_response{0};
};

// Builders, since GCC 12 warns about designated initializers that leave members out.
ScriptedResponse reply(int status, std::string body = {},
                       std::vector<std::pair<std::string, std::string>> headers = {});
ScriptedResponse stream_reply(std::vector<std::string> chunks,
                              std::chrono::milliseconds delay_between_chunks = {});

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // First header with this name, compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
};

// A real HTTP/1.1 server on 127.0.0.1 with an ephemeral port, standing in for the outside
// world (OpenAI-compatible endpoints, Spotify, Last.fm) so the real client code runs. It
// serves any number of keep-alive connections at once on its own thread; the destructor
// stops it promptly even while clients are connected or replies are delayed.
class ScriptedHttpServer {
 public:
  using Handler = std::function<ScriptedResponse(const RecordedRequest&)>;

  ScriptedHttpServer();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT"
  unsigned short port() const;

  // Routes match the method and the path without its query string, and replace any earlier
  // route for the same pair. Scripted responses are served in order and the last one repeats;
  // a handler computes each reply (it runs on the server thread). Unknown routes get a 404
  // with an OpenAI-style JSON error body.
  void script(const std::string& method, const std::string& path,
              std::vector<ScriptedResponse> responses);
  void handle(const std::string& method, const std::string& path, Handler handler);

  // Every request received so far, in arrival order (a thread-safe copy).
  std::vector<RecordedRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace musicagent::testing
