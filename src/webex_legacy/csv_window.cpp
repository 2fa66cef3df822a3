// SPDX-License-Identifier: Apache-2.0
// detail::CsvWindowFilter: byte-exact window filtering of a streamed v1 CSV response (see csv_window.hpp).

#include "webex_legacy/csv_window.hpp"

#include <charconv>
#include <limits>
#include <vector>

namespace ccrec::webex_legacy::detail {

namespace {

std::optional<std::int64_t> ParseCstts(std::string const& field) {
  std::int64_t value = 0;
  char const* first = field.data();
  char const* last = field.data() + field.size();
  if (first == last) return std::nullopt;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return value;
}

}  // namespace

CsvWindowFilter::CsvWindowFilter(std::int64_t begin_ms, std::int64_t end_ms, std::int64_t sent_begin_ms, CsvOptions const& options,
               std::uint64_t max_body_bytes)
    : begin_ms_(begin_ms),
      end_ms_(end_ms),
      sent_begin_ms_(sent_begin_ms),
      parser_(options),
      // The raw bytes of a record are its content (bounded by the parser), a byte-order mark (3)
      // and the line-break byte being looked at (1).
      max_raw_bytes_(options.max_record_bytes > std::numeric_limits<std::size_t>::max() - 4 ? options.max_record_bytes
                                                                                             : options.max_record_bytes + 4),
      max_body_bytes_(max_body_bytes),
      strays_(sent_begin_ms, end_ms) {}

Result<void> CsvWindowFilter::TooLong() {
  // More raw bytes than any acceptable record: the parser, given them, fails with the record's
  // number and CsvOptions::max_record_bytes (or with an earlier syntax error).
  if (auto fed = parser_.Feed(raw_); !fed) return fed;
  return MakeError(ErrorCode::kParse, "a CSV record is longer than " + std::to_string(max_raw_bytes_) +
                                          " bytes (CsvOptions::max_record_bytes)");
}

Result<void> CsvWindowFilter::Feed(std::string_view data, std::string& out) {
  body_bytes_ += data.size();
  if (body_bytes_ > max_body_bytes_) {
    return MakeError(ErrorCode::kParse, "the response body exceeds the limit of " + std::to_string(max_body_bytes_) +
                                            " bytes (ClientOptions::max_response_bytes); none of it is stored");
  }
  for (char c : data) {
    if (pending_cr_) {  // a CR ended the record; a LF right after it belongs to the same line break
      pending_cr_ = false;
      if (c == '\n') {
        raw_ += c;
        if (auto ended = EndRecord(out, false); !ended) return ended;
        continue;
      }
      if (auto ended = EndRecord(out, false); !ended) return ended;
    }
    raw_ += c;
    if (raw_.size() > max_raw_bytes_) return TooLong();
    if (c == '"') {
      in_quotes_ = !in_quotes_;  // a doubled quote inside a quoted field toggles twice
    } else if (!in_quotes_) {
      if (c == '\n') {
        if (auto ended = EndRecord(out, false); !ended) return ended;
      } else if (c == '\r') {
        pending_cr_ = true;
      }
    }
  }
  return {};
}

Result<void> CsvWindowFilter::Finish(std::string& out) {
  pending_cr_ = false;
  return EndRecord(out, true);
}

Result<void> CsvWindowFilter::EndRecord(std::string& out, bool last) {
  bool data_row = false;
  std::string cstts;
  auto on_row = [&](std::vector<std::string> const& fields) {
    data_row = true;
    if (cstts_column_ && *cstts_column_ < fields.size()) cstts = fields[*cstts_column_];
  };
  if (!raw_.empty()) {
    if (auto fed = parser_.Feed(raw_, on_row); !fed) return fed;
  }
  if (last) {
    if (auto finished = parser_.Finish(on_row); !finished) return finished;
  }
  Decide(data_row, cstts, out);
  raw_.clear();
  return {};
}

void CsvWindowFilter::Decide(bool data_row, std::string const& cstts_field, std::string& out) {
  if (data_row) {
    if (auto t = ParseCstts(cstts_field)) {
      if (*t == sent_begin_ms_) begin_included_ = true;
      strays_.Check(*t);
      if (*t < begin_ms_ || *t >= end_ms_) {
        ++dropped_;
        return;
      }
    }
    out += raw_;
    return;
  }
  if (!have_header_ && !parser_.Header().empty()) {
    have_header_ = true;
    auto const& header = parser_.Header();
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == "cstts") {
        cstts_column_ = i;
        break;
      }
    }
    out += raw_;  // the header row, BOM included
  }
  // Otherwise a blank line (the parser skips those): dropped.
}

}  // namespace ccrec::webex_legacy::detail
