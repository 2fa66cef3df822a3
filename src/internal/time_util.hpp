// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: time formatting and parsing. Not installed.

#include <ccrec/core/namespaces.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::detail {

using SysTime = std::chrono::system_clock::time_point;

std::int64_t ToEpochMs(SysTime t);
SysTime FromEpochMs(std::int64_t ms);
std::int64_t ToEpochSeconds(SysTime t);
SysTime FromEpochSeconds(std::int64_t s);
/// "2026-11-01T00:00:00Z" (milliseconds appended as ".123" only when non-zero and with_ms).
std::string FormatIso8601(SysTime t, bool with_ms = false);
/// "20261101T000000Z" (SigV4 x-amz-date).
std::string FormatAmzDate(SysTime t);
/// "20261101".
std::string FormatYmd(SysTime t);
/// "2026-11-01 00:00:00" with optional ".SSS" (Oracle FACE), UTC.
std::string FormatSqlTime(SysTime t, bool with_ms);
/// Parses ISO-8601 UTC ("2026-11-01T00:00:00Z", fractional seconds, "+00:00" offsets) or a
/// plain integer of epoch milliseconds. nullopt when malformed; then `*problem` (when given) says
/// what was wrong. The implementation of the public ccrec::ParseTimestamp (core/time.hpp).
std::optional<SysTime> ParseTimeArg(std::string_view text, std::string* problem = nullptr);
/// Parses "20261101T000000Z".
std::optional<SysTime> ParseAmzDate(std::string_view text);
/// Parses an RFC 7231 HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT").
std::optional<SysTime> ParseHttpDate(std::string_view text);
/// Parses "30s", "5m", "2h", "1d", "1500ms", or a bare number of seconds. nullopt when malformed;
/// then `*problem` (when given) says what was wrong. The implementation of the public
/// ccrec::ParseDuration (core/time.hpp).
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text,
                                                                    std::string* problem = nullptr);
/// Converts a Retry-After value (delta seconds or HTTP date) to a delay relative to `now`.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, SysTime now);

}  // namespace ccrec::detail
