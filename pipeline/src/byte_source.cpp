#include "pipeline/byte_source.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

namespace musicagent::pipeline {
namespace {

struct GzCloser {
  void operator()(gzFile file) const noexcept {
    // Nothing useful can be done about a close error on a read-only handle.
    gzclose(file);
  }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

class GzFileSource final : public ByteSource {
 public:
  GzFileSource(GzHandle file, std::filesystem::path path)
      : file_(std::move(file)), path_(std::move(path)) {}

  std::size_t read(char* buf, std::size_t n) override {
    // gzread takes an unsigned count and returns int, so one call can move at most INT_MAX bytes.
    const auto chunk = static_cast<unsigned>(std::min<std::size_t>(n, INT_MAX));
    const int got = gzread(file_.get(), buf, chunk);
    if (got < 0) {
      int errnum = 0;
      const char* message = gzerror(file_.get(), &errnum);
      std::string reason = errnum == Z_ERRNO ? std::strerror(errno) : std::string(message);
      throw ByteSourceError("error reading '" + path_.string() + "': " + reason);
    }
    return static_cast<std::size_t>(got);
  }

 private:
  GzHandle file_;
  std::filesystem::path path_;
};

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string text) : text_(std::move(text)) {}

  std::size_t read(char* buf, std::size_t n) override {
    const std::size_t count = std::min(n, text_.size() - offset_);
    std::memcpy(buf, text_.data() + offset_, count);
    offset_ += count;
    return count;
  }

 private:
  std::string text_;
  std::size_t offset_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> open_file_source(const std::filesystem::path& path) {
  errno = 0;
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) {
    // gzopen leaves errno set for system errors; 0 means zlib itself failed (e.g. out of memory).
    const std::string reason = errno != 0 ? std::strerror(errno) : "gzopen failed";
    throw ByteSourceError("cannot open '" + path.string() + "': " + reason);
  }
  // zlib's default 8 KiB buffer makes decompression of large files noticeably slower.
  gzbuffer(file.get(), 1U << 20);
  return std::make_unique<GzFileSource>(std::move(file), path);
}

std::unique_ptr<ByteSource> string_source(std::string text) {
  return std::make_unique<StringSource>(std::move(text));
}

}  // namespace musicagent::pipeline
