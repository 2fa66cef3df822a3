// SPDX-License-Identifier: Apache-2.0
// Records far outside the window a v1 query asked for: what is kept does not change, but one
// Warn per window says the service appears not to filter on cstts (JSON and CSV).
#include <ccrec/core/log.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/webex_legacy/client.hpp>

#include <gtest/gtest.h>

#include "internal/time_util.hpp"
#include "unit/webex_legacy/fake_v1_server.hpp"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace ccrec::webex_legacy;
using legacy_test::ClientFixture;
using legacy_test::kDay;

/// Collects the Warn lines of a client (thread-safe).
class StrayWarnCapture {
 public:
  ccrec::Logger MakeLogger() {
    return ccrec::Logger(ccrec::LogLevel::kDebug, [this](ccrec::LogLevel level, std::string_view message) {
      std::lock_guard<std::mutex> lock(mu_);
      if (level == ccrec::LogLevel::kWarn) warnings_.emplace_back(message);
    });
  }
  std::vector<std::string> Warnings() const {
    std::lock_guard<std::mutex> lock(mu_);
    return warnings_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> warnings_;
};

Query StrayWindowQuery(std::int64_t b, std::int64_t e, int number_of_records = 1000) {
  Query q;
  q.date_begin = ccrec::detail::FromEpochMs(b);
  q.date_end = ccrec::detail::FromEpochMs(e);
  q.number_of_records = number_of_records;
  return q;
}

/// A JSON list of records "<id>" with the given cstts.
std::string StrayJsonList(std::vector<std::pair<std::string, std::int64_t>> const& records) {
  std::string body = "[";
  for (auto const& [id, cstts] : records) {
    body += (body.size() > 1 ? "," : "") + std::string("{\"sid\":\"") + id + "\",\"cstts\":" + std::to_string(cstts) + "}";
  }
  return body + "]";
}

std::string StrayCsvList(std::vector<std::pair<std::string, std::int64_t>> const& records) {
  std::string body = "sid,cstts\r\n";
  for (auto const& [id, cstts] : records) body += id + "," + std::to_string(cstts) + "\r\n";
  return body;
}

// The window [kDay, kDay + 1000): queried from kDay - 1; kDay - 1 and kDay + 1000 are the overlap
// and an inclusive dateEnd, expected and quietly left to the neighbouring window.
std::vector<std::pair<std::string, std::int64_t>> const kExpectedEdges{
    {"overlap", kDay - 1}, {"first", kDay}, {"last", kDay + 999}, {"end", kDay + 1000}};
std::vector<std::pair<std::string, std::int64_t>> const kFarOut{
    {"early", kDay - 2}, {"in", kDay + 10}, {"late", kDay + 1001}, {"day-later", kDay + 86400000}};

TEST(StrayRecords, JsonRecordsBeyondTheOverlapAreWarnedAboutOnceAndStillDropped) {
  ClientFixture f;
  StrayWarnCapture logs;
  auto options = f.Options();
  options.logger = logs.MakeLogger();
  f.transport->EnqueueResponse(200, StrayJsonList(kExpectedEdges), {{"Content-Type", "application/json"}});
  f.transport->EnqueueResponse(200, StrayJsonList(kFarOut), {{"Content-Type", "application/json"}});
  Client client(options);

  auto edges = client.QueryPage(RecordType::kCsr, StrayWindowQuery(kDay, kDay + 1000));
  ASSERT_TRUE(edges) << edges.error().ToString();
  EXPECT_EQ(edges->records.size(), 2u);
  EXPECT_EQ(edges->dropped_outside_window, 2u);
  EXPECT_TRUE(logs.Warnings().empty()) << "records at b-1 and e are expected: " << logs.Warnings().front();

  auto far = client.QueryPage(RecordType::kCsr, StrayWindowQuery(kDay, kDay + 1000));
  ASSERT_TRUE(far) << far.error().ToString();
  ASSERT_EQ(far->records.size(), 1u) << "what is kept does not change";
  EXPECT_NE(far->records[0].find("\"in\""), std::string::npos);
  EXPECT_EQ(far->dropped_outside_window, 3u);
  auto warnings = logs.Warnings();
  ASSERT_EQ(warnings.size(), 1u);
  auto const& w = warnings[0];
  EXPECT_NE(w.find("[2026-11-01T00:00:00Z, 2026-11-01T00:00:01Z)"), std::string::npos) << "the window: " << w;
  EXPECT_NE(w.find("3 record(s)"), std::string::npos) << w;
  EXPECT_NE(w.find("from 2026-10-31T23:59:59.998Z to 2026-11-02T00:00:00Z"), std::string::npos) << w;
  EXPECT_NE(w.find("not to filter on cstts"), std::string::npos) << w;
  EXPECT_NE(w.find("may be missing from the export"), std::string::npos) << w;
  EXPECT_NE(w.find("report it"), std::string::npos) << w;
}

// A full window whose answer includes dateBegin is asked again for exactly the window: still one
// warning for it, about the answer kept.
TEST(StrayRecords, JsonWindowAskedTwiceWarnsOnce) {
  ClientFixture f;
  StrayWarnCapture logs;
  auto options = f.Options();
  options.logger = logs.MakeLogger();
  f.transport->EnqueueResponse(200, StrayJsonList({{"overlap", kDay - 1}, {"far", kDay + 5000}}),
                               {{"Content-Type", "application/json"}});
  f.transport->EnqueueResponse(200, StrayJsonList({{"far", kDay + 5000}}), {{"Content-Type", "application/json"}});
  Client client(options);
  auto page = client.QueryPage(RecordType::kCsr, StrayWindowQuery(kDay, kDay + 1000, 2));
  ASSERT_TRUE(page) << page.error().ToString();
  EXPECT_EQ(f.transport->RequestCount(), 2u) << "asked again for the exact window";
  ASSERT_EQ(logs.Warnings().size(), 1u);
  EXPECT_NE(logs.Warnings()[0].find("1 record(s)"), std::string::npos) << logs.Warnings()[0];
}

TEST(StrayRecords, CsvRowsBeyondTheOverlapAreWarnedAboutOnceAndStillDropped) {
  ClientFixture f;
  StrayWarnCapture logs;
  auto options = f.Options();
  options.logger = logs.MakeLogger();
  f.transport->EnqueueResponse(200, StrayCsvList(kExpectedEdges), {{"Content-Type", "text/csv"}});
  f.transport->EnqueueResponse(200, StrayCsvList(kFarOut), {{"Content-Type", "text/csv"}});
  Client client(options);

  auto edges = client.OpenCsvPage(RecordType::kCsr, StrayWindowQuery(kDay, kDay + 1000));
  ASSERT_TRUE(edges) << edges.error().ToString();
  auto edge_bytes = legacy_test::ReadAll(**edges);
  ASSERT_TRUE(edge_bytes) << edge_bytes.error().ToString();
  EXPECT_EQ((*edges)->DroppedOutsideWindow(), 2u);
  EXPECT_TRUE(logs.Warnings().empty()) << "rows at b-1 and e are expected: " << logs.Warnings().front();

  auto far = client.OpenCsvPage(RecordType::kCsr, StrayWindowQuery(kDay, kDay + 1000));
  ASSERT_TRUE(far) << far.error().ToString();
  auto far_bytes = legacy_test::ReadAll(**far);
  ASSERT_TRUE(far_bytes) << far_bytes.error().ToString();
  EXPECT_EQ(*far_bytes, "sid,cstts\r\nin," + std::to_string(kDay + 10) + "\r\n") << "what is kept does not change";
  auto warnings = logs.Warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("(CSV)"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("3 record(s)"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("from 2026-10-31T23:59:59.998Z to 2026-11-02T00:00:00Z"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("not to filter on cstts"), std::string::npos) << warnings[0];
}

}  // namespace
