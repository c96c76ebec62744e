#include "pipeline/copy_writer.hpp"

#include <pqxx/tablewriter>

namespace musicagent::pipeline {
namespace {
constexpr std::size_t kFlushBytes = 1 << 20;
}

// libpqxx 6.4 keeps stream_to's raw-line writer private; tablewriter is the public way to
// send COPY text we escaped ourselves. It is marked deprecated, hence the pragma.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct CopyWriter::Impl {
  Impl(pqxx::transaction_base& tx, const std::string& table,
       const std::vector<std::string>& columns)
      : writer(tx, table, columns.begin(), columns.end()) {}
  pqxx::tablewriter writer;
};

CopyWriter::CopyWriter(pqxx::transaction_base& tx, const std::string& table,
                       const std::vector<std::string>& columns)
    : impl_(std::make_unique<Impl>(tx, table, columns)) {
  buffer_.reserve(kFlushBytes + 4096);
}
#pragma GCC diagnostic pop

CopyWriter::~CopyWriter() = default;

void CopyWriter::write_line(std::string_view line) {
  buffer_.append(line);
  buffer_ += '\n';
  if (buffer_.size() >= kFlushBytes) flush();
}

void CopyWriter::flush() {
  if (buffer_.empty()) return;
  // tablewriter adds the final line end itself; the server reads the block as many rows.
  buffer_.pop_back();
  impl_->writer.write_raw_line(buffer_);
  buffer_.clear();
}

void CopyWriter::complete() {
  flush();
  impl_->writer.complete();
}

}  // namespace musicagent::pipeline
