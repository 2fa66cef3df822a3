// SPDX-License-Identifier: Apache-2.0
// The Webex CC recording source (tasks -> captures -> presigned media) over FakeHttpTransport,
// alone and driving the Exporter end to end into a MemorySink.

#include "unit/webex/fake_webex_source.hpp"
#include "unit/webex/webex_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/oauth.hpp>
#include <ccrec/webex/recording_source.hpp>

#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <utility>

namespace exporter_test {
namespace {

TEST(WebexSource, ItemsPendingAndCaptureBatches) {
  FakeWebex w;
  w.tasks.push_back({"t-main", true, {{"r-main", "main.wav", "main", "AAAA"}, {"r-consult", "consult.WAV", "consult", "BB"}}});
  w.tasks.push_back({"t-never", false, {{"r-never", "x.wav", "main", "X"}}});
  w.tasks.push_back({"t-null", std::nullopt, {}});
  w.tasks.push_back({"t-later", true, {}});
  for (int i = 0; i < 21; ++i) {
    std::string n = std::to_string(i);
    w.tasks.push_back({"t" + n, true, {{"r" + n, "f" + n + ".mp3", "main", "data" + n}}});
  }
  w.tasks.push_back({"t-never-2", false, {}});
  auto source = w.Source();
  auto c = Enumerate(*source);
  ASSERT_TRUE(c.result) << c.result.error().ToString();

  auto batches = w.CaptureBatches();
  std::set<std::string> queried;
  for (auto const& b : batches) {
    EXPECT_LE(b.size(), 10u);
    EXPECT_FALSE(b.empty());
    for (auto const& id : b) EXPECT_TRUE(queried.insert(id).second) << id << " queried twice";
  }
  EXPECT_EQ(queried.size(), 24u);
  EXPECT_EQ(queried.count("t-never"), 0u) << "captureRequested false: never sent to captures";
  EXPECT_EQ(queried.count("t-never-2"), 0u);
  EXPECT_EQ(queried.count("t-null"), 1u) << "captureRequested null: asked";
  EXPECT_EQ(batches.size(), 3u);

  ASSERT_EQ(c.items.size(), 23u) << "every recording, consult legs included";
  EXPECT_EQ(c.items[0].recording_id, "r-main");
  EXPECT_EQ(c.items[1].recording_id, "r-consult");
  for (auto const& item : c.items) {
    EXPECT_EQ(item.source, "webex");
    EXPECT_TRUE(item.open);
  }
  auto const& consult = c.items[1];
  EXPECT_EQ(consult.task_id, "t-main");
  EXPECT_EQ(consult.key_fields.task_id, "t-main");
  EXPECT_EQ(consult.key_fields.recording_id, "r-consult");
  EXPECT_EQ(consult.key_fields.file_name, "consult.WAV");
  EXPECT_EQ(consult.key_fields.time, ccrec::detail::FromEpochMs(1793487600000)) << "the recording's startTime";

  ASSERT_EQ(c.pending.size(), 2u);
  std::map<std::string, std::string> pending;
  for (auto const& p : c.pending) {
    EXPECT_EQ(p.source, "webex");
    pending[p.task_id] = p.reason;
  }
  EXPECT_NE(pending.at("t-null").find("captureRequested is null"), std::string::npos) << pending.at("t-null");
  EXPECT_NE(pending.at("t-later").find("not available yet"), std::string::npos) << pending.at("t-later");
}

// A task whose capture never appears (purged, never produced) is given up pending_max_age after
// its createdTime, measured with the source's clock; until then it stays pending.
TEST(WebexSource, TaskWithoutRecordingIsGivenUpAfterPendingMaxAge) {
  FakeWebex w;
  w.tasks.push_back({"t-purged", true, {}});                           // createdTime = now - 3599 s
  w.tasks.push_back({"t-null", std::nullopt, {}});                     // now - 3598 s
  w.tasks.push_back({"t-rec", true, {{"r1", "a.wav", "main", "AA"}}});  // has its recording
  auto given_up = [&] {
    auto c = Enumerate(*w.Source());
    EXPECT_TRUE(c.result);
    EXPECT_EQ(c.items.size(), 1u);
    std::map<std::string, PendingItem> out;
    for (auto& p : c.pending) out[p.task_id] = p;
    EXPECT_EQ(out.size(), 2u);
    return out;
  };
  w.clock->Advance(71h);  // ages 71h59m59s and 71h59m58s: not yet
  auto before = given_up();
  EXPECT_FALSE(before.at("t-purged").given_up);
  EXPECT_FALSE(before.at("t-null").given_up);
  EXPECT_EQ(before.at("t-purged").reason, "capture requested but not available yet");
  w.clock->Advance(1500ms);  // 72h0m0.5s and 71h59m59.5s
  auto after = given_up();
  EXPECT_TRUE(after.at("t-purged").given_up);
  EXPECT_FALSE(after.at("t-null").given_up);
  EXPECT_EQ(after.at("t-purged").reason.rfind("unavailable after 3d: capture requested but not available yet", 0), 0u)
      << after.at("t-purged").reason;
  EXPECT_NE(after.at("t-purged").reason.find("2026-10-31T23:00:01"), std::string::npos) << "its createdTime";
  EXPECT_EQ(after.at("t-purged").window_time, ccrec::detail::FromEpochMs(kFromMs + 1000));
  w.pending_max_age = 0ms;  // wait forever
  EXPECT_FALSE(given_up().at("t-purged").given_up);
  w.pending_max_age = 90min;
  w.clock->Set(ccrec::detail::FromEpochMs(kNowMs));
  EXPECT_FALSE(given_up().at("t-purged").given_up);  // 59m59s
  w.clock->Advance(31min);                            // 90m59s
  EXPECT_NE(given_up().at("t-null").reason.find("unavailable after 90m: capture status not known yet"),
            std::string::npos);
}

// End to end: a pending task holds the resume point (earliest_unfinished) until it is given up;
// then it is one failed line, counted once, and the resume point moves on.
TEST(WebexSource, GivenUpTaskIsFailedOnceAndNoLongerHoldsTheResumePoint) {
  FakeWebex w;
  w.tasks.push_back({"t-purged", true, {}});
  w.tasks.push_back({"t-rec", true, {{"r1", "a.wav", "main", Bytes(100, 1)}}});
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto memory = std::make_shared<MemorySink>();
  ccrec::exporter::ExporterOptions o;
  o.sleeper = std::make_shared<ManualSleeper>();
  auto run = [&] { return ccrec::exporter::Exporter(w.Source(), memory, *manifest, o).Run(); };

  auto first = run();
  EXPECT_EQ(first.LastLine(), "exported=1 skipped=0 failed=0 pending=1 bytes=100");
  EXPECT_EQ(first.earliest_unfinished, ccrec::detail::FromEpochMs(kFromMs + 1000)) << "pinned by t-purged";
  w.clock->Advance(24h);
  EXPECT_EQ(run().earliest_unfinished, ccrec::detail::FromEpochMs(kFromMs + 1000)) << "still pinned after 1 day";

  w.clock->Advance(72h);
  auto expired = run();
  EXPECT_EQ(expired.LastLine(), "exported=0 skipped=1 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(expired.earliest_unfinished) << "no longer pinned";
  EXPECT_FALSE(expired.fatal);

  w.clock->Advance(24h);
  auto later = run();  // listed again (same window): recorded and counted no more
  EXPECT_EQ(later.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
  EXPECT_FALSE(later.earliest_unfinished);

  std::vector<Line> purged;
  for (auto& l : ReadManifest(dir / "m.jsonl")) {
    if (l.task_id == "t-purged") purged.push_back(l);
  }
  ASSERT_EQ(purged.size(), 3u);  // pending, pending, failed
  EXPECT_EQ(purged[0].status, "pending");
  EXPECT_EQ(purged[1].status, "pending");
  EXPECT_EQ(purged[2].status, "failed");
  EXPECT_EQ(purged[2].recording_id, "");
  EXPECT_EQ(purged[2].error.rfind("unavailable after 3d: ", 0), 0u) << purged[2].error;
}

TEST(WebexSource, SidecarHasTaskAndRecordingAttributesButNoPresignedUrl) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "recording-1.wav", "consult", "data"}}});
  auto source = w.Source();
  auto c = Enumerate(*source);
  ASSERT_EQ(c.items.size(), 1u);
  auto const& json = c.items[0].metadata_json;
  auto doc = ccrec::detail::ParseJson(json, "sidecar");
  ASSERT_TRUE(doc) << json;
  EXPECT_EQ(ccrec::detail::OptString(*doc, "source"), "webex");
  EXPECT_EQ(ccrec::detail::OptString(*doc, "task_id"), "t1");
  EXPECT_EQ(ccrec::detail::OptString(*doc, "recording_id"), "r1");
  auto const* task = ccrec::detail::OptObject(*doc, "task");
  ASSERT_NE(task, nullptr);
  auto const* task_attrs = ccrec::detail::OptObject(*task, "attributes");
  ASSERT_NE(task_attrs, nullptr);
  EXPECT_EQ(ccrec::detail::OptString(*task_attrs, "origin"), "+14085550100");
  EXPECT_EQ(ccrec::detail::OptString(*task_attrs, "direction"), "inbound");
  EXPECT_TRUE(ccrec::detail::OptObject(*task_attrs, "owner"));
  auto const* rec = ccrec::detail::OptObject(*doc, "recording");
  ASSERT_NE(rec, nullptr);
  auto const* rec_attrs = ccrec::detail::OptObject(*rec, "attributes");
  ASSERT_NE(rec_attrs, nullptr);
  EXPECT_EQ(ccrec::detail::OptString(*rec_attrs, "fileName"), "recording-1.wav");
  EXPECT_EQ(ccrec::detail::OptString(*rec_attrs, "callType"), "consult");
  EXPECT_EQ(ccrec::detail::OptInt64(*rec_attrs, "startTime"), 1793487600000);
  EXPECT_TRUE(ccrec::detail::OptArray(*rec_attrs, "participants"));
  EXPECT_FALSE(rec_attrs->HasMember("filePath"));
  EXPECT_EQ(json.find("filePath"), std::string::npos) << json;
  EXPECT_EQ(json.find("X-Amz-Signature"), std::string::npos) << json;
  EXPECT_EQ(json.find(kMedia), std::string::npos) << json;
}

TEST(WebexSource, OpenerStreamsThePresignedUrlWithoutAuthorization) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "recording-1.wav", "main", Bytes(5000)}}});
  auto source = w.Source();
  auto c = Enumerate(*source);
  ASSERT_EQ(c.items.size(), 1u);
  auto r = c.items[0].open(CallContext{}, 0);
  EXPECT_TRUE(ReadAll(r) == Bytes(5000));
  auto media = w.MediaRequests();
  ASSERT_EQ(media.size(), 1u);
  EXPECT_EQ(media[0].url, w.UrlFor("r1", 1)) << "the URL exactly as Captures gave it";
  EXPECT_FALSE(media[0].Header("Authorization"));
  EXPECT_FALSE(media[0].Header("TrackingId"));
  EXPECT_EQ(w.CaptureBatches().size(), 1u) << "a fresh URL is not re-queried";

  auto resumed = c.items[0].open(CallContext{}, 4000);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 206);
  EXPECT_TRUE(ReadAll(resumed) == Bytes(5000).substr(4000));
  EXPECT_EQ(w.MediaRequests().at(1).Header("Range"), "bytes=4000-");
  EXPECT_FALSE(w.MediaRequests().at(1).Header("Authorization"));
}

TEST(WebexSource, OpenerRequeriesCapturesWhenTheUrlIsAboutToExpire) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "recording-1.wav", "main", Bytes(100)}}});
  w.tasks.push_back({"t2", true, {{"r2", "recording-1.wav", "main", Bytes(200)}}});
  auto source = w.Source(2min);
  auto c = Enumerate(*source);
  ASSERT_EQ(c.items.size(), 2u);
  ASSERT_EQ(w.CaptureBatches().size(), 1u);

  w.clock->Advance(27min);  // 3 minutes left of 30: outside the 2-minute margin
  auto early = c.items[0].open(CallContext{}, 0);
  EXPECT_TRUE(ReadAll(early) == Bytes(100));
  EXPECT_EQ(w.CaptureBatches().size(), 1u);

  w.clock->Advance(90s);  // 90 s left: inside the margin
  auto late = c.items[0].open(CallContext{}, 0);
  EXPECT_TRUE(ReadAll(late) == Bytes(100));
  auto batches = w.CaptureBatches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1], std::vector<std::string>{"t1"}) << "only the item's task is re-queried";
  auto media = w.MediaRequests();
  ASSERT_EQ(media.size(), 2u);
  EXPECT_NE(media[1].url.find("X-Amz-Signature=sig2"), std::string::npos) << "the fresh URL is used";
  EXPECT_FALSE(media[1].Header("Authorization"));

  // The fresh URL is remembered: the next open does not re-query.
  auto again = c.items[0].open(CallContext{}, 0);
  EXPECT_TRUE(ReadAll(again) == Bytes(100));
  EXPECT_EQ(w.CaptureBatches().size(), 2u);
}

TEST(WebexSource, OpenerRequeriesOnceOn403) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "recording-1.wav", "main", Bytes(100)}}});
  w.tasks.push_back({"t2", true, {{"r2", "recording-1.wav", "main", Bytes(100)}}});
  w.forbidden_versions["r1"] = {1};        // the first URL is refused, the second works
  w.forbidden_versions["r2"] = {1, 2, 3};  // always refused
  auto source = w.Source();
  auto c = Enumerate(*source);
  ASSERT_EQ(c.items.size(), 2u);

  auto ok = c.items[0].open(CallContext{}, 0);
  EXPECT_TRUE(ReadAll(ok) == Bytes(100));
  auto batches = w.CaptureBatches();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[1], std::vector<std::string>{"t1"});
  EXPECT_EQ(w.MediaRequests().size(), 2u);

  auto denied = c.items[1].open(CallContext{}, 0);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(denied.error().http_status, 403);
  EXPECT_EQ(w.CaptureBatches().size(), 3u) << "exactly one re-query per open";
  EXPECT_EQ(w.MediaRequests().size(), 4u);
  for (auto const& m : w.MediaRequests()) EXPECT_FALSE(m.Header("Authorization"));
}

TEST(WebexSource, StopsListingWhenTheEngineRefusesItems) {
  FakeWebex w;
  for (int i = 0; i < 25; ++i) {
    std::string n = std::to_string(i);
    w.tasks.push_back({"t" + n, true, {{"r" + n + "a", "a.wav", "main", "x"}, {"r" + n + "b", "b.wav", "main", "y"}}});
  }
  auto source = w.Source();
  auto c = Enumerate(*source, 1);
  EXPECT_TRUE(c.result);
  EXPECT_EQ(c.items.size(), 1u) << "no item after on_item returned false";
  EXPECT_EQ(w.CaptureBatches().size(), 1u) << "no further captures queries";
}

TEST(WebexSource, ListingErrorsAreReturned) {
  FakeWebex w;
  w.transport->Enqueue([](RecordedRequest const&) -> Result<HttpResponse> {
    return ccrec::testing::MakeResponse(
        403, R"({"trackingId":"T-1","error":{"key":"403","message":[{"description":"missing scope"}]}})",
        {{"Content-Type", "application/json"}});
  });
  auto source = w.Source();
  auto c = Enumerate(*source);
  ASSERT_FALSE(c.result);
  EXPECT_EQ(c.result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(c.items.empty());
}

// End to end: Exporter + WebexSource + MemorySink, with a dropped download resumed against a
// media server that ignores Range.
TEST(WebexSource, ExportsEndToEndByteExact) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "main.wav", "main", Bytes(30000, 1)}, {"r2", "consult.mp3", "consult", Bytes(7000, 2)}}});
  w.tasks.push_back({"t2", true, {}});
  w.tasks.push_back({"t3", false, {}});
  w.tasks.push_back({"t4", true, {{"r4", "x.wav", "main", Bytes(12345, 4)}}});
  w.drop_first_after["r1"] = 10000;
  w.drop_first_after["r4"] = 5000;
  w.ignore_range = true;
  ccrec_test::TempDir dir;
  auto manifest = ccrec::exporter::Manifest::Open(dir / "m.jsonl");
  ASSERT_TRUE(manifest);
  auto memory = std::make_shared<MemorySink>();
  ccrec::exporter::ExporterOptions o;
  o.concurrency = 2;
  o.sleeper = std::make_shared<ManualSleeper>();
  ccrec::exporter::Exporter exporter(w.Source(), memory, *manifest, o);
  auto summary = exporter.Run();
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=3 skipped=0 failed=0 pending=1 bytes=49345");
  auto objects = memory->Objects();
  ASSERT_EQ(objects.size(), 6u);
  EXPECT_TRUE(objects.at("call-detail/t1/r1.wav").data == Bytes(30000, 1)) << "resumed download must be byte-exact";
  EXPECT_TRUE(objects.at("call-detail/t1/r2.mp3").data == Bytes(7000, 2));
  EXPECT_TRUE(objects.at("call-detail/t4/r4.wav").data == Bytes(12345, 4));
  auto sidecar = objects.at("call-detail/t1/r1.wav.json").data;
  EXPECT_EQ(sidecar.find("filePath"), std::string::npos);
  EXPECT_NE(sidecar.find("\"callType\":\"main\""), std::string::npos) << sidecar;
  for (auto const& m : w.MediaRequests()) EXPECT_FALSE(m.Header("Authorization"));

  auto lines = ReadManifest(dir / "m.jsonl");
  ASSERT_EQ(lines.size(), 4u);
  auto counts = StatusCounts(lines);
  EXPECT_EQ(counts["exported"], 3u);
  EXPECT_EQ(counts["pending"], 1u);
  for (auto const& l : lines) {
    EXPECT_EQ(l.source, "webex");
    if (l.recording_id == "r1") {
      EXPECT_EQ(l.sha256, ccrec::detail::Sha256Hex(Bytes(30000, 1)));
    }
  }

  // A second run downloads nothing.
  auto media_before = w.MediaRequests().size();
  auto again = ccrec::exporter::Exporter(w.Source(), memory, *manifest, o).Run();
  EXPECT_EQ(again.LastLine(), "exported=0 skipped=3 failed=0 pending=1 bytes=0");
  EXPECT_EQ(w.MediaRequests().size(), media_before);
}

/// Exports one recording (30000 bytes of 1s, ETag "v1") whose first download drops after 10000
/// bytes, when the recording is replaced by 30000 bytes of 2s with ETag `new_etag`; checks it is
/// stored whole (never v1's head spliced onto v2's tail) and returns the media requests.
std::vector<RecordedRequest> ExportRecordingReplacedMidDownload(std::string const& new_etag) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "main.wav", "main", Bytes(30000, 1)}}});
  w.etags["r1"] = "\"v1\"";
  w.drop_first_after["r1"] = 10000;
  w.replace_after_drop["r1"] = {Bytes(30000, 2), new_etag};
  auto memory = std::make_shared<MemorySink>();
  ccrec::exporter::ExporterOptions o;
  o.concurrency = 1;
  o.sleeper = std::make_shared<ManualSleeper>();
  o.write_sidecars = false;
  auto summary = ccrec::exporter::Exporter(w.Source(), memory, nullptr, o).Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=30000");
  auto stored = memory->Get("call-detail/t1/r1.wav");
  EXPECT_TRUE(stored && *stored == Bytes(30000, 2)) << "v1's head spliced onto v2's tail";
  return w.MediaRequests();
}

// Issue 11 item 8 through the Webex source: media requests ask for identity, a resume carries
// If-Range with the first ETag, and a recording that changed in between (If-Range mismatch:
// 200, which OpenRecording skips locally) is restarted, not spliced.
TEST(WebexSource, ResumeOfAChangedRecordingRestartsFromByteZero) {
  auto media = ExportRecordingReplacedMidDownload("\"v2\"");
  ASSERT_EQ(media.size(), 3u);
  for (auto const& m : media) EXPECT_EQ(m.Header("Accept-Encoding"), "identity");
  EXPECT_FALSE(media[0].Header("If-Range"));
  EXPECT_EQ(media[1].Header("Range"), "bytes=10000-");
  EXPECT_EQ(media[1].Header("If-Range"), "\"v1\"");
  EXPECT_FALSE(media[2].Header("Range")) << "restarted from byte 0";
}

// The same when the changed recording comes back with only a weak ETag (no strong validator to
// compare): the whole answer that OpenRecording cut locally cannot be shown to be the recording
// already partly written (the source passed it on as a 206, which the engine accepted), so it is
// fetched again from byte 0 and stored whole.
TEST(WebexSource, ResumeAnsweredWithoutAStrongValidatorRestartsFromByteZero) {
  auto media = ExportRecordingReplacedMidDownload("W/\"v2\"");
  ASSERT_EQ(media.size(), 3u);
  EXPECT_EQ(media[1].Header("If-Range"), "\"v1\"");
  EXPECT_FALSE(media[2].Header("Range")) << "fetched again from byte 0";
}

// The same through the source when the recording did not change and the server ignores Range:
// the local skip (OpenRecording) stays correct and byte-exact.
TEST(WebexSource, ResumeOfAnUnchangedRecordingWhoseServerIgnoresRangeIsByteExact) {
  FakeWebex w;
  w.tasks.push_back({"t1", true, {{"r1", "main.wav", "main", Bytes(30000, 1)}}});
  w.etags["r1"] = "\"v1\"";
  w.drop_first_after["r1"] = 10000;
  w.ignore_range = true;
  auto memory = std::make_shared<MemorySink>();
  ccrec::exporter::ExporterOptions o;
  o.concurrency = 1;
  o.sleeper = std::make_shared<ManualSleeper>();
  o.write_sidecars = false;
  auto summary = ccrec::exporter::Exporter(w.Source(), memory, nullptr, o).Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=30000");
  EXPECT_TRUE(memory->Get("call-detail/t1/r1.wav") == Bytes(30000, 1));
  EXPECT_EQ(w.MediaRequests().size(), 2u) << "resumed once, no restart";
}

}  // namespace
}  // namespace exporter_test

namespace exporter_test {
namespace {

// --shard: with a claim, sub-windows lie on the epoch-aligned grid and only the claimed ones are
// listed; two shards together list each sub-window of the range exactly once.
TEST(WebexSource, ShardsListDisjointEpochAlignedSubWindowsThatTogetherCoverTheRange) {
  std::map<std::int64_t, int> listed;  // sub-window start -> times listed
  for (std::uint32_t shard = 0; shard < 2; ++shard) {
    FakeWebex w;
    w.customize = [&](ccrec::webex::WebexSourceOptions& o) {
      o.tasks.from = ccrec::detail::FromEpochMs(kFromMs + 5 * 60000);  // 23:05, not on the grid
      o.sub_window = std::chrono::minutes(10);
      o.claim_sub_window = ccrec::exporter::MakeShardClaim({shard, 2});
    };
    auto source = w.Source();
    auto c = Enumerate(*source);
    ASSERT_TRUE(c.result) << c.result.error().ToString();
    for (auto const& r : w.transport->Requests()) {
      if (r.url.find("/v1/tasks") == std::string::npos) continue;
      auto q = webex_test::QueryOf(r.url);
      // The lister sends `from` one millisecond early until it has seen whether the server treats
      // it as inclusive (task_lister.cpp); the sub-window starts one millisecond later.
      std::int64_t from = std::stoll(q.at("from")) + 1;
      std::int64_t to = std::stoll(q.at("to"));
      std::int64_t const cell = 600000;
      EXPECT_EQ((to - 1) / cell, from / cell) << "a query stays inside one grid cell";
      EXPECT_EQ(static_cast<std::uint32_t>((from / cell) % 2), shard) << "only the shard's own cells";
      ++listed[from];
    }
  }
  // 23:05-23:10, then 23:10, 23:20, ..., 23:50: six sub-windows, each listed once.
  ASSERT_EQ(listed.size(), 6u);
  EXPECT_EQ(listed.begin()->first, kFromMs + 5 * 60000);
  for (auto const& [from, times] : listed) EXPECT_EQ(times, 1) << from;
}

}  // namespace
}  // namespace exporter_test
