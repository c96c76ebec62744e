#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace musicagent::pipeline {

struct FileChecksum {
  std::string sha256_hex;
  std::uint64_t bytes = 0;
};

// SHA-256 of the file's bytes as stored (compressed files are hashed compressed).
FileChecksum checksum_file(const std::filesystem::path& path);

}  // namespace musicagent::pipeline
