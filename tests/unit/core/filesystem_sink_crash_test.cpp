// SPDX-License-Identifier: Apache-2.0
// The filesystem ObjectSink's metadata file (.ccrec-meta/KEY) across a crash and afterwards: it
// is written before the object is published and tied to the object's file, so a crash at any
// step leaves either no object or the object with its metadata (nothing an operator must
// remove), and Stat() never reports the metadata of another file at the name. A copy or restore
// of the archive (new inodes) keeps its metadata, proven by the content's SHA-256. Crashes are
// simulated with the sink's test hook (SetFilesystemCrashForTesting), which stops Finish() at a
// step without any cleanup, as SIGKILL would.

#include <ccrec/sinks/filesystem_sink.hpp>

#include "internal/crypto.hpp"
#include "sinks/filesystem_sink_crash.hpp"
#include "unit/core/sink_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ::ccrec::detail::FilesystemCrashPoint;
using ccrec_test::FilesystemSinkAt;
using ccrec_test::Put;
using ccrec_test::TempDir;

PutOptions IdentityOf(std::string const& id, bool if_none_match) {
  PutOptions o;
  o.metadata["ccrec-id"] = id;
  o.if_none_match = if_none_match;
  return o;
}

/// Stops the next Finish() of `key` at `point` while alive (once).
class CrashOnce {
 public:
  CrashOnce(FilesystemCrashPoint point, std::string key) : point_(point), key_(std::move(key)) {
    ::ccrec::detail::SetFilesystemCrashForTesting([this](FilesystemCrashPoint at, std::string const& written) {
      if (crashed_ || at != point_ || written != key_) return false;
      crashed_ = true;
      return true;
    });
  }
  ~CrashOnce() { ::ccrec::detail::SetFilesystemCrashForTesting(nullptr); }
  CrashOnce(CrashOnce const&) = delete;
  CrashOnce& operator=(CrashOnce const&) = delete;
  bool Crashed() const { return crashed_; }

 private:
  FilesystemCrashPoint point_;
  std::string key_;
  bool crashed_ = false;
};

/// Replaces the file at `path` by a new file (new inode) holding `data`, as a copy would.
void ReplaceWithNewFile(std::string const& path, std::string const& data) {
  ccrec_test::WriteFile(path + ".new", data);
  ASSERT_EQ(std::rename((path + ".new").c_str(), path.c_str()), 0);
}

/// Sets the modification time of `path` to `epoch_seconds` after the epoch.
void SetMtime(std::string const& path, time_t epoch_seconds) {
  struct timespec times[2] = {{epoch_seconds, 0}, {epoch_seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

struct CrashCase {
  bool if_none_match;
  bool fsync;
};
std::vector<CrashCase> const kCrashCases = {{false, false}, {false, true}, {true, false}, {true, true}};

TEST(FilesystemSinkCrash, ACrashBeforeThePublishLeavesNoObjectAndTheRetryWritesIt) {
  for (auto const c : kCrashCases) {
    SCOPED_TRACE("if_none_match=" + std::to_string(c.if_none_match) + " fsync=" + std::to_string(c.fsync));
    TempDir dir;
    auto const o = IdentityOf("v1/webex/t1/r1/", c.if_none_match);
    {
      auto sink = FilesystemSinkAt(dir.Path(), c.fsync);
      CrashOnce crash(FilesystemCrashPoint::kMetadataWritten, "rec/a.wav");
      auto crashed = Put(*sink, "rec/a.wav", "payload", o);
      ASSERT_TRUE(crash.Crashed());
      ASSERT_FALSE(crashed);
    }
    EXPECT_FALSE(ccrec_test::Exists(dir / "rec/a.wav"));
    EXPECT_TRUE(ccrec_test::Exists(dir / ".ccrec-meta/rec/a.wav")) << "the state a crash leaves: metadata first";
    auto sink = FilesystemSinkAt(dir.Path(), c.fsync);  // the next run
    auto st = sink->Stat("rec/a.wav");
    ASSERT_TRUE(st) << st.error().ToString();
    EXPECT_FALSE(st->has_value()) << "metadata without its object describes nothing";
    auto retried = Put(*sink, "rec/a.wav", "payload", o);
    ASSERT_TRUE(retried) << retried.error().ToString();
    st = sink->Stat("rec/a.wav");
    ASSERT_TRUE(st && st->has_value());
    EXPECT_EQ((*st)->metadata, o.metadata);
    EXPECT_EQ((*st)->sha256_hex, std::optional<std::string>(::ccrec::detail::Sha256Hex("payload")));
  }
}

TEST(FilesystemSinkCrash, ACrashAfterThePublishLeavesTheObjectWithItsMetadata) {
  for (auto const c : kCrashCases) {
    SCOPED_TRACE("if_none_match=" + std::to_string(c.if_none_match) + " fsync=" + std::to_string(c.fsync));
    TempDir dir;
    auto const o = IdentityOf("v1/webex/t1/r1/", c.if_none_match);
    {
      auto sink = FilesystemSinkAt(dir.Path(), c.fsync);
      CrashOnce crash(FilesystemCrashPoint::kPublished, "rec/a.wav");
      auto crashed = Put(*sink, "rec/a.wav", "payload", o);
      ASSERT_TRUE(crash.Crashed());
      ASSERT_FALSE(crashed);
    }
    ASSERT_EQ(ccrec_test::ReadFile(dir / "rec/a.wav"), "payload");
    auto sink = FilesystemSinkAt(dir.Path(), c.fsync);  // the next run
    auto st = sink->Stat("rec/a.wav");
    ASSERT_TRUE(st && st->has_value());
    EXPECT_EQ((*st)->metadata, o.metadata) << "never an object without its identity";
    EXPECT_EQ((*st)->sha256_hex, std::optional<std::string>(::ccrec::detail::Sha256Hex("payload")));
  }
}

// Before this version the metadata followed the object: a crash in between left an object
// without metadata, which the exporter must refuse. Stat() on such an object reports none.
TEST(FilesystemSinkCrash, AnObjectWithoutMetadataReportsNone) {
  TempDir dir;
  auto sink = FilesystemSinkAt(dir.Path());
  ccrec_test::WriteFile(dir / "a.wav", "payload");
  auto st = sink->Stat("a.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_TRUE((*st)->metadata.empty());
  EXPECT_FALSE((*st)->sha256_hex);
}

TEST(FilesystemSinkCrash, MetadataOfAnotherFileOfTheSameSizeIsNeverReported) {
  TempDir dir;
  auto sink = FilesystemSinkAt(dir.Path());
  ASSERT_TRUE(Put(*sink, "a.wav", "payload", IdentityOf("v1/webex/t1/r1/", true)));
  ReplaceWithNewFile(dir / "a.wav", "PAYLOAD");  // another tool, same size
  auto st = sink->Stat("a.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_TRUE((*st)->metadata.empty());
  EXPECT_FALSE((*st)->sha256_hex);

  // Changed in place (same inode and size, another modification time).
  ASSERT_TRUE(Put(*sink, "b.wav", "payload", IdentityOf("v1/webex/t2/r2/", true)));
  ccrec_test::WriteFile(dir / "b.wav", "PAYLOAD");
  SetMtime(dir / "b.wav", 1000000000);
  st = sink->Stat("b.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_TRUE((*st)->metadata.empty());
}

// A copy or restore (cp, rsync, tar, a backup) gives every file a new inode: the tie no longer
// matches, and the metadata is accepted when the content has the SHA-256 it records.
TEST(FilesystemSinkCrash, ACopiedOrRestoredArchiveKeepsItsMetadata) {
  TempDir dir;
  auto const o = IdentityOf("v1/webex/t1/r1/", true);
  std::string const data(300000, 'x');
  {
    auto sink = FilesystemSinkAt(dir / "archive");
    ASSERT_TRUE(Put(*sink, "rec/a.wav", data, o));
  }
  // Restored elsewhere, file by file, without the modification times (cp without -p).
  ASSERT_EQ(::mkdir((dir / "restored").c_str(), 0700), 0);
  for (auto const& sub : {"rec", ".ccrec-meta", ".ccrec-meta/rec"}) {
    ASSERT_EQ(::mkdir((dir / "restored/" + sub).c_str(), 0700), 0);
  }
  for (auto const& file : {"rec/a.wav", ".ccrec-meta/rec/a.wav"}) {
    ccrec_test::WriteFile(dir / "restored/" + file, ccrec_test::ReadFile(dir / "archive/" + file));
  }
  auto sink = FilesystemSinkAt(dir / "restored");
  auto st = sink->Stat("rec/a.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_EQ((*st)->metadata, o.metadata);
  EXPECT_EQ((*st)->sha256_hex, std::optional<std::string>(::ccrec::detail::Sha256Hex(data)));

  // Hashing honours the caller's cancellation.
  CallContext cancelled;
  cancelled.cancel.Cancel();
  auto stopped = sink->Stat("rec/a.wav", cancelled);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().code, ErrorCode::kCancelled);
}

// Metadata files of earlier versions name no file: the size is all that is checked, as then.
TEST(FilesystemSinkCrash, MetadataOfAnEarlierVersionIsStillRead) {
  TempDir dir;
  auto sink = FilesystemSinkAt(dir.Path());
  ccrec_test::WriteFile(dir / "a.wav", "payload");
  ASSERT_EQ(::mkdir((dir / ".ccrec-meta").c_str(), 0700), 0);
  std::string const sha = ::ccrec::detail::Sha256Hex("payload");
  ccrec_test::WriteFile(dir / ".ccrec-meta/a.wav",
                        R"({"bytes":7,"sha256":")" + sha + R"(","metadata":{"ccrec-id":"v1/webex/t1/r1/"}})" "\n");
  auto st = sink->Stat("a.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_EQ((*st)->metadata.at("ccrec-id"), "v1/webex/t1/r1/");
  EXPECT_EQ((*st)->sha256_hex, std::optional<std::string>(sha));

  ccrec_test::WriteFile(dir / "a.wav", "another size");
  st = sink->Stat("a.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_TRUE((*st)->metadata.empty());

  // A document with a "file" member that is not a tie (damaged) is not taken for an earlier
  // version's: the content must prove it.
  ccrec_test::WriteFile(dir / "a.wav", "payload");
  ccrec_test::WriteFile(dir / ".ccrec-meta/a.wav", R"({"bytes":7,"sha256":")" + std::string(64, '0') +
                                                       R"(","file":"x","metadata":{"ccrec-id":"v1/webex/t1/r1/"}})");
  st = sink->Stat("a.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_TRUE((*st)->metadata.empty());
}

// The metadata is written before the publish: a don't-overwrite write refused because an object
// is at the name must not touch that object's metadata.
TEST(FilesystemSinkCrash, ARefusedWriteNeverTouchesTheMetadataOfTheObjectThere) {
  TempDir dir;
  auto sink = FilesystemSinkAt(dir.Path());
  auto const mine = IdentityOf("v1/webex/t1/r1/", true);
  ASSERT_TRUE(Put(*sink, "a.wav", "payload", mine));
  auto refused = Put(*sink, "a.wav", "payload", IdentityOf("v1/webex/t2/r2/", true));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().vendor_code, "PreconditionFailed");
  auto st = sink->Stat("a.wav");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_EQ((*st)->metadata, mine.metadata);
}

}  // namespace
}  // namespace ccrec
