// SPDX-License-Identifier: Apache-2.0
// A v1 CSV answer without a header row (the reference, webex-legacy-v1.md §4, says only "the raw
// CSV rows"): its first record must not be taken for the header, on the typed page path
// (QueryCsvPage, ParseCsv) and on the streamed one (OpenCsvPage, the window filter). Taken for the
// header, it went missing, `cstts` was not found (no window filtering), and an answer of exactly
// the row limit counted one row short, so it was not split and the rows beyond the limit were lost.
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/csv.hpp>

#include <gtest/gtest.h>

#include "unit/webex_legacy/fake_v1_server.hpp"

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using legacy_test::ClientFixture;
using legacy_test::FakeV1Server;
using legacy_test::kDay;

/// A client on a FakeV1Server that sends 10 records in [kDay, kDay + 1000) without the CSV header row.
struct HeaderlessServer {
  ClientFixture fixture;
  FakeV1Server server{legacy_test::Spread("s", kDay, 1000, 10)};
  Client client{fixture.Options()};
  HeaderlessServer() {
    server.SetCsvHeaderRow(false);
    server.Install(*fixture.transport);
  }
};

/// A message about a headerless body: says so, suggests JSON, and shows none of the values.
void ExpectNoHeaderError(ccrec::Error const& e, std::string const& column_note,
                         std::vector<std::string> const& values) {
  EXPECT_EQ(e.code, ErrorCode::kParse);
  EXPECT_NE(e.message.find("CSV record 1 (line 1)"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("no header row"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("columns cannot be known"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("--format json"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(column_note), std::string::npos) << e.message;
  for (auto const& value : values) EXPECT_EQ(e.message.find(value), std::string::npos) << value << ": " << e.message;
}

TEST(CsvHeaderRow, NamesAreAHeaderRowWithOrWithoutAByteOrderMark) {
  for (std::string const& header : {std::string("sid,cstts,channelType,queue.name,_x,isRecorded"),
                                    std::string("\xEF\xBB\xBF" "sid,cstts,channelType,queue.name,_x,isRecorded"),
                                    std::string("\"sid\",\"cstts\",channelType,queue.name,_x,isRecorded")}) {
    auto t = ParseCsv(header + "\r\nrs1,1793491200000,telephony,Sales,,true\r\n");
    ASSERT_TRUE(t) << t.error().ToString();
    EXPECT_EQ(t->header, (std::vector<std::string>{"sid", "cstts", "channelType", "queue.name", "_x", "isRecorded"}));
    EXPECT_EQ(t->rows.size(), 1u);
    EXPECT_EQ(t->ColumnIndex("cstts"), 1u);
  }
  // The v1 names ccrec reads, and the emulator's columns.
  EXPECT_FALSE(CsvHeaderProblem({"sid", "cstts", "cetts", "ani", "dnis", "entrypointId", "terminationType",
                                 "callAssociatedData", "wrapupCode", "idleCodeName", "agentLogin", "session"}));
}

// Display names are header fields too (a raw query may name its columns so): the record's numbers
// and empty fields are what tell it apart.
TEST(CsvHeaderRow, DisplayNamesAreFieldNames) {
  EXPECT_FALSE(CsvHeaderProblem({"Contact Session ID", "Agent Name", "Queue (ID)", "x-y", "q-1001", "_n"}));
  EXPECT_EQ(CsvHeaderProblem({"John Smith", "q-1001", "1793491200000"}).value_or(""),
            "the first row has 3 columns and column 3 is a number");
}

TEST(CsvHeaderRow, WhatLooksLikeData) {
  EXPECT_EQ(CsvHeaderProblem({"sid", "1793491200000"}).value_or(""), "the first row has 2 columns and column 2 is a number");
  EXPECT_EQ(CsvHeaderProblem({"+15551234567"}).value_or(""), "the first row has 1 column and column 1 is a number");
  EXPECT_EQ(CsvHeaderProblem({"sid", "", "x"}).value_or(""), "the first row has 3 columns and column 2 is empty");
  EXPECT_EQ(CsvHeaderProblem({"-2.5"}).value_or(""), "the first row has 1 column and column 1 is a number");
  for (char const* data : {"0f8e3a4c-1d2b-4c5d-9e6f-7a8b9c0d1e2f", "2026-11-01T10:00:00Z", "(555) 123-4567", "1e5",
                          "1.", "\xEF" "x", "-x", "a\tb"}) {
    auto problem = CsvHeaderProblem({"sid", data});
    ASSERT_TRUE(problem) << data;
    EXPECT_NE(problem->find("column 2 is not a field name"), std::string::npos) << *problem;
    EXPECT_EQ(problem->find(data), std::string::npos) << "no values in messages: " << *problem;
  }
}

TEST(CsvHeaderRow, HeaderlessTextFailsInAnyChunkingAndTheCheckCanBeTurnedOff) {
  std::string const text = "rs1,1793491200000,\"Smith, John\"\r\nrs2,1793491200001,x\r\n";
  auto t = ParseCsv(text);
  ASSERT_FALSE(t);
  ExpectNoHeaderError(t.error(), "the first row has 3 columns and column 2 is a number", {"rs1", "1793491200000", "Smith"});
  for (std::size_t chunk = 1; chunk <= 5; ++chunk) {
    CsvParser parser;
    ccrec::Result<void> r;
    for (std::size_t i = 0; i < text.size() && r; i += chunk) r = parser.Feed(text.substr(i, chunk));
    if (r) r = parser.Finish();
    ASSERT_FALSE(r) << "chunk " << chunk;
    EXPECT_NE(r.error().message.find("no header row"), std::string::npos) << r.error().message;
    EXPECT_TRUE(parser.Header().empty());
    EXPECT_EQ(parser.Rows(), 0u);
  }
  // A one-row body without a line break is judged at Finish().
  auto one = ParseCsv("15551234567");
  ASSERT_FALSE(one);
  ExpectNoHeaderError(one.error(), "column 1 is a number", {"15551234567"});
  CsvOptions off;
  off.require_header_row = false;
  auto raw = ParseCsv(text, off);
  ASSERT_TRUE(raw) << raw.error().ToString();
  EXPECT_EQ(raw->header.size(), 3u);
  EXPECT_EQ(raw->rows.size(), 1u);
}

TEST(CsvHeaderRow, EmptyBodyIsZeroRowsNotAnError) {
  for (std::string const& text : {std::string(), std::string("\r\n\n"), std::string("\xEF\xBB\xBF")}) {
    auto t = ParseCsv(text);
    ASSERT_TRUE(t) << t.error().ToString();
    EXPECT_TRUE(t->header.empty());
    EXPECT_TRUE(t->rows.empty());
  }
}

// The typed page path. Exactly the row limit of headerless rows: before, 9 rows of 10 and not
// possibly_truncated, so ListPages() and the exporter took the window as complete.
TEST(CsvHeaderRow, TypedPageWithoutAHeaderRowFailsNamingTheWindow) {
  HeaderlessServer s;
  auto page = s.client.QueryCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery(10));
  ASSERT_FALSE(page) << page->table.rows.size() << " rows, possibly_truncated " << page->possibly_truncated;
  ExpectNoHeaderError(page.error(), "column 2 is a number", {"rs0", std::to_string(kDay)});
  EXPECT_NE(page.error().message.find("GET /aws/api/csrs (CSV) for ["), std::string::npos) << page.error().message;
  EXPECT_EQ(s.fixture.transport->RequestCount(), 1u) << "a parse error is not retried";
}

// The streamed path: the error comes at the first record, before a byte is yielded.
TEST(CsvHeaderRow, StreamedPageWithoutAHeaderRowYieldsNothing) {
  HeaderlessServer s;
  for (std::size_t piece : {std::size_t{7}, std::size_t{64} * 1024}) {
    auto page = s.client.OpenCsvPage(RecordType::kAar, legacy_test::FirstSecondQuery(10));
    ASSERT_TRUE(page) << "the status and the content type are fine";
    std::string yielded = "(unset)";
    auto body = legacy_test::ReadAll(**page, piece, &yielded);
    ASSERT_FALSE(body) << "piece " << piece;
    ExpectNoHeaderError(body.error(), "column 2 is a number", {"rs0", std::to_string(kDay)});
    EXPECT_NE(body.error().message.find("GET /aws/api/aars (CSV) for ["), std::string::npos) << body.error().message;
    EXPECT_EQ(yielded, "");
    EXPECT_EQ((*page)->Bytes(), 0u);
    EXPECT_EQ((*page)->Rows(), 0u);
    EXPECT_FALSE((*page)->Finished());
  }
}

// An empty body (no header, no rows) is a page of zero rows on both paths once one JSON query of
// the window (for one record) finds none; it cannot reach the row limit, so it is never a full
// answer hiding rows.
TEST(CsvHeaderRow, EmptyBodyIsAnEmptyPageOnBothPathsOnceJsonConfirmsIt) {
  ClientFixture f;
  for (int i = 0; i < 2; ++i) {
    f.transport->EnqueueResponse(200, "", {{"Content-Type", "text/csv"}});
    f.transport->EnqueueResponse(200, "[]", {{"Content-Type", "application/json"}});
  }
  Client client(f.Options());
  auto typed = client.QueryCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery(1));
  ASSERT_TRUE(typed) << typed.error().ToString();
  EXPECT_TRUE(typed->table.header.empty());
  EXPECT_TRUE(typed->table.rows.empty());
  EXPECT_EQ(typed->row_limit, 1u);
  EXPECT_FALSE(typed->possibly_truncated);
  auto streamed = client.OpenCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery(1));
  ASSERT_TRUE(streamed) << streamed.error().ToString();
  EXPECT_EQ(legacy_test::ReadAll(**streamed).value_or("(error)"), "");
  EXPECT_TRUE((*streamed)->Finished());
  EXPECT_EQ((*streamed)->Rows(), 0u);
  EXPECT_FALSE((*streamed)->PossiblyTruncated());
  auto requests = f.transport->Requests();
  ASSERT_EQ(requests.size(), 4u);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].Header("Accept").value_or(""), i % 2 == 0 ? "text/csv" : "application/json") << i;
  }
}

// The reader keeps what it needs of the client: it may be read after the Client is gone (the
// empty answer's JSON confirmation then still goes out). ASan sees a use after free otherwise.
TEST(CsvHeaderRow, AReaderOutlivesItsClient) {
  ClientFixture f;
  f.transport->EnqueueResponse(200, "", {{"Content-Type", "text/csv"}});
  f.transport->EnqueueResponse(200, "[]", {{"Content-Type", "application/json"}});
  std::unique_ptr<ccrec::webex_legacy::CsvPageReader> reader;
  {
    Client client(f.Options());
    auto opened = client.OpenCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery(1));
    ASSERT_TRUE(opened) << opened.error().ToString();
    reader = std::move(*opened);
  }
  EXPECT_EQ(legacy_test::ReadAll(*reader).value_or("(error)"), "");
  EXPECT_EQ(f.transport->RequestCount(), 2u);
}

// An empty body for a window the JSON query finds a record in is not that window's answer (a
// gateway or proxy that lost the body): kIntegrity on both paths, before a byte is yielded.
TEST(CsvHeaderRow, EmptyBodyOfAWindowWithRecordsFailsOnBothPaths) {
  ClientFixture f;
  for (int i = 0; i < 2; ++i) {
    f.transport->EnqueueResponse(200, "", {{"Content-Type", "text/csv"}});
    f.transport->EnqueueResponse(200, "[{\"sid\":\"s1\",\"cstts\":" + std::to_string(legacy_test::kDay) + "}]",
                                 {{"Content-Type", "application/json"}});
  }
  Client client(f.Options());
  auto typed = client.QueryCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery(1));
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error().code, ccrec::ErrorCode::kIntegrity);
  EXPECT_NE(typed.error().message.find("GET /aws/api/csrs (CSV) for [2026-11-01T00:00:00Z, 2026-11-01T00:00:01Z): "), std::string::npos)
      << typed.error().message;
  EXPECT_NE(typed.error().message.find("the CSV answer was empty (no header row), but a JSON query of the same "
                                       "window returned a record"),
            std::string::npos)
      << typed.error().message;
  auto streamed = client.OpenCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery(1));
  ASSERT_TRUE(streamed) << streamed.error().ToString();
  auto read = legacy_test::ReadAll(**streamed);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ccrec::ErrorCode::kIntegrity) << read.error().ToString();
  EXPECT_EQ((*streamed)->Bytes(), 0u);
}

}  // namespace
