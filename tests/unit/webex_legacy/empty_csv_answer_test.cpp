// SPDX-License-Identifier: Apache-2.0
// An empty CSV answer (no header row, no row) is also what a gateway or proxy that lost the body
// answers with status 200. The export confirms it with a JSON query of the window: a window that
// has records is failed, not stored empty (before: an empty object, `exported`, exit 0, and its
// records were never fetched again).
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/webex_legacy/csv.hpp>
#include <ccrec/webex_legacy/recording_source.hpp>

#include <gtest/gtest.h>

#include "unit/webex_legacy/fake_v1_server.hpp"

#include <mutex>
#include <vector>

namespace {

using namespace ccrec::webex_legacy;
using ccrec::exporter::ManifestEntry;
using ccrec::testing::MemorySink;

constexpr std::int64_t kEmptyCsvHourMs = 3600000;

/// One engine run of the CSV source over [kDay, kDay + 3 h); the manifest entry of each item
/// goes to `entries`.
ccrec::exporter::ExportSummary ExportCsvHours(legacy_test::ClientFixture& f, std::shared_ptr<MemorySink> const& sink,
                                              std::vector<ManifestEntry>& entries) {
  WebexLegacySourceOptions o;
  o.format = Format::kCsv;
  o.range = legacy_test::MsWindow(legacy_test::kDay, legacy_test::kDay + 3 * kEmptyCsvHourMs);
  ccrec::exporter::ExporterOptions eo;
  eo.key_template = kDefaultKeyTemplate;
  eo.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
  auto mu = std::make_shared<std::mutex>();
  eo.on_item_done = [&entries, mu](ccrec::exporter::ExportItem const&, ManifestEntry const& entry) {
    std::lock_guard<std::mutex> lock(*mu);
    entries.push_back(entry);
  };
  ccrec::exporter::Exporter exporter(MakeWebexLegacySource(Client(f.Options()), o), sink,
                                     ccrec::exporter::Manifest::Null(), eo);
  return exporter.Run({});
}

TEST(EmptyCsvAnswer, AWindowWithRecordsAnsweredEmptyFailsAndALaterRunExportsIt) {
  legacy_test::ClientFixture f;
  auto const records = legacy_test::Spread("e", legacy_test::kDay, 3 * kEmptyCsvHourMs, 30);
  legacy_test::FakeV1Server server(records);
  server.Install(*f.transport);
  server.SetEmptyCsvBodies(true);
  auto sink = std::make_shared<MemorySink>();
  std::vector<ManifestEntry> entries;
  auto summary = ExportCsvHours(f, sink, entries);
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 0u);
  EXPECT_EQ(summary.failed, 3u) << "every hour has records";
  EXPECT_TRUE(sink->Objects().empty()) << "nothing stored";
  ASSERT_EQ(entries.size(), 3u);
  for (auto const& e : entries) {
    EXPECT_EQ(e.status, ccrec::exporter::ItemStatus::kFailed);
    EXPECT_NE(e.error.find("the CSV answer was empty (no header row), but a JSON query of the same window returned "
                           "a record"),
              std::string::npos)
        << e.error;
  }
  bool confirmed_with_one_record = false;
  for (auto const& q : server.Queries()) confirmed_with_one_record = confirmed_with_one_record || q.number_of_records == 1;
  EXPECT_TRUE(confirmed_with_one_record) << "the JSON query asks for one record";

  // The same windows, answered properly on a later run: every record, once.
  server.SetEmptyCsvBodies(false);
  entries.clear();
  auto again = ExportCsvHours(f, sink, entries);
  ASSERT_FALSE(again.fatal) << again.fatal->ToString();
  EXPECT_EQ(again.failed, 0u);
  std::size_t rows = 0;
  for (auto const& [key, object] : sink->Objects()) {
    auto table = ParseCsv(object.data);
    ASSERT_TRUE(table) << key;
    rows += table->rows.size();
  }
  EXPECT_EQ(rows, records.size());
}

// A JSON query that fails while confirming fails the window too (it is asked again later), rather
// than taking the empty answer on trust.
TEST(EmptyCsvAnswer, AFailedConfirmationFailsTheWindow) {
  legacy_test::ClientFixture f;
  f.transport->Route("GET", "/aws/api/", [](ccrec::testing::RecordedRequest const& r) {
    bool const csv = r.Header("Accept").value_or("") == "text/csv";
    return csv ? ccrec::testing::MakeResponse(200, "", {{"Content-Type", "text/csv"}})
               : ccrec::testing::MakeResponse(200, R"({"error":"timed out"})", {{"Content-Type", "application/json"}});
  });
  auto sink = std::make_shared<MemorySink>();
  std::vector<ManifestEntry> entries;
  auto summary = ExportCsvHours(f, sink, entries);
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 3u);
  EXPECT_TRUE(sink->Objects().empty());
  for (auto const& e : entries) {
    EXPECT_NE(e.error.find("the CSV answer was empty (no header row); confirming it with a JSON query"),
              std::string::npos)
        << e.error;
  }
}

}  // namespace
