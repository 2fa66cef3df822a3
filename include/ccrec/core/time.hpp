// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Parsing and formatting of export windows: the points in time and the durations a person or a
/// configuration file gives ("from 2026-11-01T00:00:00Z", "until now minus 30m", "windows of 1h").
/// The same parsers back `ccrec-export`'s `--from`, `--to`, `--window`, `--sub-window`, `--watch`,
/// `--until-now-minus` and `--pending-max-age`.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ccrec {
inline namespace v1 {

/// Parses a point in time: ISO-8601 with an explicit zone, or epoch milliseconds.
///
/// Accepted forms (all times are exact; nothing depends on the local time zone):
/// - `2026-11-01T00:00:00Z`: date, `T` (or `t` or one space), `HH:MM[:SS]`, then `Z`;
/// - fractional seconds `2026-11-01T00:00:00.250Z` (digits past the third are ignored: the
///   result has millisecond precision);
/// - a numeric offset instead of `Z`: `+02:00`, `-0530` (the result is the UTC instant);
/// - a date alone, `2026-11-01`, meaning midnight UTC;
/// - a whole number of milliseconds since 1970-01-01T00:00:00Z (at most 15 digits), e.g.
///   `1793491200000`, the form Webex Contact Center returns in `createdTime`.
/// A leap second (`:60`) reads as the next minute's `:00`.
///
/// @param text the value, without surrounding spaces.
/// @return the instant. kInvalidArgument when `text` is not one of the forms above: empty, a time
/// without zone, a field out of range (month 13, 2026-02-29, hour 24), trailing text, more than
/// 15 digits, or an instant std::chrono::system_clock cannot hold. The message quotes `text` (cut
/// to 64 characters) and says what was wrong, e.g. `"2026-11-01T00:00:00" is not a time: the time
/// has no zone: end it with Z (UTC) or an offset like +02:00`.
///
/// @par Thread safety
/// Safe to call from any thread.
CCREC_EXPORT Result<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view text);

/// Parses a non-negative duration: a whole number followed by a unit.
///
/// Units: `ms` (milliseconds), `s` (seconds), `m` or `min` (minutes), `h` (hours), `d` (days of
/// 24 hours). A number without a unit is seconds. Examples: `1500ms`, `30s`, `15m`, `2h`, `3d`, `0`.
/// Signs, fractions (`1.5h`), spaces and compound forms (`1h30m`) are refused.
///
/// @param text the value, without surrounding spaces.
/// @return the duration in milliseconds. kInvalidArgument when `text` is empty, does not start
/// with a digit, has an unknown unit, or is larger than std::chrono::milliseconds holds; the
/// message quotes `text` (cut to 64 characters) and says what was wrong. Callers with bounds
/// (at least 1 s, at most 7 d) check them on the result.
///
/// @par Thread safety
/// Safe to call from any thread.
CCREC_EXPORT Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

/// Formats an instant as ISO-8601 UTC, the form ParseTimestamp() reads back.
///
/// @param t the instant.
/// @param with_milliseconds append `.SSS` when the instant has a non-zero millisecond part.
///   Default false: whole seconds (sub-second parts are truncated toward the past).
/// @return e.g. `2026-11-01T00:00:00Z`, or `2026-11-01T00:00:00.250Z` with milliseconds.
///
/// @par Thread safety
/// Safe to call from any thread.
CCREC_EXPORT std::string FormatIso8601(std::chrono::system_clock::time_point t, bool with_milliseconds = false);

}  // namespace v1
}  // namespace ccrec
