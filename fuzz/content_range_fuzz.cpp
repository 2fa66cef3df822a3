// SPDX-License-Identifier: Apache-2.0
// Content-Range of a resumed (206) media download: exporter::detail::ParseContentRange, the
// validator the engine uses before it appends a partial body (src/exporter/media_download.cpp).
// Properties: an accepted value is a satisfied byte range (START <= END < TOTAL), and printing
// it back as "bytes START-END/TOTAL" parses to the same numbers.

#include "exporter/media_download.hpp"
#include "fuzz_util.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string const value(in.Rest());
  auto range = ccrec::exporter::detail::ParseContentRange(value);
  if (!range) return 0;
  CCREC_FUZZ_CHECK(range->start <= range->end && range->end < range->total, value);
  std::string const canonical = "bytes " + std::to_string(range->start) + "-" + std::to_string(range->end) + "/" +
                                std::to_string(range->total);
  auto again = ccrec::exporter::detail::ParseContentRange(canonical);
  CCREC_FUZZ_CHECK(again && again->start == range->start && again->end == range->end && again->total == range->total,
                   value);
  return 0;
}
