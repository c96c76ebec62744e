#include "web/origin_policy.hpp"

#include <algorithm>
#include <cctype>

namespace musicagent::web {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool OriginPolicy::allows(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return true;
  for (const auto& allowed : allowed_) {
    if (allowed == "*" || iequals(allowed, origin)) return true;
  }
  // "scheme://host[:port]" against the Host header.
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || host.empty()) return false;
  return iequals(origin.substr(scheme_end + 3), host);
}

}  // namespace musicagent::web
