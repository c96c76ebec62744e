#include "pipeline/api_response_store.hpp"

#include <cctype>

#include "common/database.hpp"

namespace musicagent::pipeline {

ApiResponseStore::ApiResponseStore(std::shared_ptr<common::ConnectionPool> database,
                                   std::string table, std::string source)
    : database_(std::move(database)), table_(std::move(table)), source_(std::move(source)) {}

std::optional<nlohmann::json> ApiResponseStore::find_fresh(const std::string& endpoint,
                                                           const std::string& request_key,
                                                           std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return std::nullopt;
  auto connection = database_->lease();
  pqxx::read_transaction tx(*connection);
  const auto rows = tx.exec_params(
      "select body::text from " + table_ +
          " where endpoint = $1 and request_key = $2 and status = 200 "
          "and fetched_at > now() - make_interval(secs => $3) "
          "order by fetched_at desc, response_id desc limit 1",
      endpoint, request_key, static_cast<double>(ttl.count()));
  if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
  return nlohmann::json::parse(rows[0][0].c_str());
}

void ApiResponseStore::land(const std::string& endpoint, const std::string& request_key,
                            long status, std::string_view body,
                            std::optional<std::int64_t> run_id) {
  auto parsed = nlohmann::json::parse(strip_utf8_bom(body), nullptr, false);
  if (parsed.is_discarded()) parsed = std::string(body);
  const auto text = parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto connection = database_->lease();
  pqxx::work tx(*connection);
  tx.exec_params("insert into " + table_ +
                     " (endpoint, request_key, status, body, _run_id, _source) "
                     "values ($1, $2, $3, $4::jsonb, $5, $6)",
                 endpoint, request_key, static_cast<int>(status), text,
                 common::NullableParam(run_id).get(), source_);
  tx.commit();
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
  }
  return out;
}

std::string_view strip_utf8_bom(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  return text;
}

}  // namespace musicagent::pipeline
