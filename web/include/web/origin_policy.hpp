#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace musicagent::web {

// Which browser origins may open the WebSocket or call the API: the server's own host (the
// Origin's host:port equals the Host header) and any listed origin ("*" allows all). A request
// without an Origin header (curl, scripts) is not a cross-site browser request and passes.
class OriginPolicy {
 public:
  explicit OriginPolicy(std::vector<std::string> allowed = {}) : allowed_(std::move(allowed)) {}
  bool allows(std::string_view origin, std::string_view host) const;

 private:
  std::vector<std::string> allowed_;
};

}  // namespace musicagent::web
