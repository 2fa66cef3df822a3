// SPDX-License-Identifier: Apache-2.0
// Huawei CC-Gateway end-to-end: the library (curl transport) and ccrec-export huawei against
// tests/emulators/huawei_gateway.py (HTTPS, throwaway CA) on 127.0.0.1, and S3 via s3_server.py.
#include "integration/harness.hpp"
#include "integration/huawei/huawei_it.hpp"

#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/errors.hpp>
#include <ccrec/huawei/event_poller.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/crypto.hpp"
#include "internal/url.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using namespace huawei_it;

// ---- library ----------------------------------------------------------------------------------------

TEST_F(HuaweiIt, LibraryDownloadsEveryHostileNameByteExact) {
  ccrec::huawei::AgentSession s(SessionOptions());
  ASSERT_TRUE(s.SignIn());
  auto files = Control("files");
  int checked = 0;
  for (auto const& f : files["files"].GetArray()) {
    std::string name = f["fileName"].GetString();
    SCOPED_TRACE(name);
    std::string data = Download(s, {name, f["filetype"].GetInt()});
    EXPECT_EQ(data.size(), f["size"].GetUint64());
    EXPECT_EQ(ccrec::detail::Sha256Hex(data), ExpectedSha(name));
    ++checked;
  }
  EXPECT_GE(checked, 14);
  // The gateway decoded exactly the names it stores (a '+' sent raw would have become a space).
  auto log = Control("requests");
  std::set<std::string> decoded;
  for (auto const& r : log["requests"].GetArray()) {
    if (r.HasMember("record_id") && r["record_id"].IsString()) decoded.insert(r["record_id"].GetString());
  }
  for (auto const& f : files["files"].GetArray()) EXPECT_TRUE(decoded.count(f["fileName"].GetString()));
  // Heartbeat (POST without a body) and a forced Guid update work over the real transport too.
  ASSERT_TRUE(s.Heartbeat());
  std::string old_guid = s.CurrentGuid();
  ASSERT_TRUE(s.UpdateGuid());
  EXPECT_NE(s.CurrentGuid(), old_guid);
  EXPECT_EQ(Download(s, {"Y:/6/0/20161025/20011/1902050.V3"}).size(), 48000u);
  EXPECT_EQ(s.Stats().re_sign_ins, 0u);
  ASSERT_TRUE(s.SignOut());
  EXPECT_EQ(Stat("requests_without_cookies"), 0);
  EXPECT_EQ(Stat("requests_without_content_type"), 0);
  EXPECT_EQ(Stat("password_leaks"), 0);
  EXPECT_EQ(Stat("active_sessions"), 0);
}

TEST_F(HuaweiIt, GuidRotatesDuringDownloadsWithoutLosingTheSession) {
  // The grace (1 s) outlasts any scheduling stall of the poll thread on a loaded 2-core CI machine, yet is
  // far shorter than the ~3 s of downloads, so a client that ignored Set-GUID would still be refused.
  Control("config", R"({"guid_interval_ms":400,"old_guid_grace_ms":1000,"download_chunk_delay_ms":15})");
  auto o = SessionOptions();
  ccrec::huawei::AgentSession s(o);
  ASSERT_TRUE(s.SignIn());
  ccrec::huawei::EventPollerOptions po;
  po.interval = std::chrono::milliseconds(20);
  ccrec::huawei::EventPoller poller(s, po);
  poller.Start();
  std::string large = gw_->Get("large_file");
  std::string expected_large = ExpectedSha(large);
  auto before = Stat("guid_rotations");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ccrec::detail::Sha256Hex(Download(s, {large})), expected_large) << i;  // ~0.5 s each
    EXPECT_EQ(Download(s, {"Y:/6/0/20161025/20011/1902050.V3"}).size(), 48000u);
  }
  // Rotation announced only on polls: downloads keep working through the Guid the poll brings.
  Control("config", R"({"rotate_on":"poll"})");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(ccrec::detail::Sha256Hex(Download(s, {large})), expected_large) << i;
  }
  poller.Stop();
  EXPECT_FALSE(poller.FatalError()) << poller.FatalError()->ToString();
  EXPECT_GE(Stat("guid_rotations") - before, 3);
  EXPECT_GE(s.Stats().guid_updates, 3u);
  EXPECT_EQ(s.Stats().re_sign_ins, 0u);
  EXPECT_EQ(Stat("stale_guid_requests"), 0);
  ASSERT_TRUE(s.SignOut());
}

TEST_F(HuaweiIt, LostSessionsAreRecoveredWithOneSignInEvenWithEightThreads) {
  auto o = SessionOptions();
  o.max_concurrent_downloads = 8;
  ccrec::huawei::AgentSession s(o);
  ASSERT_TRUE(s.SignIn());
  std::string name = "Y:/6/0/20161025/20011/1902050.V3";
  std::string expected = ExpectedSha(name);

  // 1. The gateway dropped the session (no poll for 2 minutes, restart): 100-006 -> sign in again.
  auto sign_ins = Stat("sign_ins");
  Control("kill-session", R"({"agent_id":"20011"})");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (ccrec::detail::Sha256Hex(Download(s, {name})) == expected) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(Stat("sign_ins") - sign_ins, 1);
  EXPECT_EQ(s.Stats().re_sign_ins, 1u);
  EXPECT_EQ(Stat("concurrent_sign_ins"), 0);

  // 2. Someone else signed the agent in: our Guid is dead, sign-in says 100-002 -> forcelogin (recovery).
  Control("kill-session", R"({"agent_id":"20011","mode":"elsewhere"})");
  EXPECT_EQ(ccrec::detail::Sha256Hex(Download(s, {name})), expected);
  EXPECT_EQ(s.Stats().force_logins, 1u);

  // 3. A stale Guid (rotated with no grace): 000-003 -> sign in again -> 100-002 -> forcelogin.
  Control("config", R"({"old_guid_grace_ms":0})");
  Control("rotate-guid", R"({"agent_id":"20011"})");
  EXPECT_EQ(ccrec::detail::Sha256Hex(Download(s, {name})), expected);
  EXPECT_EQ(s.Stats().re_sign_ins, 3u);
  EXPECT_GE(Stat("stale_guid_requests"), 1);
  ASSERT_TRUE(s.SignOut());
}

TEST_F(HuaweiIt, PollingKeepsTheSessionAliveAndWithoutItTheGatewaySignsTheAgentOut) {
  Control("config", R"({"session_timeout_seconds":1.0,"poll_hold_seconds":0.3})");
  ccrec::huawei::AgentSession s(SessionOptions());
  ASSERT_TRUE(s.SignIn());
  std::string name = "Y:/6/0/20161025/20011/1902050.V3";
  {
    ccrec::huawei::EventPollerOptions po;
    po.interval = std::chrono::milliseconds(50);
    ccrec::huawei::EventPoller poller(s, po);
    poller.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(1800));  // longer than the gateway's timeout
    EXPECT_EQ(Download(s, {name}).size(), 48000u);
    EXPECT_EQ(s.Stats().re_sign_ins, 0u);
    EXPECT_EQ(Stat("sessions_expired"), 0);
    EXPECT_GE(poller.Polls(), 3u);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // no poll: the gateway signs the agent out
  EXPECT_EQ(Download(s, {name}).size(), 48000u);                 // ... and ccrec signs in again once
  EXPECT_EQ(s.Stats().re_sign_ins, 1u);
  EXPECT_GE(Stat("sessions_expired"), 1);
  ASSERT_TRUE(s.SignOut());
}

TEST_F(HuaweiIt, EveryRetcodeBecomesAClearErrorWithItsVendorCode) {
  ccrec::huawei::AgentSession s(SessionOptions());
  ASSERT_TRUE(s.SignIn());
  auto codes = Control("retcodes");
  int checked = 0;
  for (auto const& m : codes.GetObject()) {
    std::string code = m.name.GetString();
    if (code == "0") continue;
    SCOPED_TRACE(code);
    ccrec::Error error;
    Download(s, {"Y:/magic/retcode-" + code + ".V3"}, &error);
    EXPECT_EQ(error.vendor_code, code);
    auto info = ccrec::huawei::LookupRetcode(code);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(error.code, info->error_code);
    EXPECT_NE(error.message.find("retcode " + code + " (" + std::string(info->meaning) + ")"), std::string::npos)
        << error.message;
    EXPECT_EQ(error.http_status, 200);
    ++checked;
  }
  EXPECT_EQ(checked, 23);
  // Pool mode: the locationId of the record event is mandatory and must match.
  Control("config", R"({"pool_mode":true})");
  ccrec::Error missing, wrong;
  Download(s, {"Y:/6/0/20161025/20011/1902050.V3"}, &missing);
  EXPECT_EQ(missing.vendor_code, "104-010");
  EXPECT_EQ(missing.code, ccrec::ErrorCode::kInvalidArgument);
  Download(s, {"Y:/6/0/20161025/20011/1902050.V3", 1, "255"}, &wrong);
  EXPECT_EQ(wrong.vendor_code, "104-005");
  EXPECT_EQ(wrong.code, ccrec::ErrorCode::kNotFound);
  EXPECT_EQ(Download(s, {"Y:/6/0/20161025/20011/1902050.V3", 1, "256"}).size(), 48000u);
  // Retryable codes are retried: two 000-004 then the file.
  Control("fail", R"({"endpoint":"download","retcode":"000-004","count":2})");
  EXPECT_EQ(Download(s, {"Y:/6/0/20161025/20011/1902050.V3", 1, "256"}).size(), 48000u);
  ASSERT_TRUE(s.SignOut());
}

// ---- CLI --------------------------------------------------------------------------------------------

TEST_F(HuaweiIt, CliExportsRecordIdsToADirectoryThenSkipsThemOnReRun) {
  TempDir out("ccrec-it-hw");
  std::string dest = out.Path() + "/archive";
  std::string manifest = out.Path() + "/m.jsonl";
  auto files = Control("files");
  std::vector<std::pair<std::string, std::string>> wanted;  // fileName, sha
  auto args = Cli(dest, manifest);
  for (auto const& f : files["files"].GetArray()) {
    if (f["filetype"].GetInt() != 1) continue;
    std::string name = f["fileName"].GetString();
    wanted.emplace_back(name, ExpectedSha(name));
    args.push_back("--record-id");
    args.push_back(name);
  }
  auto run = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::map<std::string, std::string> keys;  // fileName -> key
  for (auto const& l : ManifestLines(manifest)) {
    EXPECT_EQ(std::string(l["source"].GetString()), "huawei");
    EXPECT_EQ(std::string(l["status"].GetString()), "exported");
    keys[l["recording_id"].GetString()] = l["key"].GetString();
  }
  ASSERT_EQ(keys.size(), wanted.size());
  for (auto const& [name, sha] : wanted) {
    SCOPED_TRACE(name);
    std::string key = keys[name];
    EXPECT_EQ(key.rfind("huawei/", 0), 0u);
    EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(dest + "/" + key)), sha);
    auto sidecar = Json(ccrec_it::ReadFile(dest + "/" + key + ".json"));
    EXPECT_EQ(std::string(sidecar["file_name"].GetString()), name);
    EXPECT_EQ(std::string(sidecar["agent_id"].GetString()), "20011");
  }
  auto count = ccrec_it::RunProgram(
      {"/bin/sh", "-c", "find '" + dest + "' -path '*/.ccrec-meta' -prune -o -type f -print | wc -l"});
  EXPECT_EQ(std::stoul(count.out), wanted.size() * 2);
  EXPECT_EQ(run.LastLine().rfind("exported=" + std::to_string(wanted.size()) + " skipped=0 failed=0 pending=0", 0), 0u)
      << run.LastLine();
  EXPECT_EQ(Stat("active_sessions"), 0) << "not signed out";
  EXPECT_GE(Stat("sign_outs"), 1);

  auto downloads = Stat("downloads");
  auto again = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.LastLine().rfind("exported=0 skipped=" + std::to_string(wanted.size()), 0), 0u) << again.LastLine();
  EXPECT_EQ(Stat("downloads"), downloads) << "re-run downloaded again";
}

TEST_F(HuaweiIt, CliItemErrorsExitThreeWithTheVendorCodeInTheManifest) {
  TempDir out("ccrec-it-hw");
  std::string manifest = out.Path() + "/m.jsonl";
  auto args = Cli(out.Path() + "/d", manifest);
  for (char const* id : {"Y:/6/0/20161025/20011/1902050.V3", "Y:/no/such/file.V3", "Y:/magic/retcode-104-001.V3"}) {
    args.push_back("--record-id");
    args.push_back(id);
  }
  auto run = ccrec_it::RunProgram(args, Env());
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.LastLine().rfind("exported=1 skipped=0 failed=2", 0), 0u) << run.LastLine();
  std::map<std::string, std::string> errors;
  for (auto const& l : ManifestLines(manifest)) errors[l["recording_id"].GetString()] = l["error"].GetString();
  EXPECT_NE(errors["Y:/no/such/file.V3"].find("vendor 104-005"), std::string::npos) << errors["Y:/no/such/file.V3"];
  EXPECT_NE(errors["Y:/magic/retcode-104-001.V3"].find("vendor 104-001"), std::string::npos);
  EXPECT_NE(errors["Y:/magic/retcode-104-001.V3"].find("recording download function not enabled"), std::string::npos);
  EXPECT_EQ(Stat("active_sessions"), 0);
}

TEST_F(HuaweiIt, CliSinceLastRunRetriesTheFailedRecordingOnceAndExportsEachExactlyOnce) {
  TempDir out("ccrec-it-hw");
  std::string const manifest = out.Path() + "/m.jsonl";
  std::string const dest = out.Path() + "/d";
  std::vector<std::string> const ids = {"Y:/6/0/20161025/20011/1902050.V3", "y:/1/0/20181217/120/1524488.V3"};
  auto base = Cli(dest, manifest);
  auto listed = base;
  for (auto const& id : ids) {
    listed.push_back("--record-id");
    listed.push_back(id);
  }
  listed.push_back("--since-last-run");
  // The first download fails with "unknown file" (104-005, not retried within the run).
  Control("fail", R"({"endpoint":"download","retcode":"104-005","count":1})");
  auto downloads = Stat("downloads");
  auto first = ccrec_it::RunProgram(listed, Env());
  EXPECT_EQ(first.exit_code, 3) << first.err;
  EXPECT_EQ(first.LastLine().rfind("exported=1 skipped=0 failed=1", 0), 0u) << first.LastLine();
  std::string failed;
  for (auto const& l : ManifestLines(manifest)) {
    if (std::string(l["status"].GetString()) == "failed") failed = l["recording_id"].GetString();
  }
  ASSERT_FALSE(failed.empty());

  // The same batch again: the exported one is skipped, the failed one retried, nothing twice.
  auto second = ccrec_it::RunProgram(listed, Env());
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.LastLine().rfind("exported=1 skipped=1 failed=0 pending=0", 0), 0u) << second.LastLine();
  // --since-last-run alone: nothing is left unfinished, nothing is downloaded.
  auto since = base;
  since.push_back("--since-last-run");
  auto third = ccrec_it::RunProgram(since, Env());
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.LastLine().rfind("exported=0 skipped=0 failed=0 pending=0", 0), 0u) << third.LastLine();
  EXPECT_EQ(Stat("downloads") - downloads, 3) << "one failed, then each recording exactly once";
  std::map<std::string, int> exported;
  for (auto const& l : ManifestLines(manifest)) {
    if (std::string(l["status"].GetString()) == "exported") ++exported[l["recording_id"].GetString()];
  }
  EXPECT_EQ(exported, (std::map<std::string, int>{{ids[0], 1}, {ids[1], 1}}));

  // Without --manifest there is no checkpoint: a usage error.
  auto no_manifest = std::vector<std::string>(base.begin(), base.end() - 4);  // drop --manifest M --progress off
  no_manifest.push_back("--since-last-run");
  auto refused = ccrec_it::RunProgram(no_manifest, Env());
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("--since-last-run needs --manifest"), std::string::npos) << refused.err;
  EXPECT_EQ(Stat("active_sessions"), 0);
}

TEST_F(HuaweiIt, CliWatchExportsAnnouncedRecordingsAndSignsOut) {
  Control("record", R"({"agent_id":"20011","size":7000,"delay_ms":300,"index":0})");
  Control("record", R"({"agent_id":"20011","size":9000,"delay_ms":700,"index":1,"fileName":"Y:/1/0/20261101/20011/a b+c.V3"})");
  TempDir out("ccrec-it-hw");
  std::string manifest = out.Path() + "/w.jsonl";
  auto args = Cli(out.Path() + "/w", manifest);
  args.insert(args.end(), {"--watch", "2500ms", "--log-level", "info"});
  auto sign_outs = Stat("sign_outs");
  auto run = ccrec_it::RunProgram(args, Env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.LastLine().rfind("exported=2 skipped=0 failed=0 pending=0", 0), 0u) << run.LastLine() << run.err;
  for (auto const& l : ManifestLines(manifest)) {
    std::string name = l["recording_id"].GetString();
    EXPECT_EQ(std::string(l["sha256"].GetString()), ExpectedSha(name)) << name;
    EXPECT_FALSE(std::string(l["task_id"].GetString()).empty()) << "callId missing";
    auto sidecar = Json(ccrec_it::ReadFile(out.Path() + "/w/" + l["key"].GetString() + ".json"));
    EXPECT_TRUE(sidecar["stop_record_seen"].GetBool());
    EXPECT_TRUE(sidecar["event"].IsObject());
  }
  EXPECT_EQ(Stat("sign_outs") - sign_outs, 1);
  EXPECT_EQ(Stat("active_sessions"), 0);
  EXPECT_GE(Stat("polls"), 2);
  EXPECT_EQ(run.err.find("70006"), std::string::npos) << "caller number logged";
}

/// Starts a program in the background; returns its pid (stdout/stderr to files).
pid_t Spawn(std::vector<std::string> const& argv, std::map<std::string, std::string> const& env,
            std::string const& out, std::string const& err) {
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
  for (auto const& [k, v] : env) env_storage.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  std::vector<std::string> argv_storage = argv;
  for (auto& a : argv_storage) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env_storage) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(o, STDOUT_FILENO);
    dup2(e, STDERR_FILENO);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  return pid;
}

TEST_F(HuaweiIt, CliSigintDuringAWatchStillSignsOut) {
  TempDir out("ccrec-it-hw");
  auto args = Cli(out.Path() + "/s", out.Path() + "/s.jsonl");
  args.insert(args.end(), {"--watch", "60s"});
  auto sign_outs = Stat("sign_outs");
  auto polls = Stat("polls");
  pid_t pid = Spawn(args, Env(), out.Path() + "/out.txt", out.Path() + "/err.txt");
  ASSERT_GT(pid, 0);
  struct Reaper {  // never leave the child behind when an assertion fails
    pid_t pid;
    ~Reaper() {
      int st = 0;
      if (waitpid(pid, &st, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
      }
    }
  } reaper{pid};
  auto deadline = Clock::now() + std::chrono::seconds(15);
  while (Stat("polls") < polls + 1 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(Stat("active_sessions"), 1);
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  deadline = Clock::now() + std::chrono::seconds(15);
  while (waitpid(pid, &status, WNOHANG) == 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (Clock::now() >= deadline) FAIL() << "ccrec-export did not stop after SIGINT";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << "128 + SIGINT, after the clean stop";
  std::string err = ccrec_it::ReadFile(out.Path() + "/err.txt");
  EXPECT_NE(err.find("SIGINT"), std::string::npos) << err;
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  EXPECT_EQ(Stat("sign_outs") - sign_outs, 1) << err;
  EXPECT_EQ(Stat("active_sessions"), 0);
  std::string stdout_text = ccrec_it::ReadFile(out.Path() + "/out.txt");
  EXPECT_NE(stdout_text.find("exported=0 skipped=0 failed=0 pending=0 bytes=0"), std::string::npos) << stdout_text;
}

TEST_F(HuaweiIt, CliUsageErrorsExitTwoAndTouchNothing) {
  TempDir out("ccrec-it-hw");
  std::string dest = out.Path() + "/never";
  std::string manifest = out.Path() + "/never.jsonl";
  auto base = Cli(dest, manifest);
  std::vector<std::vector<std::string>> extra = {
      {"--record-id", "Y:/a.V3", "--watch", "10s"},
      {},
      {"--record-id", "Y:/a.V3", "--file-type", "3"},
      {"--watch", "soon"},
      {"--watch", "0s"},
      {"--record-id", "Y:/a.V3", "--location-id", "node-1"},
      {"--record-id", ""},
      {"--record-id", "Y:/a.V3", "--concurrency", "0"},
      {"--record-id", "Y:/a.V3", "--key-template", "{bogus}"},
      {"--record-id", "Y:/a.V3", "--max-recording-duration", "4 hours"},
      {"--record-id", "Y:/a.V3", "--max-recording-duration", "8d"},
      {"--record-id", "Y:/a.V3", "--end-drain-limit", "2h"},
      {"--record-id", "Y:/a.V3", "--end-drain-limit", "soon"},
  };
  auto sign_in_requests = [] {
    auto stats = Control("stats");
    return stats["requests"].HasMember("signin") ? stats["requests"]["signin"].GetInt64() : 0;
  };
  auto sign_ins = Stat("sign_ins");
  auto requests = sign_in_requests();
  for (auto const& e : extra) {
    auto args = base;
    args.insert(args.end(), e.begin(), e.end());
    auto run = ccrec_it::RunProgram(args, Env());
    EXPECT_EQ(run.exit_code, 2) << (e.empty() ? "(no mode)" : e[0] + " " + e[1]) << ": " << run.err;
    EXPECT_NE(run.err.find("error"), std::string::npos) << run.err;
  }
  auto no_password = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "huawei", "--gateway-url", gw_->Get("gateway_url"),
                                           "--agent-id", "20011", "--phone", "70006", "--dest", dest,
                                           "--record-id", "Y:/a.V3"},
                                          {{"CCREC_HUAWEI_PASSWORD", "\x01unset"}});
  EXPECT_EQ(no_password.exit_code, 2);
  EXPECT_NE(no_password.err.find("CCREC_HUAWEI_PASSWORD"), std::string::npos) << no_password.err;
  auto no_phone = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "huawei", "--gateway-url", gw_->Get("gateway_url"),
                                        "--agent-id", "20011", "--dest", dest, "--record-id", "Y:/a.V3"},
                                       Env());
  EXPECT_EQ(no_phone.exit_code, 2);
  EXPECT_EQ(Stat("sign_ins"), sign_ins) << "a usage error signed in";
  EXPECT_EQ(sign_in_requests(), requests) << "a usage error sent a sign-in";
  EXPECT_FALSE(Exists(dest));
  EXPECT_FALSE(Exists(manifest));
}

TEST_F(HuaweiIt, CliWrongPasswordExitsOneWithAClearMessage) {
  TempDir out("ccrec-it-hw");
  auto args = Cli(out.Path() + "/d", out.Path() + "/m.jsonl");
  args.insert(args.end(), {"--record-id", "Y:/6/0/20161025/20011/1902050.V3"});
  auto run = ccrec_it::RunProgram(args, {{"CCREC_HUAWEI_PASSWORD", "not-the-Pa55word"}});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("100-004"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("wrong user name or password"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("not-the-Pa55word"), std::string::npos) << "password printed";
  EXPECT_EQ(run.LastLine(), "exported=0 skipped=0 failed=0 pending=0 bytes=0");
}

TEST_F(HuaweiIt, CliAlreadySignedInNeedsForceLogin) {
  Control("kill-session", R"({"agent_id":"20011","mode":"elsewhere"})");
  TempDir out("ccrec-it-hw");
  auto args = Cli(out.Path() + "/d", out.Path() + "/m.jsonl");
  args.insert(args.end(), {"--record-id", "Y:/6/0/20161025/20011/1902050.V3"});
  auto run = ccrec_it::RunProgram(args, Env());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("100-002"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--force-login"), std::string::npos) << run.err;
  args.push_back("--force-login");
  auto forced = ccrec_it::RunProgram(args, Env());
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(Stat("force_logins"), 1);
}

TEST_F(HuaweiIt, CliTlsVerificationFailureSendsNothing) {
  TempDir out("ccrec-it-hw");
  auto args = Cli(out.Path() + "/d", out.Path() + "/m.jsonl");
  auto ca = std::find(args.begin(), args.end(), "--ca-file");
  args.erase(ca, ca + 2);
  args.insert(args.end(), {"--record-id", "Y:/6/0/20161025/20011/1902050.V3"});
  auto failures = Stat("tls_handshake_failures");
  auto run = ccrec_it::RunProgram(args, Env());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("certificate"), std::string::npos) << run.err;
  EXPECT_GE(Stat("tls_handshake_failures"), failures + 1);
  EXPECT_EQ(Stat("sign_ins"), 0);
  EXPECT_EQ(Control("stats")["requests"].HasMember("signin"), false) << "a request got through";
  EXPECT_EQ(ccrec_it::ReadFile(out.Path() + "/m.jsonl").find("exported\""), std::string::npos);
}

TEST_F(HuaweiIt, CliLargeFileWarnsAndExportsToS3) {
  if (!Exists(std::string(CCREC_EMULATOR_DIR) + "/s3_server.py")) GTEST_SKIP() << "tests/emulators/s3_server.py missing";
  std::unique_ptr<ServerProcess> s3;
  try {
    s3 = ServerProcess::Start("s3_server.py", {"--bucket", "recordings"});
  } catch (std::exception const& e) {
    GTEST_SKIP() << "S3 server did not start: " << e.what();
  }
  Control("config", R"({"large_file_bytes":31500000})");
  TempDir out("ccrec-it-hw");
  std::string large = gw_->Get("large_file");
  auto args = Cli("s3://" + s3->Get("bucket") + "/hw", out.Path() + "/m.jsonl");
  args.insert(args.end(), {"--s3-endpoint", s3->Get("endpoint"), "--record-id", large, "--record-id",
                           "Y:/1/0/20261101/20011/a b&c+d#e%f?g=h;i,j.V3"});
  auto env = Env();
  env["AWS_ACCESS_KEY_ID"] = s3->Get("access_key");
  env["AWS_SECRET_ACCESS_KEY"] = s3->Get("secret_key");
  env["AWS_SESSION_TOKEN"] = "\x01unset";
  env["AWS_REGION"] = "us-east-1";
  auto run = ccrec_it::RunProgram(args, env);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("advises against downloading files over 30 MB"), std::string::npos) << run.err;
  auto list = ccrec_it::RunProgram({CCREC_PYTHON, std::string(CCREC_EMULATOR_DIR) + "/s3_inspect.py", "--endpoint",
                                    s3->Get("endpoint"), "--access-key", s3->Get("access_key"), "--secret-key",
                                    s3->Get("secret_key"), "--bucket", s3->Get("bucket")});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto bucket = Json(list.out);
  std::map<std::string, std::string> shas;
  for (auto const& m : bucket["objects"].GetObject()) shas[m.name.GetString()] = m.value["sha256"].GetString();
  int recordings = 0;
  for (auto const& l : ManifestLines(out.Path() + "/m.jsonl")) {
    std::string key = std::string("hw/") + l["key"].GetString();
    ASSERT_TRUE(shas.count(key)) << key;
    EXPECT_EQ(shas[key], ExpectedSha(l["recording_id"].GetString()));
    EXPECT_TRUE(shas.count(key + ".json"));
    ++recordings;
  }
  EXPECT_EQ(recordings, 2);
  EXPECT_EQ(Stat("large_downloads"), 1);
}

}  // namespace
