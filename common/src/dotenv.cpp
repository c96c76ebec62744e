#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/environment.hpp"

extern char** environ;

namespace musicagent::common {
namespace {

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  const auto end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

std::string unquote(const std::string& value, std::size_t line_number) {
  if (value.empty() || value.front() == '#') return {};  // nothing, or only a comment
  const char quote = value.front();
  if (quote != '"' && quote != '\'') {
    // An unquoted value may carry a trailing comment.
    const auto hash = value.find(" #");
    return trim(hash == std::string::npos ? value : value.substr(0, hash));
  }
  std::string inner;
  std::size_t i = 1;
  for (; i < value.size() && value[i] != quote; ++i) {
    // Double quotes allow backslash escapes, so an escaped quote does not close the value.
    if (quote == '"' && value[i] == '\\' && i + 1 < value.size()) {
      const char next = value[++i];
      inner += next == 'n' ? '\n' : next;
    } else {
      inner += value[i];
    }
  }
  if (i >= value.size()) {
    throw std::runtime_error(".env line " + std::to_string(line_number) +
                             ": unterminated quoted value");
  }
  const std::string rest = trim(value.substr(i + 1));
  if (!rest.empty() && rest.front() != '#') {
    throw std::runtime_error(".env line " + std::to_string(line_number) +
                             ": unexpected text after the closing quote");
  }
  return inner;
}

}  // namespace

std::map<std::string, std::string> parse_dotenv(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::runtime_error(".env line " + std::to_string(line_number) +
                               ": expected KEY=VALUE, got '" + line + "'");
    }
    values[trim(line.substr(0, eq))] = unquote(trim(line.substr(eq + 1)), line_number);
  }
  return values;
}

Environment Environment::from_process(const std::filesystem::path& dotenv_path) {
  std::map<std::string, std::string> values;
  std::error_code ec;
  if (std::filesystem::is_regular_file(dotenv_path, ec)) {
    std::ifstream file(dotenv_path);
    std::stringstream buffer;
    buffer << file.rdbuf();
    values = parse_dotenv(buffer.str());
  }
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string pair(*entry);
    const auto eq = pair.find('=');
    if (eq != std::string::npos) values[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return Environment(std::move(values));
}

std::optional<std::string> Environment::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string Environment::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

}  // namespace musicagent::common
