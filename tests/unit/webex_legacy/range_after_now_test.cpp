// SPDX-License-Identifier: Apache-2.0
// MakeWebexLegacySource with a range that ends after now (or after now minus the settle time): that
// part is left for a later run instead of being exported without its records (and then skipped for
// ever).
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/webex_legacy/csv.hpp>
#include <ccrec/webex_legacy/recording_source.hpp>

#include <gtest/gtest.h>

#include "unit/webex_legacy/fake_v1_server.hpp"

#include <cstdio>
#include <set>
#include <sstream>
#include <unistd.h>

namespace {

using namespace ccrec::webex_legacy;
using ccrec::testing::ManualClock;
using ccrec::testing::MemorySink;
using legacy_test::kDay;
using legacy_test::MsWindow;

constexpr std::int64_t kHourMs = 3600000;

/// A client on a FakeV1Server that serves only the records that started before `clock`'s now.
struct AfterNowEnv {
  legacy_test::ClientFixture fixture;
  std::shared_ptr<ManualClock> now = std::make_shared<ManualClock>(ccrec::detail::FromEpochMs(kDay));
  legacy_test::FakeV1Server server{legacy_test::Spread("f", kDay, 3 * kHourMs, 60)};  // one every 3 min
  std::unique_ptr<Client> client;
  std::string manifest_path;

  AfterNowEnv() {
    server.SetClock(now);
    server.Install(*fixture.transport);
    client = std::make_unique<Client>(fixture.Options());
    char tmpl[] = "/tmp/ccrec-legacy-after-now-XXXXXX";
    int fd = mkstemp(tmpl);
    ::close(fd);
    manifest_path = tmpl;
    std::remove(manifest_path.c_str());
  }
  ~AfterNowEnv() { std::remove(manifest_path.c_str()); }

  /// One engine run over [kDay, kDay + 3 h) at `now`, planned around the manifest's windows.
  ccrec::exporter::ExportSummary Run(std::shared_ptr<MemorySink> const& sink, Format format,
                                     std::chrono::milliseconds settle = std::chrono::milliseconds(0)) {
    auto manifest = ccrec::exporter::Manifest::Open(manifest_path);
    EXPECT_TRUE(manifest) << manifest.error().ToString();
    if (!manifest) return {};
    WebexLegacySourceOptions o;
    o.format = format;
    o.range = MsWindow(kDay, kDay + 3 * kHourMs);
    o.exported_windows = ExportedWindows(**manifest, o.record_type, format);
    o.clock = now;
    o.settle = settle;
    ccrec::exporter::ExporterOptions eo;
    eo.key_template = kDefaultKeyTemplate;
    eo.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
    ccrec::exporter::Exporter exporter(MakeWebexLegacySource(*client, o), sink, *manifest, eo);
    return exporter.Run({});
  }
};

/// The record ids stored in `sink` (JSON Lines or CSV objects), each as often as stored.
std::multiset<std::string> StoredIds(MemorySink const& sink, Format format) {
  std::multiset<std::string> ids;
  for (auto const& [key, object] : sink.Objects()) {
    if (format == Format::kJson) {
      std::istringstream in(object.data);
      for (std::string line; std::getline(in, line);) ids.insert(line.substr(8, line.find('"', 8) - 8));
      continue;
    }
    auto table = ParseCsv(object.data);
    EXPECT_TRUE(table) << key;
    if (!table) continue;
    for (auto const& row : table->rows) ids.insert(row.at(0));
  }
  return ids;
}

void ExpectLaterRunGetsTheRest(Format format) {
  AfterNowEnv env;
  auto sink = std::make_shared<MemorySink>();
  auto const now_ms = kDay + 90 * 60000 + 7;  // inside the second hour
  env.now->Set(ccrec::detail::FromEpochMs(now_ms));
  auto first = env.Run(sink, format);
  ASSERT_FALSE(first.fatal) << first.fatal->ToString();
  EXPECT_EQ(first.failed, 0u);
  EXPECT_EQ(first.exported, 2u) << "[0 h, 1 h) and [1 h, now)";
  for (auto const& q : env.server.Queries()) {
    EXPECT_LE(q.end, now_ms) << "no query reaches past now";
  }
  EXPECT_EQ(StoredIds(*sink, format).size(), 31u) << "the records that started before now";

  // Later: every record of the range exists. The next run exports the rest, each record once.
  env.now->Set(ccrec::detail::FromEpochMs(kDay + 4 * kHourMs));
  auto second = env.Run(sink, format);
  ASSERT_FALSE(second.fatal) << second.fatal->ToString();
  EXPECT_EQ(second.failed, 0u);
  EXPECT_EQ(second.skipped, 2u);
  std::multiset<std::string> expected;
  for (auto const& r : legacy_test::Spread("f", kDay, 3 * kHourMs, 60)) expected.insert(r.id);
  EXPECT_EQ(StoredIds(*sink, format), expected) << "every record of the range exactly once";
}

TEST(LegacySourceAfterNow, JsonWindowsAfterNowAreLeftForALaterRun) { ExpectLaterRunGetsTheRest(Format::kJson); }

TEST(LegacySourceAfterNow, CsvWindowsAfterNowAreLeftForALaterRun) { ExpectLaterRunGetsTheRest(Format::kCsv); }

// Contacts last 30 minutes and their records appear when they end. With the default settle time
// (2 h) a run at 2h30 exports [0, 30 min) only, and a run at 4 h the rest: every record once.
// Cut at now instead, the windows up to 2h30 would be stored without the contacts still in
// progress and never queried again.
TEST(LegacySourceAfterNow, WindowsWithContactsStillInProgressAreLeftForALaterRun) {
  AfterNowEnv env;
  env.server.SetContactDuration(std::chrono::minutes(30));
  auto sink = std::make_shared<MemorySink>();
  env.now->Set(ccrec::detail::FromEpochMs(kDay + 150 * 60000));
  WebexLegacySourceOptions defaults;
  auto first = env.Run(sink, Format::kJson, defaults.settle);
  ASSERT_FALSE(first.fatal) << first.fatal->ToString();
  EXPECT_EQ(first.exported, 1u) << "[0, 30 min)";
  EXPECT_EQ(StoredIds(*sink, Format::kJson).size(), 10u);

  env.now->Set(ccrec::detail::FromEpochMs(kDay + 6 * kHourMs));
  auto second = env.Run(sink, Format::kJson, defaults.settle);
  ASSERT_FALSE(second.fatal) << second.fatal->ToString();
  std::multiset<std::string> expected;
  for (auto const& r : legacy_test::Spread("f", kDay, 3 * kHourMs, 60)) expected.insert(r.id);
  EXPECT_EQ(StoredIds(*sink, Format::kJson), expected) << "every record of the range exactly once";
}

TEST(LegacySourceAfterNow, ARangeThatStartsAfterNowExportsNothing) {
  AfterNowEnv env;
  auto sink = std::make_shared<MemorySink>();
  env.now->Set(ccrec::detail::FromEpochMs(kDay - 1));
  auto summary = env.Run(sink, Format::kJson);
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported + summary.failed + summary.skipped + summary.pending, 0u);
  EXPECT_TRUE(env.server.Queries().empty());
  EXPECT_TRUE(sink->Objects().empty());
}

}  // namespace
