// Content-Range of a resumed (206) media download: exporter::internal::ContentRangeStart.
// Kept small on purpose: point it at whatever validates Content-Range in src/exporter/.
// Property: a value it accepts starts, after optional spaces, with "bytes " and the decimal
// digits of the returned start, followed by '-'.

#include "exporter/content_range.hpp"
#include "fuzz_util.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string const value(in.Rest());
  auto start = ccrec::exporter::internal::ContentRangeStart(value);
  if (!start) return 0;
  auto pos = value.find_first_not_of(' ');
  CCREC_FUZZ_CHECK(pos != std::string::npos && value.compare(pos, 6, "bytes ") == 0, value);
  pos += 6;
  auto digits_end = value.find_first_not_of("0123456789", pos);
  CCREC_FUZZ_CHECK(digits_end != std::string::npos && value[digits_end] == '-', value);
  std::string digits = value.substr(pos, digits_end - pos);
  while (digits.size() > 1 && digits.front() == '0') digits.erase(0, 1);
  CCREC_FUZZ_CHECK(digits == std::to_string(*start), value);
  return 0;
}
