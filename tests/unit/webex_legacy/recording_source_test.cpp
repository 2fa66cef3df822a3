// SPDX-License-Identifier: Apache-2.0
// MakeWebexLegacySource on the export engine: one object per window, manifest, re-runs, split
// windows, failures.
#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>
#include <ccrec/testing/memory_sink.hpp>
#include <ccrec/webex_legacy/recording_source.hpp>

#include <gtest/gtest.h>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "unit/webex_legacy/fake_v1_server.hpp"

#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <unistd.h>

namespace {

using namespace ccrec::webex_legacy;
using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::detail::FromEpochMs;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::MemorySink;
using legacy_test::FakeRecord;
using legacy_test::FakeV1Server;
using legacy_test::kDay;

using legacy_test::MsWindow;

class TempManifest {
 public:
  TempManifest() {
    char tmpl[] = "/tmp/ccrec-legacy-manifest-XXXXXX";
    int fd = mkstemp(tmpl);
    ::close(fd);
    path_ = tmpl;
    std::remove(path_.c_str());
  }
  ~TempManifest() { std::remove(path_.c_str()); }
  std::string const& Path() const { return path_; }
  /// Entry lines (the header line left out).
  std::vector<std::string> Lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
      if (line.find("\"ccrec_manifest\"") == std::string::npos) out.push_back(line);
    }
    return out;
  }

 private:
  std::string path_;
};

struct Env {
  std::shared_ptr<FakeHttpTransport> transport = std::make_shared<FakeHttpTransport>();
  std::unique_ptr<FakeV1Server> server;
  std::unique_ptr<Client> client;
  explicit Env(std::vector<FakeRecord> records, int cap = 1000) {
    server = std::make_unique<FakeV1Server>(std::move(records), cap);
    server->Install(*transport);
    ClientOptions o;
    o.base_url = "https://rest.example.test";
    o.credentials = {"userID@portal-controlhub.com", "myRandomApiKeY", "11894", true};
    o.transport = transport;
    o.clock = std::make_shared<ccrec::testing::ManualClock>();
    o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
    o.service_row_cap = cap;
    client = std::make_unique<Client>(o);
  }
};

std::vector<FakeRecord> Records() {
  auto r = legacy_test::Spread("s", kDay, 3 * 3600000, 30);
  auto burst = legacy_test::Spread("b", kDay + 3600000 + 500, 200, 25);  // dense: 25 within 200 ms
  r.insert(r.end(), burst.begin(), burst.end());
  return r;
}

WebexLegacySourceOptions Options(Format format = Format::kJson) {
  WebexLegacySourceOptions o;
  o.record_type = RecordType::kCsr;
  o.format = format;
  o.range = MsWindow(kDay, kDay + 3 * 3600000);
  o.base_query.number_of_records = 10;
  return o;
}

ccrec::exporter::ExporterOptions EngineOptions(int concurrency = 1) {
  ccrec::exporter::ExporterOptions o;
  o.concurrency = concurrency;
  o.key_template = kDefaultKeyTemplate;
  o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
  return o;
}

/// One engine run of the v1 source.
ccrec::exporter::ExportSummary Export(Client const& client, std::shared_ptr<ccrec::ObjectSink> sink,
                                      std::shared_ptr<ccrec::exporter::Manifest> manifest,
                                      WebexLegacySourceOptions const& options,
                                      ccrec::exporter::ExporterOptions engine = EngineOptions(),
                                      ccrec::CallContext const& ctx = {}) {
  ccrec::exporter::Exporter exporter(MakeWebexLegacySource(client, options), std::move(sink), std::move(manifest),
                                     std::move(engine));
  return exporter.Run(ctx);
}

/// The options with the windows `manifest` records as done.
WebexLegacySourceOptions Resume(ccrec::exporter::Manifest const& manifest, WebexLegacySourceOptions o = Options()) {
  o.exported_windows = ExportedWindows(manifest, o.record_type, o.format);
  return o;
}

std::shared_ptr<ccrec::exporter::Manifest> OpenManifest(std::string const& path) {
  auto m = ccrec::exporter::Manifest::Open(path);
  EXPECT_TRUE(m) << m.error().ToString();
  return m ? *m : ccrec::exporter::Manifest::Null();
}

/// The keys a dry run plans for `options`, in time order.
std::vector<std::string> PlannedKeys(Client const& client, WebexLegacySourceOptions const& options,
                                     std::string const& key_template) {
  std::vector<std::string> keys;
  std::mutex mu;
  auto engine = EngineOptions();
  engine.key_template = key_template;
  engine.dry_run = true;
  engine.on_dry_run_item = [&](ccrec::exporter::ExportItem const&, std::string const& key) {
    std::lock_guard<std::mutex> lock(mu);
    keys.push_back(key);
  };
  auto summary = Export(client, std::make_shared<MemorySink>(), ccrec::exporter::Manifest::Null(), options, engine);
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  return keys;
}

std::size_t CountLines(std::string const& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

Result<ccrec::exporter::KeyTemplate> ParseWindowTemplate(std::string const& text) {
  return ccrec::exporter::KeyTemplate::Parse(text, WebexLegacyKeyNames(), WebexLegacyKeyIdentity());
}

TEST(WindowKeys, TemplateRulesAndRendering) {
  EXPECT_TRUE(ParseWindowTemplate(kDefaultKeyTemplate));
  EXPECT_TRUE(ParseWindowTemplate("x/{record_type}/{yyyy}/{mm}/{dd}/{from_ms}_{to_ms}.{format}"));
  EXPECT_TRUE(ParseWindowTemplate("{record_type}/{from}.{to}{ext}"));
  for (char const* bad : {"x/{from}-{to}{ext}", "x/{record_type}/{from}{ext}", "{record_type}/{to}",
                          "/abs/{record_type}/{from}-{to}", "a/../{record_type}/{from}-{to}",
                          "{record_type}/{from-{to}", "{record_type}}{from}{to}",
                          "{record_type}/./{from}-{to}", "{record_type}/{from}-{to}/{ext}",
                          "{record_type}/{from}-{to}"}) {  // no {ext}/{format}: JSON and CSV would share a key
    auto r = ParseWindowTemplate(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
  auto missing = ParseWindowTemplate("x/{from}-{to}{ext}");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("{record_type}"), std::string::npos) << missing.error().message;

  Env env({});
  auto o = Options();
  o.record_type = RecordType::kCar;
  o.range = MsWindow(kDay, kDay + 3600000);
  EXPECT_EQ(PlannedKeys(*env.client, o, kDefaultKeyTemplate),
            std::vector<std::string>{"webex-legacy/cars/20261101T000000.000Z-20261101T010000.000Z.jsonl"});
  o.record_type = RecordType::kAar;
  o.format = Format::kCsv;
  o.range = MsWindow(kDay + 5, kDay + 7);
  EXPECT_EQ(PlannedKeys(*env.client, o, "{record_type}/{yyyy}/{mm}/{dd}/{from_ms}-{to_ms}{ext}"),
            std::vector<std::string>{"aars/2026/11/01/1793491200005-1793491200007.csv"});
  EXPECT_TRUE(env.server->Queries().empty()) << "a dry run queries nothing";
}

TEST(WindowKeys, ExportedWindowsReadsOnlyWindowLinesOfTheTypeAndFormat) {
  TempManifest mpath;
  auto manifest = OpenManifest(mpath.Path());
  auto line = [&](std::string task, std::string rec, std::string seg, ccrec::exporter::ItemStatus status) {
    ccrec::exporter::ManifestEntry e;
    e.source = kManifestSource;
    e.task_id = std::move(task);
    e.recording_id = std::move(rec);
    e.segment_id = std::move(seg);
    e.status = status;
    ASSERT_TRUE(manifest->Append(e));
  };
  using ccrec::exporter::ItemStatus;
  line("csrs", "2000-3000", "json", ItemStatus::kExported);
  line("csrs", "1000-2000", "json", ItemStatus::kSkipped);
  line("csrs", "3000-4000", "json", ItemStatus::kFailed);
  line("csrs", "4000-5000", "json", ItemStatus::kExported);
  line("csrs", "4000-5000", "json", ItemStatus::kFailed);  // the latest line counts
  line("csrs", "5000-6000", "csv", ItemStatus::kExported);
  line("cars", "6000-7000", "json", ItemStatus::kExported);
  for (char const* junk : {"x-1", "7000-7000", "8000-7000", "9000", "9000-10000x", "9000-", "1-2-3"}) {
    line("csrs", junk, "json", ItemStatus::kExported);
  }
  auto windows = ExportedWindows(*manifest, RecordType::kCsr, Format::kJson);
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0], MsWindow(1000, 2000));
  EXPECT_EQ(windows[1], MsWindow(2000, 3000));
  EXPECT_EQ(ExportedWindows(*manifest, RecordType::kCsr, Format::kCsv), std::vector<TimeWindow>{MsWindow(5000, 6000)});
}

TEST(LegacySource, OneJsonLinesObjectPerWindowWithManifestLines) {
  Env env(Records());
  auto sink = std::make_shared<MemorySink>();
  TempManifest mpath;
  auto manifest = OpenManifest(mpath.Path());
  auto summary = Export(*env.client, sink, manifest, Options());
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.skipped, 0u);
  EXPECT_EQ(summary.pending, 0u);
  auto objects = sink->Objects();
  EXPECT_EQ(summary.exported, objects.size());
  EXPECT_EQ(summary.discovered, objects.size()) << "split windows are not counted";
  EXPECT_GT(objects.size(), 3u) << "the dense hour was split";
  std::uint64_t bytes = 0;
  std::set<std::string> sids;
  std::size_t lines = 0;
  for (auto const& [key, object] : objects) {
    EXPECT_EQ(key.rfind("webex-legacy/csrs/", 0), 0u) << key;
    EXPECT_EQ(key.substr(key.size() - 6), ".jsonl");
    EXPECT_EQ(object.options.content_type, "application/x-ndjson");
    EXPECT_LT(CountLines(object.data), 10u) << "no window is full";
    bytes += object.data.size();
    lines += CountLines(object.data);
    std::istringstream in(object.data);
    for (std::string line; std::getline(in, line);) {
      EXPECT_EQ(line.find(": "), std::string::npos) << "compact";
      sids.insert(line.substr(8, line.find('"', 8) - 8));
    }
  }
  EXPECT_EQ(summary.bytes, bytes);
  EXPECT_EQ(lines, Records().size());
  EXPECT_EQ(sids.size(), Records().size());
  EXPECT_LE(env.server->MaxNumberOfRecords(), 10);
  EXPECT_EQ(sink->AbortCount(), env.server->Queries().size() - objects.size()) << "each full window was aborted";
  auto manifest_lines = mpath.Lines();
  ASSERT_EQ(manifest_lines.size(), objects.size()) << "one line per object, none for split windows";
  for (auto const& line : manifest_lines) {
    EXPECT_NE(line.find("\"source\":\"webex-legacy\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"task_id\":\"csrs\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"segment_id\":\"json\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"status\":\"exported\""), std::string::npos) << line;
  }
  // Every object's manifest line carries its size and SHA-256.
  for (auto const& [key, object] : objects) {
    std::string sha = ccrec::detail::Sha256Hex(object.data);
    bool found = false;
    for (auto const& line : manifest_lines) {
      found = found || (line.find("\"key\":\"" + key + "\"") != std::string::npos &&
                        line.find("\"sha256\":\"" + sha + "\"") != std::string::npos &&
                        line.find("\"bytes\":" + std::to_string(object.data.size()) + ",") != std::string::npos);
    }
    EXPECT_TRUE(found) << key;
  }

  // Re-run with the manifest: everything skipped, no data request, no new object.
  auto done = ExportedWindows(*manifest, RecordType::kCsr, Format::kJson);
  EXPECT_EQ(done.size(), objects.size());
  EXPECT_TRUE(ExportedWindows(*manifest, RecordType::kCsr, Format::kCsv).empty());
  EXPECT_TRUE(ExportedWindows(*manifest, RecordType::kCar, Format::kJson).empty());
  std::size_t queries = env.server->Queries().size();
  auto again = Export(*env.client, sink, manifest, Resume(*manifest));
  EXPECT_FALSE(again.fatal);
  EXPECT_EQ(again.exported, 0u);
  EXPECT_EQ(again.skipped, objects.size());
  EXPECT_EQ(again.bytes, 0u);
  EXPECT_EQ(env.server->Queries().size(), queries);
  EXPECT_EQ(sink->Objects().size(), objects.size());

  // A wider range re-uses what is done and only fetches the new part.
  auto wider = Options();
  wider.range = MsWindow(kDay, kDay + 4 * 3600000);
  auto third = Export(*env.client, sink, manifest, Resume(*manifest, wider));
  EXPECT_EQ(third.exported, 1u);
  EXPECT_EQ(third.skipped, objects.size());
  EXPECT_EQ(env.server->Queries().size(), queries + 1);
}

TEST(LegacySource, ReRunWithoutManifestSkipsThroughStat) {
  Env env(Records());
  auto sink = std::make_shared<MemorySink>();
  auto first = Export(*env.client, sink, ccrec::exporter::Manifest::Null(), Options());
  ASSERT_FALSE(first.fatal);
  auto second = Export(*env.client, sink, ccrec::exporter::Manifest::Null(), Options());
  EXPECT_FALSE(second.fatal);
  EXPECT_EQ(second.exported, 0u);
  EXPECT_EQ(second.skipped, first.exported);
  EXPECT_EQ(sink->Objects().size(), first.exported);
}

// A JSON answer that starts with a UTF-8 byte-order mark still yields its records: the windows
// are neither stored empty nor marked exported without them.
TEST(LegacySource, JsonBodiesWithAByteOrderMarkExportEveryRecord) {
  Env env(Records());
  env.server->SetJsonByteOrderMark(true);
  auto sink = std::make_shared<MemorySink>();
  TempManifest mpath;
  auto summary = Export(*env.client, sink, OpenManifest(mpath.Path()), Options());
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.failed, 0u);
  std::multiset<std::string> sids;
  for (auto const& [key, object] : sink->Objects()) {
    EXPECT_NE(object.data.rfind("\xEF\xBB\xBF", 0), 0u) << "no mark in the stored lines: " << key;
    std::istringstream in(object.data);
    for (std::string line; std::getline(in, line);) sids.insert(line.substr(8, line.find('"', 8) - 8));
  }
  std::multiset<std::string> expected;
  for (auto const& r : Records()) expected.insert(r.id);
  EXPECT_EQ(sids, expected) << "every record exactly once";
  EXPECT_GT(summary.exported, 3u) << "the dense hour was still split (full answers were seen as full)";
}

TEST(LegacySource, CsvObjectsAreTheServiceBytes) {
  Env env(Records());
  auto sink = std::make_shared<MemorySink>();
  auto summary = Export(*env.client, sink, ccrec::exporter::Manifest::Null(), Options(Format::kCsv));
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  std::size_t rows = 0;
  for (auto const& [key, object] : sink->Objects()) {
    EXPECT_EQ(key.substr(key.size() - 4), ".csv");
    EXPECT_EQ(object.options.content_type, "text/csv");
    EXPECT_EQ(object.data.rfind("sid,cstts,notes\r\n", 0), 0u);
    auto table = ParseCsv(object.data);
    ASSERT_TRUE(table);
    rows += table->rows.size();
  }
  EXPECT_EQ(rows, Records().size());
  EXPECT_EQ(sink->AbortCount(), env.server->Queries().size() - summary.exported) << "full windows were aborted";
}

// A CSV answer without a header row fails its window: no object, a failed manifest line saying
// why (and no record values). Before, the first record was taken for the header, so the window
// that returned exactly the limit looked one row short and was stored as complete.
TEST(LegacySource, HeaderlessCsvWindowsFailAndStoreNothingAnEmptyBodyIsAnEmptyWindow) {
  Env env(Records());
  env.server->SetCsvHeaderRow(false);
  auto sink = std::make_shared<MemorySink>();
  TempManifest mpath;
  auto summary = Export(*env.client, sink, OpenManifest(mpath.Path()), Options(Format::kCsv));
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 0u);
  EXPECT_EQ(summary.failed, 3u) << "every hour";
  EXPECT_TRUE(sink->Objects().empty());
  EXPECT_EQ(env.server->Queries().size(), 3u) << "not retried, not split";
  auto lines = mpath.Lines();
  ASSERT_EQ(lines.size(), 3u);
  for (auto const& line : lines) {
    EXPECT_NE(line.find("\"status\":\"failed\""), std::string::npos) << line;
    EXPECT_NE(line.find("GET /aws/api/csrs (CSV) for ["), std::string::npos) << line;
    EXPECT_NE(line.find("the CSV answer has no header row"), std::string::npos) << line;
    EXPECT_EQ(line.find("\"rs"), std::string::npos) << "no record values: " << line;
    EXPECT_EQ(line.find("," + std::to_string(kDay)), std::string::npos) << "no record values: " << line;
  }

  // No records and no header: an empty body is a window of zero records, exported, once a JSON
  // query of the window (for one record) confirms it has none.
  Env empty({});
  empty.server->SetCsvHeaderRow(false);
  auto o = Options(Format::kCsv);
  o.range = MsWindow(kDay, kDay + 1000);
  auto none = Export(*empty.client, sink, ccrec::exporter::Manifest::Null(), o);
  ASSERT_FALSE(none.fatal) << none.fatal->ToString();
  EXPECT_EQ(none.exported, 1u);
  EXPECT_EQ(none.failed, 0u);
  ASSERT_EQ(sink->Objects().size(), 1u);
  EXPECT_EQ(sink->Objects().begin()->second.data, "");
  auto queries = empty.server->Queries();
  ASSERT_EQ(queries.size(), 2u) << "the CSV query, then one JSON query confirming it";
  EXPECT_EQ(queries[1].number_of_records, 1);
}

TEST(LegacySource, EmptyRangeGivesEmptyObjects) {
  Env env({});
  auto sink = std::make_shared<MemorySink>();
  auto o = Options();
  o.range = MsWindow(kDay, kDay + 1000);
  auto summary = Export(*env.client, sink, ccrec::exporter::Manifest::Null(), o);
  ASSERT_FALSE(summary.fatal);
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(summary.bytes, 0u);
  ASSERT_EQ(sink->Objects().size(), 1u);
  EXPECT_EQ(sink->Objects().begin()->second.data, "");
}

TEST(LegacySource, UnsplittableMillisecondIsAFailedWindowOthersExported) {
  for (Format format : {Format::kJson, Format::kCsv}) {
    SCOPED_TRACE(format == Format::kCsv ? "csv" : "json");
    std::vector<FakeRecord> records = legacy_test::Spread("s", kDay, 3600000, 5);
    for (int i = 0; i < 12; ++i) records.push_back({"m" + std::to_string(i), kDay + 1800000});
    Env env(records, 10);
    auto sink = std::make_shared<MemorySink>();
    TempManifest mpath;
    auto manifest = OpenManifest(mpath.Path());
    auto o = Options(format);
    o.range = MsWindow(kDay, kDay + 3600000);
    auto summary = Export(*env.client, sink, manifest, o);
    EXPECT_FALSE(summary.fatal);
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_GT(summary.exported, 1u);
    bool failed_line = false;
    for (auto const& line : mpath.Lines()) {
      if (line.find("\"status\":\"failed\"") == std::string::npos) continue;
      failed_line = true;
      EXPECT_NE(line.find("\"recording_id\":\"1793493000000-1793493000001\""), std::string::npos) << line;
      EXPECT_NE(line.find("cannot be exported completely"), std::string::npos) << line;
    }
    EXPECT_TRUE(failed_line);
    std::size_t rows = 0;
    for (auto const& [key, object] : sink->Objects()) {
      EXPECT_EQ(object.data.find("m1"), std::string::npos) << "no partial data for the failed millisecond: " << key;
      if (format == Format::kCsv) {
        auto table = ParseCsv(object.data);
        ASSERT_TRUE(table) << key;
        rows += table->rows.size();
      } else {
        rows += CountLines(object.data);
      }
    }
    EXPECT_EQ(rows, 5u) << "every record but the full millisecond's, the window right after it included";
    // A re-run retries only the failed millisecond (and fails again).
    std::size_t queries = env.server->Queries().size();
    auto rerun = Export(*env.client, sink, manifest, Resume(*manifest, o));
    EXPECT_EQ(rerun.failed, 1u);
    EXPECT_EQ(rerun.exported, 0u);
    EXPECT_EQ(env.server->Queries().size(), queries + 1);
  }
}

TEST(LegacySource, UnauthenticatedIsFatal) {
  auto transport = std::make_shared<FakeHttpTransport>();
  transport->Route("GET", "/aws/api/", [](ccrec::testing::RecordedRequest const&) {
    return ccrec::testing::MakeResponse(401, "{\"message\":\"Invalid API key signature.\"}");
  });
  ClientOptions o;
  o.base_url = "https://rest.example.test";
  o.credentials = {"userID@portal-controlhub.com", "wrong", "", true};
  o.transport = transport;
  o.clock = std::make_shared<ccrec::testing::ManualClock>();
  o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
  Client client(o);
  auto sink = std::make_shared<MemorySink>();
  TempManifest mpath;
  auto summary = Export(client, sink, OpenManifest(mpath.Path()), Options(), EngineOptions(4));
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(summary.exported, 0u);
  EXPECT_TRUE(sink->Objects().empty());
  EXPECT_LE(transport->RequestCount(), 4u) << "stops after the first 401 per worker";
  for (auto const& line : mpath.Lines()) {
    EXPECT_EQ(line.find("\"status\":\"exported\""), std::string::npos) << line;
  }
}

TEST(LegacySource, ConcurrentWorkersExportTheSameData) {
  Env env(Records());
  auto sink = std::make_shared<MemorySink>();
  auto summary = Export(*env.client, sink, ccrec::exporter::Manifest::Null(), Options(), EngineOptions(4));
  ASSERT_FALSE(summary.fatal);
  std::size_t lines = 0;
  for (auto const& [key, object] : sink->Objects()) lines += CountLines(object.data);
  EXPECT_EQ(lines, Records().size());
  EXPECT_EQ(summary.exported, sink->Objects().size());
}

TEST(LegacySource, InvalidOptionsAndDryRun) {
  Env env(Records());
  auto sink = std::make_shared<MemorySink>();
  auto null_manifest = ccrec::exporter::Manifest::Null();
  auto engine = EngineOptions();
  engine.key_template = "{from}";
  EXPECT_EQ(Export(*env.client, sink, null_manifest, Options(), engine).fatal->code, ErrorCode::kInvalidArgument);
  auto o = Options();
  o.range = MsWindow(kDay, kDay);
  auto empty = Export(*env.client, sink, null_manifest, o);
  ASSERT_TRUE(empty.fatal);
  EXPECT_EQ(empty.fatal->code, ErrorCode::kInvalidArgument);
  EXPECT_NE(empty.fatal->message.find("is empty"), std::string::npos) << empty.fatal->message;
  o = Options();
  o.base_query.number_of_records = 1000000;
  auto too_many = Export(*env.client, sink, null_manifest, o);
  ASSERT_TRUE(too_many.fatal);
  EXPECT_NE(too_many.fatal->message.find("numberOfRecords"), std::string::npos) << too_many.fatal->message;
  EXPECT_EQ(PlannedKeys(*env.client, Options(), kDefaultKeyTemplate).size(), 3u);
  EXPECT_TRUE(env.server->Queries().empty());
  EXPECT_TRUE(sink->Objects().empty());
}

TEST(LegacySource, CancelledRunStops) {
  Env env(Records());
  auto sink = std::make_shared<MemorySink>();
  ccrec::CallContext ctx;
  ctx.cancel.Cancel();
  auto summary = Export(*env.client, sink, ccrec::exporter::Manifest::Null(), Options(), EngineOptions(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_TRUE(sink->Objects().empty());
}

// Issue 11 items 3, 4, 12 for windows: an existing object is skipped only when it is this
// window's; manifest lines of another destination are not trusted; every line has a uri.
TEST(LegacySource, ExistingObjectsAreCheckedNeverOverwrittenAndLinesCarryAUri) {
  Env env(Records());
  auto sink = std::make_shared<MemorySink>();
  TempManifest mpath;
  auto manifest = OpenManifest(mpath.Path());
  auto first = Export(*env.client, sink, manifest, Options());
  ASSERT_FALSE(first.fatal) << first.fatal->ToString();
  auto objects = sink->Objects();
  ASSERT_FALSE(objects.empty());
  for (auto const& [key, object] : objects) {
    EXPECT_EQ(object.options.metadata.at("ccrec-id").rfind("v1/webex-legacy/csrs/", 0), 0u) << key;
    EXPECT_TRUE(object.options.if_none_match);
  }
  for (auto const& line : mpath.Lines()) EXPECT_NE(line.find("\"uri\":\"memory://webex-legacy/csrs/"), std::string::npos);

  // Another destination holding objects of nobody (another tool wrote them) under the same keys:
  // the lines of the first manifest do not count there, and nothing is overwritten.
  auto other = std::make_shared<MemorySink>();
  for (auto const& [key, object] : objects) {
    auto w = other->Open(key, ccrec::PutOptions{});
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->Write("x", 1));
    ASSERT_TRUE((*w)->Finish());
  }
  struct Renamed : MemorySink {
    explicit Renamed(std::shared_ptr<MemorySink> inner) : inner_(std::move(inner)) {}
    ccrec::Result<std::unique_ptr<ccrec::ObjectWriter>> Open(std::string const& k, ccrec::PutOptions const& o,
                                                             ccrec::CallContext const& c) override {
      return inner_->Open(k, o, c);
    }
    ccrec::Result<std::optional<ccrec::ObjectInfo>> Stat(std::string const& k, ccrec::CallContext const& c) override {
      return inner_->Stat(k, c);
    }
    std::string Uri(std::string const& k) const override { return "s3://other/" + k; }
    std::shared_ptr<MemorySink> inner_;
  };
  auto renamed = std::make_shared<Renamed>(other);
  EXPECT_EQ(ExportedWindows(*manifest, RecordType::kCsr, Format::kJson).size(), objects.size());
  TempManifest other_path;
  auto second = Export(*env.client, renamed, OpenManifest(other_path.Path()), Resume(*manifest));
  EXPECT_FALSE(second.fatal) << second.fatal->ToString();
  EXPECT_EQ(second.skipped, 0u);
  EXPECT_EQ(second.exported, 0u);
  EXPECT_EQ(second.failed, objects.size());
  for (auto const& [key, object] : other->Objects()) EXPECT_EQ(object.data, "x") << key;
  for (auto const& line : other_path.Lines()) EXPECT_NE(line.find("has no ccrec-id metadata"), std::string::npos);

  // The first manifest is bound to the first destination.
  auto refused = Export(*env.client, renamed, manifest, Resume(*manifest));
  ASSERT_TRUE(refused.fatal);
  EXPECT_NE(refused.fatal->message.find("belongs to destination memory://"), std::string::npos);
}

}  // namespace
