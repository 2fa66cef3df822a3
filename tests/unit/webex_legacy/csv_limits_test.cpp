// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 2: the size of one CSV record is bounded (CsvOptions::max_record_bytes), not only
// the size of each field, so a hostile v1 server cannot grow a row without bound with millions of
// tiny fields or many fields each under max_field_bytes. Checked whatever the chunking, in the
// parser and in the streamed (window-filtered) CSV path.
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/csv.hpp>

#include "unit/webex_legacy/fake_v1_server.hpp"

#include <gtest/gtest.h>

#include "internal/time_util.hpp"

#include <algorithm>
#include <random>

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using ccrec::detail::FromEpochMs;

using legacy_test::kDay;

/// Feeds `text` in random chunks; returns the result of the first failing Feed/Finish (or of
/// Finish) and the offset of the end of the chunk that failed (text.size() when none did).
struct ChunkedOutcome {
  ccrec::Result<void> result;
  std::size_t failed_at_end;
  std::vector<std::vector<std::string>> rows;
};
ChunkedOutcome FeedInRandomChunks(std::string_view text, CsvOptions const& options, std::uint32_t seed) {
  std::mt19937 rng(seed);
  CsvParser parser(options);
  ChunkedOutcome out{{}, text.size(), {}};
  auto collect = [&out](std::vector<std::string> const& row) { out.rows.push_back(row); };
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t n = std::min<std::size_t>(text.size() - at, 1 + rng() % 9);
    auto fed = parser.Feed(text.substr(at, n), collect);
    at += n;
    if (!fed) {
      out.result = std::move(fed);
      out.failed_at_end = at;
      return out;
    }
  }
  out.result = parser.Finish(collect);
  return out;
}

// The regression: before max_record_bytes a record of 5 fields of 1 MiB (each far under the field
// cap) was accepted whole; now the default 4 MiB record limit rejects it, naming record and limit.
TEST(CsvRecordLimit, ManyFieldsUnderTheFieldCapExceedTheDefaultRecordLimit) {
  std::string field(std::size_t{1} << 20, 'x');
  std::string text = "a,b,c,d,e\r\n1,2,3,4,5\r\n" + field + "," + field + "," + field + "," + field + "," + field + "\r\n";
  auto t = ParseCsv(text);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kParse);
  EXPECT_NE(t.error().message.find("CSV record 3 (line 3)"), std::string::npos) << t.error().message;
  EXPECT_NE(t.error().message.find("4194304 bytes"), std::string::npos) << t.error().message;
  EXPECT_NE(t.error().message.find("max_record_bytes"), std::string::npos) << t.error().message;
}

// Millions of empty fields: with max_fields raised out of the way, the record limit stops the
// row at its byte max_record_bytes + 1, whatever the chunking: memory stays bounded.
TEST(CsvRecordLimit, MillionsOfTinyFieldsFailAtTheLimitByteInAnyChunking) {
  CsvOptions o;
  o.max_fields = std::size_t{10} << 20;
  o.max_record_bytes = 1000;
  std::string header = "sid\r\n";
  std::string text = header + std::string(3'000'000, ',');
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    auto outcome = FeedInRandomChunks(text, o, seed);
    ASSERT_FALSE(outcome.result) << "seed " << seed;
    EXPECT_NE(outcome.result.error().message.find("CSV record 2 (line 2)"), std::string::npos)
        << outcome.result.error().message;
    EXPECT_NE(outcome.result.error().message.find("1000 bytes"), std::string::npos) << outcome.result.error().message;
    // The chunk that failed holds the record's byte 1001; no later byte was read.
    std::size_t limit_byte = header.size() + 1000;  // 0-based offset of byte 1001 of the record
    EXPECT_GT(outcome.failed_at_end, limit_byte) << "seed " << seed;
    EXPECT_LE(outcome.failed_at_end, limit_byte + 9) << "seed " << seed;
  }
}

// What counts: quotes, delimiters and line breaks inside quoted fields do; the record's own line
// break (LF, CR or CRLF) and a leading byte-order mark do not. Exactly at the limit passes, one
// byte more fails, in every chunking.
TEST(CsvRecordLimit, ExactlyAtTheLimitPassesOneMoreFailsInAnyChunking) {
  CsvOptions o;
  o.max_record_bytes = 10;
  // Records of exactly 10 bytes: `abcd,efghi` (after a BOM), `"a<CR><LF>b",cde`, `"x""y",123`.
  std::string ok = "\xEF\xBB\xBF" "abcd,efghi\r\n\"a\r\nb\",cde\n\"x\"\"y\",123\r";
  std::string too_long = "abcd,efghi\r\n\"a\r\nb\",cdef\r\n";
  for (std::uint32_t seed = 1; seed <= 30; ++seed) {
    auto good = FeedInRandomChunks(ok, o, seed);
    ASSERT_TRUE(good.result) << good.result.error().message;
    EXPECT_EQ(good.rows, (std::vector<std::vector<std::string>>{{"a\r\nb", "cde"}, {"x\"y", "123"}}));
    auto bad = FeedInRandomChunks(too_long, o, seed);
    ASSERT_FALSE(bad.result) << "seed " << seed;
    EXPECT_EQ(bad.result.error().message,
              "CSV record 2 (line 2): the record is longer than 10 bytes, the limit (CsvOptions::max_record_bytes; v1 "
              "rows are a few KiB: a corrupt or hostile body)");
  }
  // An open quoted field is bounded the same way (a body that never closes its quote).
  auto open = ParseCsv("sid\r\n\"" + std::string(100, 'q'), o);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("max_record_bytes"), std::string::npos) << open.error().message;
}

// The header record is bounded too (record 1).
TEST(CsvRecordLimit, HeaderRecordIsBounded) {
  CsvOptions o;
  o.max_record_bytes = 8;
  auto t = ParseCsv("a,b,c,d,e\r\n", o);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("CSV record 1 (line 1)"), std::string::npos) << t.error().message;
}

/// A body generated on the fly (never held whole): `prefix`, then `fill` with a comma every 1000
/// bytes (fields of ~1 KB, far under every per-field limit), counting the bytes handed out.
class GeneratedBody : public ccrec::BodyReader {
 public:
  GeneratedBody(std::string prefix, char fill, std::size_t total, std::shared_ptr<std::size_t> served)
      : prefix_(std::move(prefix)), fill_(fill), total_(total), served_(std::move(served)) {}
  ccrec::Result<std::size_t> Read(char* buffer, std::size_t size) override {
    std::size_t n = std::min(size, total_ - *served_);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t at = *served_ + i;
      buffer[i] = at < prefix_.size() ? prefix_[at] : (at % 1000 == 999 ? ',' : fill_);
    }
    *served_ += n;
    return n;
  }

 private:
  std::string prefix_;
  char fill_;
  std::size_t total_;
  std::shared_ptr<std::size_t> served_;
};

// The streamed CSV path (OpenCsvPage) holds each raw record until its line break: a 64 MiB body
// that is one endless row of 1 KB fields now fails once the row passes 4 MiB (it held up to
// 64 MiB before), with the endpoint, the record number and the limit, and yields nothing of it.
TEST(CsvRecordLimit, StreamedEndlessRowFailsAtTheRecordLimitAndYieldsNothingOfIt) {
  auto transport = std::make_shared<ccrec::testing::FakeHttpTransport>();
  auto clock = std::make_shared<ccrec::testing::ManualClock>();
  ClientOptions options;
  options.base_url = "https://rest.example.test";
  options.credentials = {"userID@portal-controlhub.com", "myRandomApiKeY", "11894", true};
  options.transport = transport;
  options.clock = clock;
  options.sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  auto served = std::make_shared<std::size_t>(0);
  transport->Enqueue([served](ccrec::testing::RecordedRequest const&) {
    ccrec::HttpResponse response;
    response.status = 200;
    response.headers = {{"Content-Type", "text/csv"}};
    response.body = std::make_unique<GeneratedBody>("sid,cstts\r\n", 'x', std::size_t{64} << 20, served);
    return ccrec::Result<ccrec::HttpResponse>(std::move(response));
  });
  Client client(options);
  Query q;
  q.date_begin = FromEpochMs(kDay);
  q.date_end = FromEpochMs(kDay + 1000);
  auto page = client.OpenCsvPage(RecordType::kCsr, q);
  ASSERT_TRUE(page) << page.error().ToString();
  std::string yielded;
  auto streamed = legacy_test::ReadAll(**page, 64 * 1024, &yielded);
  ASSERT_FALSE(streamed);
  EXPECT_EQ(streamed.error().code, ErrorCode::kParse);
  auto const& m = streamed.error().message;
  EXPECT_NE(m.find("/aws/api/csrs"), std::string::npos) << m;
  EXPECT_NE(m.find("CSV record 2"), std::string::npos) << m;
  EXPECT_NE(m.find("4194304 bytes"), std::string::npos) << m;
  EXPECT_LT(*served, (std::size_t{4} << 20) + (std::size_t{1} << 20)) << "read far past the record limit";
  EXPECT_EQ(yielded, "sid,cstts\r\n") << "only the header was complete";
  EXPECT_EQ(transport->RequestCount(), 1u) << "a parse error is not retried";
}

}  // namespace
