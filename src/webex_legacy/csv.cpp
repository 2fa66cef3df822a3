// SPDX-License-Identifier: Apache-2.0
// RFC 4180 CSV parsing for v1 CSV responses (reference webex-legacy-v1.md §4 "CSV").

#include <ccrec/webex_legacy/csv.hpp>

#include <ccrec/core/log.hpp>

#include "internal/ascii.hpp"
#include "webex_legacy/field_names.hpp"

#include <string_view>

namespace ccrec::webex_legacy {

namespace {
constexpr char kBom[] = "\xEF\xBB\xBF";

/// At most 80 bytes of server text for a message: printable ASCII, secrets masked.
std::string Quote(std::string_view text) {
  std::string const cut(text.substr(0, 80));
  return "\"" + RedactSecrets(::ccrec::detail::PrintableAscii(cut)) + (text.size() > 80 ? "...\"" : "\"");
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
/// Display names ("Agent Name", "Queue (ID)") are names too; only control characters are not.
bool IsNameChar(char c) {
  auto const u = static_cast<unsigned char>(c);
  return u >= 0x20 && u != 0x7F;
}

/// `[+-]?[0-9]+(\.[0-9]+)?`: a bare number, the commonest first field of a headerless v1 row
/// (`cstts`, a count, a phone number without punctuation).
bool IsBareNumber(std::string const& field) {
  std::size_t i = field.size() > 1 && (field[0] == '+' || field[0] == '-') ? 1 : 0;
  std::size_t const digits_begin = i;
  while (i < field.size() && IsAsciiDigit(field[i])) ++i;
  if (i == digits_begin) return false;
  if (i < field.size() && field[i] == '.') {
    std::size_t const fraction_begin = ++i;
    while (i < field.size() && IsAsciiDigit(field[i])) ++i;
    if (i == fraction_begin) return false;
  }
  return i == field.size();
}

bool IsFieldName(std::string const& field) {
  if (field.empty() || !IsNameStart(field[0])) return false;
  for (char c : field) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}
}  // namespace

std::optional<std::string> CsvHeaderProblem(std::vector<std::string> const& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto const& field = fields[i];
    if (IsFieldName(field)) continue;
    // Say which column and what kind of content, never the content: records carry personal data.
    char const* what = field.empty()         ? "is empty"
                       : IsBareNumber(field) ? "is a number"
                                             : "is not a field name (a name starts with a letter or '_')";
    return "the first row has " + std::to_string(fields.size()) + " column" + (fields.size() == 1 ? "" : "s") +
           " and column " + std::to_string(i + 1) + " " + what;
  }
  return std::nullopt;
}

std::optional<std::string> CsvErrorTextProblem(std::vector<std::string> const& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].find(": ") != std::string::npos) {
      return "column " + std::to_string(i + 1) + " of the first row, " + Quote(fields[i]) +
             ", reads like a message (\": \"), not a field name";
    }
  }
  if (fields.size() != 1 || detail::IsV1FieldName(fields[0])) return std::nullopt;
  return "the first row is one column, " + Quote(fields[0]) + ", that is no v1 field name";
}

CsvParser::CsvParser(CsvOptions options) : options_(options) {}

Result<void> CsvParser::Fail(std::string message) {
  failed_ = "CSV record " + std::to_string(rows_ + (have_header_ ? 2 : 1)) + " (line " + std::to_string(record_line_) +
            "): " + std::move(message);
  return MakeError(ErrorCode::kParse, *failed_);
}

Result<void> CsvParser::NotCsv(std::string_view rest) {
  // No header row starts so (CsvHeaderProblem() would refuse it too): say what came back instead.
  char const* kind = rest[0] == '<' ? "an HTML or XML page" : rest[0] == '{' ? "a JSON object" : "a JSON array";
  std::string_view const line = rest.substr(0, rest.find_first_of("\r\n"));
  return Fail("the answer is not CSV: it starts with '" + std::string(1, rest[0]) + "', " + kind + " (" +
              Quote(line) + "): an error answered with HTTP 200, or the service ignored Accept: text/csv; nothing "
              "of it is used (retry later; if it persists, ask for JSON: Format::kJson, `--format json` in "
              "ccrec-export)");
}

Result<void> CsvParser::EndField() {
  if (record_.size() >= options_.max_fields) {
    return Fail("more than " + std::to_string(options_.max_fields) + " fields");
  }
  record_.push_back(std::move(field_));
  field_.clear();
  return {};
}

Result<void> CsvParser::EndRecord(RowCallback const& on_row) {
  record_bytes_ = 0;
  bool blank = !record_has_content_ && record_.empty() && field_.empty();
  state_ = State::kFieldStart;
  if (blank) return {};  // blank lines are skipped
  if (auto r = EndField(); !r) return r;
  std::vector<std::string> row = std::move(record_);
  record_.clear();
  record_has_content_ = false;
  if (!have_header_) {
    if (options_.require_header_row) {
      if (auto problem = CsvHeaderProblem(row)) {
        return Fail(*problem +
                    ", so it is a record, not a header row: the CSV answer has no header row and its columns "
                    "cannot be known (nothing of it is used; ask for JSON instead: Format::kJson, `--format json` "
                    "in ccrec-export)");
      }
      if (auto problem = CsvErrorTextProblem(row)) {
        return Fail(*problem + ": the answer looks like an error message, not CSV records (an error answered "
                    "with HTTP 200?); nothing of it is used (retry later; if it persists, ask for JSON: "
                    "Format::kJson, `--format json` in ccrec-export)");
      }
    }
    header_ = std::move(row);
    have_header_ = true;
    return {};
  }
  if (options_.require_header_width && row.size() != header_.size()) {
    return Fail("has " + std::to_string(row.size()) + " fields but the header has " + std::to_string(header_.size()) +
                " (a malformed or truncated CSV body)");
  }
  ++rows_;
  if (on_row) on_row(row);
  return {};
}

Result<void> CsvParser::Feed(std::string_view data, RowCallback const& on_row) {
  if (failed_) return MakeError(ErrorCode::kParse, *failed_);
  if (!bom_done_) {
    // A UTF-8 byte-order mark at the very start is dropped (possibly split across chunks).
    std::size_t i = 0;
    while (i < data.size() && bom_seen_ < 3 && data[i] == kBom[bom_seen_]) {
      ++bom_seen_;
      ++i;
    }
    if (bom_seen_ == 3) {
      bom_done_ = true;
      data.remove_prefix(i);
    } else if (i == data.size()) {
      return {};  // all of it may still be a BOM prefix
    } else {
      bom_done_ = true;
      std::string replay(kBom, bom_seen_);  // what looked like a BOM prefix is content
      bom_seen_ = 0;
      replay.append(data.substr(i));
      return Feed(replay, on_row);
    }
  }
  char const delimiter = options_.delimiter;
  for (std::size_t at = 0; at < data.size(); ++at) {
    char const c = data[at];
    if ((c == '<' || c == '{' || c == '[') && !have_header_ && options_.require_header_row && record_.empty() &&
        (state_ == State::kFieldStart || state_ == State::kUnquoted) &&
        field_.find_first_not_of(" \t") == std::string::npos) {
      return NotCsv(data.substr(at));
    }
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n') continue;  // the LF of a CRLF
    }
    // Every byte of the record counts, except the line break that ends it.
    if ((state_ == State::kQuoted || (c != '\n' && c != '\r')) && ++record_bytes_ > options_.max_record_bytes) {
      return Fail("the record is longer than " + std::to_string(options_.max_record_bytes) +
                  " bytes, the limit (CsvOptions::max_record_bytes; v1 rows are a few KiB: a corrupt or hostile body)");
    }
    switch (state_) {
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kQuoted;
          record_has_content_ = true;
          quote_line_ = line_;
          continue;
        }
        if (c == delimiter) {
          record_has_content_ = true;
          if (auto r = EndField(); !r) return r;
          continue;
        }
        if (c == '\n' || c == '\r') break;  // end of record, handled below
        state_ = State::kUnquoted;
        record_has_content_ = true;
        field_ += c;
        continue;
      case State::kUnquoted:
        if (c == delimiter) {
          if (auto r = EndField(); !r) return r;
          state_ = State::kFieldStart;
          continue;
        }
        if (c == '\n' || c == '\r') break;
        if (c == '"') return Fail("a quote inside an unquoted field (quote the whole field and double the quote)");
        if (field_.size() >= options_.max_field_bytes) {
          return Fail("a field is longer than " + std::to_string(options_.max_field_bytes) + " bytes");
        }
        field_ += c;
        continue;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
          continue;
        }
        if (c == '\n') ++line_;
        if (field_.size() >= options_.max_field_bytes) {
          return Fail("a field is longer than " + std::to_string(options_.max_field_bytes) + " bytes");
        }
        field_ += c;
        continue;
      case State::kQuoteInQuoted:
        if (c == '"') {  // "" inside a quoted field is one quote
          field_ += '"';
          state_ = State::kQuoted;
          continue;
        }
        if (c == delimiter) {
          if (auto r = EndField(); !r) return r;
          state_ = State::kFieldStart;
          continue;
        }
        if (c == '\n' || c == '\r') break;
        return Fail(std::string("unexpected character '") + c + "' after the closing quote of a field");
    }
    // Line break outside quotes: the record ends.
    if (c == '\r') skip_lf_ = true;
    if (auto r = EndRecord(on_row); !r) return r;
    ++line_;
    record_line_ = line_;
  }
  return {};
}

Result<void> CsvParser::Finish(RowCallback const& on_row) {
  if (failed_) return MakeError(ErrorCode::kParse, *failed_);
  if (!bom_done_ && bom_seen_ > 0) {
    bom_done_ = true;
    std::string replay(kBom, bom_seen_);
    bom_seen_ = 0;
    if (auto r = Feed(replay, on_row); !r) return r;
  }
  if (state_ == State::kQuoted) {
    return Fail("truncated: the quoted field that starts on line " + std::to_string(quote_line_) +
                " is never closed (the body ended inside it)");
  }
  if (record_has_content_ || !record_.empty() || !field_.empty()) return EndRecord(on_row);
  return {};
}

std::optional<std::size_t> CsvTable::ColumnIndex(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return std::nullopt;
}

Result<CsvTable> ParseCsv(std::string_view text, CsvOptions const& options) {
  CsvParser parser(options);
  CsvTable table;
  auto collect = [&table](std::vector<std::string> const& row) { table.rows.push_back(row); };
  if (auto r = parser.Feed(text, collect); !r) return std::move(r).error();
  if (auto r = parser.Finish(collect); !r) return std::move(r).error();
  table.header = parser.Header();
  return table;
}

}  // namespace ccrec::webex_legacy
