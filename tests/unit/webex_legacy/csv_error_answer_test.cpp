// SPDX-License-Identifier: Apache-2.0
// A CSV query answered with HTTP 200 and an error text in place of the CSV (`Error: timed out`, an
// HTML page, a JSON error object): before, the plain text parsed as a one-column header with no
// rows, so the window was stored empty and recorded exported, exit 0. Every such answer must fail
// with kParse, on the typed path (QueryCsvPage, ParseCsv) and the streamed one (OpenCsvPage), and
// every legitimate CSV shape (the emulator's and the fakes' headers, display names, an empty body)
// must still pass.
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/csv.hpp>

#include <gtest/gtest.h>

#include "unit/webex_legacy/fake_v1_server.hpp"

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using legacy_test::ClientFixture;
using legacy_test::kDay;

struct HostileAnswer {
  std::string body;
  std::string says;  // in the message: what came back
};

/// Error texts a gateway, proxy or the service could answer with HTTP 200.
std::vector<HostileAnswer> HostileAnswers() {
  return {
      {"Error: timed out", "\"Error: timed out\", reads like a message"},
      {"Error: timed out\r\n", "\"Error: timed out\", reads like a message"},
      {"Service Unavailable", "one column, \"Service Unavailable\", that is no v1 field name"},
      {"Unauthorized\n", "one column, \"Unauthorized\", that is no v1 field name"},
      {"null", "one column, \"null\", that is no v1 field name"},
      {"\"Error: timed out\"", "\"Error: timed out\", reads like a message"},  // a JSON string
      // Multi-line text: before, the second line was stored as a one-field record.
      {"Service Unavailable\nThe server is temporarily unable to service your request.\n",
       "one column, \"Service Unavailable\""},
      // Two columns, the second starting with a space: not a header row (CsvHeaderProblem()).
      {"Error: upstream timed out, retry later", "column 2 is not a field name"},
      {"<html><head><title>504 Gateway Time-out</title></head></html>", "starts with '<', an HTML or XML page"},
      {"<!DOCTYPE html>\r\n<html lang=\"en\"><body>Error</body></html>\r\n", "(\"<!DOCTYPE html>\")"},
      {"\r\n  <html>\n", "starts with '<'"},
      {"\xEF\xBB\xBF<?xml version=\"1.0\"?><error/>", "starts with '<'"},
      {"{\"error\":\"timed out\",\"status\":504}", "starts with '{', a JSON object ("},
      {"{\n  \"error\": \"x\"\n}", "starts with '{', a JSON object (\"{\")"},
      {"[{\"error\":\"timed out\"}]", "starts with '[', a JSON array"},
      {"[]", "starts with '['"},
  };
}

void ExpectRefused(ccrec::Error const& e, HostileAnswer const& a, std::string const& path) {
  EXPECT_EQ(e.code, ErrorCode::kParse) << e.ToString();
  EXPECT_NE(e.message.find(a.says), std::string::npos) << a.body << " -> " << e.message;
  EXPECT_NE(e.message.find("GET /aws/api/" + path + " (CSV) for ["), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("nothing of it is used"), std::string::npos) << e.message;
}

TEST(CsvErrorAnswer, ErrorTextsAreRefusedOnTheTypedPath) {
  for (char const* content_type : {"text/csv;charset=UTF-8", "text/plain", ""}) {
    for (auto const& a : HostileAnswers()) {
      ClientFixture f;
      ccrec::HttpHeaders headers;
      if (*content_type) headers.push_back({"Content-Type", content_type});
      f.transport->EnqueueResponse(200, a.body, headers);
      Client client(f.Options());
      auto page = client.QueryCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
      ASSERT_FALSE(page) << a.body << ": " << page->table.header.size() << " columns, " << page->table.rows.size()
                         << " rows";
      ExpectRefused(page.error(), a, "csrs");
      EXPECT_EQ(f.transport->RequestCount(), 1u) << "not retried";
      EXPECT_FALSE(ParseCsv(a.body)) << a.body;
    }
  }
}

TEST(CsvErrorAnswer, ErrorTextsAreRefusedOnTheStreamedPathBeforeAByteIsYielded) {
  for (std::size_t piece : {std::size_t{1}, std::size_t{64} * 1024}) {
    for (auto const& a : HostileAnswers()) {
      ClientFixture f;
      f.EnqueueUndeclared(a.body, "text/csv");
      Client client(f.Options());
      auto page = client.OpenCsvPage(RecordType::kCar, legacy_test::FirstSecondQuery());
      ASSERT_TRUE(page) << "the status and the content type are fine";
      std::string yielded = "(unset)";
      auto body = legacy_test::ReadAll(**page, piece, &yielded);
      ASSERT_FALSE(body) << a.body << " yielded " << *body;
      ExpectRefused(body.error(), a, "cars");
      EXPECT_EQ(yielded, "");
      EXPECT_FALSE((*page)->Finished());
    }
  }
}

// The parser alone, in any chunking: the JSON and HTML sniff sees the first byte wherever it lands.
TEST(CsvErrorAnswer, ParserRefusesErrorTextsInAnyChunking) {
  for (auto const& a : HostileAnswers()) {
    for (std::size_t chunk = 1; chunk <= 3; ++chunk) {
      CsvParser parser;
      ccrec::Result<void> r;
      for (std::size_t i = 0; i < a.body.size() && r; i += chunk) r = parser.Feed(a.body.substr(i, chunk));
      if (r) r = parser.Finish();
      ASSERT_FALSE(r) << a.body << " chunk " << chunk;
      EXPECT_EQ(r.error().code, ErrorCode::kParse);
      EXPECT_EQ(r.error().message.rfind("CSV record 1 (line ", 0), 0u) << r.error().message;
      EXPECT_EQ(parser.Rows(), 0u);
    }
  }
}

// A server echoing the credentials in its error text: neither the API key nor the signature is
// quoted, nor a secret RedactSecrets() knows.
TEST(CsvErrorAnswer, QuotedErrorTextsHideSecrets) {
  for (std::string const body : {"Error: bad signature yDkJq/aXwm9YYs2xgyWRqRnqgfQ= for key myRandomApiKeY",
                                 "<html>Authorization: yDkJq/aXwm9YYs2xgyWRqRnqgfQ=;tenantId=11894</html>",
                                 "{\"api_key\":\"myRandomApiKeY\"}"}) {
    ClientFixture f;
    f.transport->EnqueueResponse(200, body, {{"Content-Type", "text/csv"}});
    f.EnqueueUndeclared(body, "text/csv");
    Client client(f.Options());
    auto typed = client.QueryCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
    ASSERT_FALSE(typed);
    auto streamed = client.OpenCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
    ASSERT_TRUE(streamed);
    auto read = legacy_test::ReadAll(**streamed);
    ASSERT_FALSE(read);
    for (auto const& message : {typed.error().message, read.error().message}) {
      EXPECT_EQ(message.find("myRandomApiKeY"), std::string::npos) << message;
      EXPECT_EQ(message.find("yDkJq"), std::string::npos) << message;
      EXPECT_NE(message.find("***"), std::string::npos) << message;
    }
  }
}

TEST(CsvErrorAnswer, ErrorTextProblemRules) {
  EXPECT_FALSE(CsvErrorTextProblem({"sid"}));
  EXPECT_FALSE(CsvErrorTextProblem({"cstts"}));
  EXPECT_FALSE(CsvErrorTextProblem({"Contact Session ID", "Agent Name", "Queue (ID)", "x-y"}));
  EXPECT_FALSE(CsvErrorTextProblem({"Time (hh:mm:ss)", "sid"})) << "a colon without a space after it";
  EXPECT_EQ(CsvErrorTextProblem({"Agent Name"}).value_or(""),
            "the first row is one column, \"Agent Name\", that is no v1 field name");
  EXPECT_EQ(CsvErrorTextProblem({"SID"}).value_or(""), "the first row is one column, \"SID\", that is no v1 field name");
  EXPECT_EQ(CsvErrorTextProblem({"sid", "Error: x"}).value_or(""),
            "column 2 of the first row, \"Error: x\", reads like a message (\": \"), not a field name");
  auto long_text = CsvErrorTextProblem({"E" + std::string(200, 'x')});
  ASSERT_TRUE(long_text);
  EXPECT_NE(long_text->find(std::string(79, 'x') + "...\""), std::string::npos) << *long_text;
  EXPECT_EQ(long_text->find(std::string(81, 'x')), std::string::npos) << "at most 80 bytes quoted";
}

/// Every header the v1 emulator (tests/emulators/webex_legacy_data.py) and the unit fakes send.
std::vector<std::string> LegitimateHeaders() {
  return {
      "sid,cstts,cetts,ani,dnis,channelType,direction,entrypointId,entrypointName,queueId,queueName,agentId,"
      "agentName,teamId,teamName,siteId,siteName,terminationType,isRecorded,csat,notes,callAssociatedData,wrapupCode",
      "id,session,state,cstts,cetts,queueId,queueName,agentId,agentName,isActive,duration",
      "id,agentId,agentName,agentLogin,teamId,teamName,siteId,siteName,channelType,cstts,cetts,isActive",
      "id,session,agentId,agentName,state,cstts,cetts,idleCodeName,isActive",
      "sid,cstts,notes",
      "sid,notes",
      "sid",
      "cstts",
      "\xEF\xBB\xBF" "sid,cstts",
      "\"sid\",\"cstts\",channelType,queue.name,_x,isRecorded",
      "Contact Session ID,Agent Name,Queue (ID),x-y,q-1001,_n",
  };
}

// Each header with no rows (an empty window) and with a row, on both paths; and an empty body.
TEST(CsvErrorAnswer, LegitimateCsvShapesStillPass) {
  for (auto const& header : LegitimateHeaders()) {
    auto const columns = ParseCsv(header, CsvOptions{});
    ASSERT_TRUE(columns) << header << ": " << columns.error().ToString();
    std::size_t const width = columns->header.size();
    std::string row = std::to_string(kDay + 5);
    for (std::size_t i = 1; i < width; ++i) row += ",";
    for (std::string const& body : {header + "\r\n", header, header + "\r\n" + row + "\r\n"}) {
      ClientFixture f;
      f.transport->EnqueueResponse(200, body, {{"Content-Type", "text/csv;charset=UTF-8"}});
      f.EnqueueUndeclared(body, "text/csv");
      Client client(f.Options());
      auto typed = client.QueryCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
      ASSERT_TRUE(typed) << body << ": " << typed.error().ToString();
      EXPECT_EQ(typed->table.header.size(), width);
      auto streamed = client.OpenCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
      ASSERT_TRUE(streamed) << streamed.error().ToString();
      auto read = legacy_test::ReadAll(**streamed);
      ASSERT_TRUE(read) << body << ": " << read.error().ToString();
      EXPECT_EQ((*streamed)->Header().size(), width);
    }
  }
  EXPECT_TRUE(ParseCsv("")) << "an empty body is still zero records";
}

// The fake v1 server's answers (header "sid,cstts,notes"), with records and without.
TEST(CsvErrorAnswer, FakeServerAnswersStillPass) {
  ClientFixture f;
  legacy_test::FakeV1Server server(legacy_test::Spread("e", kDay, 500, 4));
  server.Install(*f.transport);
  Client client(f.Options());
  auto full = client.QueryCsvPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
  ASSERT_TRUE(full) << full.error().ToString();
  EXPECT_EQ(full->table.rows.size(), 4u);
  Query later = legacy_test::FirstSecondQuery();
  later.date_begin = ccrec::detail::FromEpochMs(kDay + 600);
  auto empty = client.OpenCsvPage(RecordType::kCsr, later);
  ASSERT_TRUE(empty) << empty.error().ToString();
  EXPECT_EQ(legacy_test::ReadAll(**empty).value_or("(error)"), "sid,cstts,notes\r\n");
}

}  // namespace
