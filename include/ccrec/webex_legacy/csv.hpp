// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// An RFC 4180 CSV parser for v1 CSV responses (`Accept: text/csv`): incremental (push bytes as
/// they arrive) or whole-text.
///
/// Source: RFC 4180; ccrec reference `webex-legacy-v1.md` §4 ("CSV"): a header row of field names,
/// fields may contain commas, quotes and newlines.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::webex_legacy {

/// Parser settings.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT CsvOptions {
  /// Field separator. Default ','.
  char delimiter = ',';
  /// Largest field in bytes (after unquoting); a longer one is a kParse error. Default 4 MiB
  /// (a field is part of a record, so more than max_record_bytes has no effect).
  std::size_t max_field_bytes = std::size_t{4} << 20;
  /// Largest record (row) in bytes as received: every byte from the record's first one up to its
  /// line break (quotes, delimiters and line breaks inside quoted fields included; the record's
  /// own line break and a leading byte-order mark not). A longer one is a kParse error naming the
  /// record number and this limit. Bounds the memory of one row (with max_fields) whatever a
  /// server sends: millions of tiny fields, or many fields each under max_field_bytes. Default
  /// 4 MiB: v1 CSR/CAR/ASR/AAR rows are a few KiB (a 1000-row page is under 1 MB). Must be >= 1.
  std::size_t max_record_bytes = std::size_t{4} << 20;
  /// Largest number of fields in a row; more is a kParse error. Default 100000 (v1 records have
  /// a few hundred columns at most).
  std::size_t max_fields = 100000;
  /// Every data row must have as many fields as the header (a short last row is how a body cut
  /// mid-row shows). Default true.
  bool require_header_width = true;
  /// The first record must look like a header row (CsvHeaderProblem()); if it does not, the body
  /// has no header row, its columns cannot be known, and parsing fails with kParse. Without this
  /// check the first record would silently be taken for the header: one record missing, columns
  /// looked up by name not found, and a full answer counted one row short. The same option
  /// refuses, with kParse, an answer that is no CSV at all (an error answered with HTTP 200):
  /// one whose first character (after the BOM, spaces and tabs) is `<`, `{` or `[` (an HTML or
  /// XML page, JSON), and a first row that CsvErrorTextProblem() finds to be a message. Without
  /// these checks `Error: timed out` parsed as a one-column header and no rows: an empty window.
  /// Default true.
  bool require_header_row = true;
};

/// Checks that `fields`, the first record of a CSV body, looks like a header row of field names.
/// Every field must be a name: it starts with an ASCII letter or '_' and has no control character
/// (the v1 names `sid`, `cstts`, `channelType`, and display names such as `Agent Name`). An empty
/// field, a number, or anything else starting otherwise (a UUID or date starting with a digit, a
/// phone number such as `+1555…` or `(555) …`) is data. A v1 record always has such a field (its
/// `cstts`/`cetts` epoch milliseconds, empty optional fields), so one is enough to tell a record
/// from a header row. A leading byte-order mark is not part of a field (CsvParser drops it).
/// @return nullopt for a header row; otherwise why not, naming the column count and the first
///   column that looks like data (e.g. "the first row has 3 columns and column 2 is a number"),
///   never a field's value (records carry personal data).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::optional<std::string> CsvHeaderProblem(std::vector<std::string> const& fields);

/// Checks that `fields`, a first record that CsvHeaderProblem() accepts, is not the text of an
/// error message answered (with HTTP 200) in place of the CSV asked for, such as `Error: timed
/// out`, `Service Unavailable` or `Unauthorized`: each is a row of field-name-like text and, with
/// no rows after it, used to be an empty window. A first row is such text when
/// - any field contains ": " (a message: `Error: …`; no v1 field name has a space, and no display
///   name seen has a colon followed by one), or
/// - it is **one column** not named exactly (case-sensitively) like a v1 field ccrec knows:
///   `sid`, `id`, `session`, `state`, `cstts`, `cetts`, `ani`, `dnis`, `channelType`, `direction`,
///   `entrypointId`, `entrypointName`, `queueId`, `queueName`, `agentId`, `agentName`,
///   `agentLogin`, `teamId`, `teamName`, `siteId`, `siteName`, `terminationType`, `isRecorded`,
///   `isActive`, `idleCodeName`, `wrapupCode`, `callAssociatedData`, `csat`, `notes`, `duration`.
///   A v1 record has many fields; a one-column answer can only come from a query that selects one
///   column, and the lab's selects `sid` (reference §4). A one-column display name (`Agent Name`)
///   is refused too: a failed window is loud, an error message stored as an empty window is not.
/// Headers of two or more field or display names (`sid,cstts,…`, `Agent Name,Queue (ID)`) pass.
/// @return nullopt when the row may be a header; otherwise why not, quoting the field (at most
///   80 bytes, printable ASCII, secrets masked with RedactSecrets()): a header row holds names,
///   not record values.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::optional<std::string> CsvErrorTextProblem(std::vector<std::string> const& fields);

/// Incremental RFC 4180 parser.
///
/// Accepts: fields separated by the delimiter; records ended by CRLF, LF or a lone CR; quoted
/// fields (`"..."`) containing delimiters, CR, LF and doubled quotes (`""` = one `"`); a last
/// record without a line break; a UTF-8 byte-order mark at the very start (dropped); blank lines
/// (skipped). The first record is the header.
///
/// Rejects with kParse, naming the record number and line: a body that is not CSV (starting with
/// `<`, `{` or `[`) or a first record that is not a header row (CsvHeaderProblem(),
/// CsvErrorTextProblem(); CsvOptions::require_header_row), a quote inside an unquoted field, a
/// character other than delimiter or line break after a closing quote, a quoted field still open
/// at the end of input (a truncated body), a data row whose field count differs from the
/// header's (CsvOptions::require_header_width), and limits exceeded (max_field_bytes,
/// max_record_bytes, max_fields; checked as bytes arrive, so memory stays bounded whatever the
/// chunking). After an error the parser stays failed.
///
/// @par Thread safety
/// One thread at a time.
class CCREC_EXPORT CsvParser {
 public:
  /// Receives each completed data row (the header is not passed; see header()).
  using RowCallback = std::function<void(std::vector<std::string> const& fields)>;

  explicit CsvParser(CsvOptions options = {});

  /// Parses the next chunk of input (any split, even inside a quoted field or a CRLF).
  /// @param data the bytes.
  /// @param on_row called for every data row completed by this chunk (may be empty).
  /// Errors: kParse as described above.
  Result<void> Feed(std::string_view data, RowCallback const& on_row = {});

  /// Ends the input: completes a last record that has no line break and checks that no quoted
  /// field is open.
  /// Errors: kParse "truncated: quoted field ... never closed", or a short last row.
  Result<void> Finish(RowCallback const& on_row = {});

  /// The header row (empty until one was read).
  std::vector<std::string> const& Header() const noexcept { return header_; }
  /// Data rows completed so far (header excluded).
  std::uint64_t Rows() const noexcept { return rows_; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  Result<void> Fail(std::string message);
  Result<void> NotCsv(std::string_view rest);
  Result<void> EndField();
  Result<void> EndRecord(RowCallback const& on_row);

  CsvOptions options_;
  State state_ = State::kFieldStart;
  std::string field_;
  std::vector<std::string> record_;
  std::vector<std::string> header_;
  bool have_header_ = false;
  bool record_has_content_ = false;
  bool skip_lf_ = false;
  std::size_t bom_seen_ = 0;
  bool bom_done_ = false;
  std::uint64_t rows_ = 0;
  std::uint64_t line_ = 1;
  std::uint64_t record_line_ = 1;
  std::uint64_t quote_line_ = 1;
  std::size_t record_bytes_ = 0;
  std::optional<std::string> failed_;
};

/// A whole CSV document.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT CsvTable {
  /// Field names from the header row (empty for an empty document).
  std::vector<std::string> header;
  /// Data rows, each with header.size() fields.
  std::vector<std::vector<std::string>> rows;
  /// Index of the column named `name` (exact match), if any.
  std::optional<std::size_t> ColumnIndex(std::string_view name) const;
};

/// Parses a complete CSV text with CsvParser.
/// @param text the document.
/// @param options parser settings.
/// @return header and rows; an empty text (or one of blank lines only) gives an empty table.
/// Errors: kParse as CsvParser.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<CsvTable> ParseCsv(std::string_view text, CsvOptions const& options = {});

}  // namespace ccrec::webex_legacy
