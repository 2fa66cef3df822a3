// SPDX-License-Identifier: Apache-2.0
// The JSON Lines manifest when an append fails part-way (ENOSPC in real life; EFBIG from
// RLIMIT_FSIZE here, with SIGXFSZ ignored): the part of the line that reached the file is cut
// off, so the next line is not glued onto it and stays readable.

#include <ccrec/exporter/manifest.hpp>

#include "unit/core/test_util.hpp"
#include "unit/exporter/manifest_test_util.hpp"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>

namespace {

using ccrec::exporter::ItemStatus;
using ccrec::exporter::Manifest;
using ccrec::exporter::ManifestEntry;

ManifestEntry TornTestEntry(std::string task, ItemStatus status, std::string error = "") {
  ManifestEntry e;
  e.source = "webex";
  e.task_id = std::move(task);
  e.recording_id = "r";
  e.key = "call-detail/" + e.task_id + "/r.wav";
  e.status = status;
  e.error = std::move(error);
  return e;
}

std::uint64_t FileBytes(std::string const& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return static_cast<std::uint64_t>(st.st_size);
}

/// While alive, no file of this process may grow beyond `bytes` (a write past it fails with
/// EFBIG after a short write; SIGXFSZ is ignored so the process lives).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uint64_t bytes) {
    EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &old_), 0);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old_;
    small.rlim_cur = static_cast<rlim_t>(bytes);
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(FileSizeLimit const&) = delete;
  FileSizeLimit& operator=(FileSizeLimit const&) = delete;

 private:
  struct rlimit old_ {};
  void (*old_handler_)(int) = nullptr;
};

/// A manifest at `path` holding one line (t1 exported); null (with a test failure) if it cannot.
std::shared_ptr<Manifest> OpenWithOneLine(std::string const& path) {
  auto opened = Manifest::Open(path);
  EXPECT_TRUE(opened) << opened.error().ToString();
  if (!opened || !(*opened)->Append(TornTestEntry("t1", ItemStatus::kExported))) return nullptr;
  return *opened;
}

TEST(ManifestWriteFailure, APartlyWrittenLineIsCutOffAndTheNextLineStaysReadable) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.jsonl";
  auto m = OpenWithOneLine(path);
  ASSERT_TRUE(m);
  std::string const before = ccrec_test::ReadFile(path);

  // The disk fills up in the middle of the next line.
  auto const failing = TornTestEntry("t2", ItemStatus::kFailed, "cannot write: No space left on device");
  std::uint64_t const half = (Manifest::ToJsonLine(failing).size() + 1) / 2;
  ccrec::Result<void> failed;
  {
    FileSizeLimit limit(before.size() + half);
    failed = m->Append(failing);
  }
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("cannot append to manifest " + path), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(FileBytes(path), before.size()) << "no fragment of the failed line is left";

  // Room again: the next outcome (e.g. an item recorded as pending at the end of the run) is a
  // line of its own, found now and after a reload.
  ASSERT_TRUE(m->Append(TornTestEntry("t3", ItemStatus::kPending)));
  auto latest = m->Latest("webex", "t3", "r", "");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->status, ItemStatus::kPending);
  EXPECT_EQ(ccrec_test::ReadFile(path), before + Manifest::ToJsonLine(TornTestEntry("t3", ItemStatus::kPending)) + "\n");
  m.reset();

  auto reloaded = exporter_test::OpenUnlocked(path);
  EXPECT_EQ(reloaded->MalformedLines(), 0u);
  EXPECT_TRUE(reloaded->IsDone("webex", "t1", "r"));
  EXPECT_FALSE(reloaded->Latest("webex", "t2", "r", ""));
  ASSERT_TRUE(reloaded->Latest("webex", "t3", "r", ""));
  EXPECT_EQ(reloaded->Latest("webex", "t3", "r", "")->status, ItemStatus::kPending);
}

// When the bytes past the manifest's end are not only the failed line's (here: a fragment some
// other writer left), they are not cut off; the next line starts with a newline instead, so it
// is still a line of its own. (The same fallback serves a failing fstat or ftruncate.)
TEST(ManifestWriteFailure, ForeignBytesAreNotCutAndTheNextLineStartsOnANewLine) {
  ccrec_test::TempDir dir;
  std::string const path = dir / "m.jsonl";
  auto m = OpenWithOneLine(path);
  ASSERT_TRUE(m);
  auto const failing = TornTestEntry("t2", ItemStatus::kFailed, "cannot write: No space left on device");
  std::string const foreign(Manifest::ToJsonLine(failing).size() + 10, 'x');  // longer than the line
  ccrec_test::WriteFile(path, ccrec_test::ReadFile(path) + foreign);  // same file, grown by another writer
  std::string const before = ccrec_test::ReadFile(path);

  ccrec::Result<void> failed;
  {
    FileSizeLimit limit(before.size());  // not one byte of the line reaches the file
    failed = m->Append(failing);
  }
  ASSERT_FALSE(failed);
  EXPECT_EQ(ccrec_test::ReadFile(path), before) << "the foreign bytes stay";

  ASSERT_TRUE(m->Append(TornTestEntry("t3", ItemStatus::kPending)));
  EXPECT_EQ(ccrec_test::ReadFile(path), before + "\n" + Manifest::ToJsonLine(TornTestEntry("t3", ItemStatus::kPending)) + "\n");
  m.reset();
  auto reloaded = exporter_test::OpenUnlocked(path);
  EXPECT_EQ(reloaded->MalformedLines(), 1u) << "only the foreign fragment";
  EXPECT_TRUE(reloaded->IsDone("webex", "t1", "r"));
  ASSERT_TRUE(reloaded->Latest("webex", "t3", "r", ""));
  EXPECT_EQ(reloaded->Latest("webex", "t3", "r", "")->status, ItemStatus::kPending);
}

TEST(ManifestWriteFailure, AnAzureSasSignatureInAnErrorIsMasked) {
  auto line = Manifest::ToJsonLine(TornTestEntry(
      "t1", ItemStatus::kFailed, "GET https://acct.blob.core.windows.net/c/r.wav?sv=1&sig=SASSECRET failed: HTTP 403"));
  EXPECT_EQ(line.find("SASSECRET"), std::string::npos) << line;
  EXPECT_NE(line.find("failed: HTTP 403"), std::string::npos) << line;
}

}  // namespace
