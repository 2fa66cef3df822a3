// SPDX-License-Identifier: Apache-2.0
// The export engine: cancellation from the source, a progress callback, before the run and during backoff.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>


namespace exporter_test {
namespace {

using ccrec::exporter::ExportSummary;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Cancellation

/// A step whose body writes one byte, then stalls until the run's cancellation token fires.
Step Stall(std::shared_ptr<Latch> started) {
  return Step::Response([started](CallContext const& ctx, std::uint64_t) -> Result<HttpResponse> {
    HttpResponse r;
    r.status = 200;
    r.headers.emplace_back("Content-Length", "1000");
    r.body = std::make_unique<BlockingBodyReader>(ctx.cancel, started);
    return r;
  });
}

TEST_F(ExporterTest, CancelFromTheSourceStopsTheRun) {
  auto started = std::make_shared<Latch>();
  CallContext ctx;
  auto stalled = Add("t0", "r0", Bytes(1000), {Stall(started)});
  std::vector<std::shared_ptr<Media>> rest;
  for (int i = 1; i < 20; ++i) rest.push_back(Add("t" + std::to_string(i), "r", Bytes(100)));
  source->before_item = [&](std::size_t i) {
    if (i != 1) return;
    EXPECT_TRUE(started->Wait()) << "the first transfer never started";
    ctx.cancel.Cancel();
  };
  auto summary = Run(Options(2), OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=1 bytes=0");
  EXPECT_EQ(source->handed_over, 1u) << "on_item must refuse items once cancelled";
  EXPECT_TRUE(source->stopped_early);
  EXPECT_TRUE(memory->Objects().empty()) << "no partial objects";
  EXPECT_EQ(memory->AbortCount(), 1u);
  // The item the source handed over is not lost: a source may be unable to hand it out again
  // (a Huawei watch event), so it gets a pending line that holds the resume point.
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].task_id, "t0");
  EXPECT_EQ(lines[0].status, "pending");
  EXPECT_THAT(lines[0].error, ::testing::HasSubstr("interrupted"));
  for (auto const& m : rest) EXPECT_EQ(m->Calls(), 0u);
}

TEST_F(ExporterTest, CancelFromAProgressCallbackStopsTheRun) {
  auto started = std::make_shared<Latch>();
  std::atomic<bool> in_flight{false};
  Add("t0", "r0", Bytes(1000), {Step::Response([&, started](CallContext const& ctx, std::uint64_t o) {
        in_flight = true;
        return Stall(started).make(ctx, o);
      })});
  for (int i = 1; i < 10; ++i) Add("t" + std::to_string(i), "r", Bytes(100));
  CallContext ctx;
  std::mutex mu;
  std::vector<ExportSummary> progress;
  auto o = Options(1);
  o.progress_interval = 1ms;
  o.on_progress = [&](ExportSummary const& s) {
    std::lock_guard<std::mutex> lock(mu);
    progress.push_back(s);
    if (in_flight) ctx.cancel.Cancel();
  };
  auto summary = Run(o, OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(summary.exported + summary.failed, 0u);
  EXPECT_TRUE(memory->Objects().empty());
  // Every item handed to the engine (the one in flight and those queued behind it) ends as a
  // pending line; none is dropped.
  auto lines = Lines();
  EXPECT_EQ(lines.size(), summary.pending);
  EXPECT_EQ(summary.pending, source->handed_over);
  EXPECT_GE(summary.pending, 1u);
  for (auto const& line : lines) EXPECT_EQ(line.status, "pending") << line.raw;
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_GE(progress.size(), 2u);
  EXPECT_TRUE(progress.back().cancelled);
}

TEST_F(ExporterTest, CancelledBeforeRunDoesNothing) {
  std::vector<std::shared_ptr<Media>> media;
  for (int i = 0; i < 10; ++i) media.push_back(Add("t" + std::to_string(i), "r", Bytes(100)));
  CallContext ctx;
  ctx.cancel.Cancel();
  auto summary = Run(Options(4), OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=0 bytes=0");
  for (auto const& m : media) EXPECT_EQ(m->Calls(), 0u);
  EXPECT_TRUE(memory->Objects().empty());
  EXPECT_TRUE(Lines().empty());
}

TEST_F(ExporterTest, CancelDuringBackoffLeavesAPendingLineNotAFailedOne) {
  CallContext ctx;
  // The sleeper is asked to wait after the first drop; cancel right then.
  class CancellingSleeper : public ccrec::Sleeper {
   public:
    explicit CancellingSleeper(CallContext ctx) : ctx_(std::move(ctx)) {}
    bool SleepFor(std::chrono::milliseconds, ccrec::CancellationToken const& cancel) override {
      ctx_.cancel.Cancel();
      // Waits (bounded) for the engine to propagate the cancellation to its own token.
      return cancel.WaitUntil(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    }

   private:
    CallContext ctx_;
  };
  auto media = Add("t1", "r1", Bytes(5000), {Step::DropAfter(100), Step::Serve()});
  auto o = Options(1);
  o.sleeper = std::make_shared<CancellingSleeper>(ctx);
  auto summary = Run(o, OpenManifest(), ctx);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=0 pending=1 bytes=0");
  EXPECT_EQ(media->Calls(), 1u);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, "pending");
  EXPECT_TRUE(memory->Objects().empty());
  EXPECT_EQ(memory->AbortCount(), 1u);
}

}  // namespace
}  // namespace exporter_test
