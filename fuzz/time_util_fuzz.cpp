// SPDX-License-Identifier: Apache-2.0
// internal time parsers (src/internal/time_util.hpp): ParseTimeArg, ParseAmzDate, ParseHttpDate,
// ParseDuration, ParseRetryAfter (Retry-After, Date and X-Amz-Date headers, presigned URLs, CLI).
//
// Properties (round trips, where they hold):
//  - any time t from 1970 to 2262 (system_clock's range): ParseAmzDate(FormatAmzDate(t)) == t (to the second),
//    ParseTimeArg(FormatIso8601(t, true)) == t (to the millisecond);
//  - a value ParseAmzDate accepts formats back to a value that parses to the same time;
//  - a value ParseTimeArg accepts formats (ISO, with ms) back to a value that parses to the same time;
//  - ParseDuration and ParseRetryAfter never return a negative duration.

#include "fuzz_util.hpp"
#include "internal/time_util.hpp"

#include <chrono>
#include <string>

namespace iu = ccrec::detail;
using std::chrono::milliseconds;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::uint64_t raw = 0;
  for (int i = 0; i < 8; ++i) raw = (raw << 8) | in.Byte();
  std::string const text(in.Rest());

  // Format -> Parse for a fuzzer-chosen instant from 1970 to what system_clock holds (libstdc++:
  // nanoseconds in int64, so 2262-04-11; FromEpochMs saturates beyond, which is not a round trip).
  std::int64_t const kMaxMs =
      std::chrono::duration_cast<milliseconds>(iu::SysTime::duration::max()).count() - 86'400'000;
  auto const ms = static_cast<std::int64_t>(raw % static_cast<std::uint64_t>(kMaxMs + 1));
  auto const t = iu::FromEpochMs(ms);
  auto const t_s = iu::FromEpochSeconds(ms / 1000);
  auto amz = iu::ParseAmzDate(iu::FormatAmzDate(t));
  CCREC_FUZZ_CHECK(amz && *amz == t_s, iu::FormatAmzDate(t));
  auto iso = iu::ParseTimeArg(iu::FormatIso8601(t, true));
  CCREC_FUZZ_CHECK(iso && *iso == t, iu::FormatIso8601(t, true));

  // Parse -> Format -> Parse for the text.
  if (auto p = iu::ParseAmzDate(text)) {
    auto again = iu::ParseAmzDate(iu::FormatAmzDate(*p));
    CCREC_FUZZ_CHECK(again && *again == *p, text);
  }
  if (auto p = iu::ParseTimeArg(text)) {
    auto formatted = iu::FormatIso8601(*p, true);
    auto again = iu::ParseTimeArg(formatted);
    CCREC_FUZZ_CHECK(again && *again == *p, text + " -> " + formatted);
  }
  (void)iu::ParseHttpDate(text);
  if (auto d = iu::ParseDuration(text)) CCREC_FUZZ_CHECK(d->count() >= 0, text);
  if (auto d = iu::ParseRetryAfter(text, t)) CCREC_FUZZ_CHECK(d->count() >= 0, text);
  return 0;
}
