#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace musicagent::common {

// The process environment merged with a `.env` file: variables already set in the
// environment win, so a shell `export` always overrides the file.
class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  // Reads `environ`, then fills gaps from `dotenv_path` when that file exists.
  static Environment from_process(const std::filesystem::path& dotenv_path = ".env");

  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }

 private:
  std::map<std::string, std::string> values_;
};

// Parses KEY=VALUE lines (optional `export `, quotes, `#` comments). Malformed lines are
// reported with their line number rather than skipped silently.
std::map<std::string, std::string> parse_dotenv(const std::string& text);

}  // namespace musicagent::common
