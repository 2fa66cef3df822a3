// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: turns the header lines libcurl hands to CURLOPT_HEADERFUNCTION into a status and a
// header list. Not installed.

#include <ccrec/core/http.hpp>

#include <string_view>
#include <utility>

namespace ccrec::detail {

/// Incremental parser of an HTTP/1.x (or HTTP/2 as libcurl renders it) response head.
///
/// libcurl delivers every header line of every response it reads on a transfer: interim
/// `1xx` responses (`100 Continue`, `103 Early Hints`), the final response and, after a chunked
/// body, trailers. The parser keeps only the final response: each status line starts a new
/// block (dropping the headers of the previous one), the blank line ending a non-1xx block
/// completes the head, and anything after that (trailers) is ignored.
///
/// Headers keep their wire order and spelling; values are trimmed of surrounding whitespace;
/// obsolete line folding (a line starting with a space or tab) is joined to the previous value
/// with one space. Lines without a colon, or whose name is not a token (blanks or control
/// characters), are ignored. CR, LF and NUL inside a value become spaces (RFC 9110 §5.5), so a
/// value sent back in a later request (Set-GUID, cookies) cannot split it.
///
/// @par Thread safety
/// One thread at a time.
class ResponseHeaderParser {
 public:
  /// Feeds one line, with or without its trailing CR LF.
  void Feed(std::string_view line);

  /// True once the final (non-1xx) response head has ended.
  bool Complete() const noexcept { return complete_; }
  /// Status code of the last status line seen; 0 before any.
  int Status() const noexcept { return status_; }
  /// Headers of the last response head seen (the final one once Complete()).
  HttpHeaders const& Headers() const noexcept { return headers_; }
  /// Moves the headers out.
  HttpHeaders TakeHeaders() { return std::move(headers_); }

 private:
  int status_ = 0;
  HttpHeaders headers_;
  bool in_head_ = false;
  bool complete_ = false;
};

/// Parses the status code of a status line such as "HTTP/1.1 200 OK" or "HTTP/2 404";
/// returns 0 when the line is not a well-formed status line.
int ParseStatusLine(std::string_view line) noexcept;

}  // namespace ccrec::detail
