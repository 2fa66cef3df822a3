// SPDX-License-Identifier: Apache-2.0
#pragma once
// Integration-test harness: starts loopback servers (tests/emulators/*.py) as child processes
// and runs programs. Only 127.0.0.1 is ever used.

#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ccrec_it {

/// A server started as `python3 tests/emulators/<script> --port 0 --ready-file F --state-dir D ARGS`.
/// The script writes F (JSON object) once it listens; every member is available through Get().
/// The destructor sends SIGTERM and waits (SIGKILL after 5 s).
///
/// `s3_server.py --bucket NAME` under ctest: when CCREC_IT_SHARED_S3 names the ready file of the
/// run's shared S3 server (fixture ccrec_shared_s3), no server is started; the shared one makes a
/// bucket of this process's own (NAME-PID-N, as Get("bucket") says) and the destructor removes it.
class ServerProcess {
 public:
  static std::unique_ptr<ServerProcess> Start(std::string const& script, std::vector<std::string> const& args = {},
                                              std::chrono::seconds timeout = std::chrono::seconds(60));
  ~ServerProcess();
  ServerProcess(ServerProcess const&) = delete;
  ServerProcess& operator=(ServerProcess const&) = delete;

  /// Member of the ready file as text (numbers converted); empty when absent.
  std::string Get(std::string const& key) const;
  int Port() const;
  std::string const& StateDir() const { return state_dir_; }
  int Pid() const { return pid_; }

 private:
  ServerProcess() = default;
  static std::unique_ptr<ServerProcess> UseSharedS3(std::string const& ready_file, std::string const& bucket);
  int pid_ = -1;
  std::string shared_control_;  // control endpoint of the shared S3 server, when the bucket is ours there
  std::string state_dir_;
  std::map<std::string, std::string> ready_;
};

/// Result of RunProgram.
struct ProgramResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
  /// Last non-empty line of `out`.
  std::string LastLine() const;
};

/// Runs argv[0] with arguments, extra environment variables (added to the current environment;
/// a value of "\x01unset" removes the variable), and optional stdin text; captures both streams.
ProgramResult RunProgram(std::vector<std::string> const& argv, std::map<std::string, std::string> const& env = {},
                         std::string const& stdin_text = {}, std::chrono::seconds timeout = std::chrono::seconds(300));

/// A fresh directory under $TMPDIR (or /tmp), removed recursively by the destructor.
class TempDir {
 public:
  explicit TempDir(std::string const& prefix = "ccrec-it");
  ~TempDir();
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;
  std::string const& Path() const { return path_; }
  std::string operator/(std::string const& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(std::string const& path);
/// The record lines of a JSON Lines manifest: every non-empty line but the header
/// (`{"ccrec_manifest":1,...}`), in file order. A missing file reads as none.
std::vector<std::string> ManifestRecordLines(std::string const& path);

/// `text` parsed as JSON; a parse error is a (non-fatal) test failure quoting the text's start.
rapidjson::Document Json(std::string const& text);
void WriteFile(std::string const& path, std::string const& data);
/// Writes, mode 0600, the Webex token file an admin's one-time authorization leaves: no access
/// token yet and `refresh_token` (ccrec-export refreshes and rotates it on its first call).
void WriteWebexTokenFile(std::string const& path, std::string const& refresh_token);
/// The environment of a `ccrec-export webex` run from the Webex emulator `webex` into the test
/// S3 server `s3`: the emulator's OAuth client id and secret, the S3 access key and secret
/// (`secret_key` replaces the server's when not empty), no session token, region us-east-1.
std::map<std::string, std::string> WebexToS3Env(ServerProcess const& webex, ServerProcess const& s3,
                                                std::string const& secret_key = {});
/// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string const& data);
/// HTTP(S) GET against a loopback server with the given CA, via the ccrec curl transport.
/// Returns status and body.
std::pair<int, std::string> HttpGet(std::string const& url, std::string const& ca_file = {});
/// HTTP(S) POST with a body, via the ccrec curl transport.
std::pair<int, std::string> HttpPost(std::string const& url, std::string const& body,
                                     std::string const& content_type = "application/json",
                                     std::string const& ca_file = {});

}  // namespace ccrec_it
