// SPDX-License-Identifier: Apache-2.0
// internal/time_util.hpp: formatting and parsing of times and durations.

#include "internal/time_util.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ccrec {
namespace {

using ::ccrec::detail::FromEpochMs;
using ::ccrec::detail::ParseTimeArg;
using ::ccrec::detail::SysTime;
using ::ccrec::detail::ToEpochMs;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kNov1 = 1793491200000;  // 2026-11-01T00:00:00Z

std::optional<std::int64_t> Ms(std::string_view text) {
  auto t = ParseTimeArg(text);
  if (!t) return std::nullopt;
  return ToEpochMs(*t);
}

TEST(EpochConversions, RoundTrip) {
  EXPECT_EQ(ToEpochMs(FromEpochMs(kNov1)), kNov1);
  EXPECT_EQ(ToEpochMs(FromEpochMs(-1500)), -1500);
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds(::ccrec::detail::FromEpochSeconds(1793491200)), 1793491200);
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds(FromEpochMs(1999)), 1);
}

TEST(EpochConversions, OutOfRangeSaturatesInsteadOfOverflowing) {
  EXPECT_EQ(::ccrec::detail::FromEpochSeconds(std::numeric_limits<std::int64_t>::max()), SysTime::max());
  EXPECT_EQ(::ccrec::detail::FromEpochSeconds(std::numeric_limits<std::int64_t>::min()), SysTime::min());
  EXPECT_EQ(FromEpochMs(std::numeric_limits<std::int64_t>::max()), SysTime::max());
  EXPECT_EQ(FromEpochMs(std::numeric_limits<std::int64_t>::min()), SysTime::min());
}

TEST(ParseTimeArg, IsoUtc) {
  EXPECT_EQ(Ms("2026-11-01T00:00:00Z"), kNov1);
  EXPECT_EQ(Ms("2026-11-01t00:00:00z"), kNov1);
  EXPECT_EQ(Ms("2026-11-01 00:00:00Z"), kNov1);
  EXPECT_EQ(Ms("2026-11-01T00:00Z"), kNov1) << "seconds are optional";
  EXPECT_EQ(Ms("2026-11-01"), kNov1) << "a date alone is midnight UTC";
  EXPECT_EQ(Ms("2026-11-01T13:14:15Z"), kNov1 + (13 * 3600 + 14 * 60 + 15) * 1000);
  EXPECT_EQ(Ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Ms("1969-12-31T23:59:59Z"), -1000);
}

TEST(ParseTimeArg, Fractions) {
  EXPECT_EQ(Ms("2026-11-01T00:00:00.123Z"), kNov1 + 123);
  EXPECT_EQ(Ms("2026-11-01T00:00:00.1Z"), kNov1 + 100);
  EXPECT_EQ(Ms("2026-11-01T00:00:00.12Z"), kNov1 + 120);
  EXPECT_EQ(Ms("2026-11-01T00:00:00.123456789Z"), kNov1 + 123);
  EXPECT_EQ(Ms("2026-11-01T00:00:00.999+00:00"), kNov1 + 999);
}

TEST(ParseTimeArg, Offsets) {
  EXPECT_EQ(Ms("2026-11-01T01:00:00+01:00"), kNov1);
  EXPECT_EQ(Ms("2026-11-01T01:00:00+0100"), kNov1);
  EXPECT_EQ(Ms("2026-10-31T18:30:00-05:30"), kNov1);
  EXPECT_EQ(Ms("2026-11-01T00:00:00+00:00"), kNov1);
  EXPECT_EQ(Ms("2026-11-01T00:00:00-00:00"), kNov1);
  EXPECT_EQ(Ms("2026-11-01T05:45:00.5+05:45"), kNov1 + 500);
}

TEST(ParseTimeArg, EpochMilliseconds) {
  EXPECT_EQ(Ms("1793491200000"), kNov1);
  EXPECT_EQ(Ms("0"), 0);
  EXPECT_EQ(Ms("1617373126000"), 1617373126000);
}

TEST(ParseTimeArg, LeapDay) {
  EXPECT_TRUE(Ms("2024-02-29T00:00:00Z"));
  EXPECT_TRUE(Ms("2000-02-29T00:00:00Z"));
  EXPECT_FALSE(Ms("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(Ms("1900-02-29T00:00:00Z"));
}

TEST(ParseTimeArg, Rejects) {
  for (std::string bad : {"", "garbage", "now", "2026-11-01T00:00:00", "2026-11-01T00:00", "2026-02-30T00:00:00Z",
                          "2026-04-31", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z",
                          "2026-11-01T24:00:00Z", "2026-11-01T00:60:00Z", "2026-11-01T00:00:61Z",
                          "2026-11-01T00:00:00.Z", "2026-11-01T00:00:00+01", "2026-11-01T00:00:00+1:00",
                          "2026-11-01T00:00:00+25:00", "2026-11-01T00:00:00+01:60", "2026-11-01T00:00:00ZZ",
                          "2026-11-01T00:00:00Z ", " 2026-11-01T00:00:00Z", "2026/11/01", "2026-11-1",
                          "2026-11-01X", "2026-11-01T", "2026-11-01T0:00:00Z", "2026-11-01T00:00:00 UTC", "-1",
                          "1e12", "1793491200000ms", "0x10", "9999999999999999",
                          // representable as text but not as a time_point (no overflow, just refusal)
                          "999999999999999", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"}) {
    EXPECT_FALSE(Ms(bad)) << "accepted \"" << bad << "\" as " << Ms(bad).value_or(0);
  }
}

TEST(FormatIso8601, Basics) {
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(kNov1)), "2026-11-01T00:00:00Z");
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(kNov1 + 123)), "2026-11-01T00:00:00Z");
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(kNov1 + 123), true), "2026-11-01T00:00:00.123Z");
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(kNov1 + 5), true), "2026-11-01T00:00:00.005Z");
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(kNov1), true), "2026-11-01T00:00:00Z");
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(-1500), true), "1969-12-31T23:59:58.500Z");
  EXPECT_EQ(::ccrec::detail::FormatIso8601(FromEpochMs(951782400000)), "2000-02-29T00:00:00Z");
}

TEST(FormatIso8601, RoundTripsThroughParse) {
  for (std::int64_t ms : {kNov1, kNov1 + 1, kNov1 + 999, std::int64_t{0}, std::int64_t{-1}, std::int64_t{4102444799999}}) {
    auto text = ::ccrec::detail::FormatIso8601(FromEpochMs(ms), true);
    EXPECT_EQ(Ms(text), ms) << text;
  }
}

TEST(FormatAmzDate, Basics) {
  EXPECT_EQ(::ccrec::detail::FormatAmzDate(FromEpochMs(kNov1 + 3723000 + 999)), "20261101T010203Z");
  EXPECT_EQ(::ccrec::detail::FormatYmd(FromEpochMs(kNov1 + 3723000)), "20261101");
  EXPECT_EQ(::ccrec::detail::FormatAmzDate(FromEpochMs(1440938160000)), "20150830T123600Z");  // the AWS SigV4 example
  auto parsed = ::ccrec::detail::ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(ToEpochMs(*parsed), 1440938160000);
  for (std::string bad : {"", "20150830T123600", "20150830123600Z", "2015-08-30T12:36:00Z", "20150230T123600Z",
                          "20150830T253600Z", "2015083OT123600Z"}) {
    EXPECT_FALSE(::ccrec::detail::ParseAmzDate(bad)) << bad;
  }
}

TEST(FormatSqlTime, Basics) {
  EXPECT_EQ(::ccrec::detail::FormatSqlTime(FromEpochMs(kNov1 + 45296789), false), "2026-11-01 12:34:56");
  EXPECT_EQ(::ccrec::detail::FormatSqlTime(FromEpochMs(kNov1 + 45296789), true), "2026-11-01 12:34:56.789");
  EXPECT_EQ(::ccrec::detail::FormatSqlTime(FromEpochMs(kNov1), true), "2026-11-01 00:00:00.000");
}

TEST(ParseHttpDate, ImfFixdate) {
  auto t = ::ccrec::detail::ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t);
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds(*t), 784111777);
  auto u = ::ccrec::detail::ParseHttpDate("Sun, 01 Nov 2026 00:00:00 GMT");
  ASSERT_TRUE(u);
  EXPECT_EQ(ToEpochMs(*u), kNov1);
}

TEST(ParseHttpDate, ObsoleteFormats) {
  // RFC 7231 §7.1.1.1: recipients MUST accept RFC 850 and asctime dates too.
  auto rfc850 = ::ccrec::detail::ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT");
  ASSERT_TRUE(rfc850);
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds(*rfc850), 784111777);
  auto asctime = ::ccrec::detail::ParseHttpDate("Sun Nov  6 08:49:37 1994");
  ASSERT_TRUE(asctime);
  EXPECT_EQ(::ccrec::detail::ToEpochSeconds(*asctime), 784111777);
}

TEST(ParseHttpDate, Rejects) {
  for (std::string bad : {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
                          "Sun,x06xNovx1994x08:49:37 GMT", "Sun, 06 Nov 1994 08-49-37 GMT", "1994-11-06T08:49:37Z",
                          "Sun, 06 Nov 1994 08:49:37 GMT trailing", "120"}) {
    EXPECT_FALSE(::ccrec::detail::ParseHttpDate(bad)) << bad;
  }
}

TEST(ParseRetryAfter, Seconds) {
  SysTime now = FromEpochMs(kNov1);
  EXPECT_EQ(::ccrec::detail::ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(::ccrec::detail::ParseRetryAfter("0", now), seconds(0));
  EXPECT_EQ(::ccrec::detail::ParseRetryAfter(" 5 ", now), seconds(5));
  for (std::string bad : {"", " ", "-1", "1.5", "abc", "5s", "0x10"}) {
    EXPECT_FALSE(::ccrec::detail::ParseRetryAfter(bad, now)) << bad;
  }
}

TEST(ParseRetryAfter, HugeSecondsAreClampedNotIgnored) {
  // An absurd Retry-After must still read as "very long" so that the retry policy gives up,
  // not as "absent" (which would retry at once).
  SysTime now = FromEpochMs(kNov1);
  auto d = ::ccrec::detail::ParseRetryAfter("99999999999999999999999", now);
  ASSERT_TRUE(d);
  EXPECT_GE(*d, std::chrono::hours(24 * 365));
}

// Found by fuzz/time_util_fuzz.cpp: date - now was taken in system_clock nanoseconds, which
// overflow (undefined behaviour) for dates more than 292 years away: a 1700 date read as a delay
// of centuries instead of "now".
TEST(ParseRetryAfter, DistantDatesDoNotOverflow) {
  SysTime now = FromEpochMs(kNov1);
  EXPECT_EQ(::ccrec::detail::ParseRetryAfter("Fri, 01 Jan 1700 00:00:00 GMT", now), milliseconds(0));
  auto far = ::ccrec::detail::ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT",
                                       FromEpochMs(kNov1) + std::chrono::hours(24 * 365 * 230));
  EXPECT_EQ(far, milliseconds(0));
}

TEST(ParseRetryAfter, HttpDate) {
  SysTime now = FromEpochMs(kNov1);
  EXPECT_EQ(::ccrec::detail::ParseRetryAfter("Sun, 01 Nov 2026 00:00:30 GMT", now), seconds(30));
  EXPECT_EQ(::ccrec::detail::ParseRetryAfter("Sat, 31 Oct 2026 23:59:00 GMT", now), milliseconds(0)) << "past dates: now";
  EXPECT_EQ(::ccrec::detail::ParseRetryAfter("Sun, 01 Nov 2026 00:00:00 GMT", now + milliseconds(400)), milliseconds(0));
}

TEST(ParseDuration, Units) {
  using ::ccrec::detail::ParseDuration;
  EXPECT_EQ(ParseDuration("30s"), seconds(30));
  EXPECT_EQ(ParseDuration("10"), seconds(10));
  EXPECT_EQ(ParseDuration("1500ms"), milliseconds(1500));
  EXPECT_EQ(ParseDuration("5m"), std::chrono::minutes(5));
  EXPECT_EQ(ParseDuration("5min"), std::chrono::minutes(5));
  EXPECT_EQ(ParseDuration("2h"), std::chrono::hours(2));
  EXPECT_EQ(ParseDuration("1d"), std::chrono::hours(24));
  EXPECT_EQ(ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(ParseDuration("365d"), std::chrono::hours(24 * 365));
}

TEST(ParseDuration, Rejects) {
  using ::ccrec::detail::ParseDuration;
  for (std::string bad : {"", "s", "ms", "5x", "-5s", "1.5s", " 5s", "5s ", "5 s", "5S", "5sec", "d5",
                          // overflow: must be refused, not wrapped
                          "99999999999999999999", "9999999999999d", "9999999999999h", "999999999999999999ms"}) {
    EXPECT_FALSE(ParseDuration(bad)) << bad << " -> " << ParseDuration(bad).value_or(milliseconds(-1)).count();
  }
}

}  // namespace
}  // namespace ccrec
