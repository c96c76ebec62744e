#include "static_files.hpp"

#include <fstream>
#include <sstream>

namespace musicagent::web {
namespace {

std::string content_type(const std::filesystem::path& path) {
  const auto ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  return "application/octet-stream";
}

}  // namespace

std::optional<StaticFile> read_static_file(const std::filesystem::path& root,
                                           std::string_view target) {
  std::string path(target.substr(0, target.find_first_of("?#")));
  if (path.empty() || path.front() != '/') return std::nullopt;
  if (path.back() == '/') path += "index.html";
  if (path.find("..") != std::string::npos || path.find("/.") != std::string::npos ||
      path.find('\\') != std::string::npos || path.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  std::error_code ec;
  const auto base = std::filesystem::weakly_canonical(root, ec);
  if (ec) return std::nullopt;
  const auto file = std::filesystem::weakly_canonical(base / path.substr(1), ec);
  if (ec || !std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  const auto relative = file.lexically_relative(base);
  if (relative.empty() || *relative.begin() == "..") return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  return StaticFile{body.str(), content_type(file)};
}

}  // namespace musicagent::web
