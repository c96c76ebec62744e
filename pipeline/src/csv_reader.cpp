#include "pipeline/csv_reader.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace musicagent::pipeline {
namespace {

// Large blocks keep the virtual read (and gzread's per-call overhead) off the per-byte path.
constexpr std::size_t kBlockSize = std::size_t{1} << 20;

constexpr char kUnterminatedQuote[] = "unterminated quoted field";
constexpr char kTextAfterQuote[] = "unexpected character after closing quote";

}  // namespace

CsvReader::CsvReader(std::unique_ptr<ByteSource> input, CsvOptions options)
    : input_(std::move(input)), options_(options), buffer_(kBlockSize) {}

void CsvReader::skip_bom() {
  // A source may hand out fewer bytes than asked, so keep reading until the BOM can be judged.
  while (end_ < 3 && !eof_) {
    const std::size_t got = input_->read(buffer_.data() + end_, buffer_.size() - end_);
    if (got == 0) {
      eof_ = true;
    } else {
      end_ += got;
    }
  }
  if (end_ >= 3 && std::memcmp(buffer_.data(), "\xEF\xBB\xBF", 3) == 0) {
    pos_ = 3;
    raw_mark_ = 3;
  }
}

// Moves the pending part of the record's text into `raw`, keeps the unconsumed bytes
// [pos_, end_) (at most a CR waiting for its lookahead) and appends a new block after them.
bool CsvReader::refill(std::string& raw) {
  raw.append(buffer_.data() + raw_mark_, pos_ - raw_mark_);
  const std::size_t keep = end_ - pos_;
  std::memmove(buffer_.data(), buffer_.data() + pos_, keep);
  pos_ = 0;
  raw_mark_ = 0;
  end_ = keep;
  if (eof_) return false;
  const std::size_t got = input_->read(buffer_.data() + end_, buffer_.size() - end_);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

// Called with buffer_[pos_] being LF or CR outside quotes. Returns how many bytes form the line
// end, or 0 when the CR is an ordinary character (not followed by LF).
std::size_t CsvReader::line_end_length(std::string& raw) {
  if (buffer_[pos_] == '\n') return 1;
  // A CR as the very last byte of the input is a truncated CRLF; treating it as data would
  // leave an invisible character in the last field.
  if (pos_ + 1 == end_ && !refill(raw)) return 1;
  return buffer_[pos_ + 1] == '\n' ? 2 : 0;
}

bool CsvReader::next(CsvRecord& record) {
  if (!started_) {
    skip_bom();
    started_ = true;
  }
  record.raw.clear();
  record.error.clear();
  record.line = lines_read_ + 1;
  raw_mark_ = pos_;

  std::size_t field_count = 0;
  std::string* field = nullptr;
  // Clearing instead of replacing keeps each field's capacity from the previous record.
  const auto begin_field = [&] {
    if (field_count < record.fields.size()) {
      record.fields[field_count].clear();
    } else {
      record.fields.emplace_back();
    }
    field = &record.fields[field_count++];
  };
  const auto set_error = [&](const char* message) {
    if (record.error.empty()) record.error = message;
  };
  const auto finish = [&] {
    record.fields.resize(field_count);
    return true;
  };
  // Consumes a line end of `length` bytes at pos_, leaving it out of raw.
  const auto consume_line_end = [&](std::size_t length) {
    record.raw.append(buffer_.data() + raw_mark_, pos_ - raw_mark_);
    pos_ += length;
    raw_mark_ = pos_;
    ++lines_read_;
  };

  const char delimiter = options_.delimiter;
  const bool quoting = options_.quoting;
  State state = State::field_start;

  while (true) {
    if (pos_ == end_ && !refill(record.raw)) break;
    const char c = buffer_[pos_];
    switch (state) {
      case State::field_start: {
        if (quoting && c == '"') {
          begin_field();
          state = State::quoted;
          ++pos_;
        } else if (c == delimiter) {
          begin_field();
          ++pos_;
        } else if (c == '\n' || c == '\r') {
          const std::size_t length = line_end_length(record.raw);
          if (length == 0) {
            begin_field();
            state = State::unquoted;  // the lone CR is data; the unquoted branch takes it
            field->push_back('\r');
            ++pos_;
          } else if (field_count == 0) {
            consume_line_end(length);  // blank line: counted, but no record
            record.raw.clear();
            record.line = lines_read_ + 1;
          } else {
            begin_field();  // a trailing delimiter leaves an empty last field
            consume_line_end(length);
            return finish();
          }
        } else {
          begin_field();
          state = State::unquoted;
        }
        break;
      }
      case State::unquoted: {
        std::size_t run_end = pos_;
        while (run_end < end_) {
          const char b = buffer_[run_end];
          if (b == delimiter || b == '\n' || b == '\r') break;
          ++run_end;
        }
        field->append(buffer_.data() + pos_, run_end - pos_);
        pos_ = run_end;
        if (pos_ == end_) break;
        if (buffer_[pos_] == delimiter) {
          ++pos_;
          state = State::field_start;
          break;
        }
        const std::size_t length = line_end_length(record.raw);
        if (length == 0) {
          field->push_back('\r');
          ++pos_;
          break;
        }
        consume_line_end(length);
        return finish();
      }
      case State::quoted: {
        const char* start = buffer_.data() + pos_;
        const auto* quote = static_cast<const char*>(std::memchr(start, '"', end_ - pos_));
        const char* run_end = quote != nullptr ? quote : buffer_.data() + end_;
        lines_read_ += static_cast<std::size_t>(std::count(start, run_end, '\n'));
        field->append(start, run_end);
        pos_ = static_cast<std::size_t>(run_end - buffer_.data());
        if (quote != nullptr) {
          ++pos_;
          state = State::after_closing_quote;
        }
        break;
      }
      case State::after_closing_quote: {
        if (c == '"') {  // "" is an escaped quote
          field->push_back('"');
          ++pos_;
          state = State::quoted;
        } else if (c == delimiter) {
          ++pos_;
          state = State::field_start;
        } else if (c == '\n' || c == '\r') {
          const std::size_t length = line_end_length(record.raw);
          if (length != 0) {
            consume_line_end(length);
            return finish();
          }
          set_error(kTextAfterQuote);
          field->push_back('\r');
          ++pos_;
          state = State::unquoted;
        } else {
          // Like Python's csv: keep the rest of the field literally rather than dropping data.
          set_error(kTextAfterQuote);
          state = State::unquoted;
        }
        break;
      }
    }
  }

  // End of input; refill has already moved everything consumed into raw.
  if (state == State::field_start && field_count == 0) {
    record.fields.clear();
    return false;
  }
  if (state == State::field_start) begin_field();  // trailing delimiter before end of input
  if (state == State::quoted) record.error = kUnterminatedQuote;
  // The last line lacked a line end; it still counts unless it ended inside quotes right after
  // a line break that has been counted already.
  if (!record.raw.empty() && record.raw.back() != '\n') ++lines_read_;
  return finish();
}

}  // namespace musicagent::pipeline
