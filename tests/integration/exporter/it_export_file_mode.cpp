// SPDX-License-Identifier: Apache-2.0
// End-to-end, issue 12 item 7: what ccrec-export writes into a directory is private by default
// (files 0600, directories 0700 under the usual umask 022), --file-mode/--dir-mode widen it only
// as far as the umask allows, and a bad mode is a usage error that writes nothing. Against the
// Webex CC emulator (HTTPS, throwaway CA) on 127.0.0.1, started here.
#include "integration/harness.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

/// Sets the process umask (inherited by the programs the test runs) for the object's lifetime.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(ScopedUmask const&) = delete;
  ScopedUmask& operator=(ScopedUmask const&) = delete;

 private:
  mode_t old_;
};

unsigned Mode(std::string const& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 07777777;
  return static_cast<unsigned>(st.st_mode & 07777);
}

/// Every entry below `dir` (hidden ones included): path -> (is directory, permission bits).
void Walk(std::string const& dir, std::map<std::string, std::pair<bool, unsigned>>& out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    out[path] = {S_ISDIR(st.st_mode), static_cast<unsigned>(st.st_mode & 07777)};
    if (S_ISDIR(st.st_mode)) Walk(path, out);
  }
  ::closedir(d);
}

class ExportFileModeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    webex_ = ServerProcess::Start("webex_cc.py", {"--tasks-per-day", "12", "--day", "2026-11-01"}).release();
    dir_ = new TempDir("ccrec-it-file-mode");
    token_file_ = new std::string(*dir_ / "token.json");
    ccrec_it::WriteWebexTokenFile(*token_file_, webex_->Get("refresh_token"));
  }
  static void TearDownTestSuite() {
    delete webex_;
    delete token_file_;
    delete dir_;
  }

  std::map<std::string, std::string> Env() {
    return {{"CCREC_WEBEX_CLIENT_ID", webex_->Get("client_id")},
            {"CCREC_WEBEX_CLIENT_SECRET", webex_->Get("client_secret")}};
  }

  std::vector<std::string> BaseArgs(std::string const& dest, std::string const& manifest) {
    return {CCREC_EXPORT_BIN, "webex",        "--api-base-url", webex_->Get("base_url"),
            "--token-url",    webex_->Get("token_url"), "--token-file", *token_file_,
            "--from",         "2026-11-01T00:00:00Z",   "--to",         "2026-11-02T00:00:00Z",
            "--dest",         "file://" + dest, "--manifest",   manifest,
            "--ca-file",      webex_->Get("ca_file"),   "--concurrency", "4",
            "--pending-max-age", "0",         "--since-last-run"};
  }

  /// Runs an export into out/archive under `umask` with `extra` flags and checks that every
  /// file it created (recordings, sidecars, .ccrec-meta/ files, manifest, checkpoint) has
  /// `file_mode` and every directory `dir_mode`.
  void ExportAndExpect(mode_t umask, std::vector<std::string> const& extra, unsigned file_mode, unsigned dir_mode) {
    TempDir out("ccrec-it-modes");
    std::string const dest = out.Path() + "/archive";
    std::string const manifest = out.Path() + "/m.jsonl";
    auto args = BaseArgs(dest, manifest);
    args.insert(args.end(), extra.begin(), extra.end());
    ccrec_it::ProgramResult run;
    {
      ScopedUmask scoped(umask);
      run = ccrec_it::RunProgram(args, Env());
    }
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ASSERT_NE(run.out.find("failed=0"), std::string::npos) << run.out;
    ASSERT_EQ(run.out.find("exported=0 "), std::string::npos) << "nothing exported: " << run.out;
    std::map<std::string, std::pair<bool, unsigned>> tree;
    Walk(dest, tree);
    std::size_t files = 0, metadata = 0, sidecars = 0;
    for (auto const& [path, entry] : tree) {
      if (entry.first) {
        EXPECT_EQ(entry.second, dir_mode) << path << " (directory)";
      } else {
        ++files;
        if (path.find("/.ccrec-meta/") != std::string::npos) ++metadata;
        if (path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0) ++sidecars;
        EXPECT_EQ(entry.second, file_mode) << path;
      }
    }
    EXPECT_GT(metadata, 0u) << "the .ccrec-meta/ files were checked";
    EXPECT_GT(sidecars, metadata / 2) << "the sidecars were checked";
    EXPECT_GT(files, metadata) << "the recordings were checked";
    EXPECT_EQ(Mode(dest), dir_mode) << "the destination root the export created";
    EXPECT_EQ(Mode(manifest), file_mode) << "the manifest";
    EXPECT_EQ(Mode(manifest + ".checkpoint.json"), file_mode) << "the --since-last-run checkpoint";
    EXPECT_EQ(Mode(*token_file_), 0600u) << "the token file keeps exactly 0600";
  }

  static ServerProcess* webex_;
  static TempDir* dir_;
  static std::string* token_file_;
};

ServerProcess* ExportFileModeTest::webex_ = nullptr;
TempDir* ExportFileModeTest::dir_ = nullptr;
std::string* ExportFileModeTest::token_file_ = nullptr;

// Before: recordings, sidecars and metadata files 0644 (forced with fchmod), directories 0755,
// the manifest and checkpoint 0644.
TEST_F(ExportFileModeTest, ExportedFilesArePrivateUnderTheUsualUmask) { ExportAndExpect(022, {}, 0600, 0700); }

TEST_F(ExportFileModeTest, FileAndDirModeFlagsAreNarrowedByTheUmask) {
  ExportAndExpect(027, {"--file-mode", "0640", "--dir-mode", "0750"}, 0640, 0750);
  ExportAndExpect(027, {"--file-mode", "0666", "--dir-mode", "777"}, 0640, 0750);
}

TEST_F(ExportFileModeTest, BadModesAreUsageErrorsNamingTheFlagAndWriteNothing) {
  TempDir out("ccrec-it-bad-mode");
  std::string const dest = out.Path() + "/never";
  std::string const manifest = out.Path() + "/never.jsonl";
  struct Case {
    char const* flag;
    char const* value;
    char const* says;
  };
  for (auto const& c : std::vector<Case>{{"--file-mode", "0x1a4", "is not an octal permission mode"},
                                         {"--file-mode", "0648", "is not an octal permission mode"},
                                         {"--file-mode", "-600", "is not an octal permission mode"},
                                         {"--file-mode", "rw-r-----", "is not an octal permission mode"},
                                         {"--file-mode", "10600", "is above 0777"},
                                         {"--file-mode", "4600", "setuid, setgid or sticky"},
                                         {"--file-mode", "01644", "setuid, setgid or sticky"},
                                         {"--dir-mode", "2770", "setuid, setgid or sticky"},
                                         {"--dir-mode", "0755x", "is not an octal permission mode"},
                                         {"--dir-mode", "0500", "must include 0700"}}) {
    auto args = BaseArgs(dest, manifest);
    args.push_back(c.flag);
    args.push_back(c.value);
    auto run = ccrec_it::RunProgram(args, Env());
    EXPECT_EQ(run.exit_code, 2) << c.flag << " " << c.value << ": " << run.err;
    EXPECT_NE(run.err.find(std::string("error: ") + c.flag + " "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(c.says), std::string::npos) << run.err;
  }
  struct stat st {};
  EXPECT_NE(::stat(dest.c_str(), &st), 0) << "destination created despite a usage error";
  EXPECT_NE(::stat(manifest.c_str(), &st), 0) << "manifest created despite a usage error";
}

}  // namespace
