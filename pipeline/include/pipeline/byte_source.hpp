#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace musicagent::pipeline {

// Raised when a file cannot be opened or read; the message names the file.
class ByteSourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into buf; returns 0 at end of input. Throws std::runtime_error on I/O
  // error.
  virtual std::size_t read(char* buf, std::size_t n) = 0;
};

// Opens a plain or gzip-compressed file (zlib's gzopen/gzread read both transparently).
// Throws ByteSourceError if it cannot be opened, naming the path.
std::unique_ptr<ByteSource> open_file_source(const std::filesystem::path& path);

// For tests and in-memory input.
std::unique_ptr<ByteSource> string_source(std::string text);

}  // namespace musicagent::pipeline
