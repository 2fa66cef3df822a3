// SPDX-License-Identifier: Apache-2.0
// ::ccrec::detail::ResponseHeaderParser and ParseStatusLine: the header lines libcurl hands over.
//
// Input: lines separated by '\n' (each fed with its "\r\n" when the input's first byte is odd).
// Properties: once Complete(), the status is a final one (101 or 200..999) and further lines
// change nothing; header names are never empty; values carry no CR, LF or NUL (RFC 9110 §5.5: a
// value later echoed into a request, such as Huawei's Set-GUID, must not split it) and no
// surrounding blanks.

#include "fuzz_util.hpp"
#include "transport/response_header_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  bool const crlf = (in.Byte() & 1) != 0;
  ccrec::detail::ResponseHeaderParser parser;
  int completed_status = -1;
  std::size_t completed_headers = 0;
  while (!in.Peek().empty()) {
    std::string line(in.Until('\n'));
    if (crlf) line += "\r\n";
    int s = ccrec::detail::ParseStatusLine(line);
    CCREC_FUZZ_CHECK(s == 0 || (s >= 100 && s <= 999), line);
    parser.Feed(line);
    if (completed_status >= 0) {
      CCREC_FUZZ_CHECK(parser.Status() == completed_status, "status changed after the head completed");
      CCREC_FUZZ_CHECK(parser.Headers().size() == completed_headers, "headers changed after the head completed");
    } else if (parser.Complete()) {
      completed_status = parser.Status();
      completed_headers = parser.Headers().size();
      CCREC_FUZZ_CHECK(completed_status >= 200 || completed_status == 101, "complete on an interim response");
    }
  }
  for (auto const& [name, value] : parser.Headers()) {
    CCREC_FUZZ_CHECK(!name.empty(), "empty header name");
    CCREC_FUZZ_CHECK(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos, value);
    if (!value.empty()) {
      CCREC_FUZZ_CHECK(value.front() != ' ' && value.front() != '\t' && value.back() != ' ' && value.back() != '\t',
                       value);
    }
  }
  return 0;
}
