// SPDX-License-Identifier: Apache-2.0
#pragma once
// Keeps the rows of a streamed v1 CSV response whose `cstts` lies in a window, byte for byte.

#include <ccrec/core/result.hpp>
#include <ccrec/webex_legacy/csv.hpp>

#include "webex_legacy/stray_records.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::webex_legacy::detail {

/// Splits a CSV body into its raw records (the exact bytes of each, line break included), parses
/// each with CsvParser (so every RFC 4180 check still applies), and passes on the header record
/// and the data records whose integer `cstts` column is in [begin_ms, end_ms). Data records
/// without a readable integer `cstts` (or a body without a `cstts` column) are kept; blank lines
/// are dropped. Memory: one record (at most CsvOptions::max_record_bytes plus a byte-order mark
/// and a line break; a longer one fails with the parser's kParse error naming the record) plus
/// what Feed() appended to `out`.
///
/// Why: the service's window semantics are not documented, so the query starts 1 ms before the
/// window (`sent_begin_ms`) and this filter keeps [begin, end): adjacent windows share no row.
///
/// @par Thread safety
/// One thread at a time.
class CsvWindowFilter {
 public:
  /// `max_body_bytes`: the most bytes Feed() accepts in all (ClientOptions::max_response_bytes);
  /// more fails with kParse naming the limit.
  CsvWindowFilter(std::int64_t begin_ms, std::int64_t end_ms, std::int64_t sent_begin_ms, CsvOptions const& options = {},
         std::uint64_t max_body_bytes = UINT64_MAX);

  /// Parses the next chunk (any split); appends the kept bytes to `out`.
  /// Errors: kParse from CsvParser, a first record that is not a header row included
  /// (CsvOptions::require_header_row): then nothing of the body has been appended.
  Result<void> Feed(std::string_view data, std::string& out);
  /// Ends the input (a last record without a line break); appends its bytes to `out` if kept.
  Result<void> Finish(std::string& out);

  CsvParser const& Parser() const noexcept { return parser_; }
  /// Data rows the server returned (kept or not).
  std::uint64_t Rows() const noexcept { return parser_.Rows(); }
  /// Data rows dropped because their `cstts` was outside the window.
  std::uint64_t Dropped() const noexcept { return dropped_; }
  /// A row with `cstts` == sent_begin_ms came back (the service includes dateBegin).
  bool BeginIncluded() const noexcept { return begin_included_; }
  /// Data rows with a `cstts` outside [sent_begin_ms, end_ms] (StrayRecords), kept or not.
  StrayRecords const& Strays() const noexcept { return strays_; }
  /// The header has a `cstts` column.
  bool HasCsttsColumn() const noexcept { return cstts_column_.has_value(); }

 private:
  Result<void> EndRecord(std::string& out, bool last);
  Result<void> TooLong();
  void Decide(bool data_row, std::string const& cstts_field, std::string& out);

  std::int64_t begin_ms_, end_ms_, sent_begin_ms_;
  CsvParser parser_;
  std::size_t max_raw_bytes_;
  std::uint64_t max_body_bytes_;
  std::uint64_t body_bytes_ = 0;
  std::string raw_;
  bool in_quotes_ = false;
  bool pending_cr_ = false;
  bool have_header_ = false;
  std::optional<std::size_t> cstts_column_;
  std::uint64_t dropped_ = 0;
  bool begin_included_ = false;
  StrayRecords strays_;
};

}  // namespace ccrec::webex_legacy::detail
