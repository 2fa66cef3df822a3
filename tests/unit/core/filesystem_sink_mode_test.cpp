// SPDX-License-Identifier: Apache-2.0
// The filesystem sink's permission bits (issue 12 item 7): recordings are personal data, so new
// files are created file_mode & ~umask (default 0600) and new directories dir_mode & ~umask
// (default 0700); directories that already exist keep their mode. The umask is set explicitly
// by each test (ScopedUmask restores it).

#include <ccrec/sinks/filesystem_sink.hpp>

#include "unit/core/sink_test_util.hpp"
#include "unit/core/test_util.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ccrec {
namespace {

using ccrec_test::Put;

using ccrec_test::FileMode;
using ccrec_test::ScopedUmask;
using ccrec_test::TempDir;

PutOptions WithMetadata(bool if_none_match = false) {
  PutOptions o;
  o.metadata["ccrec-id"] = "v1/webex/t1/r1/";
  o.if_none_match = if_none_match;
  return o;
}

struct Modes {
  std::uint32_t file;
  std::uint32_t dir;
};

/// Under `umask`, a sink with `options` (root = dir/archive, not yet existing) writes a
/// recording (rename path) and one with if_none_match (link path), both with metadata; returns
/// the modes of every file and directory the sink created, each checked against `expected`.
void WriteAndExpect(TempDir const& dir, mode_t umask, FilesystemSinkOptions options, Modes expected) {
  {
    ScopedUmask scoped(umask);
    options.root = dir / "archive";
    options.fsync = false;
    auto sink = MakeFilesystemSink(options);
    ASSERT_TRUE(sink) << sink.error().ToString();
    ASSERT_TRUE(Put(**sink, "rec/2026/call.wav", "audio", WithMetadata()));
    ASSERT_TRUE(Put(**sink, "rec/2026/call.wav.json", "{}", WithMetadata()));
    ASSERT_TRUE(Put(**sink, "rec/2026/other.wav", "audio", WithMetadata(/*if_none_match=*/true)));
  }
  for (auto const* file : {"archive/rec/2026/call.wav", "archive/rec/2026/call.wav.json", "archive/rec/2026/other.wav",
                           "archive/.ccrec-meta/rec/2026/call.wav", "archive/.ccrec-meta/rec/2026/other.wav"}) {
    EXPECT_EQ(FileMode(dir / file), expected.file) << file << " under umask 0" << std::oct << umask;
  }
  for (auto const* sub : {"archive", "archive/rec", "archive/rec/2026", "archive/.ccrec-meta",
                          "archive/.ccrec-meta/rec", "archive/.ccrec-meta/rec/2026"}) {
    EXPECT_EQ(FileMode(dir / sub), expected.dir) << sub << " under umask 0" << std::oct << umask;
  }
}

TEST(FilesystemSinkMode, DefaultsArePrivateUnderTheUsualUmask) {
  TempDir dir;
  WriteAndExpect(dir, 022, {}, {0600, 0700});
}

TEST(FilesystemSinkMode, DefaultsUnderUmask077) {
  TempDir dir;
  WriteAndExpect(dir, 077, {}, {0600, 0700});
}

TEST(FilesystemSinkMode, DefaultsStayPrivateUnderUmaskZero) {
  TempDir dir;
  WriteAndExpect(dir, 0, {}, {0600, 0700});
}

TEST(FilesystemSinkMode, ExplicitGroupReadableModesUnderUmask027) {
  TempDir dir;
  FilesystemSinkOptions o;
  o.file_mode = 0640;
  o.dir_mode = 0750;
  WriteAndExpect(dir, 027, o, {0640, 0750});
}

TEST(FilesystemSinkMode, TheUmaskNarrowsTheRequestedModeAndIsNeverOverridden) {
  TempDir dir;
  FilesystemSinkOptions o;
  o.file_mode = 0666;
  o.dir_mode = 0777;
  WriteAndExpect(dir, 027, o, {0640, 0750});
}

TEST(FilesystemSinkMode, ExistingUserDirectoriesKeepTheirMode) {
  TempDir dir;
  // The user made the root and one level below it, with modes the umask would not give.
  ASSERT_EQ(::mkdir((dir / "archive").c_str(), 0700), 0);
  ASSERT_EQ(::chmod((dir / "archive").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((dir / "archive/rec").c_str(), 0700), 0);
  ASSERT_EQ(::chmod((dir / "archive/rec").c_str(), 02775), 0);
  {
    ScopedUmask umask(077);
    FilesystemSinkOptions o;
    o.root = dir / "archive";
    o.fsync = false;
    auto sink = MakeFilesystemSink(o);
    ASSERT_TRUE(sink) << sink.error().ToString();
    ASSERT_TRUE(Put(**sink, "rec/2026/call.wav", "audio", WithMetadata()));
  }
  EXPECT_EQ(FileMode(dir / "archive"), 0755u);
  EXPECT_EQ(FileMode(dir / "archive/rec"), 02775u);
  EXPECT_EQ(FileMode(dir / "archive/rec/2026"), 0700u | 02000u) << "setgid is inherited from the parent (kernel rule)";
  EXPECT_EQ(FileMode(dir / "archive/.ccrec-meta"), 0700u);
  EXPECT_EQ(FileMode(dir / "archive/rec/2026/call.wav"), 0600u);
}

TEST(FilesystemSinkMode, TheTemporaryFileHasTheModeAndTheRewriteKeepsIt) {
  TempDir dir;
  ScopedUmask umask(022);
  FilesystemSinkOptions o;
  o.root = dir.Path();
  o.fsync = false;
  auto sink = MakeFilesystemSink(o);
  ASSERT_TRUE(sink) << sink.error().ToString();
  ASSERT_TRUE(Put(**sink, "call.wav", "first", WithMetadata()));
  // A re-export replaces the object and its metadata file atomically: both stay 0600, even
  // when the user had widened the old files.
  ASSERT_EQ(::chmod((dir / "call.wav").c_str(), 0644), 0);
  ASSERT_EQ(::chmod((dir / ".ccrec-meta/call.wav").c_str(), 0644), 0);
  auto w = (*sink)->Open("call.wav", WithMetadata());
  ASSERT_TRUE(w) << w.error().ToString();
  ASSERT_TRUE((*w)->Write("second", 6));
  std::vector<std::string> temps;
  for (auto const& name : ccrec_test::ListFiles(dir.Path())) {
    if (name.find(".ccrec-tmp-") != std::string::npos) temps.push_back(name);
  }
  ASSERT_EQ(temps.size(), 1u);
  EXPECT_EQ(FileMode(dir / temps[0]), 0600u) << "the temporary file is created private, not chmod-ed later";
  ASSERT_TRUE((*w)->Finish());
  EXPECT_EQ(ccrec_test::ReadFile(dir / "call.wav"), "second");
  EXPECT_EQ(FileMode(dir / "call.wav"), 0600u);
  EXPECT_EQ(FileMode(dir / ".ccrec-meta/call.wav"), 0600u);
}

TEST(FilesystemSinkMode, ModesBeyondThePermissionBitsAreRefused) {
  TempDir dir;
  struct Case {
    std::uint32_t file_mode;
    std::uint32_t dir_mode;
    char const* names;
  };
  for (auto const& c : std::vector<Case>{{04600, 0700, "file_mode 04600"},
                                         {0600, 01700, "dir_mode 01700"},
                                         {010600, 0700, "file_mode 010600"},
                                         {0600, 0500, "dir_mode 0500"},
                                         {0600, 0070, "dir_mode 070"}}) {
    FilesystemSinkOptions o;
    o.root = dir / "never";
    o.file_mode = c.file_mode;
    o.dir_mode = c.dir_mode;
    auto sink = MakeFilesystemSink(o);
    ASSERT_FALSE(sink) << c.names;
    EXPECT_EQ(sink.error().code, ErrorCode::kInvalidArgument) << c.names;
    EXPECT_NE(sink.error().message.find(c.names), std::string::npos) << sink.error().message;
  }
  EXPECT_FALSE(ccrec_test::Exists(dir / "never")) << "nothing is created for refused options";
}

}  // namespace
}  // namespace ccrec
