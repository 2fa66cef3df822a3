// SPDX-License-Identifier: Apache-2.0
// Crash safety of an export: the manifest is fsynced in groups and at the end of every run, a
// new manifest's directory entry is fsynced, and a sink write that fails anywhere (mid-stream or
// in Finish) leaves neither a file nor an "exported" line in a real filesystem destination.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>

#include "internal/file_util.hpp"
#include "sinks/filesystem_sink_crash.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace exporter_test {
namespace {

using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::exporter::ItemStatus;
using ccrec::exporter::Manifest;
using ccrec::exporter::ManifestEntry;

/// Records every fsync the library makes while alive.
class FsyncLog {
 public:
  FsyncLog() {
    ccrec::detail::SetFsyncObserverForTesting([this](std::string const& what) {
      std::lock_guard<std::mutex> lock(mu_);
      synced_.push_back(what);
    });
  }
  ~FsyncLog() { ccrec::detail::SetFsyncObserverForTesting(nullptr); }
  std::vector<std::string> Synced() const {
    std::lock_guard<std::mutex> lock(mu_);
    return synced_;
  }
  std::size_t Count(std::string const& what) const {
    auto s = Synced();
    return static_cast<std::size_t>(std::count(s.begin(), s.end(), what));
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> synced_;
};

ManifestEntry Entry(int i) {
  ManifestEntry e;
  e.source = "fake";
  e.task_id = "t" + std::to_string(i);
  e.recording_id = "r";
  e.status = ItemStatus::kExported;
  return e;
}

TEST(ManifestDurability, CreatingTheManifestFsyncsItsDirectory) {
  ccrec_test::TempDir dir;
  {
    FsyncLog log;
    auto m = Manifest::Open(dir / "m.jsonl");
    ASSERT_TRUE(m);
    EXPECT_EQ(log.Count(dir.Path()), 1u) << "a new file's directory entry must survive a crash";
  }
  FsyncLog log;
  ASSERT_TRUE(Manifest::Open(dir / "m.jsonl"));
  EXPECT_EQ(log.Count(dir.Path()), 0u) << "an existing manifest: nothing to make durable";
}

TEST(ManifestDurability, GroupCommitFsyncsAtLeastEveryNLinesAndOnSync) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.jsonl";
  auto m = Manifest::Open(path);
  ASSERT_TRUE(m);
  FsyncLog log;
  std::size_t const n = Manifest::kSyncEveryLines;
  for (std::size_t i = 0; i < 3 * n + 5; ++i) ASSERT_TRUE((*m)->Append(Entry(static_cast<int>(i))));
  // Every n-th line fsyncs (plus any line that came 1 s after the last fsync on a slow machine).
  EXPECT_GE(log.Count(path), 3u);
  EXPECT_LE(log.Count(path), 3 * n + 5);
  auto before = log.Count(path);
  ASSERT_TRUE((*m)->Sync());
  EXPECT_EQ(log.Count(path), before + 1);
}

TEST(ManifestDurability, DestructorFsyncsUnsyncedLinesOnly) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.jsonl";
  FsyncLog log;
  {
    auto m = Manifest::Open(path);
    ASSERT_TRUE(m);
  }
  EXPECT_EQ(log.Count(path), 0u) << "nothing appended: nothing to fsync";
  {
    auto m = Manifest::Open(path);
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->Append(Entry(1)));
  }
  EXPECT_EQ(log.Count(path), 1u);
  EXPECT_EQ(ReadManifest(path).size(), 1u);
}

/// Wraps a sink; its writers fail the way a full disk or a failing fsync would.
class FaultySink : public ccrec::ObjectSink {
 public:
  enum class Fault { kNone, kWriteAfterBytes, kFinish };
  FaultySink(std::shared_ptr<ccrec::ObjectSink> inner, Fault fault, std::uint64_t after = 0)
      : inner_(std::move(inner)), fault_(fault), after_(after) {}

  Result<std::unique_ptr<ccrec::ObjectWriter>> Open(std::string const& key, ccrec::PutOptions const& options,
                                                    CallContext const& ctx = {}) override {
    auto w = inner_->Open(key, options, ctx);
    if (!w) return w;
    bool const sidecar = key.size() > 5 && key.compare(key.size() - 5, 5, ".json") == 0;
    return std::unique_ptr<ccrec::ObjectWriter>(
        std::make_unique<Writer>(std::move(*w), sidecar ? Fault::kNone : fault_, after_));
  }
  Result<std::optional<ccrec::ObjectInfo>> Stat(std::string const& key, CallContext const& ctx = {}) override {
    return inner_->Stat(key, ctx);
  }
  std::string Describe(std::string const& key) const override { return inner_->Describe(key); }

 private:
  class Writer : public ccrec::ObjectWriter {
   public:
    Writer(std::unique_ptr<ccrec::ObjectWriter> inner, Fault fault, std::uint64_t after)
        : inner_(std::move(inner)), fault_(fault), after_(after) {}
    Result<void> Write(char const* data, std::size_t size) override {
      if (fault_ == Fault::kWriteAfterBytes && written_ + size > after_) {
        auto head = static_cast<std::size_t>(after_ - written_);
        if (head > 0) (void)inner_->Write(data, head);  // a partial write reached the file
        inner_->Abort();
        return MakeError(ErrorCode::kInternal, "injected: No space left on device");
      }
      written_ += size;
      return inner_->Write(data, size);
    }
    Result<ccrec::ObjectInfo> Finish() override {
      if (fault_ == Fault::kFinish) {
        inner_->Abort();
        return MakeError(ErrorCode::kInternal, "injected: cannot fsync: Input/output error");
      }
      return inner_->Finish();
    }
    void Abort() noexcept override { inner_->Abort(); }

   private:
    std::unique_ptr<ccrec::ObjectWriter> inner_;
    Fault fault_;
    std::uint64_t after_;
    std::uint64_t written_ = 0;
  };

  std::shared_ptr<ccrec::ObjectSink> inner_;
  Fault fault_;
  std::uint64_t after_;
};

class ExporterDurabilityTest : public ::testing::Test {
 protected:
  ccrec_test::TempDir dir;
  std::string const dest = dir / "archive";
  std::string const manifest_path = dir / "manifest.jsonl";
  std::shared_ptr<FakeSource> source = std::make_shared<FakeSource>();

  ccrec::exporter::ExportSummary Run(FaultySink::Fault fault, std::uint64_t after = 0) {
    ccrec::FilesystemSinkOptions fo;
    fo.root = dest;
    auto fs = ccrec::MakeFilesystemSink(fo);
    EXPECT_TRUE(fs);
    auto sink = std::make_shared<FaultySink>(*fs, fault, after);
    auto manifest = Manifest::Open(manifest_path);
    EXPECT_TRUE(manifest);
    ExporterOptions o;
    o.concurrency = 1;
    o.copy_buffer_bytes = 4096;
    o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
    return Exporter(source, sink, *manifest, o).Run();
  }
};

TEST_F(ExporterDurabilityTest, WriterFailingMidwayLeavesNoFileAndNoExportedLine) {
  source->items.push_back(MakeItem("t1", "r1", std::make_shared<Media>(Bytes(20000))));
  auto summary = Run(FaultySink::Fault::kWriteAfterBytes, 10000);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  auto lines = ReadManifest(manifest_path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].status, "failed");
  EXPECT_NE(lines[0].error.find("No space left"), std::string::npos) << lines[0].error;
  EXPECT_TRUE(ccrec_test::ListFiles(dest).empty()) << "no partial file, no temporary file";

  auto again = Run(FaultySink::Fault::kNone);  // the next run completes it
  EXPECT_EQ(again.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=20000");
  EXPECT_EQ(ccrec_test::ReadFile(dest + "/call-detail/t1/r1.wav"), Bytes(20000));
  EXPECT_EQ(ccrec_test::ListFiles(dest).size(), 4u);  // recording + sidecar, and their .ccrec-meta identity files
}

TEST_F(ExporterDurabilityTest, FinishFailingLeavesNoFileAndNoExportedLine) {
  source->items.push_back(MakeItem("t1", "r1", std::make_shared<Media>(Bytes(5000))));
  source->items.push_back(MakeItem("t2", "r2", std::make_shared<Media>(Bytes(6000))));
  auto summary = Run(FaultySink::Fault::kFinish);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=2 pending=0 bytes=0");
  for (auto const& l : ReadManifest(manifest_path)) {
    EXPECT_EQ(l.status, "failed");
    EXPECT_NE(l.error.find("cannot fsync"), std::string::npos) << l.error;
  }
  EXPECT_TRUE(ccrec_test::ListFiles(dest).empty());
}

TEST_F(ExporterDurabilityTest, IdentityFileFailingDoesNotBlockTheRetry) {
  // The recording's .ccrec-meta identity file cannot be written (a file named .ccrec-meta stands
  // in for ENOSPC). No object may stay behind without its identity: the next run would refuse it
  // as "already exists ... has no ... metadata" forever. (The identity file is written before the
  // object is renamed into place; before, it came after, and the object was removed again.)
  source->items.push_back(MakeItem("t1", "r1", std::make_shared<Media>(Bytes(5000))));
  ASSERT_EQ(::mkdir(dest.c_str(), 0700), 0);
  ccrec_test::WriteFile(dest + "/.ccrec-meta", "in the way");
  auto summary = Run(FaultySink::Fault::kNone);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
  EXPECT_EQ(ccrec_test::ListFiles(dest), std::vector<std::string>{".ccrec-meta"});

  ASSERT_EQ(::unlink((dest + "/.ccrec-meta").c_str()), 0);  // room again
  auto again = Run(FaultySink::Fault::kNone);
  EXPECT_EQ(again.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=5000");
  EXPECT_EQ(ccrec_test::ReadFile(dest + "/call-detail/t1/r1.wav"), Bytes(5000));
}

/// One run of `source` into the directory `dest` with the manifest `manifest_path`, through the
/// filesystem sink itself (a new recording is written with one conditional create) or, with
/// `stat_first`, through a wrapper that does not claim to enforce if_none_match (Stat() first).
ccrec::exporter::ExportSummary ExportIntoDirectory(std::shared_ptr<FakeSource> source, std::string const& dest,
                                                   std::string const& manifest_path, bool stat_first) {
  ccrec::FilesystemSinkOptions fo;
  fo.root = dest;
  auto fs = ccrec::MakeFilesystemSink(fo);
  EXPECT_TRUE(fs);
  std::shared_ptr<ccrec::ObjectSink> sink = *fs;
  if (stat_first) sink = std::make_shared<FaultySink>(*fs, FaultySink::Fault::kNone);
  auto manifest = Manifest::Open(manifest_path);
  EXPECT_TRUE(manifest);
  ExporterOptions o;
  o.concurrency = 1;
  o.copy_buffer_bytes = 4096;
  o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>();
  return Exporter(std::move(source), std::move(sink), *manifest, o).Run();
}

// A crash (SIGKILL, power loss) at any step of writing the recording or its sidecar, simulated
// by the filesystem sink's test hook, in a run whose manifest lines are then lost: the next run
// exports or skips the item with no failure (exit status 0), without anyone removing a file.
// Before, a crash between an object's publish and its metadata file left an object without
// identity: the recording, or the sidecar ("already exists and has no ccrec-id metadata"),
// failed on every later run until an operator deleted it.
TEST_F(ExporterDurabilityTest, ACrashAtAnyStepOfAWriteNeedsNoOperatorOnTheNextRun) {
  using ccrec::detail::FilesystemCrashPoint;
  struct Case {
    char const* name;
    char const* ext;  // the object that crashes: the recording or its sidecar
    FilesystemCrashPoint point;
    char const* next_run;
  };
  std::vector<Case> const cases = {
      {"recording, metadata written", ".wav", FilesystemCrashPoint::kMetadataWritten,
       "exported=1 skipped=0 failed=0 pending=0 bytes=5000"},
      {"recording, published", ".wav", FilesystemCrashPoint::kPublished,
       "exported=0 skipped=1 failed=0 pending=0 bytes=0"},
      {"sidecar, metadata written", ".wav.json", FilesystemCrashPoint::kMetadataWritten,
       "exported=0 skipped=1 failed=0 pending=0 bytes=0"},
      {"sidecar, published", ".wav.json", FilesystemCrashPoint::kPublished,
       "exported=0 skipped=1 failed=0 pending=0 bytes=0"},
  };
  auto media = std::make_shared<Media>(Bytes(5000));
  source->items.push_back(MakeItem("t1", "r1", media));
  int n = 0;
  for (auto const& c : cases) {
    for (bool stat_first : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + (stat_first ? ", Stat() first" : ", conditional create"));
      std::string const d = dir / std::to_string(++n);
      ASSERT_EQ(::mkdir(d.c_str(), 0700), 0);
      std::string const archive = d + "/archive";
      std::string const manifest = d + "/manifest.jsonl";
      std::string const key = "call-detail/t1/r1" + std::string(c.ext);
      bool crashed = false;
      ccrec::detail::SetFilesystemCrashForTesting([&](FilesystemCrashPoint at, std::string const& k) {
        if (crashed || at != c.point || k != key) return false;
        return crashed = true;
      });
      auto first = ExportIntoDirectory(source, archive, manifest, stat_first);
      ccrec::detail::SetFilesystemCrashForTesting(nullptr);
      ASSERT_TRUE(crashed);
      EXPECT_EQ(first.failed, 1u);
      ASSERT_EQ(::unlink(manifest.c_str()), 0);  // the process died: none of its lines survived

      auto next = ExportIntoDirectory(source, archive, manifest, stat_first);
      EXPECT_EQ(next.LastLine(), c.next_run);
      EXPECT_FALSE(next.fatal);
      EXPECT_EQ(ccrec_test::ReadFile(archive + "/call-detail/t1/r1.wav"), media->Data());
      EXPECT_EQ(ccrec_test::ReadFile(archive + "/call-detail/t1/r1.wav.json"), source->items[0].metadata_json);
      auto again = ExportIntoDirectory(source, archive, manifest, stat_first);
      EXPECT_EQ(again.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
    }
  }
}

TEST_F(ExporterDurabilityTest, RunEndsWithTheManifestFsynced) {
  for (int i = 0; i < 3; ++i) {
    source->items.push_back(MakeItem("t" + std::to_string(i), "r", std::make_shared<Media>(Bytes(100, i))));
  }
  FsyncLog log;
  auto summary = Run(FaultySink::Fault::kNone);
  EXPECT_EQ(summary.exported, 3u);
  auto synced = log.Synced();
  ASSERT_FALSE(synced.empty());
  EXPECT_EQ(synced.back(), manifest_path) << "the last lines are durable when Run() returns";
  // Every object (recording and sidecar) was fsynced, then its directory, before the end.
  for (int i = 0; i < 3; ++i) {
    std::string const d = dest + "/call-detail/t" + std::to_string(i);
    EXPECT_GE(std::count(synced.begin(), synced.end(), d), 2) << d;
  }
}

}  // namespace
}  // namespace exporter_test
