// SPDX-License-Identifier: Apache-2.0
// Round trips per recording on the export's critical path (issue 15 item 1) and exactly once
// across instances (item 3): a sink that enforces if_none_match gets one conditional write
// instead of Stat() + write, a PreconditionFailed is judged by Stat(), and the sidecar is written
// off the worker without losing anything (failures, cancellation).

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace exporter_test {
namespace {

/// A CountingSink whose Open() of a sidecar (KEY.json) runs `on_sidecar_open` first, which may
/// block or fail it; Open() of a recording runs `on_recording_open`.
class RtSidecarHookSink : public CountingSink {
 public:
  using CountingSink::CountingSink;
  std::function<std::optional<Error>(std::string const& key, CallContext const& ctx)> on_sidecar_open;
  /// Called on Open() of any other key (a recording).
  std::function<void(std::string const& key)> on_recording_open;

  Result<std::unique_ptr<ccrec::ObjectWriter>> Open(std::string const& key, ccrec::PutOptions const& options,
                                                    CallContext const& ctx = {}) override {
    bool const sidecar = key.size() > 5 && key.compare(key.size() - 5, 5, ".json") == 0;
    if (sidecar && on_sidecar_open) {
      if (auto e = on_sidecar_open(key, ctx)) return *e;
    } else if (!sidecar && on_recording_open) {
      on_recording_open(key);
    }
    return CountingSink::Open(key, options, ctx);
  }
};

class RoundTripTest : public ExporterTest {
 protected:
  std::shared_ptr<RtSidecarHookSink> hook_sink = std::make_shared<RtSidecarHookSink>(memory);
  void SetUp() override { sink = hook_sink; }

  /// The sink calls of one item: Stat()s and Open()s of its recording key, in order.
  static std::size_t RtCount(std::vector<std::string> const& calls, std::string const& key) {
    std::size_t n = 0;
    for (auto const& c : calls) n += c == key ? 1 : 0;
    return n;
  }
};

TEST_F(RoundTripTest, EnforcingSinkGetsOneConditionalWritePerNewRecording) {
  for (int i = 1; i <= 4; ++i) Add("t" + std::to_string(i), "r" + std::to_string(i), Bytes(300, i));
  sink->enforces_if_none_match = true;
  auto summary = Run(2);
  EXPECT_EQ(summary.LastLine(), "exported=4 skipped=0 failed=0 pending=0 bytes=1200");
  // Critical path: one write per recording, no Stat(); the sidecar is one more write, off it.
  EXPECT_TRUE(sink->Statted().empty());
  for (int i = 1; i <= 4; ++i) {
    auto key = Key("t" + std::to_string(i), "r" + std::to_string(i));
    EXPECT_EQ(RtCount(sink->Opened(), key), 1u) << key;
    EXPECT_EQ(RtCount(sink->Opened(), key + ".json"), 1u) << key;
    ASSERT_TRUE(memory->Get(key + ".json")) << "sidecar of " << key;
  }
  EXPECT_EQ(StatusCounts(Lines())["exported"], 4u);
}

TEST_F(RoundTripTest, SinkWithoutTheCapabilityIsStattedFirst) {
  for (int i = 1; i <= 3; ++i) Add("t" + std::to_string(i), "r" + std::to_string(i), Bytes(300, i));
  memory->SetEnforcesIfNoneMatch(false);
  sink->enforces_if_none_match = false;  // the default: an S3-compatible store may ignore the header
  auto summary = Run(2);
  EXPECT_EQ(summary.exported, 3u);
  for (int i = 1; i <= 3; ++i) {
    auto key = Key("t" + std::to_string(i), "r" + std::to_string(i));
    EXPECT_EQ(RtCount(sink->Statted(), key), 1u) << key;  // Stat() + write: two round trips
    EXPECT_EQ(RtCount(sink->Opened(), key), 1u) << key;
    EXPECT_EQ(RtCount(sink->Statted(), key + ".json"), 1u) << key;  // its sidecar too (off the worker)
  }
}

TEST_F(RoundTripTest, WithoutAManifestTheSinkIsStattedFirst) {
  // Every item may exist already: a conditional write would download it again only to be refused.
  Add("t1", "r1", Bytes(300, 1));
  sink->enforces_if_none_match = true;
  auto summary = Run(Options(1), Manifest::Null());
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(RtCount(sink->Statted(), Key("t1", "r1")), 1u);
}

TEST_F(RoundTripTest, PreconditionFailedOnOurOwnObjectIsJudgedByStatAndSkipped) {
  // A previous export (whose manifest is lost) left the recording without its sidecar.
  auto media = Add("t1", "r1", Bytes(300, 1));
  Preload(Key("t1", "r1"), Bytes(300, 1), "t1", "r1");
  sink->enforces_if_none_match = true;
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
  EXPECT_EQ(media->Calls(), 1u);  // the cost of no Stat() first: the media was read again
  EXPECT_EQ(RtCount(sink->Statted(), Key("t1", "r1")), 1u);  // after the refused write
  ASSERT_TRUE(memory->Get(Key("t1", "r1") + ".json")) << "the missing sidecar is completed";
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, "skipped");
}

TEST_F(RoundTripTest, PreconditionFailedOnAnotherRecordingsObjectFailsAndKeepsIt) {
  Add("t1", "r1", Bytes(300, 1));
  Preload(Key("t1", "r1"), "someone else's", "t9", "r9");
  sink->enforces_if_none_match = true;
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_EQ(*memory->Get(Key("t1", "r1")), "someone else's");
  EXPECT_FALSE(memory->Get(Key("t1", "r1") + ".json"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, "failed");
  EXPECT_NE(lines[0].error.find("t9"), std::string::npos) << lines[0].error;
}

TEST_F(RoundTripTest, SidecarFailureFailsTheItemAndTheReRunCompletesIt) {
  Add("t1", "r1", Bytes(300, 1));
  Add("t2", "r2", Bytes(400, 2));
  sink->enforces_if_none_match = true;
  hook_sink->on_sidecar_open = [](std::string const& key, CallContext const&) -> std::optional<Error> {
    if (key.find("/t2/") == std::string::npos) return std::nullopt;
    return MakeError(ErrorCode::kUnavailable, "SlowDown: sidecar refused");
  };
  auto first = Run(2);
  EXPECT_EQ(first.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=300");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  for (auto const& l : lines) {
    EXPECT_EQ(l.status, l.task_id == "t2" ? "failed" : "exported") << l.raw;
  }
  EXPECT_TRUE(memory->Get(Key("t2", "r2")));  // the recording is stored, its line says failed
  EXPECT_FALSE(memory->Get(Key("t2", "r2") + ".json"));

  // The re-run sees the failed line, Stat()s first, keeps the recording and writes the sidecar.
  hook_sink->on_sidecar_open = nullptr;
  auto second = Run(2);
  EXPECT_EQ(second.LastLine(), "exported=0 skipped=2 failed=0 pending=0 bytes=0");
  EXPECT_TRUE(memory->Get(Key("t2", "r2") + ".json"));
  EXPECT_EQ(RtCount(sink->Opened(), Key("t2", "r2")), 1u) << "the recording was not written again";
}

TEST_F(RoundTripTest, TheSidecarDoesNotHoldTheWorker) {
  // One worker. The first sidecar blocks until the second recording's write starts: were the
  // sidecar written on the worker, the second recording would never start (the wait times out).
  Add("t1", "r1", Bytes(300, 1));
  Add("t2", "r2", Bytes(300, 2));
  sink->enforces_if_none_match = true;
  auto second_started = std::make_shared<Latch>();
  std::atomic<bool> waited_ok{false};
  hook_sink->on_recording_open = [&](std::string const& key) {
    if (key == Key("t2", "r2")) second_started->Set();
  };
  hook_sink->on_sidecar_open = [&](std::string const& key, CallContext const&) -> std::optional<Error> {
    if (key == Key("t1", "r1") + ".json") waited_ok = second_started->Wait(std::chrono::seconds(10));
    return std::nullopt;
  };
  auto summary = Run(1);
  EXPECT_TRUE(waited_ok.load()) << "the worker waited for the first sidecar";
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=600");
  EXPECT_EQ(StatusCounts(Lines())["exported"], 2u);
}

TEST_F(RoundTripTest, CancellationWithASidecarInFlightLeavesItPendingAndTheReRunCompletesIt) {
  Add("t1", "r1", Bytes(300, 1));
  Add("t2", "r2", Bytes(300, 2));
  sink->enforces_if_none_match = true;
  auto started = std::make_shared<Latch>();
  hook_sink->on_sidecar_open = [&](std::string const&, CallContext const& ctx) -> std::optional<Error> {
    started->Set();
    ctx.cancel.WaitUntil(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    return MakeError(ErrorCode::kCancelled, "sidecar write cancelled");
  };
  ccrec::CancellationToken cancel;
  source->before_item = [&](std::size_t i) {
    if (i != 1) return;
    EXPECT_TRUE(started->Wait());  // the first sidecar is in flight
    cancel.Cancel();
  };
  CallContext ctx;
  ctx.cancel = cancel;
  auto summary = Run(Options(1), OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_EQ(summary.exported, 0u);
  EXPECT_EQ(summary.bytes, 0u);
  EXPECT_EQ(summary.failed, 0u);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), source->handed_over.load()) << "every item handed over has a line";
  for (auto const& l : lines) EXPECT_EQ(l.status, "pending") << l.raw;
  EXPECT_TRUE(memory->Get(Key("t1", "r1")));
  EXPECT_FALSE(memory->Get(Key("t1", "r1") + ".json"));

  hook_sink->on_sidecar_open = nullptr;
  source->before_item = nullptr;
  auto again = Run(1);
  EXPECT_EQ(again.LastLine(), "exported=1 skipped=1 failed=0 pending=0 bytes=300");
  EXPECT_TRUE(memory->Get(Key("t1", "r1") + ".json"));
  EXPECT_TRUE(memory->Get(Key("t2", "r2") + ".json"));
}

}  // namespace
}  // namespace exporter_test
