// SPDX-License-Identifier: Apache-2.0
// The public time parsers (include/ccrec/core/time.hpp): accepted forms, and bad input refused
// with kInvalidArgument and a message that quotes the input and says what was wrong.
#include <ccrec/core/time.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

std::int64_t EpochMs(system_clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// The error message for `text`, which must be refused with kInvalidArgument.
std::string TimestampError(std::string const& text) {
  auto t = ccrec::ParseTimestamp(text);
  EXPECT_FALSE(t) << text << " was accepted";
  if (t) return {};
  EXPECT_EQ(t.error().code, ccrec::ErrorCode::kInvalidArgument) << text;
  return t.error().message;
}

std::string DurationError(std::string const& text) {
  auto d = ccrec::ParseDuration(text);
  EXPECT_FALSE(d) << text << " was accepted";
  if (d) return {};
  EXPECT_EQ(d.error().code, ccrec::ErrorCode::kInvalidArgument) << text;
  return d.error().message;
}

TEST(PublicParseTimestamp, AcceptsIsoWithZoneDateAloneAndEpochMilliseconds) {
  constexpr std::int64_t kNov1 = 1793491200000;  // 2026-11-01T00:00:00Z
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2026-11-01T00:00:00Z").value()), kNov1);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2026-11-01T00:00Z").value()), kNov1);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2026-11-01").value()), kNov1);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2026-11-01T00:00:00.250Z").value()), kNov1 + 250);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2026-11-01T00:00:00.2509Z").value()), kNov1 + 250);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2026-11-01T02:00:00+02:00").value()), kNov1);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2026-10-31T18:30:00-0530").value()), kNov1);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("1793491200000").value()), kNov1);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("0").value()), 0);
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp("2028-02-29T12:00:00Z").value()), 1835438400000);
}

TEST(PublicParseTimestamp, RefusesBadInputSayingWhatWasWrong) {
  EXPECT_NE(TimestampError("").find("it is empty"), std::string::npos);
  auto no_zone = TimestampError("2026-11-01T00:00:00");
  EXPECT_NE(no_zone.find("\"2026-11-01T00:00:00\" is not a time"), std::string::npos) << no_zone;
  EXPECT_NE(no_zone.find("no zone"), std::string::npos) << no_zone;
  EXPECT_NE(no_zone.find("2026-11-01T00:00:00Z or epoch milliseconds"), std::string::npos) << no_zone;
  EXPECT_NE(TimestampError("yesterday").find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(TimestampError("2026-13-01").find("out of range"), std::string::npos);
  EXPECT_NE(TimestampError("2026-02-29T00:00:00Z").find("out of range"), std::string::npos);  // not a leap year
  EXPECT_NE(TimestampError("2026-11-01T24:00:00Z").find("out of range"), std::string::npos);
  EXPECT_NE(TimestampError("2026-11-01X00:00:00Z").find("'T'"), std::string::npos);
  EXPECT_NE(TimestampError("2026-11-01T0:00Z").find("HH:MM"), std::string::npos);
  EXPECT_NE(TimestampError("2026-11-01T00:00:00.Z").find("'.'"), std::string::npos);
  EXPECT_NE(TimestampError("2026-11-01T00:00:00+2").find("offset"), std::string::npos);
  EXPECT_NE(TimestampError("2026-11-01T00:00:00+24:00").find("offset"), std::string::npos);
  EXPECT_NE(TimestampError("2026-11-01T00:00:00 UTC").find("zone"), std::string::npos);
  EXPECT_NE(TimestampError("2026-11-01T00:00:00Zjunk").find("after the zone"), std::string::npos);
  EXPECT_NE(TimestampError("1234567890123456").find("15 digits"), std::string::npos);
  EXPECT_NE(TimestampError("-1").find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(TimestampError("9999-12-31T00:00:00Z").find("range"), std::string::npos);  // past system_clock
}

TEST(PublicParseTimestamp, MessageQuotesAtMost64CharactersWithControlCharactersEscaped) {
  std::string huge(10000, '7');
  huge += "x";
  auto message = TimestampError(huge);
  EXPECT_LT(message.size(), 300u) << message;
  EXPECT_NE(message.find(std::string(64, '7') + "...\""), std::string::npos) << message;
  auto escaped = TimestampError("2026-11-01\r\n");
  EXPECT_EQ(escaped.find('\n'), std::string::npos) << escaped;
  EXPECT_EQ(escaped.find('\r'), std::string::npos) << escaped;
}

TEST(PublicFormatIso8601, FormatsUtcAndRoundTrips) {
  auto t = system_clock::time_point(milliseconds(1793491200250));
  EXPECT_EQ(ccrec::FormatIso8601(t), "2026-11-01T00:00:00Z");
  EXPECT_EQ(ccrec::FormatIso8601(t, true), "2026-11-01T00:00:00.250Z");
  EXPECT_EQ(ccrec::FormatIso8601(system_clock::time_point(milliseconds(1793491200000)), true), "2026-11-01T00:00:00Z");
  EXPECT_EQ(ccrec::FormatIso8601(system_clock::time_point{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(ccrec::FormatIso8601(system_clock::time_point(milliseconds(-1)), true), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(EpochMs(ccrec::ParseTimestamp(ccrec::FormatIso8601(t, true)).value()), EpochMs(t));
}

TEST(PublicParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(ccrec::ParseDuration("1500ms").value(), milliseconds(1500));
  EXPECT_EQ(ccrec::ParseDuration("30s").value(), seconds(30));
  EXPECT_EQ(ccrec::ParseDuration("30").value(), seconds(30));
  EXPECT_EQ(ccrec::ParseDuration("15m").value(), minutes(15));
  EXPECT_EQ(ccrec::ParseDuration("15min").value(), minutes(15));
  EXPECT_EQ(ccrec::ParseDuration("24h").value(), hours(24));
  EXPECT_EQ(ccrec::ParseDuration("3d").value(), hours(72));
  EXPECT_EQ(ccrec::ParseDuration("0").value(), milliseconds(0));
}

TEST(PublicParseDuration, RefusesBadInputSayingWhatWasWrong) {
  EXPECT_NE(DurationError("").find("it is empty"), std::string::npos);
  auto unit = DurationError("2w");
  EXPECT_NE(unit.find("\"2w\" is not a duration"), std::string::npos) << unit;
  EXPECT_NE(unit.find("ms, s, m, min, h, d"), std::string::npos) << unit;
  EXPECT_NE(DurationError("h").find("number"), std::string::npos);
  EXPECT_NE(DurationError("-5m").find("number"), std::string::npos);
  EXPECT_NE(DurationError("1.5h").find("unit"), std::string::npos);
  EXPECT_NE(DurationError("1h30m").find("unit"), std::string::npos);
  EXPECT_NE(DurationError(" 5m").find("number"), std::string::npos);
  EXPECT_NE(DurationError("5m ").find("unit"), std::string::npos);
  EXPECT_NE(DurationError("99999999999999999999d").find("too large"), std::string::npos);
  EXPECT_NE(DurationError("999999999999d").find("too large"), std::string::npos);  // overflows milliseconds
}

}  // namespace
