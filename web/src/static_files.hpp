#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace musicagent::web {

struct StaticFile {
  std::string body;
  std::string content_type;
};

// The file a URL path names under `root` ("/" is index.html; no "..", no hidden files, no
// symlinks out of the folder); nullopt when there is none.
std::optional<StaticFile> read_static_file(const std::filesystem::path& root,
                                           std::string_view target);

}  // namespace musicagent::web
