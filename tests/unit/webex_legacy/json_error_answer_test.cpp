// SPDX-License-Identifier: Apache-2.0
// A JSON list query answered with HTTP 200 and something other than a JSON array of records (an
// error object, alone or in the array, an HTML page, plain text, a JSON scalar, nothing): each must
// fail the window with kParse, never be taken for an empty window (QueryPage(), ListPages(), the
// export's JSON path).
#include <ccrec/webex_legacy/client.hpp>

#include <gtest/gtest.h>

#include "unit/webex_legacy/fake_v1_server.hpp"

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using legacy_test::ClientFixture;
using legacy_test::kDay;

TEST(JsonErrorAnswer, NonArrayAnswersFailTheWindow) {
  struct Case {
    std::string body;
    std::string content_type;
    std::string says;
  };
  std::vector<Case> const cases{
      {R"({"error":"timed out","status":504})", "application/json", "is not a JSON array (it is a JSON object)"},
      {R"({"data":[],"error":null})", "application/json", "is not a JSON array (it is a JSON object)"},
      {"<html><body>504 Gateway Time-out</body></html>", "", "is not valid JSON"},
      {"<html><body>504 Gateway Time-out</body></html>", "text/plain", "(starts with \"<html><body>504"},
      {"Error: timed out", "text/plain", "(starts with \"Error: timed out\")"},
      {"Error: timed out", "application/json", "is not valid JSON"},
      {R"("Error: timed out")", "application/json", "is not a JSON array (it is a JSON scalar)"},
      {"null", "application/json", "is not a JSON array (it is a JSON scalar)"},
      {"", "application/json", "is not valid JSON"},
      {"[{\"error\":\"timed out\"}", "application/json", "is not valid JSON"},
      {"[\"Error: timed out\"]", "application/json", "element 0 is not a JSON object"},
      {R"([{"error":"timed out","status":504}])", "application/json",
       R"(element 0 is an error object, not a v1 record (no v1 field; its members: "error", "status"))"},
      {R"([{}])", "application/json", "element 0 is an empty object"},
  };
  for (auto const& c : cases) {
    ClientFixture f;
    ccrec::HttpHeaders headers;
    if (!c.content_type.empty()) headers.push_back({"Content-Type", c.content_type});
    f.transport->EnqueueResponse(200, c.body, headers);
    Client client(f.Options());
    auto page = client.QueryPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
    ASSERT_FALSE(page) << c.body << ": " << page->records.size() << " records";
    EXPECT_EQ(page.error().code, ErrorCode::kParse) << page.error().ToString();
    EXPECT_NE(page.error().message.find(c.says), std::string::npos) << c.body << " -> " << page.error().message;
    EXPECT_NE(page.error().message.find("GET /aws/api/csrs for ["), std::string::npos) << page.error().message;
    EXPECT_EQ(f.transport->RequestCount(), 1u) << "not retried";
  }
}

// The HTML and JSON Content-Types are refused before the body is looked at.
TEST(JsonErrorAnswer, WrongContentTypesFailTheWindow) {
  for (std::string const type : {"text/html; charset=utf-8", "text/csv", "application/xml"}) {
    ClientFixture f;
    f.transport->EnqueueResponse(200, "[]", {{"Content-Type", type}});
    Client client(f.Options());
    auto page = client.QueryPage(RecordType::kCar, legacy_test::FirstSecondQuery());
    ASSERT_FALSE(page) << type;
    EXPECT_EQ(page.error().code, ErrorCode::kParse);
    EXPECT_NE(page.error().message.find("where JSON was expected"), std::string::npos) << page.error().message;
  }
}

// A secret echoed in an error page is not quoted.
TEST(JsonErrorAnswer, QuotedBodiesHideSecrets) {
  ClientFixture f;
  f.transport->EnqueueResponse(200, "bad key myRandomApiKeY, signature yDkJq/aXwm9YYs2xgyWRqRnqgfQ=", {});
  Client client(f.Options());
  auto page = client.QueryPage(RecordType::kCsr, legacy_test::FirstSecondQuery());
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().message.find("myRandomApiKeY"), std::string::npos) << page.error().message;
  EXPECT_EQ(page.error().message.find("yDkJq"), std::string::npos) << page.error().message;
}

}  // namespace
