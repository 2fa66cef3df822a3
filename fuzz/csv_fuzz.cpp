// SPDX-License-Identifier: Apache-2.0
// webex_legacy::CsvParser / ParseCsv (v1 CSV record lists).
//
// Input: one byte of options (delimiter, header-width and header-row checks, limits), four bytes
// seeding the chunk sizes, then the CSV text.
// Property: feeding the text to the streaming parser in chunks of any size gives exactly what
// ParseCsv gives for the whole text: the same header, rows and success, and the same error
// message on failure. Every row has the header's width when the width check is on.

#include "fuzz_util.hpp"

#include <ccrec/webex_legacy/csv.hpp>

#include <string>
#include <vector>

namespace wl = ccrec::webex_legacy;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::uint8_t const opt = in.Byte();
  std::uint32_t seed = 0;
  for (int i = 0; i < 4; ++i) seed = (seed << 8) | in.Byte();
  std::string_view const text = in.Rest();

  wl::CsvOptions options;
  static char const kDelimiters[] = {',', ';', '\t', '|'};
  options.delimiter = kDelimiters[opt & 3];
  options.require_header_width = (opt & 4) == 0;
  if (opt & 8) options.max_field_bytes = 64;
  if (opt & 16) options.max_fields = 8;
  options.require_header_row = (opt & 32) == 0;  // off: data rows of any first record get fuzzed too

  auto whole = wl::ParseCsv(text, options);

  wl::CsvParser parser(options);
  std::vector<std::vector<std::string>> rows;
  auto collect = [&rows](std::vector<std::string> const& row) { rows.push_back(row); };
  ccrec::Result<void> status;
  std::size_t pos = 0;
  std::uint32_t state = seed | 1;
  while (pos < text.size()) {
    state = state * 1103515245u + 12345u;  // chunk sizes 0..16, mostly small: splits land everywhere
    std::size_t n = (state >> 16) % 17;
    status = parser.Feed(text.substr(pos, n), collect);
    pos += n;
    if (!status) break;
  }
  if (status) status = parser.Finish(collect);

  CCREC_FUZZ_CHECK(whole.has_value() == status.has_value(), whole ? status.error().message : whole.error().message);
  if (whole) {
    CCREC_FUZZ_CHECK(whole->header == parser.Header(), "chunked header differs");
    CCREC_FUZZ_CHECK(whole->rows == rows, "chunked rows differ");
    CCREC_FUZZ_CHECK(parser.Rows() == rows.size(), "rows() disagrees with the rows delivered");
    if (options.require_header_width) {
      for (auto const& r : rows) CCREC_FUZZ_CHECK(r.size() == whole->header.size(), "row width != header width");
    }
  } else {
    CCREC_FUZZ_CHECK(whole.error().message == status.error().message,
                     whole.error().message + " | " + status.error().message);
  }
  return 0;
}
