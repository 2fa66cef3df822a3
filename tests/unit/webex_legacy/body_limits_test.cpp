// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 3: ClientOptions::max_response_bytes (default 16 MiB: a 1000-row page is under
// 1 MiB) bounds every v1 response body — JSON pages, CSV tables and streamed CSV — and a body over
// it fails the query with kParse naming the endpoint and the limit; nothing of it is used or stored.
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/webex_legacy/client.hpp>

#include <gtest/gtest.h>

#include "unit/webex_legacy/fake_v1_server.hpp"

#include "internal/time_util.hpp"

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using ccrec::detail::FromEpochMs;
using ccrec::testing::FakeHttpTransport;

using legacy_test::ClientFixture;
using legacy_test::kDay;

Query Q() {
  Query q;
  q.date_begin = FromEpochMs(kDay);
  q.date_end = FromEpochMs(kDay + 1000);
  return q;
}

/// A JSON page of one record padded with spaces to exactly `size` bytes.
std::string JsonPageOfSize(std::size_t size) {
  std::string page = "[{\"sid\":\"a\",\"cstts\":" + std::to_string(kDay) + "}]";
  page.insert(page.size() - 1, size - page.size(), ' ');
  return page;
}

TEST(LegacyBodyLimit, DefaultIsSixteenMiB) { EXPECT_EQ(ClientOptions{}.max_response_bytes, std::size_t{16} << 20); }

TEST(LegacyBodyLimit, JsonPageJustOverTheDefaultFailsNamingEndpointAndLimit) {
  ClientFixture f;
  f.EnqueueUndeclared(JsonPageOfSize((std::size_t{16} << 20) + 1), "application/json");
  f.EnqueueUndeclared(JsonPageOfSize(std::size_t{16} << 20), "application/json");
  Client client(f.Options());
  auto over = client.QueryPage(RecordType::kCsr, Q());
  ASSERT_FALSE(over) << "a page over the limit was returned";
  EXPECT_EQ(over.error().code, ErrorCode::kParse);
  EXPECT_NE(over.error().message.find("GET /aws/api/csrs"), std::string::npos) << over.error().message;
  EXPECT_NE(over.error().message.find("16777216 bytes (16 MiB)"), std::string::npos) << over.error().message;
  EXPECT_NE(over.error().message.find("max_response_bytes"), std::string::npos) << over.error().message;
  auto at = client.QueryPage(RecordType::kCsr, Q());
  ASSERT_TRUE(at) << at.error().ToString();
  EXPECT_EQ(at->records.size(), 1u);
}

TEST(LegacyBodyLimit, ConfiguredLimitAppliesToJsonCsvAndStreamedCsv) {
  ClientFixture f;
  auto options = f.Options();
  options.max_response_bytes = 1000;
  Client client(options);
  f.EnqueueUndeclared(JsonPageOfSize(1001), "application/json");
  auto json = client.QueryPage(RecordType::kCar, Q());
  ASSERT_FALSE(json);
  EXPECT_NE(json.error().message.find("GET /aws/api/cars"), std::string::npos) << json.error().message;
  EXPECT_NE(json.error().message.find("1000 bytes"), std::string::npos) << json.error().message;

  std::string csv = "sid,cstts\r\n";
  while (csv.size() <= 1000) csv += "a," + std::to_string(kDay) + "\r\n";
  f.EnqueueUndeclared(csv, "text/csv");
  auto table = client.QueryCsvPage(RecordType::kCsr, Q());
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().message.find("1000 bytes"), std::string::npos) << table.error().message;

  // Streamed: every row is valid and in the window, but the body is over the limit; the read
  // fails (before, the streamed path had no total limit at all).
  f.EnqueueUndeclared(csv, "text/csv");
  auto page = client.OpenCsvPage(RecordType::kCsr, Q());
  ASSERT_TRUE(page) << page.error().ToString();
  auto streamed = legacy_test::ReadAll(**page, 64);
  ASSERT_FALSE(streamed);
  EXPECT_EQ(streamed.error().code, ErrorCode::kParse);
  EXPECT_NE(streamed.error().message.find("GET /aws/api/csrs"), std::string::npos) << streamed.error().message;
  EXPECT_NE(streamed.error().message.find("1000 bytes (ClientOptions::max_response_bytes)"), std::string::npos)
      << streamed.error().message;

  // At the limit: read whole.
  std::string fits = csv.substr(0, 1000);
  fits = fits.substr(0, fits.rfind("\r\n") + 2);
  f.EnqueueUndeclared(fits, "text/csv");
  auto ok = client.OpenCsvPage(RecordType::kCsr, Q());
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(legacy_test::ReadAll(**ok).value_or("(error)"), fits);
}

}  // namespace
