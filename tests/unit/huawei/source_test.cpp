// SPDX-License-Identifier: Apache-2.0
// HuaweiRecordingSource with the export engine: list mode, watch mode, keys, sidecars, sign-out.
#include "unit/huawei/gateway_fake.hpp"
#include "unit/huawei/huawei_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/huawei/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include "internal/crypto.hpp"
#include "internal/json.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <functional>
#include <set>

namespace {

using namespace huawei_test;
using ccrec::Result;
using ccrec::exporter::ExportItem;
using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::huawei::AgentSession;
using ccrec::huawei::HuaweiSourceOptions;
using ccrec::huawei::RecordingReference;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::MemorySink;

std::string KeyOf(std::string const& dir, std::string const& sanitized_stem, std::string const& file,
                  std::string const& ext) {
  return dir + sanitized_stem + "-" + ccrec::detail::Sha256Hex(file).substr(0, 8) + ext;
}

TEST(HuaweiSource, ExportItemKeysSidecarAndIdentity) {
  Gateway gw;
  AgentSession session(Options(gw.fake));
  RecordingReference r;
  r.file_name = "Y:/6/0/20161025/20011/1902050.V3";
  r.location_id = "256";
  r.call_id = "1477393325-164";
  r.caller = "70006";
  r.task_id = "5206";
  r.content_json = R"({"taskId":5206})";
  ExportItem item = ccrec::huawei::MakeHuaweiExportItem(session, r, 1, true);
  EXPECT_EQ(item.source, "huawei");
  EXPECT_EQ(item.task_id, "1477393325-164");
  EXPECT_EQ(item.recording_id, r.file_name);
  auto tmpl = ccrec::exporter::KeyTemplate::Parse(ccrec::huawei::kDefaultKeyTemplate, {}, ccrec::huawei::HuaweiKeyIdentity());
  ASSERT_TRUE(tmpl);
  EXPECT_EQ(tmpl->Render(item.key_fields),
            KeyOf("huawei/2016/10/25/", "Y__6_0_20161025_20011_1902050", r.file_name, ".v3"));
  auto doc = ccrec::detail::ParseJson(item.metadata_json, "sidecar");
  ASSERT_TRUE(doc);
  EXPECT_EQ(std::string((*doc)["source"].GetString()), "huawei");
  EXPECT_EQ(std::string((*doc)["file_name"].GetString()), r.file_name);
  EXPECT_EQ(std::string((*doc)["location_id"].GetString()), "256");
  EXPECT_EQ(std::string((*doc)["caller"].GetString()), "70006");
  EXPECT_EQ((*doc)["file_type"].GetInt(), 1);
  EXPECT_TRUE((*doc)["stop_record_seen"].GetBool());
  EXPECT_EQ((*doc)["event"]["taskId"].GetInt(), 5206);
  EXPECT_TRUE((*doc)["event_time"].IsNull());
}

TEST(HuaweiSource, HostileNamesGiveSafeDistinctKeys) {
  Gateway gw;
  AgentSession session(Options(gw.fake));
  auto tmpl = ccrec::exporter::KeyTemplate::Parse(ccrec::huawei::kDefaultKeyTemplate, {}, ccrec::huawei::HuaweiKeyIdentity());
  std::set<std::string> keys;
  std::vector<std::string> names = {"Y:/1/0/20261101/20011/a b.V3", "Y:/1/0/20261101/20011/a_b.V3",
                                    "Y:/1/0/20261101/20011/../../../etc/passwd", "..\\..\\x.V3",
                                    ".hidden.wav", "录音 é.wav", "conferenceId=1;recordId0=2;",
                                    "Y:/1/0/20261101/20011/a b&c+d#e%f?g=h;i,j.V3"};
  for (auto const& n : names) {
    RecordingReference r;
    r.file_name = n;
    auto key = tmpl->Render(ccrec::huawei::MakeHuaweiExportItem(session, r).key_fields);
    SCOPED_TRACE(key);
    EXPECT_EQ(("/" + key + "/").find("/../"), std::string::npos);  // ".." inside a segment is harmless
    EXPECT_EQ(key.find("/."), std::string::npos);                     // no hidden files, no "." segments
    EXPECT_EQ(key.find('\\'), std::string::npos);
    EXPECT_EQ(key.find(' '), std::string::npos);
    EXPECT_EQ(key.rfind("huawei/", 0), 0u);
    for (unsigned char c : key) EXPECT_TRUE(std::isalnum(c) || c == '/' || c == '_' || c == '-' || c == '.');
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), names.size()) << "two names collided";
}

TEST(HuaweiSource, ListModeExportsThroughTheEngineAndSignsOut) {
  Gateway gw;
  gw.files["Y:/6/0/20161025/20011/1902050.V3"] = "first file";
  gw.files["y:\\1\\0\\20181217\\120\\a b&c+d.V3"] = "second file";
  AgentSession session(Options(gw.fake));
  HuaweiSourceOptions so;
  for (auto const& name : {"Y:/6/0/20161025/20011/1902050.V3", "y:\\1\\0\\20181217\\120\\a b&c+d.V3",
                           "Y:/missing.V3", "Y:/6/0/20161025/20011/1902050.V3"}) {
    RecordingReference r;
    r.file_name = name;
    so.recordings.push_back(r);
  }
  so.keep_alive = false;
  so.location_id = "256";
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto sink = std::make_shared<MemorySink>();
  Exporter exporter(source, sink, nullptr, EngineOptions());
  auto summary = exporter.Run();
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 2u);
  EXPECT_EQ(summary.failed, 1u);
  auto objects = sink->Objects();
  EXPECT_EQ(objects.size(), 4u);  // two recordings + two sidecars
  auto k1 = KeyOf("huawei/2016/10/25/", "Y__6_0_20161025_20011_1902050", "Y:/6/0/20161025/20011/1902050.V3", ".v3");
  ASSERT_TRUE(sink->Get(k1));
  EXPECT_EQ(*sink->Get(k1), "first file");
  ASSERT_TRUE(sink->Get(k1 + ".json"));
  auto k2 = KeyOf("huawei/2018/12/17/", "y__1_0_20181217_120_a_b_c_d", "y:\\1\\0\\20181217\\120\\a b&c+d.V3", ".v3");
  ASSERT_TRUE(sink->Get(k2)) << "keys: " << objects.begin()->first;
  EXPECT_EQ(*sink->Get(k2), "second file");
  // Every download carried the locationId and filetype.
  for (auto const& r : gw.fake->Requests()) {
    if (r.url.find("recordfile") == std::string::npos) continue;
    EXPECT_EQ(QueryValue(r.url, "locationId"), "256");
    EXPECT_EQ(QueryValue(r.url, "filetype"), "1");
  }
  EXPECT_TRUE(source->Shutdown());
  EXPECT_EQ(gw.logouts.load(), 1);
  EXPECT_TRUE(source->Shutdown());  // idempotent
  EXPECT_EQ(gw.logouts.load(), 1);
}

TEST(HuaweiSource, WatchModeExportsAnnouncedRecordingsAfterStopRecordDone) {
  Gateway gw;
  gw.files["Y:/1/0/20261101/20011/100.V3"] = "one hundred";
  gw.files["Y:/1/0/20261101/20011/200.V3"] = "two hundred";
  gw.files["Y:/1/0/20261101/20011/300.V3"] = "three hundred";
  gw.files["Y:/1/0/20261101/20011/400.V3"] = "no task";
  gw.Event(R"({"eventType":"AgentState_Busy","workNo":"20011","content":null})");
  gw.Event(Record("1", "Y:/1/0/20261101/20011/100.V3", "c1"));
  gw.Event(Stop("1"));
  gw.Event(Stop("3"));  // arrives before its Record event
  gw.Event(Record("3", "Y:/1/0/20261101/20011/300.V3", "c3"));
  gw.Event(Record("2", "Y:/1/0/20261101/20011/200.V3", "c2"));  // never stopped -> pending at the end
  gw.Event(R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","content":{"fileName":"Y:/1/0/20261101/20011/400.V3"}})");
  gw.Event(R"({"eventType":"AgentMediaEvent_Record","workNo":"20011","content":{"callId":"no file"}})");
  gw.Event(R"({"eventType":"AgentMediaEvent_Record_Fail","workNo":"20011","content":{"taskId":9,"fileName":"Y:/f.V3"}})");
  gw.Event(Record("4", "Y:/1/0/20261101/20011/100.V3", "c1-again"));  // the same file again
  gw.Event(Stop("4"));
  LogCapture log;
  AgentSession session(Options(gw.fake, log));
  HuaweiSourceOptions so;
  so.watch = std::chrono::milliseconds(600);
  so.poller.interval = std::chrono::milliseconds(1);
  so.logger = log.Logger();
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto sink = std::make_shared<MemorySink>();
  auto eo = EngineOptions();
  Exporter exporter(source, sink, nullptr, eo);
  auto summary = exporter.Run();
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 3u) << summary.LastLine() << "\n" << [&] {
    std::string all;
    for (auto const& l : log.Lines()) all += l + "\n";
    return all;
  }();
  // The event without a fileName and the Record_Fail are failed lines (issue 11), never just logged.
  EXPECT_EQ(summary.failed, 2u);
  EXPECT_EQ(summary.pending, 1u);
  std::set<std::string> bodies;
  for (auto const& [key, obj] : sink->Objects()) {
    if (key.size() > 5 && key.compare(key.size() - 5, 5, ".json") == 0) {
      auto doc = ccrec::detail::ParseJson(obj.data, "sidecar");
      ASSERT_TRUE(doc);
      EXPECT_EQ(std::string((*doc)["agent_id"].GetString()), "20011");
      if (std::string((*doc)["file_name"].GetString()) == "Y:/1/0/20261101/20011/100.V3") {
        EXPECT_EQ(std::string((*doc)["call_id"].GetString()), "c1");
        EXPECT_TRUE((*doc)["stop_record_seen"].GetBool());
        EXPECT_EQ(std::string((*doc)["event_time"].GetString()), "2026-11-01T00:00:00Z");
        EXPECT_EQ(std::string((*doc)["location_id"].GetString()), "256");
      }
      continue;
    }
    bodies.insert(obj.data);
    EXPECT_EQ(key.rfind("huawei/2026/11/01/", 0), 0u) << key;
  }
  EXPECT_EQ(bodies, (std::set<std::string>{"one hundred", "three hundred", "no task"}));
  EXPECT_TRUE(log.Contains("recording failed"));
  EXPECT_TRUE(log.Contains("malformed record event"));
  EXPECT_TRUE(log.Contains("still being recorded when the watch ended"));
  for (auto const& line : log.Lines()) EXPECT_EQ(line.find("70006"), std::string::npos) << "caller logged: " << line;
  ASSERT_TRUE(source->Shutdown());
  EXPECT_EQ(gw.logouts.load(), 1);
  EXPECT_FALSE(session.SignedIn());
}

TEST(HuaweiSource, ShutdownSignsOutEvenAfterTheRunWasCancelled) {
  Gateway gw;
  AgentSession session(Options(gw.fake));
  HuaweiSourceOptions so;
  so.watch = std::chrono::hours(1);
  so.poller.interval = std::chrono::milliseconds(1);
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  auto sink = std::make_shared<MemorySink>();
  ccrec::CallContext ctx;
  gw.on_poll = [token = ctx.cancel](int n) {
    if (n == 3) token.Cancel();  // "Ctrl-C" while watching
  };
  Exporter exporter(source, sink, nullptr, EngineOptions());
  auto summary = exporter.Run(ctx);
  EXPECT_TRUE(summary.cancelled);
  ASSERT_TRUE(source->Shutdown());
  EXPECT_EQ(gw.logouts.load(), 1);
}

TEST(HuaweiSource, SignInFailureIsFatal) {
  auto fake = std::make_shared<FakeHttpTransport>();
  fake->Route("PUT", "onlineagent", [](RecordedRequest const&) -> Result<HttpResponse> { return Envelope("100-004"); });
  AgentSession session(Options(fake));
  HuaweiSourceOptions so;
  RecordingReference r;
  r.file_name = "Y:/x.V3";
  so.recordings = {r};
  std::shared_ptr<ccrec::huawei::HuaweiRecordingSource> source = ccrec::huawei::MakeHuaweiSource(session, so);
  Exporter exporter(source, std::make_shared<MemorySink>(), nullptr, EngineOptions());
  auto summary = exporter.Run();
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->vendor_code, "100-004");
  EXPECT_EQ(summary.exported + summary.failed, 0u);
  EXPECT_TRUE(source->Shutdown());  // not signed in: nothing to do
}

}  // namespace
