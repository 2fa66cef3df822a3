#include "internal/time_util.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace ccrec {
inline namespace v1 {
namespace internal {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::int64_t ToEpochMs(SysTime t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }
SysTime FromEpochMs(std::int64_t ms) { return SysTime(duration_cast<SysTime::duration>(milliseconds(ms))); }
std::int64_t ToEpochSeconds(SysTime t) { return duration_cast<seconds>(t.time_since_epoch()).count(); }
SysTime FromEpochSeconds(std::int64_t s) { return SysTime(duration_cast<SysTime::duration>(seconds(s))); }

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
std::optional<SysTime> FromFields(int y, int mo, int d, int h, int mi, int s, int ms) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t secs = timegm(&tm);
  if (tm.tm_mday != d) return std::nullopt;  // e.g. Feb 30 normalised away
  return FromEpochMs(static_cast<std::int64_t>(secs) * 1000 + ms);
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

std::optional<SysTime> ParseTimeArg(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    if (text.size() > 15) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) v = v * 10 + (c - '0');
    return FromEpochMs(v);
  }
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]  (a date alone means midnight UTC)
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!Digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2, mo) || text[7] != '-' ||
      !Digits(text, 8, 2, d)) {
    return std::nullopt;
  }
  std::size_t pos = 10;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    if (!Digits(text, pos + 1, 2, h) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, mi)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!Digits(text, pos + 1, 2, s)) return std::nullopt;
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
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 3; ++i) ms *= 10;
    }
    if (pos >= text.size()) return std::nullopt;  // a time needs an explicit zone: Z or an offset
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int oh = 0, om = 0;
      if (!Digits(text, pos + 1, 2, oh)) return std::nullopt;
      std::size_t mpos = pos + 3;
      if (mpos < text.size() && text[mpos] == ':') ++mpos;
      if (!Digits(text, mpos, 2, om)) return std::nullopt;
      offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
      pos = mpos + 2;
    } else {
      return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
  }
  auto t = FromFields(y, mo, d, h, mi, s, ms);
  if (!t) return std::nullopt;
  return *t - std::chrono::minutes(offset_minutes);
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

std::optional<SysTime> ParseHttpDate(std::string_view text) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  static constexpr char const* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(25) != " GMT") return std::nullopt;
  int d = 0, y = 0, h = 0, mi = 0, s = 0;
  if (!Digits(text, 5, 2, d) || !Digits(text, 12, 4, y) || !Digits(text, 17, 2, h) || !Digits(text, 20, 2, mi) ||
      !Digits(text, 23, 2, s)) {
    return std::nullopt;
  }
  int mo = 0;
  for (int i = 0; i < 12; ++i) {
    if (text.substr(8, 3) == kMonths[i]) mo = i + 1;
  }
  if (mo == 0) return std::nullopt;
  return FromFields(y, mo, d, h, mi, s, 0);
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t i = 0;
  std::int64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (v > 1'000'000'000'000) return std::nullopt;
    v = v * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  auto unit = text.substr(i);
  if (unit.empty() || unit == "s") return milliseconds(v * 1000);
  if (unit == "ms") return milliseconds(v);
  if (unit == "m" || unit == "min") return milliseconds(v * 60'000);
  if (unit == "h") return milliseconds(v * 3'600'000);
  if (unit == "d") return milliseconds(v * 86'400'000);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, SysTime now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    if (value.size() > 9) return std::nullopt;
    std::int64_t s = 0;
    for (char c : value) s = s * 10 + (c - '0');
    return milliseconds(s * 1000);
  }
  auto when = ParseHttpDate(value);
  if (!when) return std::nullopt;
  auto delta = duration_cast<milliseconds>(*when - now);
  return delta.count() < 0 ? milliseconds(0) : delta;
}

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
