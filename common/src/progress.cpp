#include "common/progress.hpp"

#include <unistd.h>

namespace musicagent::common {
namespace {
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

Progress::Progress(std::string label, std::uint64_t total, bool enabled, std::FILE* out)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      interactive_(enabled && isatty(fileno(out)) != 0),
      out_(out),
      started_(std::chrono::steady_clock::now()),
      last_draw_(started_) {
  if (enabled_ && !interactive_) std::fprintf(out_, "%s ...\n", label_.c_str());
}

Progress::~Progress() {
  if (enabled_ && interactive_ && !finished_) std::fprintf(out_, "\n");
}

void Progress::update(std::uint64_t done) {
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  if (total_ > 0) {
    std::fprintf(out_, "\r\033[K%s  %llu/%llu (%.0f%%)", label_.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 100.0 * static_cast<double>(done) / static_cast<double>(total_));
  } else {
    std::fprintf(out_, "\r\033[K%s  %llu", label_.c_str(), static_cast<unsigned long long>(done));
  }
  std::fflush(out_);
}

void Progress::finish(const std::string& summary) {
  finished_ = true;
  if (!enabled_) return;
  if (interactive_) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "%s  %s (%.2f s)\n", label_.c_str(), summary.c_str(), seconds_since(started_));
  std::fflush(out_);
}

}  // namespace musicagent::common
