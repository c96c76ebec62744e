#include "understanding/understanding.hpp"

#include <chrono>

namespace musicagent::understanding {

std::shared_ptr<const Understanding> Understanding::build(
    std::shared_ptr<const Lexicon> lexicon, std::shared_ptr<const catalog::Snapshot> snapshot) {
  const auto started = std::chrono::steady_clock::now();
  auto out = std::make_shared<Understanding>();
  out->snapshot = snapshot;
  out->lexicon = lexicon;
  out->moods = std::make_shared<const MoodBook>(MoodBook::build(*lexicon, snapshot.get()));
  out->entities = std::make_shared<const EntityIndex>(snapshot, *lexicon);
  out->parser = std::make_shared<const QueryParser>(lexicon, out->moods, out->entities);
  out->build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return out;
}

std::filesystem::path lexicon_dir(const std::filesystem::path& home) {
  return home / "understanding" / "lexicons";
}

std::shared_ptr<const Understanding> UnderstandingProvider::get() {
  auto snapshot = catalog_->get();
  std::lock_guard lock(mutex_);
  if (!built_ || built_->snapshot != snapshot) built_ = Understanding::build(lexicon_, snapshot);
  return built_;
}

}  // namespace musicagent::understanding
