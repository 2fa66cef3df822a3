// SPDX-License-Identifier: Apache-2.0
// The export engine: sink failures (write, sidecar, fatal credential errors), pending tasks, fatal listing
// errors and option validation.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>

#include <gtest/gtest.h>


namespace exporter_test {
namespace {

using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;

// ---------------------------------------------------------------------------------------------
// Sink failures

TEST_F(ExporterTest, SinkWriteFailureFailsTheItemAndAbortsTheWriter) {
  auto media = Add("t1", "r1", Bytes(20000));
  memory->FailWriteAfter(3, MakeError(ErrorCode::kUnavailable, "disk full"));
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(memory->AbortCount(), 1u);
  EXPECT_TRUE(memory->Objects().empty());
  EXPECT_EQ(media->Calls(), 1u) << "a sink failure is not a download failure";
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, "failed");
  EXPECT_NE(lines[0].error.find("disk full"), std::string::npos);
}

TEST_F(ExporterTest, SidecarFailureFailsTheItemAndTheNextRunCompletesIt) {
  auto media = Add("t1", "r1", Bytes(1000));
  memory->FailWriteAfter(2, MakeError(ErrorCode::kUnavailable, "sidecar write failed"));  // write 1: recording
  auto first = Run(1);
  EXPECT_EQ(first.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(memory->Get(Key("t1", "r1") + ".json"));

  auto second = Run(1);
  EXPECT_EQ(second.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
  EXPECT_EQ(media->Calls(), 1u) << "the recording is already there";
  EXPECT_TRUE(memory->Get(Key("t1", "r1") + ".json"));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == media->Data());
}

TEST_F(ExporterTest, SinkCredentialErrorOnWriteIsFatal) {
  for (int i = 1; i <= 6; ++i) Add("t" + std::to_string(i), "r" + std::to_string(i), Bytes(500, i));
  // One write per recording (no sidecars: they are written beside the next recording, in no
  // fixed order with it): write 3 is the third recording.
  Error denied = MakeError(ErrorCode::kPermissionDenied, "AccessDenied: Access Denied");
  denied.http_status = 403;
  memory->FailWriteAfter(3, denied);
  auto options = Options(1);
  options.write_sidecars = false;
  auto summary = Run(options, OpenManifest());
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kPermissionDenied);
  EXPECT_NE(summary.fatal->message.find("credentials"), std::string::npos) << summary.fatal->message;
  EXPECT_NE(summary.fatal->message.find("memory://" + Key("t3", "r3")), std::string::npos) << summary.fatal->message;
  EXPECT_FALSE(summary.cancelled);
  EXPECT_EQ(summary.exported, 2u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.bytes, 1000u);
  EXPECT_TRUE(source->stopped_early || source->handed_over < 6u);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), source->handed_over.load()) << "every item handed over has a line";
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].task_id, "t1");
  EXPECT_EQ(lines[1].task_id, "t2");
  EXPECT_EQ(lines[0].status, "exported");
  EXPECT_EQ(lines[1].status, "exported");
  // t3 (whose write was denied) and whatever was queued behind it: interrupted, not failed.
  for (std::size_t i = 2; i < lines.size(); ++i) EXPECT_EQ(lines[i].status, "pending") << lines[i].raw;
  EXPECT_EQ(summary.pending, lines.size() - 2);
  EXPECT_FALSE(memory->Get(Key("t3", "r3")));
  EXPECT_EQ(memory->Objects().size(), 2u);
}

TEST_F(ExporterTest, SinkCredentialErrorOnStatOrOpenIsFatal) {
  for (auto code : {ErrorCode::kUnauthenticated, ErrorCode::kPermissionDenied}) {
    for (bool on_stat : {true, false}) {
      SCOPED_TRACE(std::string(ccrec::ToString(code)) + (on_stat ? " on Stat" : " on Open"));
      source = std::make_shared<FakeSource>();
      sink = std::make_shared<CountingSink>(memory);
      std::vector<std::shared_ptr<Media>> media;
      for (int i = 0; i < 4; ++i) media.push_back(Add("t", "r" + std::to_string(i), Bytes(10)));
      Error e = MakeError(code, "InvalidAccessKeyId");
      if (on_stat) sink->FailStat(e);
      else sink->FailOpen(e);
      auto path = dir / ("m-" + std::to_string(on_stat) + std::string(ccrec::ToString(code)));
      auto summary = Run(Options(1), OpenManifest(path));
      ASSERT_TRUE(summary.fatal);
      EXPECT_EQ(summary.fatal->code, code);
      EXPECT_NE(summary.fatal->message.find("InvalidAccessKeyId"), std::string::npos);
      EXPECT_EQ(summary.exported + summary.skipped + summary.failed + summary.bytes, 0u);
      // Nothing was exported or failed; what the source handed over is pending (interrupted).
      // Every item handed over has its line, the one in hand when the sink refused included (a
      // Huawei event item is not handed out again).
      auto lines = ReadManifest(path);
      EXPECT_EQ(lines.size(), summary.pending);
      EXPECT_EQ(lines.size(), source->handed_over.load());
      for (auto const& l : lines) EXPECT_EQ(l.status, "pending") << l.raw;
      for (auto const& m : media) EXPECT_EQ(m->Calls(), 0u);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pending, fatal listing errors, validation

TEST_F(ExporterTest, PendingTasksAreRecordedAsPending) {
  source->pending.push_back(PendingItem{"fake", "t-wait", "capture requested but not available yet"});
  source->pending.push_back(PendingItem{"fake", "t-null", "capture status \"unknown\"\nyet"});
  Add("t1", "r1", Bytes(10));
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=2 bytes=10");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  std::map<std::string, Line> by_task;
  for (auto const& l : lines) by_task[l.task_id] = l;
  EXPECT_EQ(by_task.at("t-wait").status, "pending");
  EXPECT_EQ(by_task.at("t-wait").source, "fake");
  EXPECT_EQ(by_task.at("t-wait").error, "capture requested but not available yet");
  EXPECT_EQ(by_task.at("t-wait").recording_id, "");
  EXPECT_EQ(by_task.at("t-null").error, "capture status \"unknown\"\nyet");
  EXPECT_EQ(by_task.at("t1").status, "exported");
}

// An unfinished item without a window_time (the server sent no start time) cannot hold
// earliest_unfinished; the summary counts it so that the checkpoint stays at the window's start.
TEST_F(ExporterTest, UnfinishedItemsWithoutWindowTimeAreCounted) {
  auto const t0 = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000));
  PendingItem timed{"fake", "t-timed", "later", t0 + std::chrono::minutes(5)};
  source->pending.push_back(timed);
  source->pending.push_back(PendingItem{"fake", "t-untimed", "later"});  // no window_time
  PendingItem given_up{"fake", "t-gone", "purged"};
  given_up.given_up = true;  // does not hold the resume point, timed or not
  source->pending.push_back(given_up);
  Add("t-fail", "r-fail", Bytes(10), {Step::Fail(ErrorCode::kNotFound, "gone")});  // no window_time
  Add("t-fail-timed", "r-fail-timed", Bytes(10), {Step::Fail(ErrorCode::kNotFound, "gone")});
  source->items.back().window_time = t0 + std::chrono::minutes(9);
  Add("t-ok", "r-ok", Bytes(10));  // exported: does not count
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=3 pending=2 bytes=10");
  ASSERT_TRUE(summary.earliest_unfinished);
  EXPECT_EQ(*summary.earliest_unfinished, t0 + std::chrono::minutes(5));
  EXPECT_EQ(summary.unfinished_without_window_time, 2u) << "t-untimed (pending) and r-fail (failed)";
}

// FailingOpener: the item a source reports but cannot fetch ends as a failed line with the error.
TEST_F(ExporterTest, FailingOpenerItemIsAFailedLineWithItsError) {
  auto opener = ccrec::exporter::FailingOpener(MakeError(ErrorCode::kParse, "entry 3 has no id"));
  for (std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{7}}) {
    auto r = opener(CallContext{}, offset);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
  }
  Add("t-bad", "r-bad", Bytes(10));
  source->items.back().open = opener;
  Add("t-ok", "r-ok", Bytes(10));
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=10");
  bool seen = false;
  for (auto const& line : Lines()) {
    if (line.task_id != "t-bad") continue;
    seen = true;
    EXPECT_EQ(line.status, "failed");
    EXPECT_NE(line.error.find("entry 3 has no id"), std::string::npos) << line.error;
  }
  EXPECT_TRUE(seen) << "no manifest line for the failing item";
}

TEST_F(ExporterTest, ListingErrorIsFatal) {
  source->pending.push_back(PendingItem{"fake", "t-wait", "later"});
  source->final_error = MakeError(ErrorCode::kUnavailable, "tasks API down");
  auto summary = Run();
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kUnavailable);
  EXPECT_EQ(summary.fatal->message, "tasks API down");
  EXPECT_FALSE(summary.cancelled);
  EXPECT_EQ(summary.pending, 1u);
}

TEST_F(ExporterTest, ValidateChecksOptions) {
  auto validate = [&](ExporterOptions o) { return Exporter(source, sink, nullptr, std::move(o)).Validate(); };
  for (int bad : {0, -1, 65, 1000}) {
    auto o = Options();
    o.concurrency = bad;
    auto v = validate(o);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(v.error().message.find("between 1 and 64"), std::string::npos) << v.error().message;
    EXPECT_NE(v.error().message.find(std::to_string(bad)), std::string::npos) << v.error().message;
  }
  for (int good : {1, 64}) {
    auto o = Options();
    o.concurrency = good;
    EXPECT_TRUE(validate(o)) << good;
  }
  auto o = Options();
  o.key_template = "{task_id}/{nope}";
  auto bad_template = validate(o);
  ASSERT_FALSE(bad_template);
  EXPECT_EQ(bad_template.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_template.error().message.find("{nope}"), std::string::npos);
  o = Options();
  o.download_attempts = 0;
  EXPECT_FALSE(validate(o));
  o = Options();
  o.copy_buffer_bytes = 100;
  EXPECT_FALSE(validate(o));
  EXPECT_FALSE(Exporter(nullptr, sink, nullptr, Options()).Validate());
  EXPECT_FALSE(Exporter(source, nullptr, nullptr, Options()).Validate());

  // Run() refuses to start with invalid options: nothing listed, nothing written.
  Add("t1", "r1", Bytes(10));
  o = Options();
  o.concurrency = 65;
  auto summary = Run(o, OpenManifest());
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(source->enumerations, 0);
  EXPECT_TRUE(memory->Objects().empty());
}

}  // namespace
}  // namespace exporter_test
