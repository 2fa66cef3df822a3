// SPDX-License-Identifier: Apache-2.0
// Client: retries, errors, window splitting, CSV streaming, single records and chains.
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/errors.hpp>
#include <ccrec/webex_legacy/windows.hpp>

#include <gtest/gtest.h>

#include "internal/time_util.hpp"
#include "unit/webex_legacy/fake_v1_server.hpp"

#include <set>

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using ccrec::detail::FromEpochMs;
using ccrec::detail::ToEpochMs;
using ccrec::testing::FakeHttpTransport;
using legacy_test::FakeRecord;
using legacy_test::FakeV1Server;
using legacy_test::kDay;

using legacy_test::ClientFixture;
using legacy_test::MsWindow;

Query Q(std::int64_t b, std::int64_t e) {
  Query q;
  q.date_begin = FromEpochMs(b);
  q.date_end = FromEpochMs(e);
  return q;
}

ccrec::HttpHeaders Json() { return {{"Content-Type", "application/json"}}; }

// --- windows ----------------------------------------------------------------------------------

TEST(Windows, SplitDownToOneMillisecond) {
  auto halves = SplitWindow(MsWindow(0, 10));
  ASSERT_TRUE(halves);
  EXPECT_EQ(halves->first, MsWindow(0, 5));
  EXPECT_EQ(halves->second, MsWindow(5, 10));
  halves = SplitWindow(MsWindow(0, 3));
  EXPECT_EQ(halves->first, MsWindow(0, 1));
  EXPECT_EQ(halves->second, MsWindow(1, 3));
  EXPECT_FALSE(SplitWindow(MsWindow(7, 8)));
  EXPECT_FALSE(SplitWindow(MsWindow(7, 7)));
}

TEST(Windows, PlanAlignedAndMinusDone) {
  auto hour = std::chrono::milliseconds(3600000);
  auto plan = PlanWindows(MsWindow(kDay + 1800000, kDay + 3 * 3600000), hour);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0], MsWindow(kDay + 1800000, kDay + 3600000));
  EXPECT_EQ(plan[1], MsWindow(kDay + 3600000, kDay + 7200000));
  EXPECT_EQ(plan[2], MsWindow(kDay + 7200000, kDay + 10800000));
  EXPECT_EQ(PlanWindows(MsWindow(5, 10), std::chrono::milliseconds(0)), (std::vector<TimeWindow>{MsWindow(5, 10)}));
  EXPECT_TRUE(PlanWindows(MsWindow(5, 5), hour).empty());
  // Done windows (exported before, possibly by a run with other bounds) are left out.
  std::vector<TimeWindow> done{MsWindow(kDay + 3600000, kDay + 5400000), MsWindow(kDay + 5400000, kDay + 5400001),
                               MsWindow(kDay - 100, kDay + 1800000)};
  plan = PlanWindows(MsWindow(kDay, kDay + 7200000), hour, done);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0], MsWindow(kDay + 1800000, kDay + 3600000));
  EXPECT_EQ(plan[1], MsWindow(kDay + 5400001, kDay + 7200000));
  EXPECT_TRUE(PlanWindows(MsWindow(kDay, kDay + 10), hour, {MsWindow(kDay - 1, kDay + 11)}).empty());
}

// --- errors and retries -----------------------------------------------------------------------

TEST(Errors, StatusMapping) {
  EXPECT_EQ(MapLegacyError(400, "{\"message\":\"bad q\"}", {}, "x").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(MapLegacyError(403, "", {}, "x").code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(MapLegacyError(404, "", {}, "x").code, ErrorCode::kNotFound);
  EXPECT_EQ(MapLegacyError(503, "<html>down</html>", {}, "x").code, ErrorCode::kUnavailable);
  auto rl = MapLegacyError(429, "", {{"Retry-After", "7"}}, "x");
  EXPECT_EQ(rl.code, ErrorCode::kRateLimited);
  ASSERT_TRUE(rl.retry_after);
  EXPECT_EQ(rl.retry_after->count(), 7000);
  auto e = MapLegacyError(400, "{\"message\":\"bad q\",\"error\":\"Bad Request\",\"trackingId\":\"T9\"}", {}, "op");
  EXPECT_EQ(e.request_id, "T9");
  EXPECT_EQ(e.vendor_code, "Bad Request");
  EXPECT_NE(e.message.find("op failed with HTTP 400: bad q"), std::string::npos) << e.message;
}

TEST(Retries, RateLimitedHonoursRetryAfterAndUnavailableIsRetried) {
  ClientFixture f;
  f.transport->EnqueueResponse(429, "{\"message\":\"slow down\"}", {{"Retry-After", "3"}});
  f.transport->EnqueueResponse(503, "unavailable");
  f.transport->EnqueueResponse(200, "[{\"sid\":\"a\",\"cstts\":" + std::to_string(kDay) + "}]", Json());
  Client client(f.Options());
  auto page = client.QueryPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(page->records.size(), 1u);
  EXPECT_EQ(f.transport->RequestCount(), 3u);
  auto sleeps = f.sleeper->Sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_GE(sleeps[0].count(), 3000);
}

TEST(Retries, BodyCutShortIsRetriedBadRequestIsNot) {
  ClientFixture f;
  f.transport->Enqueue([](ccrec::testing::RecordedRequest const&) -> ccrec::Result<ccrec::HttpResponse> {
    ccrec::HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = ccrec::testing::MakeStringBodyReader("[{\"sid\":", 4,
                                                 ccrec::MakeError(ErrorCode::kTransport, "connection reset"));
    return r;
  });
  f.transport->EnqueueResponse(200, "[]", Json());
  f.transport->EnqueueResponse(400, "{\"message\":\"Invalid query\"}", Json());
  Client client(f.Options());
  auto page = client.QueryPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(f.transport->RequestCount(), 2u);
  auto bad = client.QueryPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.transport->RequestCount(), 3u);
}

TEST(Responses, MalformedJsonWrongContentTypeAndOutsideWindowRecords) {
  ClientFixture f;
  f.transport->EnqueueResponse(200, "[{\"sid\":\"a\",\"cstts\":1", Json());
  f.transport->EnqueueResponse(200, "sid\r\na\r\n", {{"Content-Type", "text/csv"}});
  f.transport->EnqueueResponse(
      200,
      "[{\"sid\":\"early\",\"cstts\":" + std::to_string(kDay - 1) + "},{\"sid\":\"in\",\"cstts\":\"" +
          std::to_string(kDay) + "\"},{\"sid\":\"end\",\"cstts\":" + std::to_string(kDay + 1000) +
          "},{\"sid\":\"nots\"},{\"sid\":\"dash\",\"cstts\":\"-\"}]",
      Json());
  Client client(f.Options());
  auto malformed = client.QueryPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kParse);
  EXPECT_NE(malformed.error().message.find("not valid JSON"), std::string::npos) << malformed.error().message;
  EXPECT_NE(malformed.error().message.find("2026-11-01T00:00:00"), std::string::npos) << "names the window";
  auto csv = client.QueryPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_FALSE(csv);
  EXPECT_EQ(csv.error().code, ErrorCode::kParse);
  auto page = client.QueryPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->rows_returned, 5u);
  EXPECT_EQ(page->dropped_outside_window, 2u);
  ASSERT_EQ(page->records.size(), 3u);
  EXPECT_NE(page->records[0].find("\"in\""), std::string::npos);
  EXPECT_NE(page->records[1].find("\"nots\""), std::string::npos);
}

TEST(Responses, PossiblyTruncatedFlag) {
  ClientFixture f;
  FakeV1Server server(legacy_test::Spread("a", kDay, 1000, 10), 1000);
  server.Install(*f.transport);
  Client client(f.Options());
  Query q = Q(kDay, kDay + 1000);
  q.number_of_records = 10;
  auto page = client.QueryPage(RecordType::kCsr, q);
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->possibly_truncated);
  EXPECT_EQ(page->row_limit, 10u);
  q.number_of_records = 11;
  EXPECT_FALSE(client.QueryPage(RecordType::kCsr, q)->possibly_truncated);
}

// --- window splitting ---------------------------------------------------------------------------

std::vector<FakeRecord> DenseDay() {
  auto records = legacy_test::Spread("s", kDay, 86400000, 300);             // sparse day
  auto burst = legacy_test::Spread("b", kDay + 36000000, 1000, 2500);      // 2500 in one second
  records.insert(records.end(), burst.begin(), burst.end());
  for (int i = 0; i < 6; ++i) records.push_back({"m" + std::to_string(i), kDay + 43200000});  // 6 in one ms
  return records;
}

TEST(Splitting, EveryRecordExactlyOnceNoResponseFullNeverOverTheCap) {
  ClientFixture f;
  auto records = DenseDay();
  FakeV1Server server(records, 1000);
  server.Install(*f.transport);
  Client client(f.Options());
  std::multiset<std::string> seen;
  std::int64_t last_begin = 0;
  int pages = 0;
  for (auto& page : client.ListPages(RecordType::kCsr, Query{}, MsWindow(kDay, kDay + 86400000))) {
    ASSERT_TRUE(page) << page.error().ToString();
    EXPECT_FALSE(page->possibly_truncated);
    EXPECT_GE(ToEpochMs(page->window.begin), last_begin) << "time order";
    last_begin = ToEpochMs(page->window.begin);
    for (auto const& r : page->records) seen.insert(r.substr(0, r.find(',')));
    ++pages;
  }
  EXPECT_EQ(seen.size(), records.size());
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), records.size()) << "no duplicates";
  EXPECT_LE(server.MaxNumberOfRecords(), 1000);
  EXPECT_GE(pages, 24 + 3);
  // The burst hour was split: some query covered less than one second.
  bool sub_second = false;
  for (auto const& q : server.Queries()) sub_second = sub_second || (q.end - q.begin) < 1000;
  EXPECT_TRUE(sub_second);
}

TEST(Splitting, OneMillisecondFullAtACapBelowTheServiceCapIsReQueriedAtTheCap) {
  ClientFixture f;
  std::vector<FakeRecord> records;
  for (int i = 0; i < 15; ++i) records.push_back({"m" + std::to_string(i), kDay + 5});
  FakeV1Server server(records, 1000);
  server.Install(*f.transport);
  Client client(f.Options());
  Query base;
  base.number_of_records = 10;
  auto csrs = client.ListCsrs(base, MsWindow(kDay, kDay + 16));
  ASSERT_TRUE(csrs) << csrs.error().ToString();
  EXPECT_EQ(csrs->size(), 15u);
  bool escalated = false;
  // A one-millisecond window is queried from the millisecond before it.
  for (auto const& q : server.Queries()) escalated = escalated || (q.number_of_records == 1000 && q.end - q.begin == 2);
  EXPECT_TRUE(escalated);
}

TEST(Splitting, UnsplittableTruncationIsReportedNotDropped) {
  ClientFixture f;
  std::vector<FakeRecord> records;
  for (int i = 0; i < 12; ++i) records.push_back({"m" + std::to_string(i), kDay + 7});
  records.push_back({"later", kDay + 9});
  records.push_back({"earlier", kDay + 2});
  FakeV1Server server(records, 10);
  server.Install(*f.transport);
  Client client(f.Options(10));
  Query base;
  base.number_of_records = 10;
  std::vector<std::string> ids;
  std::optional<ccrec::Error> error;
  for (auto& page : client.ListPages(RecordType::kCsr, base, MsWindow(kDay, kDay + 64))) {
    if (!page) {
      error = page.error();
      break;
    }
    for (auto const& r : page->records) ids.push_back(r);
  }
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, ErrorCode::kInternal);
  EXPECT_NE(error->message.find("2026-11-01T00:00:00.007Z"), std::string::npos) << error->message;
  ASSERT_EQ(ids.size(), 2u) << "every other window is still read";
  EXPECT_NE(ids[0].find("earlier"), std::string::npos);
  EXPECT_NE(ids[1].find("later"), std::string::npos);
  auto all = client.ListCsrs(base, MsWindow(kDay, kDay + 64));
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, ErrorCode::kInternal);
}

// Issue 11 item 2: the v1 window semantics are only assumed. Records exactly on window
// boundaries (aligned hours, and every millisecond of a block dense enough to be split down to
// a few milliseconds) are yielded exactly once whether the service treats dateBegin and dateEnd
// as inclusive or exclusive.
TEST(Boundaries, EveryRecordExactlyOnceWhateverTheServiceWindowSemantics) {
  std::vector<FakeRecord> records;
  for (int h = 0; h <= 3; ++h) {
    for (int d = -1; d <= 1; ++d) records.push_back({"h" + std::to_string(h) + "_" + std::to_string(d + 1),
                                                     kDay + h * 3600000 + d});
  }
  for (int i = 0; i < 40; ++i) records.push_back({"d" + std::to_string(i), kDay + 5400000 + i});  // one per ms
  std::set<std::string> expected;
  for (auto const& r : records) {
    if (r.cstts >= kDay && r.cstts < kDay + 3 * 3600000) expected.insert(r.id);
  }
  for (int semantics = 0; semantics < 4; ++semantics) {
    bool begin_inclusive = (semantics & 1) == 0, end_inclusive = (semantics & 2) != 0;
    SCOPED_TRACE(std::string(begin_inclusive ? "[" : "(") + "dateBegin, dateEnd" + (end_inclusive ? "]" : ")"));
    ClientFixture f;
    FakeV1Server server(records, 10);
    server.SetWindowSemantics(begin_inclusive, end_inclusive);
    server.Install(*f.transport);
    Client client(f.Options(10));
    Query base;
    base.number_of_records = 10;
    std::multiset<std::string> seen;
    for (auto& page : client.ListPages(RecordType::kCsr, base, MsWindow(kDay, kDay + 3 * 3600000))) {
      ASSERT_TRUE(page) << page.error().ToString();
      for (auto const& r : page->records) seen.insert(r.substr(8, r.find('"', 8) - 8));
    }
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
    EXPECT_EQ(seen.size(), expected.size()) << "no duplicates";
  }
}

TEST(Boundaries, AFullMillisecondDoesNotMakeTheNextWindowLookFull) {
  ClientFixture f;
  std::vector<FakeRecord> records;
  for (int i = 0; i < 12; ++i) records.push_back({"m" + std::to_string(i), kDay + 7});
  records.push_back({"next", kDay + 8});
  FakeV1Server server(records, 10);  // includes dateBegin: the client learns it from the answer
  server.Install(*f.transport);
  Client client(f.Options(10));
  Query base;
  base.number_of_records = 10;
  std::vector<std::string> ids;
  std::optional<ccrec::Error> error;
  for (auto& page : client.ListPages(RecordType::kCsr, base, MsWindow(kDay, kDay + 64))) {
    if (!page) {
      error = page.error();
      break;
    }
    for (auto const& r : page->records) ids.push_back(r);
  }
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("2026-11-01T00:00:00.007Z"), std::string::npos) << error->message;
  EXPECT_EQ(error->message.find("00:00:00.008Z"), std::string::npos) << error->message;
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_NE(ids[0].find("\"next\""), std::string::npos);
}

TEST(Splitting, EmptyRangeAndEmptyWindows) {
  ClientFixture f;
  FakeV1Server server({}, 1000);
  server.Install(*f.transport);
  Client client(f.Options());
  auto none = client.ListCsrs(Query{}, MsWindow(kDay, kDay + 7200000));
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(server.Queries().size(), 2u);
  auto empty = client.ListCsrs(Query{}, MsWindow(kDay, kDay));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

// --- CSV ----------------------------------------------------------------------------------------

TEST(CsvResponses, StreamedExactlyAndParsedIntoRows) {
  ClientFixture f;
  FakeV1Server server(legacy_test::Spread("c", kDay, 1000, 5), 1000);
  server.Install(*f.transport);
  Client client(f.Options());
  auto page = client.OpenCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_FALSE((*page)->Finished());
  auto stored = legacy_test::ReadAll(**page);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_TRUE((*page)->Finished());
  EXPECT_EQ((*page)->Rows(), 5u);
  EXPECT_EQ((*page)->RowLimit(), 1000u);
  EXPECT_FALSE((*page)->PossiblyTruncated());
  EXPECT_EQ((*page)->Header(), (std::vector<std::string>{"sid", "cstts", "notes"}));
  EXPECT_EQ((*page)->Window(), MsWindow(kDay, kDay + 1000));
  std::string expected = "sid,cstts,notes\r\n";
  for (auto const& r : server.InWindow(kDay, kDay + 1000)) expected += legacy_test::RecordCsvRow(r);
  EXPECT_EQ(*stored, expected);
  EXPECT_EQ((*page)->Bytes(), expected.size());
  EXPECT_EQ(f.transport->Requests().back().Header("Accept").value_or(""), "text/csv");
  EXPECT_EQ(server.Queries().back().begin, kDay - 1) << "from one millisecond earlier by default";
  auto exact = client.OpenCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000), ccrec::webex_legacy::WindowBounds::kExact);
  ASSERT_TRUE(exact);
  EXPECT_EQ(legacy_test::ReadAll(**exact).value_or("(error)"), expected);
  EXPECT_EQ(server.Queries().back().begin, kDay) << "exactly the window";

  auto table = client.QueryCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(table);
  ASSERT_EQ(table->table.rows.size(), 5u);
  EXPECT_EQ(table->table.rows[0][2], "a, \"b\"\nline 2");
}

// Issue 11: CSV windows are widened by 1 ms and filtered by cstts like JSON ones, so a row on a
// window boundary is stored by exactly one of two adjacent windows whatever the service's window
// semantics, and the stored bytes are the server's header and rows, byte for byte.
TEST(CsvResponses, BoundaryRowIsStoredExactlyOnceWhateverTheWindowSemantics) {
  std::vector<FakeRecord> records{{"before", kDay - 1}, {"first", kDay}, {"mid", kDay + 500},
                                  {"edge", kDay + 1000}, {"late", kDay + 1999}, {"after", kDay + 2000}};
  for (bool begin_inclusive : {true, false}) {
    for (bool end_inclusive : {false, true}) {
      SCOPED_TRACE(std::string(begin_inclusive ? "[" : "(") + "dateBegin, dateEnd" + (end_inclusive ? "]" : ")"));
      ClientFixture f;
      FakeV1Server server(records, 1000);
      server.SetWindowSemantics(begin_inclusive, end_inclusive);
      server.Install(*f.transport);
      Client client(f.Options());
      for (std::int64_t b : {kDay, kDay + 1000}) {
        auto page = client.OpenCsvPage(RecordType::kCsr, Q(b, b + 1000));
        ASSERT_TRUE(page) << page.error().ToString();
        std::string expected = "sid,cstts,notes\r\n";
        for (auto const& r : server.InWindow(b, b + 1000)) expected += legacy_test::RecordCsvRow(r);
        EXPECT_EQ(legacy_test::ReadAll(**page).value_or("(error)"), expected) << b;
        EXPECT_EQ((*page)->Bytes(), expected.size());
      }
      EXPECT_EQ(server.Queries().front().begin, kDay - 1) << "the query starts 1 ms early";
    }
  }
}

TEST(CsvResponses, FilteringKeepsTheServersBytesForEveryLineBreakAndQuoting) {
  ClientFixture f;
  // BOM, CRLF, LF and a lone CR as line breaks, quoted line breaks and quotes, a blank line, a row
  // without a readable cstts (kept), rows 1 ms before and at the end of the window (dropped).
  std::string const header = "\xEF\xBB\xBFsid,\"cstts\",notes\r\n";
  std::string const keep1 = "a," + std::to_string(kDay) + ",\"x\r\ny, \"\"q\"\"\"\r\n";
  std::string const drop1 = "b," + std::to_string(kDay - 1) + ",\"dropped\nrow\"\n";
  std::string const keep2 = "c," + std::to_string(kDay + 999) + ",lf only\n";
  std::string const keep3 = "d,,no cstts\r";
  std::string const drop2 = "e," + std::to_string(kDay + 1000) + ",at the end\r\n";
  std::string const keep4 = "f,\"" + std::to_string(kDay + 5) + "\",\"last, no break\"";
  f.transport->EnqueueResponse(200, header + keep1 + drop1 + "\r\n" + keep2 + keep3 + drop2 + keep4,
                               {{"Content-Type", "text/csv"}});
  Client client(f.Options());
  auto page = client.OpenCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(legacy_test::ReadAll(**page).value_or("(error)"), header + keep1 + keep2 + keep3 + keep4);
  EXPECT_EQ((*page)->Rows(), 6u);
  EXPECT_EQ((*page)->DroppedOutsideWindow(), 2u);
  EXPECT_EQ((*page)->Header(), (std::vector<std::string>{"sid", "cstts", "notes"}));
  EXPECT_TRUE((*page)->BeginIncluded()) << "row b has cstts == the dateBegin sent";
}

TEST(CsvResponses, TruncatedOrJsonBodiesFail) {
  ClientFixture f;
  f.transport->EnqueueResponse(200, "sid,notes\r\na,\"cut here", {{"Content-Type", "text/csv"}});
  f.transport->EnqueueResponse(200, "sid,notes\r\na,b\r\nc", {{"Content-Type", "text/csv"}});
  f.transport->EnqueueResponse(200, "[]", Json());
  f.transport->EnqueueResponse(200, "sid,notes\r\na,\"cut", {{"Content-Type", "text/csv"}});
  Client client(f.Options());
  auto cut = client.OpenCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(cut) << "the status and the content type are fine";
  auto cut_body = legacy_test::ReadAll(**cut);
  ASSERT_FALSE(cut_body);
  EXPECT_EQ(cut_body.error().code, ErrorCode::kParse);
  EXPECT_NE(cut_body.error().message.find("never closed"), std::string::npos) << cut_body.error().message;
  EXPECT_NE(cut_body.error().message.find("(CSV) for ["), std::string::npos) << cut_body.error().message;
  auto short_row = client.OpenCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_TRUE(short_row);
  auto short_body = legacy_test::ReadAll(**short_row);
  ASSERT_FALSE(short_body);
  EXPECT_EQ(short_body.error().code, ErrorCode::kParse);
  auto json = client.OpenCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_FALSE(json) << "a JSON Content-Type fails the open";
  EXPECT_EQ(json.error().code, ErrorCode::kParse);
  auto parsed = client.QueryCsvPage(RecordType::kCsr, Q(kDay, kDay + 1000));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
  EXPECT_EQ(f.transport->RequestCount(), 4u) << "parse errors are not retried";
}

// --- single records and chains -----------------------------------------------------------------

TEST(Records, GetByIdEncodesThePathAndUnwrapsArrays) {
  ClientFixture f;
  std::string sid = "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0";
  f.transport->EnqueueResponse(200, "{ \"sid\" : \"" + sid + "\", \"cstts\": 5 }", Json());
  f.transport->EnqueueResponse(200, "[{\"id\":\"x y/z\",\"state\":\"new\"}]", Json());
  f.transport->EnqueueResponse(200, "[]", Json());
  f.transport->EnqueueResponse(404, "{\"message\":\"No CSR\"}", Json());
  Client client(f.Options());
  auto csr = client.GetCsr(sid);
  ASSERT_TRUE(csr) << csr.error().ToString();
  EXPECT_EQ(csr->sid, sid);
  EXPECT_EQ(csr->json, "{\"sid\":\"" + sid + "\",\"cstts\":5}");
  auto car = client.GetCar("x y/z");
  ASSERT_TRUE(car);
  EXPECT_EQ(car->state, "new");
  EXPECT_EQ(f.transport->Requests()[1].url, "https://rest.example.test/aws/api/cars/x%20y%2Fz");
  EXPECT_EQ(client.GetAsr("a").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(client.GetAar("a").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(client.GetCsr("").error().code, ErrorCode::kInvalidArgument);
}

std::string CarJson(std::string const& sid, std::string const& state, std::int64_t b, std::int64_t e) {
  return "{\"id\":\"" + ComposeCarId(sid, FromEpochMs(b), state) + "\",\"session\":\"" + sid + "\",\"state\":\"" +
         state + "\",\"cstts\":" + std::to_string(b) + ",\"cetts\":" + std::to_string(e) + "}";
}

TEST(Chains, WalkByIdGuessingEventNames) {
  ClientFixture f;
  std::string sid = "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0";
  std::map<std::string, std::string> cars{
      {ComposeCarId(sid, FromEpochMs(100), "new"), CarJson(sid, "new", 100, 150)},
      {ComposeCarId(sid, FromEpochMs(150), "ivr-connected"), CarJson(sid, "ivr-connected", 150, 200)},
      {ComposeCarId(sid, FromEpochMs(200), "parked"), CarJson(sid, "parked", 200, 300)},
      {ComposeCarId(sid, FromEpochMs(300), "ended"), CarJson(sid, "ended", 300, 300)}};
  f.transport->Route("GET", "/aws/api/cars/", [&cars](ccrec::testing::RecordedRequest const& r) {
    auto id = ccrec::detail::PercentDecode(r.url.substr(r.url.rfind('/') + 1));
    auto it = cars.find(id);
    if (it == cars.end()) return ccrec::testing::MakeResponse(404, "{\"message\":\"no such CAR\"}");
    return ccrec::testing::MakeResponse(200, it->second, {{"Content-Type", "application/json"}});
  });
  Client client(f.Options());
  Csr csr;
  csr.sid = sid;
  csr.cstts = FromEpochMs(100);
  csr.cetts = FromEpochMs(300);
  auto chain = client.WalkActivityChain(csr);
  ASSERT_TRUE(chain) << chain.error().ToString();
  EXPECT_TRUE(chain->complete) << (chain->problems.empty() ? "" : chain->problems[0]);
  ASSERT_EQ(chain->activities.size(), 4u);
  EXPECT_EQ(chain->activities[3].state, "ended");
  // Guessing costs requests: ivr-connected (1), parked (2), ended after 7 misses.
  EXPECT_EQ(f.transport->RequestCount(), 1u + 1u + 2u + 8u);
  csr.cstts = FromEpochMs(99);
  auto missing = client.WalkActivityChain(csr);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(Chains, GetActivityChainQueriesTheContactSpan) {
  ClientFixture f;
  std::string sid = "74d98c29-39b4-4e1e-81fa-0ce0ae5aebb0";
  std::string body = "[" + CarJson(sid, "new", 100, 150) + "," + CarJson("other", "new", 120, 130) + "," +
                     CarJson(sid, "ended", 150, 150) + "]";
  f.transport->EnqueueResponse(200, body, Json());
  Client client(f.Options());
  Csr csr;
  csr.sid = sid;
  csr.cstts = FromEpochMs(100);
  csr.cetts = FromEpochMs(150);
  auto chain = client.GetActivityChain(csr, Query{});
  ASSERT_TRUE(chain) << chain.error().ToString();
  EXPECT_TRUE(chain->complete);
  EXPECT_EQ(chain->activities.size(), 2u);
  auto q = legacy_test::ParseListUrl(f.transport->Requests()[0].url);
  EXPECT_EQ(q.begin, 99) << "one millisecond of overlap before the span";
  EXPECT_EQ(q.end, 151);
  EXPECT_NE(f.transport->Requests()[0].url.find("/aws/api/cars?q="), std::string::npos);
  Csr incomplete;
  EXPECT_EQ(client.GetActivityChain(incomplete, Query{}).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
