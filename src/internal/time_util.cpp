// SPDX-License-Identifier: Apache-2.0
#include "internal/time_util.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>

namespace ccrec::detail {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {
// The range of SysTime (about 1677..2262 with libstdc++'s nanosecond system_clock) in ms and s.
constexpr std::int64_t kMaxMs = duration_cast<milliseconds>(SysTime::duration::max()).count();
constexpr std::int64_t kMinMs = duration_cast<milliseconds>(SysTime::duration::min()).count();
constexpr std::int64_t kMaxS = duration_cast<seconds>(SysTime::duration::max()).count();
constexpr std::int64_t kMinS = duration_cast<seconds>(SysTime::duration::min()).count();

// nullopt when `ms` is outside what SysTime can hold (instead of overflowing).
std::optional<SysTime> CheckedFromEpochMs(std::int64_t ms) {
  if (ms > kMaxMs || ms < kMinMs) return std::nullopt;
  return SysTime(duration_cast<SysTime::duration>(milliseconds(ms)));
}
}  // namespace

std::int64_t ToEpochMs(SysTime t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }
SysTime FromEpochMs(std::int64_t ms) {
  if (ms > kMaxMs) return SysTime::max();
  if (ms < kMinMs) return SysTime::min();
  return SysTime(duration_cast<SysTime::duration>(milliseconds(ms)));
}
std::int64_t ToEpochSeconds(SysTime t) { return duration_cast<seconds>(t.time_since_epoch()).count(); }
SysTime FromEpochSeconds(std::int64_t s) {
  if (s > kMaxS) return SysTime::max();
  if (s < kMinS) return SysTime::min();
  return SysTime(duration_cast<SysTime::duration>(seconds(s)));
}

namespace {
std::tm ToTm(SysTime t) {
  std::time_t secs = static_cast<std::time_t>(ToEpochSeconds(t));
  if (ToEpochMs(t) < 0 && ToEpochMs(t) % 1000 != 0) --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}
int MsPart(SysTime t) {
  auto ms = ToEpochMs(t) % 1000;
  return static_cast<int>(ms < 0 ? ms + 1000 : ms);
}
std::string Format(SysTime t, char const* fmt) {
  std::tm tm = ToTm(t);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}
bool Digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}
bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}
// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t const yoe = y - era * 400;
  std::int64_t const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  std::int64_t const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
// Epoch milliseconds of validated UTC fields (no timegm: it normalises Feb 30 to Mar 2 and
// overflows silently). A leap second (:60) reads as the next minute's :00.
std::optional<std::int64_t> FieldsToEpochMs(int y, int mo, int d, int h, int mi, int s, int ms) {
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s > 60 || ms < 0 || ms > 999) {
    return std::nullopt;
  }
  std::int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return secs * 1000 + ms;  // |years| <= 9999: no overflow
}
std::optional<SysTime> FromFields(int y, int mo, int d, int h, int mi, int s, int ms) {
  auto epoch_ms = FieldsToEpochMs(y, mo, d, h, mi, s, ms);
  if (!epoch_ms) return std::nullopt;
  return CheckedFromEpochMs(*epoch_ms);
}
}  // namespace

std::string FormatIso8601(SysTime t, bool with_ms) {
  std::string out = Format(t, "%Y-%m-%dT%H:%M:%S");
  int ms = MsPart(t);
  if (with_ms && ms != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", ms);
    out += buf;
  }
  return out + "Z";
}

std::string FormatAmzDate(SysTime t) { return Format(t, "%Y%m%dT%H%M%SZ"); }
std::string FormatYmd(SysTime t) { return Format(t, "%Y%m%d"); }

std::string FormatSqlTime(SysTime t, bool with_ms) {
  std::string out = Format(t, "%Y-%m-%d %H:%M:%S");
  if (with_ms) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", MsPart(t));
    out += buf;
  }
  return out;
}

std::optional<SysTime> ParseTimeArg(std::string_view text, std::string* problem) {
  auto fail = [problem](char const* why) -> std::optional<SysTime> {
    if (problem != nullptr) *problem = why;
    return std::nullopt;
  };
  constexpr char const* kOutOfRange = "it is outside the range std::chrono::system_clock can hold";
  if (text.empty()) return fail("it is empty");
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    if (text.size() > 15) return fail("epoch milliseconds have at most 15 digits");
    std::int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    auto t = CheckedFromEpochMs(v);
    return t ? t : fail(kOutOfRange);
  }
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]  (a date alone means midnight UTC)
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!Digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, mo) || text[7] != '-' ||
      !Digits(text, 8, 2, d)) {
    return fail("it does not start with a date YYYY-MM-DD");
  }
  std::size_t pos = 10;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return fail("the date is not followed by 'T'");
    if (!Digits(text, pos + 1, 2, h) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, mi)) {
      return fail("the time is not HH:MM[:SS[.fff]]");
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!Digits(text, pos + 1, 2, s)) return fail("the time is not HH:MM[:SS[.fff]]");
      pos += 3;
    }
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int digits = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (digits < 3) ms = ms * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return fail("the '.' of the seconds is not followed by digits");
      for (int i = digits; i < 3; ++i) ms *= 10;
    }
    if (pos >= text.size()) return fail("the time has no zone: end it with Z (UTC) or an offset like +02:00");
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int oh = 0, om = 0;
      if (!Digits(text, pos + 1, 2, oh)) return fail("the zone offset is not +HH:MM or -HH:MM");
      std::size_t mpos = pos + 3;
      if (mpos < text.size() && text[mpos] == ':') ++mpos;
      if (!Digits(text, mpos, 2, om) || oh > 23 || om > 59) return fail("the zone offset is not +HH:MM or -HH:MM");
      offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
      pos = mpos + 2;
    } else {
      return fail("the time is not followed by a zone: Z (UTC) or an offset like +02:00");
    }
    if (pos != text.size()) return fail("there is text after the zone");
  }
  auto local_ms = FieldsToEpochMs(y, mo, d, h, mi, s, ms);
  if (!local_ms) {
    return fail("a field is out of range (month 01-12, a day that exists in that month, hour 00-23, minute 00-59, "
                "second 00-60)");
  }
  auto t = CheckedFromEpochMs(*local_ms - std::int64_t{offset_minutes} * 60'000);
  return t ? t : fail(kOutOfRange);
}

std::optional<SysTime> ParseAmzDate(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  if (!Digits(text, 0, 4, y) || !Digits(text, 4, 2, mo) || !Digits(text, 6, 2, d) || !Digits(text, 9, 2, h) ||
      !Digits(text, 11, 2, mi) || !Digits(text, 13, 2, s)) {
    return std::nullopt;
  }
  return FromFields(y, mo, d, h, mi, s, 0);
}

namespace {
constexpr char const* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr char const* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr char const* kLongDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

int MonthFromName(std::string_view name) {
  for (int i = 0; i < 12; ++i) {
    if (name == kMonths[i]) return i + 1;
  }
  return 0;
}
template <std::size_t N>
bool OneOf(std::string_view name, char const* const (&names)[N]) {
  for (auto n : names) {
    if (name == n) return true;
  }
  return false;
}
// "hh:mm:ss" at pos.
bool ParseClock(std::string_view text, std::size_t pos, int& h, int& mi, int& s) {
  return pos + 8 <= text.size() && text[pos + 2] == ':' && text[pos + 5] == ':' && Digits(text, pos, 2, h) &&
         Digits(text, pos + 3, 2, mi) && Digits(text, pos + 6, 2, s);
}
}  // namespace

std::optional<SysTime> ParseHttpDate(std::string_view text) {
  int d = 0, y = 0, h = 0, mi = 0, s = 0;
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (text.size() == 29) {
    if (!OneOf(text.substr(0, 3), kDays) || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
        text[16] != ' ' || text.substr(25) != " GMT" || !Digits(text, 5, 2, d) || !Digits(text, 12, 4, y) ||
        !ParseClock(text, 17, h, mi, s)) {
      return std::nullopt;
    }
    int mo = MonthFromName(text.substr(8, 3));
    if (mo == 0) return std::nullopt;
    return FromFields(y, mo, d, h, mi, s, 0);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (text.size() == 24 && text[3] == ' ') {
    if (!OneOf(text.substr(0, 3), kDays) || text[7] != ' ' || text[10] != ' ' || text[19] != ' ' ||
        !Digits(text, 20, 4, y) || !ParseClock(text, 11, h, mi, s)) {
      return std::nullopt;
    }
    if (text[8] == ' ') {
      if (!Digits(text, 9, 1, d)) return std::nullopt;
    } else if (!Digits(text, 8, 2, d)) {
      return std::nullopt;
    }
    int mo = MonthFromName(text.substr(4, 3));
    if (mo == 0) return std::nullopt;
    return FromFields(y, mo, d, h, mi, s, 0);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  auto comma = text.find(", ");
  if (comma != std::string_view::npos && OneOf(text.substr(0, comma), kLongDays)) {
    auto rest = text.substr(comma + 2);
    if (rest.size() != 22 || rest[2] != '-' || rest[6] != '-' || rest[9] != ' ' || rest.substr(18) != " GMT" ||
        !Digits(rest, 0, 2, d) || !Digits(rest, 7, 2, y) || !ParseClock(rest, 10, h, mi, s)) {
      return std::nullopt;
    }
    int mo = MonthFromName(rest.substr(3, 3));
    if (mo == 0) return std::nullopt;
    y += y < 70 ? 2000 : 1900;  // two-digit years (RFC 7231 §7.1.1.1)
    return FromFields(y, mo, d, h, mi, s, 0);
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text, std::string* problem) {
  auto fail = [problem](char const* why) -> std::optional<milliseconds> {
    if (problem != nullptr) *problem = why;
    return std::nullopt;
  };
  if (text.empty()) return fail("it is empty");
  std::size_t i = 0;
  std::int64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (v > 1'000'000'000'000) return fail("the number is too large");
    v = v * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return fail("it does not start with a whole non-negative number");
  auto unit = text.substr(i);
  std::int64_t factor = 0;
  if (unit.empty() || unit == "s") factor = 1000;
  else if (unit == "ms") factor = 1;
  else if (unit == "m" || unit == "min") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit == "d") factor = 86'400'000;
  else return fail("the unit is not one of ms, s, m, min, h, d");
  if (v > std::numeric_limits<std::int64_t>::max() / factor) return fail("the number is too large");  // would overflow
  return milliseconds(v * factor);
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, SysTime now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    // An absurdly long delay is clamped, not ignored, so that the retry policy's
    // max_retry_after still stops the retries.
    if (value.size() > 9) return milliseconds(std::int64_t{999'999'999} * 1000);
    std::int64_t s = 0;
    for (char c : value) s = s * 10 + (c - '0');
    return milliseconds(s * 1000);
  }
  auto when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  // In epoch milliseconds: both fit with room to spare, so the difference cannot overflow (the
  // time_point difference, in nanoseconds, overflows for dates 292 years apart).
  auto delta = milliseconds(ToEpochMs(*when) - ToEpochMs(now));
  return delta.count() < 0 ? milliseconds(0) : delta;
}

}  // namespace ccrec::detail
