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

/// Sets the modification time of the symlink `path` itself (not of its target).
void SetLinkAge(std::string const& path, std::chrono::seconds age) {
  struct timeval times[2] = {};
  times[0].tv_sec = times[1].tv_sec = ::time(nullptr) - static_cast<time_t>(age.count());
  ASSERT_EQ(::lutimes(path.c_str(), times), 0);
}

// A crash or SIGKILL while a metadata file is written leaves its temporary file beside it in
// ROOT/.ccrec-meta (the name detail::WriteFileAtomicUnderUmask() gives it, as the sink really
// writes it). The sweep removes such files by the age rule, once per directory, and nothing else:
// not a real metadata file, not one of an object whose own name ends like a temporary name, not a
// symlink, not a directory, not a near-miss of the pattern, and not the object tree's files.
TEST(FilesystemSinkDurability, StaleMetadataTemporaryFilesAreRemovedOnFirstUseOfTheirDirectory) {
  TempDir dir;
  auto const old = std::chrono::hours(25);
  // The name the sink gives a metadata file's temporary file: captured from its fsync.
  std::string leftover;
  {
    FsyncLog log;
    PutOptions with_metadata;
    with_metadata.metadata["ccrec-id"] = "v1/x";
    ASSERT_TRUE(Put(*FilesystemSinkAt(dir.Path()), "d/first.wav", "payload", with_metadata));
    std::string const prefix = dir / ".ccrec-meta/d/first.wav.tmp-";
    for (auto const& what : log.Synced()) {
      if (what.rfind(prefix, 0) == 0) leftover = what.substr(what.rfind('/') + 1);
    }
  }
  ASSERT_EQ(leftover.size(), std::string("first.wav.tmp-").size() + 12) << leftover;
  EXPECT_FALSE(ccrec_test::Exists(dir / (".ccrec-meta/d/" + leftover))) << "renamed away";
  std::string const rnd = leftover.substr(leftover.size() - 12);
  std::string const dead = HostTag() + "-" + std::to_string(DeadPid()) + "-" + rnd;

  struct Case {
    std::string name;
    bool removed;
    std::chrono::seconds age{0};
  };
  std::vector<Case> const cases = {
      {leftover, true, old},                                  // the interrupted write of first.wav's
      {"a.wav.tmp-" + rnd, true, old},                        // another key's
      {"b.wav.tmp-" + rnd, false},                            // fresh: maybe a live writer
      {"c.wav", false, old},                                  // a metadata file
      {"c.wav.json", false, old},                             // a metadata file
      {"e.wav.tmp-" + std::string("0123456789AB"), false, old},  // not ours: upper case
      {"f.wav.tmp-" + rnd.substr(1), false, old},             // not ours: 11 digits
      {"g.wav.tmp-" + rnd + "0", false, old},                 // not ours: 13 digits
      {".tmp-" + rnd, false, old},                            // not ours: no final name
      {"h.wav.tmp-" + rnd + ".json", false, old},             // not ours
      {".i.wav.ccrec-tmp-" + rnd, false, old},                // the object tree's pattern: a metadata file
      {".j.wav.ccrec-tmp-" + dead, false, old},               // of a key named like that
      {"k.wav.tmp-" + rnd, false, old},                       // the metadata file of object d/k.wav.tmp-<rnd>
  };
  for (auto const& c : cases) {
    ccrec_test::WriteFile(dir / (".ccrec-meta/d/" + c.name), "{}");
    if (c.age.count() > 0) SetAge(dir / (".ccrec-meta/d/" + c.name), c.age);
  }
  ccrec_test::WriteFile(dir / ("d/k.wav.tmp-" + rnd), "an object whose key ends like a temporary name");
  // Objects named like metadata temporary files, in the object tree: never the metadata sweep's.
  ccrec_test::WriteFile(dir / ("d/n.wav.tmp-" + rnd), "an object");
  SetAge(dir / ("d/n.wav.tmp-" + rnd), old);
  // A symlink and a directory with a temporary name: not followed, not removed.
  ccrec_test::WriteFile(dir / "outside", "not the sink's");
  SetAge(dir / "outside", old);
  ASSERT_EQ(::symlink((dir / "outside").c_str(), (dir / (".ccrec-meta/d/l.wav.tmp-" + rnd)).c_str()), 0);
  SetLinkAge(dir / (".ccrec-meta/d/l.wav.tmp-" + rnd), old);
  ASSERT_EQ(::mkdir((dir / (".ccrec-meta/d/m.wav.tmp-" + rnd)).c_str(), 0700), 0);
  SetAge(dir / (".ccrec-meta/d/m.wav.tmp-" + rnd), old);
  // The metadata root, for keys at the top: another directory, swept when a top-level key is written.
  ccrec_test::WriteFile(dir / (".ccrec-meta/o.wav.tmp-" + rnd), "{}");
  SetAge(dir / (".ccrec-meta/o.wav.tmp-" + rnd), old);
  // A metadata file named like the object tree's temporary files, of a gone writer: the object
  // sweep of ROOT never looks into .ccrec-meta.
  ccrec_test::WriteFile(dir / (".ccrec-meta/.p.wav.ccrec-tmp-" + dead), "{}");
  SetAge(dir / (".ccrec-meta/.p.wav.ccrec-tmp-" + dead), old);

  auto sink = FilesystemSinkAt(dir.Path());
  ASSERT_TRUE(Put(*sink, "d/new.wav", "payload"));  // without metadata: its directory is swept all the same
  for (auto const& c : cases) {
    EXPECT_EQ(ccrec_test::Exists(dir / (".ccrec-meta/d/" + c.name)), !c.removed) << c.name;
  }
  EXPECT_TRUE(ccrec_test::Exists(dir / ("d/k.wav.tmp-" + rnd)));
  EXPECT_TRUE(ccrec_test::Exists(dir / ("d/n.wav.tmp-" + rnd)));
  EXPECT_TRUE(ccrec_test::Exists(dir / (".ccrec-meta/d/l.wav.tmp-" + rnd)));
  EXPECT_EQ(ccrec_test::ReadFile(dir / "outside"), "not the sink's");
  EXPECT_TRUE(ccrec_test::Exists(dir / (".ccrec-meta/d/m.wav.tmp-" + rnd)));
  EXPECT_TRUE(ccrec_test::Exists(dir / (".ccrec-meta/o.wav.tmp-" + rnd))) << "other directories: untouched";
  EXPECT_TRUE(ccrec_test::Exists(dir / ".ccrec-meta/d/first.wav")) << "the real metadata file stays";

  ASSERT_TRUE(Put(*sink, "top.wav", "payload"));  // sweeps ROOT (objects) and ROOT/.ccrec-meta
  EXPECT_FALSE(ccrec_test::Exists(dir / (".ccrec-meta/o.wav.tmp-" + rnd)));
  EXPECT_TRUE(ccrec_test::Exists(dir / (".ccrec-meta/.p.wav.ccrec-tmp-" + dead)));
  EXPECT_TRUE(ccrec_test::Exists(dir / ".ccrec-meta/d")) << "the object sweep leaves the metadata tree alone";

  // Once per directory per sink, as for objects: a new leftover is left alone by the same sink...
  ccrec_test::WriteFile(dir / (".ccrec-meta/d/" + leftover), "{}");
  SetAge(dir / (".ccrec-meta/d/" + leftover), old);
  ASSERT_TRUE(Put(*sink, "d/new2.wav", "payload"));
  EXPECT_TRUE(ccrec_test::Exists(dir / (".ccrec-meta/d/" + leftover)));
  // ...and removed by the next one (the next run), unless turned off.
  FilesystemSinkOptions off;
  off.root = dir.Path();
  off.remove_stale_temp_files = false;
  auto no_sweep = MakeFilesystemSink(off);
  ASSERT_TRUE(no_sweep);
  ASSERT_TRUE(Put(**no_sweep, "d/new3.wav", "payload"));
  EXPECT_TRUE(ccrec_test::Exists(dir / (".ccrec-meta/d/" + leftover)));
  ASSERT_TRUE(Put(*FilesystemSinkAt(dir.Path()), "d/new4.wav", "payload"));
  EXPECT_FALSE(ccrec_test::Exists(dir / (".ccrec-meta/d/" + leftover)));
}

// Without an age (stale_temp_age zero: only files of gone processes of this host), a metadata
// temporary file, which names no owner, is never removed.
TEST(FilesystemSinkDurability, MetadataTemporaryFilesNeedAnAgeToBeRemoved) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / ".ccrec-meta").c_str(), 0700), 0);
  ccrec_test::WriteFile(dir / ".ccrec-meta/a.wav.tmp-0123456789ab", "{}");
  SetAge(dir / ".ccrec-meta/a.wav.tmp-0123456789ab", std::chrono::hours(1000));
  FilesystemSinkOptions o;
  o.root = dir.Path();
  o.stale_temp_age = std::chrono::seconds(0);
  auto sink = MakeFilesystemSink(o);
  ASSERT_TRUE(sink);
  ASSERT_TRUE(Put(**sink, "b.wav", "payload"));
  EXPECT_TRUE(ccrec_test::Exists(dir / ".ccrec-meta/a.wav.tmp-0123456789ab"));
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
