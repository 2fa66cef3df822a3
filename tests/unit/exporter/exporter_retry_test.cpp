// SPDX-License-Identifier: Apache-2.0
// The export engine: resumed downloads (dropped connections, ignored Range, short bodies) and retries
// (exhausted attempts, non-retryable errors, Retry-After, HTTP errors never stored).

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>


namespace exporter_test {
namespace {

using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Resume and retries

TEST_F(ExporterTest, DroppedConnectionsResumeAtTheBytesAlreadyWritten) {
  auto media = Add("t1", "r1", Bytes(50000), {Step::DropAfter(12345), Step::DropAfter(20000), Step::Serve()});
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=50000");
  EXPECT_EQ(media->Offsets(), (std::vector<std::uint64_t>{0, 12345, 32345}));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == media->Data());
  EXPECT_EQ(sleeper->Sleeps().size(), 2u);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].bytes, 50000u);
  EXPECT_EQ(lines[0].sha256, ccrec::detail::Sha256Hex(media->Data()));
}

TEST_F(ExporterTest, ServerIgnoringRangeOnResumeStillGivesAByteExactObject) {
  auto once = Add("t1", "r1", Bytes(30000, 1), {Step::DropAfter(7000), Step::IgnoreRange()});
  // Ignores Range and drops again, once before and once after reaching the resume offset.
  auto twice = Add("t1", "r2", Bytes(30000, 2),
                   {Step::DropAfter(7000), Step::IgnoreRangeDropAfter(3000), Step::IgnoreRangeDropAfter(9000),
                    Step::IgnoreRange()});
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=60000");
  EXPECT_EQ(once->Offsets(), (std::vector<std::uint64_t>{0, 7000}));
  EXPECT_EQ(twice->Offsets(), (std::vector<std::uint64_t>{0, 7000, 7000, 9000}));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == once->Data());
  EXPECT_TRUE(memory->Get(Key("t1", "r2")) == twice->Data());
}

TEST_F(ExporterTest, PartialResponseMustStartAtTheRequestedOffset) {
  // A 206 whose Content-Range starts elsewhere must not be appended.
  std::string data = Bytes(20000);
  auto wrong_range = [data](CallContext const&, std::uint64_t) -> Result<HttpResponse> {
    return Respond(206, data, data.size(), 1000, {}, {{"Content-Range", "bytes 0-19999/20000"}});
  };
  auto media = Add("t1", "r1", data, {Step::DropAfter(5000), Step::Response(wrong_range), Step::Serve()});
  auto summary = Run();
  EXPECT_EQ(summary.exported, 1u);
  auto stored = memory->Get(Key("t1", "r1"));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->size(), data.size());
  EXPECT_TRUE(*stored == data) << "object corrupted by a misplaced 206";
  EXPECT_EQ(media->Offsets(), (std::vector<std::uint64_t>{0, 5000, 5000}));
}

TEST_F(ExporterTest, BodyShorterThanContentLengthIsDetectedAndResumed) {
  auto media = Add("t1", "r1", Bytes(20000), {Step::ShortBody(4000), Step::ShortBody(1), Step::Serve()});
  auto summary = Run();
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(media->Offsets(), (std::vector<std::uint64_t>{0, 4000, 4001}));
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == media->Data());
  EXPECT_EQ(sleeper->Sleeps().size(), 2u);
}

TEST_F(ExporterTest, ExhaustedAttemptsFailTheItemAndStoreNothing) {
  auto bad = Add("t1", "r1", Bytes(20000), std::vector<Step>(10, Step::DropAfter(1000)));
  auto good = Add("t2", "r2", Bytes(777));
  auto o = Options(1);
  o.download_attempts = 3;
  auto summary = Run(o, OpenManifest());
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=777")
      << "bytes of a failed transfer are not exported bytes";
  EXPECT_EQ(bad->Offsets(), (std::vector<std::uint64_t>{0, 1000, 2000}));
  EXPECT_EQ(sleeper->Sleeps().size(), 2u);
  EXPECT_EQ(memory->AbortCount(), 1u);
  EXPECT_FALSE(memory->Get(Key("t1", "r1")));
  EXPECT_FALSE(memory->Get(Key("t1", "r1") + ".json"));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  auto const& failed = lines[0].recording_id == "r1" ? lines[0] : lines[1];
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.key, Key("t1", "r1"));
  EXPECT_NE(failed.error.find("connection reset by peer"), std::string::npos) << failed.error;
  EXPECT_NE(failed.error.find("3000 bytes"), std::string::npos) << failed.error;
  EXPECT_EQ(failed.bytes, 0u);
  EXPECT_EQ(failed.sha256, "");
}

TEST_F(ExporterTest, NonRetryableOpenerErrorFailsAtOnce) {
  auto gone = Add("t1", "r1", Bytes(100), {Step::Fail(ErrorCode::kNotFound, "NoSuchKey: recording deleted")});
  // A source-side 403 is a per-item failure, not a fatal sink credential error.
  auto denied = Add("t1", "r2", Bytes(100), {Step::Fail(ErrorCode::kPermissionDenied, "URL expired")});
  auto fine = Add("t1", "r3", Bytes(100));
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=2 pending=0 bytes=100");
  EXPECT_FALSE(summary.fatal);
  EXPECT_EQ(gone->Calls(), 1u);
  EXPECT_EQ(denied->Calls(), 1u);
  EXPECT_TRUE(sleeper->Sleeps().empty());
  EXPECT_EQ(memory->AbortCount(), 2u);
  for (auto const& l : Lines()) {
    if (l.recording_id == "r1") {
      EXPECT_EQ(l.status, "failed");
      EXPECT_NE(l.error.find("NoSuchKey: recording deleted"), std::string::npos) << l.error;
      EXPECT_NE(l.error.find("NotFound"), std::string::npos) << l.error;
    }
  }
}

TEST_F(ExporterTest, RetryAfterIsHonouredBetweenAttempts) {
  Error throttled = MakeError(ErrorCode::kRateLimited, "SlowDown");
  throttled.retry_after = 7s;
  auto media = Add("t1", "r1", Bytes(100), {Step::Fail(throttled), Step::Serve()});
  EXPECT_EQ(Run().exported, 1u);
  ASSERT_EQ(sleeper->Sleeps().size(), 1u);
  EXPECT_GE(sleeper->Sleeps()[0], 7000ms);
  EXPECT_EQ(media->Calls(), 2u);
}

TEST_F(ExporterTest, HttpErrorResponseFromAnOpenerIsNeverStored) {
  // A MediaOpener should return HTTP errors as Error, but one that hands back the error response
  // itself must not get an HTML error page exported as the recording.
  auto busy = [](CallContext const&, std::uint64_t) -> Result<HttpResponse> {
    return ccrec::testing::MakeResponse(503, "<html>busy</html>");
  };
  auto missing = [](CallContext const&, std::uint64_t) -> Result<HttpResponse> {
    return ccrec::testing::MakeResponse(404, "<Error><Code>NoSuchKey</Code></Error>");
  };
  auto retried = Add("t1", "r1", Bytes(1000), {Step::Response(busy), Step::Serve()});
  auto failed = Add("t1", "r2", Bytes(1000), {Step::Response(missing)});
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=1000");
  EXPECT_TRUE(memory->Get(Key("t1", "r1")) == retried->Data());
  EXPECT_FALSE(memory->Get(Key("t1", "r2")));
  EXPECT_EQ(failed->Calls(), 1u);
  for (auto const& l : Lines()) {
    if (l.recording_id == "r2") {
      EXPECT_NE(l.error.find("404"), std::string::npos) << l.error;
    }
  }
}

TEST_F(ExporterTest, ItemWithoutAnOpenerFailsInsteadOfCrashing) {
  auto item = MakeItem("t1", "r1", std::make_shared<Media>("x"));
  item.open = nullptr;
  source->items.push_back(item);
  Add("t1", "r2", Bytes(10));
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=1 skipped=0 failed=1 pending=0 bytes=10");
  EXPECT_FALSE(memory->Get(Key("t1", "r1")));
}

TEST_F(ExporterTest, SizeDifferentFromExpectedFailsTheItem) {
  auto media = std::make_shared<Media>(Bytes(120));
  auto item = MakeItem("t1", "r1", media);
  item.expected_size = 100;
  source->items.push_back(item);
  auto summary = Run();
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_FALSE(memory->Get(Key("t1", "r1")));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].error.find("Integrity"), std::string::npos) << lines[0].error;
}

}  // namespace
}  // namespace exporter_test
