// SPDX-License-Identifier: Apache-2.0
// The filesystem ObjectSink when Finish() fails: writing the metadata file (e.g. ENOSPC, or that
// file's directory fsync after its rename), which comes before the publish, publishes nothing
// and leaves no metadata file of this writer; a failure after the object is in place (its
// directory fsync) takes the object and then its metadata file back. Either way the failed item
// leaves nothing behind that would refuse its retry ("already exists and has no ccrec identity
// metadata"), and a file this writer did not create is never removed.

#include <ccrec/sinks/filesystem_sink.hpp>

#include "internal/file_util.hpp"
#include "unit/core/sink_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ccrec_test::ListTree;
using ccrec_test::FilesystemSinkAt;
using ccrec_test::Put;
using ccrec_test::TempDir;

PutOptions WithIdentity(bool if_none_match) {
  PutOptions o;
  o.metadata["ccrec-id"] = "v1/webex/t1/r1/";
  o.if_none_match = if_none_match;
  return o;
}

/// Every combination of the two publish paths (rename = overwrite, link = don't-overwrite) and
/// of fsync on and off.
struct RollbackCase {
  bool if_none_match;
  bool fsync;
};
std::vector<RollbackCase> const kRollbackCases = {{false, false}, {false, true}, {true, false}, {true, true}};

/// Calls `action` once when the directory `dir` is fsynced (after the object's rename or link).
class OnDirectorySync {
 public:
  OnDirectorySync(std::string dir, std::function<void()> action) : dir_(std::move(dir)), action_(std::move(action)) {
    ::ccrec::detail::SetFsyncObserverForTesting([this](std::string const& what) {
      if (what != dir_ || !action_) return;
      auto once = std::move(action_);
      action_ = nullptr;
      once();
    });
  }
  ~OnDirectorySync() { ::ccrec::detail::SetFsyncObserverForTesting(nullptr); }
  OnDirectorySync(OnDirectorySync const&) = delete;
  OnDirectorySync& operator=(OnDirectorySync const&) = delete;

 private:
  std::string dir_;
  std::function<void()> action_;
};

/// Fails the first fsync of the directory `dir` with EIO (fsync(2) of a directory reports a
/// write-back error of the rename or link in it); every other fsync runs.
class FailDirectorySyncOnce {
 public:
  explicit FailDirectorySyncOnce(std::string dir) : dir_(std::move(dir)) {
    ::ccrec::detail::SetFsyncFaultForTesting([this](std::string const& what) {
      if (what != dir_ || failed_) return 0;
      failed_ = true;
      return EIO;
    });
  }
  ~FailDirectorySyncOnce() { ::ccrec::detail::SetFsyncFaultForTesting(nullptr); }
  FailDirectorySyncOnce(FailDirectorySyncOnce const&) = delete;
  FailDirectorySyncOnce& operator=(FailDirectorySyncOnce const&) = delete;
  bool Failed() const { return failed_; }

 private:
  std::string dir_;
  bool failed_ = false;
};

TEST(FilesystemSinkRollback, AFailedDirectorySyncAfterThePublishTakesTheObjectBack) {
  for (bool if_none_match : {false, true}) {
    SCOPED_TRACE("if_none_match=" + std::to_string(if_none_match));
    TempDir dir;
    auto sink = FilesystemSinkAt(dir.Path(), /*fsync=*/true);
    ASSERT_EQ(::mkdir((dir / "rec").c_str(), 0700), 0);  // exists: only the publish syncs it
    auto const o = WithIdentity(if_none_match);
    {
      FailDirectorySyncOnce fault(dir / "rec");
      auto failed = Put(*sink, "rec/a.wav", "payload", o);
      ASSERT_TRUE(fault.Failed());
      ASSERT_FALSE(failed);
      EXPECT_NE(failed.error().message.find("cannot fsync directory"), std::string::npos) << failed.error().message;
      EXPECT_NE(failed.error().message.find("was removed again"), std::string::npos) << failed.error().message;
      EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{".ccrec-meta/", ".ccrec-meta/rec/", "rec/"}))
          << "nothing published, no metadata file (it was written first, and removed after the object)";
    }
    auto retried = Put(*sink, "rec/a.wav", "payload", o);
    ASSERT_TRUE(retried) << retried.error().ToString();
    auto st = sink->Stat("rec/a.wav");
    ASSERT_TRUE(st && st->has_value());
    EXPECT_EQ((*st)->metadata, o.metadata);
  }
}

// The metadata file's atomic write renames it into place and then fsyncs its directory: when that
// fails, the file is already there; it is removed, and the object is not published.
TEST(FilesystemSinkRollback, AMetadataFileWhoseDirectorySyncFailedIsRemovedAndNothingIsPublished) {
  for (auto const c : kRollbackCases) {
    SCOPED_TRACE("if_none_match=" + std::to_string(c.if_none_match) + " fsync=" + std::to_string(c.fsync));
    TempDir dir;
    auto sink = FilesystemSinkAt(dir.Path(), c.fsync);
    auto const o = WithIdentity(c.if_none_match);
    // The metadata directory exists, so the only fsync of it is the metadata file's.
    ASSERT_EQ(::mkdir((dir / ".ccrec-meta").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((dir / ".ccrec-meta/rec").c_str(), 0700), 0);
    {
      FailDirectorySyncOnce fault(dir / ".ccrec-meta/rec");
      auto failed = Put(*sink, "rec/a.wav", "payload", o);
      ASSERT_TRUE(fault.Failed());
      ASSERT_FALSE(failed);
      EXPECT_NE(failed.error().message.find(".ccrec-meta/rec"), std::string::npos) << failed.error().message;
      EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{".ccrec-meta/", ".ccrec-meta/rec/", "rec/"}))
          << "neither the object nor its metadata file, no temporary file";
    }
    auto retried = Put(*sink, "rec/a.wav", "payload", o);
    ASSERT_TRUE(retried) << retried.error().ToString();
    auto st = sink->Stat("rec/a.wav");
    ASSERT_TRUE(st && st->has_value());
    EXPECT_EQ((*st)->metadata, o.metadata);
    EXPECT_EQ(ccrec_test::ReadFile(dir / "rec/a.wav"), "payload");
  }
}

TEST(FilesystemSinkRollback, AFailedMetadataWritePublishesNothingAndTheRetrySucceeds) {
  for (auto const c : kRollbackCases) {
    SCOPED_TRACE("if_none_match=" + std::to_string(c.if_none_match) + " fsync=" + std::to_string(c.fsync));
    TempDir dir;
    auto sink = FilesystemSinkAt(dir.Path(), c.fsync);
    // `.ccrec-meta` is a file: the metadata directory cannot be made, before the rename or link.
    ccrec_test::WriteFile(dir / ".ccrec-meta", "in the way");
    auto const o = WithIdentity(c.if_none_match);
    auto failed = Put(*sink, "rec/a.wav", "payload", o);
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find(".ccrec-meta"), std::string::npos) << failed.error().message;
    EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{".ccrec-meta", "rec/"}))
        << "no object without its identity, no temporary file";
    auto st = sink->Stat("rec/a.wav");
    ASSERT_TRUE(st) << st.error().ToString();
    EXPECT_FALSE(st->has_value());

    // The disk has room again: the retry writes the object and its identity.
    ASSERT_EQ(::unlink((dir / ".ccrec-meta").c_str()), 0);
    auto retried = Put(*sink, "rec/a.wav", "payload", o);
    ASSERT_TRUE(retried) << retried.error().ToString();
    st = sink->Stat("rec/a.wav");
    ASSERT_TRUE(st && st->has_value());
    EXPECT_EQ((*st)->metadata, o.metadata);
    EXPECT_EQ(ccrec_test::ReadFile(dir / "rec/a.wav"), "payload");
  }
}

TEST(FilesystemSinkRollback, AMetadataFileThatCannotBeReplacedPublishesNothing) {
  for (auto const c : kRollbackCases) {
    SCOPED_TRACE("if_none_match=" + std::to_string(c.if_none_match) + " fsync=" + std::to_string(c.fsync));
    TempDir dir;
    auto sink = FilesystemSinkAt(dir.Path(), c.fsync);
    // The metadata file's name is a non-empty directory: its atomic write fails at the rename.
    ASSERT_EQ(::mkdir((dir / ".ccrec-meta").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((dir / ".ccrec-meta/a.wav").c_str(), 0700), 0);
    ccrec_test::WriteFile(dir / ".ccrec-meta/a.wav/x", "x");
    auto failed = Put(*sink, "a.wav", "payload", WithIdentity(c.if_none_match));
    ASSERT_FALSE(failed);
    EXPECT_FALSE(ccrec_test::Exists(dir / "a.wav")) << failed.error().message;
    EXPECT_EQ(ListTree(dir.Path()), (std::vector<std::string>{".ccrec-meta/", ".ccrec-meta/a.wav/",
                                                              ".ccrec-meta/a.wav/x"}));
  }
}

TEST(FilesystemSinkRollback, AFileAnotherWriterPutInPlaceMeanwhileIsNeverRemoved) {
  for (bool if_none_match : {false, true}) {
    SCOPED_TRACE("if_none_match=" + std::to_string(if_none_match));
    TempDir dir;
    auto sink = FilesystemSinkAt(dir.Path(), /*fsync=*/true);
    // The metadata directory exists, so the only fsync of the root is the publish's.
    ASSERT_EQ(::mkdir((dir / ".ccrec-meta").c_str(), 0700), 0);
    // Between the publish and the rollback (the root's fsync fails), another writer replaces
    // the object with its own file.
    std::string const path = dir / "a.wav";
    OnDirectorySync replace(dir.Path(), [&] {
      ccrec_test::WriteFile(dir / "other.tmp", "another writer's");
      ASSERT_EQ(std::rename((dir / "other.tmp").c_str(), path.c_str()), 0);
    });
    FailDirectorySyncOnce fault(dir.Path());
    auto failed = Put(*sink, "a.wav", "payload", WithIdentity(if_none_match));
    ASSERT_TRUE(fault.Failed());
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message.find("was removed again"), std::string::npos) << failed.error().message;
    EXPECT_EQ(ccrec_test::ReadFile(path), "another writer's");
    auto st = sink->Stat("a.wav");
    ASSERT_TRUE(st && st->has_value());
    EXPECT_TRUE((*st)->metadata.empty()) << "this writer's metadata does not describe the other file";
  }
}

}  // namespace
}  // namespace ccrec
