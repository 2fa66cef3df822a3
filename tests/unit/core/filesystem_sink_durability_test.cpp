// SPDX-License-Identifier: Apache-2.0
// The filesystem ObjectSink after a crash: what Finish() reported survives (file, its directory
// entry and every directory created for it are fsynced, in that order), and the temporary files
// a killed writer leaves behind are removed by a later sink, but never a live writer's.

#include <ccrec/sinks/filesystem_sink.hpp>

#include "internal/crypto.hpp"
#include "internal/file_util.hpp"
#include "unit/core/sink_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ccrec_test::FilesystemSinkAt;
using ccrec_test::Put;

using ccrec_test::TempDir;

/// Records every fsync the library makes (file and directory) while alive.
class FsyncLog {
 public:
  FsyncLog() {
    ::ccrec::detail::SetFsyncObserverForTesting([this](std::string const& what) { synced_.push_back(what); });
  }
  ~FsyncLog() { ::ccrec::detail::SetFsyncObserverForTesting(nullptr); }
  std::vector<std::string> const& Synced() const { return synced_; }
  std::size_t IndexOf(std::string const& what) const {
    auto it = std::find(synced_.begin(), synced_.end(), what);
    return it == synced_.end() ? std::string::npos : static_cast<std::size_t>(it - synced_.begin());
  }

 private:
  std::vector<std::string> synced_;
};

std::string HostTag() {
  char name[256] = {};
  EXPECT_EQ(::gethostname(name, sizeof name - 1), 0);
  return ::ccrec::detail::Sha256Hex(std::string(name)).substr(0, 8);
}

/// A process id that certainly ran and certainly is gone (a reaped child).
pid_t DeadPid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void SetAge(std::string const& path, std::chrono::seconds age) {
  struct timeval times[2] = {};
  times[0].tv_sec = times[1].tv_sec = ::time(nullptr) - static_cast<time_t>(age.count());
  ASSERT_EQ(::utimes(path.c_str(), times), 0);
}

TEST(FilesystemSinkDurability, FileThenItsDirectoryAreFsyncedBeforeFinishReturns) {
  TempDir dir;
  auto sink = FilesystemSinkAt(dir.Path());
  ASSERT_TRUE(Put(*sink, "a.wav", "x"));  // the root exists: no directory created
  FsyncLog log;
  ASSERT_TRUE(Put(*sink, "b.wav", "payload"));
  ASSERT_EQ(log.Synced().size(), 2u);
  EXPECT_NE(log.Synced()[0].find("/.b.wav.ccrec-tmp-"), std::string::npos) << log.Synced()[0];
  EXPECT_EQ(log.Synced()[1], dir.Path());
}

TEST(FilesystemSinkDurability, EveryNewDirectoryIsFsyncedIntoItsParent) {
  TempDir dir;
  ::mkdir((dir / "rec").c_str(), 0755);
  auto sink = FilesystemSinkAt(dir.Path());
  FsyncLog log;
  ASSERT_TRUE(Put(*sink, "rec/2026/11/01/call.wav", "payload"));
  // rec existed; rec/2026, rec/2026/11, rec/2026/11/01 are new: their entries live in rec,
  // rec/2026 and rec/2026/11, each fsynced before the object is reported written.
  auto const rec = dir / "rec";
  for (auto const& parent : {rec, rec + "/2026", rec + "/2026/11"}) {
    EXPECT_NE(log.IndexOf(parent), std::string::npos) << parent << " was not fsynced";
  }
  std::size_t file = std::string::npos;
  for (std::size_t i = 0; i < log.Synced().size(); ++i) {
    if (log.Synced()[i].find(".ccrec-tmp-") != std::string::npos) file = i;
  }
  ASSERT_NE(file, std::string::npos);
  EXPECT_LT(log.IndexOf(rec + "/2026/11"), file) << "directories are durable before the file is written";
  EXPECT_EQ(log.Synced().back(), rec + "/2026/11/01") << "the rename is made durable last";

  // A second object in the same directory creates nothing: file + directory only.
  FsyncLog again;
  ASSERT_TRUE(Put(*sink, "rec/2026/11/01/other.wav", "payload"));
  EXPECT_EQ(again.Synced().size(), 2u);
}

TEST(FilesystemSinkDurability, NoFsyncWhenTurnedOff) {
  TempDir dir;
  auto sink = FilesystemSinkAt(dir.Path(), /*fsync=*/false);
  FsyncLog log;
  ASSERT_TRUE(Put(*sink, "x/y/z.wav", "payload"));
  EXPECT_TRUE(log.Synced().empty());
}

TEST(FilesystemSinkDurability, TemporaryNameNamesHostAndProcess) {
  TempDir dir;
  auto sink = FilesystemSinkAt(dir.Path());
  auto w = sink->Open("call.wav", {});
  ASSERT_TRUE(w);
  auto files = ccrec_test::ListFiles(dir.Path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].rfind(".call.wav.ccrec-tmp-" + HostTag() + "-" + std::to_string(::getpid()) + "-", 0), 0u)
      << files[0];
  (*w)->Abort();
}

TEST(FilesystemSinkDurability, StaleTemporaryFilesAreRemovedOnFirstUseOfTheirDirectory) {
  TempDir dir;
  ::mkdir((dir / "d").c_str(), 0755);
  std::string const host = HostTag();
  std::string const rnd = "0123456789ab";
  struct Case {
    std::string name;
    bool removed;
    std::chrono::seconds age{0};
  };
  std::vector<Case> cases = {
      {".a.wav.ccrec-tmp-" + host + "-" + std::to_string(DeadPid()) + "-" + rnd, true},       // killed writer
      {".b.wav.ccrec-tmp-" + host + "-1-" + rnd, false},                                        // pid 1 runs
      {".c.wav.ccrec-tmp-" + host + "-" + std::to_string(::getpid()) + "-" + rnd, false},      // this process
      {".d.wav.ccrec-tmp-deadbeef-" + std::to_string(DeadPid()) + "-" + rnd, false},           // other host
      {".e.wav.ccrec-tmp-deadbeef-12345-" + rnd, true, std::chrono::hours(25)},                 // other host, old
      {".f.wav.ccrec-tmp-" + rnd, false},                                                       // no owner, fresh
      {".g.wav.ccrec-tmp-" + rnd, true, std::chrono::hours(25)},                                // no owner, old
      {".h.wav.ccrec-tmp-" + host + "-1-" + rnd, true, std::chrono::hours(25)},                 // live pid, but old
      {"i.wav", false, std::chrono::hours(100)},                                                // an object
      {".j.wav.ccrec-tmp-" + host + "-notapid-" + rnd, false, std::chrono::hours(100)},         // not ours
      {"k.wav.ccrec-tmp-" + rnd, false, std::chrono::hours(100)},                               // not hidden
  };
  for (auto const& c : cases) {
    ccrec_test::WriteFile(dir / ("d/" + c.name), "partial");
    if (c.age.count() > 0) SetAge(dir / ("d/" + c.name), c.age);
  }
  ::mkdir((dir / "other").c_str(), 0755);
  ccrec_test::WriteFile(dir / ("other/" + cases[0].name), "partial");  // other directories: untouched

  auto sink = FilesystemSinkAt(dir.Path());
  ASSERT_TRUE(Put(*sink, "d/new.wav", "payload"));
  for (auto const& c : cases) {
    EXPECT_EQ(ccrec_test::Exists(dir / ("d/" + c.name)), !c.removed) << c.name;
  }
  EXPECT_TRUE(ccrec_test::Exists(dir / ("other/" + cases[0].name)));

  // Once per directory per sink: a new stale file is left alone by the same sink...
  ccrec_test::WriteFile(dir / ("d/" + cases[0].name), "partial");
  ASSERT_TRUE(Put(*sink, "d/new2.wav", "payload"));
  EXPECT_TRUE(ccrec_test::Exists(dir / ("d/" + cases[0].name)));
  // ...and removed by the next one (the next run).
  ASSERT_TRUE(Put(*FilesystemSinkAt(dir.Path()), "d/new3.wav", "payload"));
  EXPECT_FALSE(ccrec_test::Exists(dir / ("d/" + cases[0].name)));
}

TEST(FilesystemSinkDurability, StaleTemporaryFileRemovalCanBeTurnedOff) {
  TempDir dir;
  std::string const stale = ".a.wav.ccrec-tmp-" + HostTag() + "-" + std::to_string(DeadPid()) + "-0123456789ab";
  ccrec_test::WriteFile(dir / stale, "partial");
  FilesystemSinkOptions o;
  o.root = dir.Path();
  o.remove_stale_temp_files = false;
  auto sink = MakeFilesystemSink(o);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(Put(**sink, "b.wav", "payload"));
  EXPECT_TRUE(ccrec_test::Exists(dir / stale));
}

TEST(FilesystemSinkDurability, ALiveWritersTemporaryFileSurvivesAnotherSink) {
  TempDir dir;
  auto first = FilesystemSinkAt(dir.Path());
  auto w = first->Open("a.wav", {});
  ASSERT_TRUE(w);
  ASSERT_TRUE((*w)->Write("abc", 3));
  ASSERT_TRUE(Put(*FilesystemSinkAt(dir.Path()), "b.wav", "payload"));  // a second sink cleans the directory
  auto info = (*w)->Finish();
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(ccrec_test::ReadFile(dir / "a.wav"), "abc");
}

}  // namespace
}  // namespace ccrec
