// SPDX-License-Identifier: Apache-2.0
// Integration: `ccrec-export webex-legacy` against the v1 emulator (tests/emulators/webex_legacy.py,
// HTTPS with a throwaway CA) on 127.0.0.1: directory and S3 exports, re-runs, errors and exit codes,
// manifests in use, SIGTERM, secrets from files, settings precedence, --since-last-run.
#include "integration/webex_legacy/webex_legacy_it.hpp"

#include <ccrec/exporter/manifest.hpp>
#include <ccrec/sinks/filesystem_sink.hpp>
#include <ccrec/transport/curl.hpp>
#include <ccrec/webex_legacy/client.hpp>
#include <ccrec/webex_legacy/csv.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace webex_legacy_it {
namespace {

// --- ccrec-export webex-legacy -------------------------------------------------------------------

TEST_F(WebexLegacyTest, CliExportsToADirectoryAndReRunsDuplicateNothing) {
  TempDir dir("ccrec-it-legacy");
  std::string dest = dir / "out";
  std::string manifest = dir / "manifest.jsonl";
  auto run1 = ccrec_it::RunProgram(CliArgs(dest, {"--manifest", manifest}), KeyEnv());
  ASSERT_EQ(run1.exit_code, 0) << run1.err << run1.out;
  EXPECT_EQ(run1.err.find(emu_->Get("api_key")), std::string::npos);

  auto files = Files(dest);
  std::uint64_t bytes = 0;
  std::set<std::string> sids;
  std::size_t records = 0;
  for (auto const& [path, content] : files) {
    EXPECT_EQ(path.rfind("webex-legacy/csrs/", 0), 0u) << path;
    EXPECT_EQ(path.substr(path.size() - 6), ".jsonl") << path;
    EXPECT_EQ(fs::path(path).filename().string().front() == '.', false) << "temporary file left: " << path;
    bytes += content.size();
    for (auto const& line : Lines(content)) {
      auto doc = Json(line);
      ASSERT_TRUE(doc.IsObject());
      EXPECT_TRUE(sids.insert(doc["sid"].GetString()).second) << "duplicate record";
      ++records;
    }
  }
  EXPECT_EQ(sids, TruthIds("csrs", kDayStart, kDayEnd));
  EXPECT_GT(files.size(), 24u) << "the dense hour was split into several windows";
  EXPECT_EQ(run1.LastLine(), "exported=" + std::to_string(files.size()) + " skipped=0 failed=0 pending=0 bytes=" +
                                 std::to_string(bytes));

  // One manifest line per object, with bytes and sha256.
  auto lines = Lines(ccrec_it::ReadFile(manifest));
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.front().find("\"ccrec_manifest\":1"), std::string::npos) << "the header comes first";
  lines.erase(lines.begin());
  ASSERT_EQ(lines.size(), files.size());
  for (auto const& line : lines) {
    auto doc = Json(line);
    EXPECT_STREQ(doc["source"].GetString(), "webex-legacy");
    EXPECT_STREQ(doc["status"].GetString(), "exported");
    std::string key = doc["key"].GetString();
    ASSERT_TRUE(files.count(key)) << key;
    EXPECT_EQ(doc["bytes"].GetUint64(), files[key].size());
    EXPECT_EQ(std::string(doc["sha256"].GetString()), ccrec_it::Sha256Hex(files[key]));
  }

  // Re-run with the manifest: nothing fetched again, nothing duplicated.
  ccrec_it::HttpPost(emu_->Get("base_url") + "/_emulator/reset-stats", "{}", "application/json", emu_->Get("ca_file"));
  auto run2 = ccrec_it::RunProgram(CliArgs(dest, {"--manifest", manifest}), KeyEnv());
  ASSERT_EQ(run2.exit_code, 0) << run2.err;
  EXPECT_EQ(run2.LastLine(), "exported=0 skipped=" + std::to_string(files.size()) + " failed=0 pending=0 bytes=0");
  EXPECT_EQ(Control("/_emulator/stats")["requests"].HasMember("list"), false) << "no query was sent";
  EXPECT_EQ(Files(dest), files);

  // Re-run without a manifest: the destination is asked (Stat) and nothing is duplicated.
  auto run3 = ccrec_it::RunProgram(CliArgs(dest), KeyEnv());
  ASSERT_EQ(run3.exit_code, 0) << run3.err;
  EXPECT_EQ(run3.LastLine(), "exported=0 skipped=" + std::to_string(files.size()) + " failed=0 pending=0 bytes=0");
  EXPECT_EQ(Files(dest), files);
}

TEST_F(WebexLegacyTest, CliCsvWithApiKeyFlag) {
  TempDir dir("ccrec-it-legacy-csv");
  std::string dest = dir / "out";
  auto args = CliArgs("file://" + dest, {"--format", "csv", "--api-key", emu_->Get("api_key"), "--record-type",
                                         "cars", "--to", "2026-11-01T12:00:00Z"});
  auto run = ccrec_it::RunProgram(args, {{"CCREC_WEBEX_API_KEY", "\x01unset"}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::set<std::string> ids;
  for (auto const& [path, content] : Files(dest)) {
    EXPECT_EQ(path.substr(path.size() - 4), ".csv") << path;
    auto table = legacy::ParseCsv(content);
    ASSERT_TRUE(table) << path << ": " << table.error().ToString();
    auto id = table->ColumnIndex("id");
    ASSERT_TRUE(id);
    for (auto const& row : table->rows) EXPECT_TRUE(ids.insert(row[*id]).second) << "duplicate " << row[*id];
  }
  EXPECT_EQ(ids, TruthIds("cars", kDayStart, kDayStart + 12 * 3600000));
}

TEST_F(WebexLegacyTest, CliWrongKeyExitsOneAndWritesNothing) {
  TempDir dir("ccrec-it-legacy-401");
  std::string dest = dir / "out";
  auto run = ccrec_it::RunProgram(CliArgs(dest), {{"CCREC_WEBEX_API_KEY", "wrong-key-value"}});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("401"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("API key"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("wrong-key-value"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("wrong-key-value"), std::string::npos);
  EXPECT_TRUE(Files(dest).empty());
  // The run stops at the first 401: no window failed, those not finished are left pending.
  EXPECT_EQ(run.LastLine().rfind("exported=0 skipped=0 failed=0 pending=", 0), 0u) << run.LastLine();
  EXPECT_NE(run.LastLine().find(" bytes=0"), std::string::npos) << run.LastLine();
}

TEST_F(WebexLegacyTest, CliMalformedResponsesAndUnsplittableMillisecondFailWindows) {
  TempDir dir("ccrec-it-legacy-fail");
  Config(R"({"ms_cluster_size":1001})");
  std::string dest = dir / "out";
  std::string manifest = dir / "m.jsonl";
  auto run = ccrec_it::RunProgram(
      CliArgs(dest, {"--manifest", manifest, "--from", "2026-11-01T11:00:00Z", "--to", "2026-11-01T13:00:00Z"}),
      KeyEnv());
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.LastLine().find("failed=1 "), std::string::npos) << run.LastLine();
  bool failed_line = false;
  for (auto const& line : Lines(ccrec_it::ReadFile(manifest))) {
    auto doc = Json(line);
    if (!doc.HasMember("status") || std::string(doc["status"].GetString()) != "failed") continue;
    failed_line = true;
    EXPECT_STREQ(doc["recording_id"].GetString(), "1793534400000-1793534400001");
    EXPECT_NE(std::string(doc["error"].GetString()).find("cannot be exported completely"), std::string::npos);
  }
  EXPECT_TRUE(failed_line);
  for (auto const& [path, content] : Files(dest)) {
    EXPECT_EQ(path.find("20261101T120000.000Z-20261101T120000.001Z"), std::string::npos) << "no partial window";
  }

  Config(R"({"ms_cluster_size":7,"malformed_json":true})");
  TempDir dir2("ccrec-it-legacy-malformed");
  auto bad = ccrec_it::RunProgram(CliArgs(dir2 / "out", {"--to", "2026-11-01T02:00:00Z"}), KeyEnv());
  EXPECT_EQ(bad.exit_code, 3) << bad.err;
  EXPECT_EQ(bad.LastLine(), "exported=0 skipped=0 failed=2 pending=0 bytes=0");
  EXPECT_NE(bad.err.find("not valid JSON"), std::string::npos) << bad.err;
  EXPECT_TRUE(Files(dir2 / "out").empty());
}

// A CSV answer without a header row (emulator knob csv_header): every window fails with the
// reason and no record value, nothing is stored, and the run exits non-zero. Before, each window
// lost its first record and the full ones (the 10:00 burst) looked complete, with exit 0.
TEST_F(WebexLegacyTest, CliHeaderlessCsvFailsEveryWindowAndStoresNothing) {
  Config(R"({"csv_header":false})");
  TempDir dir("ccrec-it-legacy-headerless");
  std::string dest = dir / "out";
  std::string manifest = dir / "m.jsonl";
  auto run = ccrec_it::RunProgram(CliArgs(dest, {"--format", "csv", "--manifest", manifest, "--from",
                                                 "2026-11-01T09:00:00Z", "--to", "2026-11-01T11:00:00Z"}),
                                  KeyEnv());
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.LastLine(), "exported=0 skipped=0 failed=2 pending=0 bytes=0");
  EXPECT_NE(run.err.find("the CSV answer has no header row"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--format json"), std::string::npos) << run.err;
  EXPECT_TRUE(Files(dest).empty());
  std::string const lines = ccrec_it::ReadFile(manifest);
  for (auto const& line : Lines(lines)) {
    auto doc = Json(line);
    if (!doc.HasMember("status")) continue;
    EXPECT_STREQ(doc["status"].GetString(), "failed") << line;
    EXPECT_NE(std::string(doc["error"].GetString()).find("(CSV) for ["), std::string::npos) << line;
  }
  for (auto const& id : TruthIds("csrs", kDayStart + 9 * 3600000, kDayStart + 11 * 3600000)) {
    ASSERT_EQ(run.err.find(id), std::string::npos) << "a record value in the log: " << id;
    ASSERT_EQ(lines.find(id), std::string::npos) << "a record value in the manifest: " << id;
  }
}

// Issue 14 item 4: a second run on a manifest that a run holds exits 2 at once, writing nothing.
TEST_F(WebexLegacyTest, CliRunOnAManifestInUseExitsTwo) {
  TempDir dir("ccrec-it-legacy-locked");
  std::string manifest = dir / "m.jsonl";
  auto held = ccrec::exporter::Manifest::Open(manifest);
  ASSERT_TRUE(held) << held.error().ToString();
  auto run = ccrec_it::RunProgram(CliArgs(dir / "out", {"--manifest", manifest}), KeyEnv());
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("in use by another run"), std::string::npos) << run.err;
  EXPECT_TRUE(Files(dir / "out").empty());
  held->reset();
  auto free = ccrec_it::RunProgram(CliArgs(dir / "out", {"--manifest", manifest, "--to", "2026-11-01T01:00:00Z"}),
                                   KeyEnv());
  EXPECT_EQ(free.exit_code, 0) << free.err;
}

// Issue 14 item 4: SIGTERM (a service manager stopping the job) ends the run cleanly with 143.
TEST_F(WebexLegacyTest, CliSigtermStopsCleanlyWithStatus143) {
  TempDir dir("ccrec-it-legacy-sigterm");
  Config(R"({"latency_ms":400})");
  auto args = CliArgs(dir / "out", {"--manifest", dir / "m.jsonl", "--concurrency", "1"});
  args.insert(args.begin(), {"/usr/bin/timeout", "--preserve-status", "-s", "TERM", "2"});
  auto run = ccrec_it::RunProgram(args, KeyEnv());
  Config(R"({"latency_ms":0})");
  EXPECT_EQ(run.exit_code, 143) << run.err;
  EXPECT_NE(run.err.find("interrupted"), std::string::npos) << run.err;
  for (auto const& [path, content] : Files(dir / "out")) {
    EXPECT_EQ(path.find("ccrec-tmp"), std::string::npos) << "temporary file left behind: " << path;
  }
  for (auto const& line : ccrec_it::ManifestRecordLines(dir / "m.jsonl")) {
    EXPECT_TRUE(Json(line).IsObject()) << "a torn line: " << line;
  }
}

// Issue 14 item 4: secrets from files (--api-key-file, systemd's $CREDENTIALS_DIRECTORY), for
// unattended runs that keep keys out of flags and the environment.
TEST_F(WebexLegacyTest, CliApiKeyFromAFileOrTheCredentialsDirectory) {
  TempDir dir("ccrec-it-legacy-secret-file");
  std::string key_file = dir / "api-key.txt";
  {
    std::ofstream out(key_file);
    out << KeyEnv().at("CCREC_WEBEX_API_KEY") << "\n";  // editors add a line break: dropped
  }
  ASSERT_EQ(::chmod(key_file.c_str(), 0600), 0);
  std::map<std::string, std::string> no_env{{"CCREC_WEBEX_API_KEY", "\x01unset"}, {"CREDENTIALS_DIRECTORY", "\x01unset"}};
  auto short_range = std::vector<std::string>{"--to", "2026-11-01T01:00:00Z"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), short_range.begin(), short_range.end());
    return extra;
  };
  auto from_file = ccrec_it::RunProgram(CliArgs(dir / "a", with({"--api-key-file", key_file})), no_env);
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;

  fs::create_directories(dir / "creds");
  fs::copy_file(key_file, (dir / "creds") + "/api-key");
  auto creds_env = no_env;
  creds_env["CREDENTIALS_DIRECTORY"] = dir / "creds";
  auto from_dir = ccrec_it::RunProgram(CliArgs(dir / "b", with({})), creds_env);
  EXPECT_EQ(from_dir.exit_code, 0) << from_dir.err;

  auto both = ccrec_it::RunProgram(CliArgs(dir / "c", with({"--api-key", "x", "--api-key-file", key_file})), no_env);
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_NE(both.err.find("--api-key and --api-key-file"), std::string::npos) << both.err;
  auto missing = ccrec_it::RunProgram(CliArgs(dir / "d", with({"--api-key-file", dir / "nope"})), no_env);
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("--api-key-file: cannot read"), std::string::npos) << missing.err;
  std::ofstream(dir / "empty").close();
  auto empty = ccrec_it::RunProgram(CliArgs(dir / "e", with({"--api-key-file", dir / "empty"})), no_env);
  EXPECT_EQ(empty.exit_code, 2) << empty.err;
  EXPECT_NE(empty.err.find("is empty"), std::string::npos) << empty.err;
  ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
  auto readable = ccrec_it::RunProgram(CliArgs(dir / "f", with({"--api-key-file", key_file})), no_env);
  EXPECT_EQ(readable.exit_code, 0) << readable.err;
  EXPECT_NE(readable.err.find("can be read by other users"), std::string::npos) << readable.err;
  auto none = ccrec_it::RunProgram(CliArgs(dir / "g", with({})), no_env);
  EXPECT_EQ(none.exit_code, 2) << none.err;
  EXPECT_NE(none.err.find("$CREDENTIALS_DIRECTORY/api-key"), std::string::npos) << none.err;
  for (auto const* run : {&from_file, &from_dir, &both, &missing, &empty, &readable, &none}) {
    EXPECT_EQ(run->err.find(KeyEnv().at("CCREC_WEBEX_API_KEY")), std::string::npos) << "the key leaked: " << run->err;
  }
}

// Issue 14 item 4: flags from a config file and CCREC_* variables; flag > environment > file >
// default. Observed through the dry run's planned windows over one hour (--window decides them).
TEST_F(WebexLegacyTest, CliSettingsPrecedenceFlagEnvironmentFileDefault) {
  TempDir dir("ccrec-it-legacy-config");
  std::string config = dir / "ccrec-export.toml";
  {
    std::ofstream out(config);
    out << "# ccrec-export settings\n[webex-legacy]\nwindow = \"20m\"\nrecord-type = \"cars\"\n";
  }
  auto windows = [&](std::vector<std::string> extra, std::map<std::string, std::string> env) {
    extra.insert(extra.end(), {"--from", "2026-11-01T00:00:00Z", "--to", "2026-11-01T01:00:00Z", "--dry-run"});
    auto args = CliArgs(dir / "out", extra, {"--record-type"});
    env["XDG_CONFIG_HOME"] = dir / "no-such-dir";
    env["HOME"] = dir / "no-such-home";
    auto run = ccrec_it::RunProgram(args, env);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::size_t n = 0;
    for (std::size_t pos = run.out.find("would export window"); pos != std::string::npos;
         pos = run.out.find("would export window", pos + 1)) {
      ++n;
      EXPECT_NE(run.out.find("webex-legacy/cars/", pos), std::string::npos) << "the record type from the file";
    }
    return n;
  };
  auto env = KeyEnv();
  EXPECT_EQ(windows({"--config", config}, env), 3u) << "20m from the file";
  auto with_env = env;
  with_env["CCREC_WINDOW"] = "30m";
  EXPECT_EQ(windows({"--config", config}, with_env), 2u) << "the environment over the file";
  EXPECT_EQ(windows({"--config", config, "--window", "15m"}, with_env), 4u) << "the flag over both";
  // The default config file location ($XDG_CONFIG_HOME/ccrec/ccrec-export.toml).
  fs::create_directories((dir / "xdg") + "/ccrec");
  fs::copy_file(config, (dir / "xdg") + "/ccrec/ccrec-export.toml");
  auto args = CliArgs(dir / "out", {"--from", "2026-11-01T00:00:00Z", "--to", "2026-11-01T01:00:00Z", "--dry-run"},
                      {"--record-type"});
  auto xdg_env = env;
  xdg_env["XDG_CONFIG_HOME"] = dir / "xdg";
  auto run = ccrec_it::RunProgram(args, xdg_env);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("webex-legacy/cars/"), std::string::npos) << run.out;
  // A config file with an unknown key is a usage error.
  {
    std::ofstream out(config, std::ios::app);
    out << "frobnicate = 1\n";
  }
  auto bad = ccrec_it::RunProgram(CliArgs(dir / "out", {"--config", config, "--dry-run"}), env);
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

// Issue 14 item 4: --since-last-run for webex-legacy: the first run writes a checkpoint at its
// range's end (nothing failed), the next run starts there.
TEST_F(WebexLegacyTest, CliSinceLastRunContinuesFromTheCheckpoint) {
  TempDir dir("ccrec-it-legacy-since");
  std::string manifest = dir / "m.jsonl";
  auto first = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-01T02:00:00Z"}),
      KeyEnv());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto checkpoint = Json(ccrec_it::ReadFile(manifest + ".checkpoint.json"));
  ASSERT_TRUE(checkpoint.IsObject());
  EXPECT_STREQ(checkpoint["source"].GetString(), "webex-legacy/csrs/json") << "the stream: record type and format";
  EXPECT_NE(std::string(checkpoint["next_from"].GetString()).find("2026-11-01T02:00:00"), std::string::npos);
  auto next = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--since-last-run", "--to", "2026-11-01T03:00:00Z"}, {"--from"}),
      KeyEnv());
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(next.LastLine().rfind("exported=1 skipped=0 failed=0 ", 0), 0u) << "only [02:00, 03:00): " << next.LastLine();
  auto again = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--since-last-run", "--to", "2026-11-01T03:00:00Z"}, {"--from"}),
      KeyEnv());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("nothing to do"), std::string::npos) << again.err;
  auto mixed = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--since-last-run", "--from", "2026-11-01T00:00:00Z"}), KeyEnv());
  EXPECT_EQ(mixed.exit_code, 2) << "--from with an existing checkpoint: " << mixed.err;
}

// One manifest may hold the windows of several record types and formats, but it has one
// checkpoint: a run of another stream must not read (and then move) it, which would skip that
// stream's range with exit 0. It exits 2 naming both streams and writes nothing.
TEST_F(WebexLegacyTest, CliSinceLastRunRefusesTheCheckpointOfAnotherRecordTypeOrFormat) {
  TempDir dir("ccrec-it-legacy-since-streams");
  std::string manifest = dir / "m.jsonl";
  auto csrs = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-01T02:00:00Z"}),
      KeyEnv());
  ASSERT_EQ(csrs.exit_code, 0) << csrs.err;
  std::string const checkpoint_path = manifest + ".checkpoint.json";
  std::string const checkpoint_before = ccrec_it::ReadFile(checkpoint_path);
  std::string const manifest_before = ccrec_it::ReadFile(manifest);
  auto const files_before = Files(dir / "out");
  EXPECT_NE(checkpoint_before.find("\"webex-legacy/csrs/json\""), std::string::npos) << checkpoint_before;

  std::vector<std::vector<std::string>> other_streams{{"--record-type", "cars"}, {"--format", "csv"}};
  std::vector<std::string> names{"webex-legacy/cars/json", "webex-legacy/csrs/csv"};
  for (std::size_t i = 0; i < other_streams.size(); ++i) {
    auto extra = other_streams[i];
    extra.insert(extra.end(), {"--manifest", manifest, "--since-last-run", "--to", "2026-11-01T03:00:00Z"});
    // The same --dest: a manifest is bound to its destination, and streams share one only there.
    auto other = ccrec_it::RunProgram(CliArgs(dir / "out", extra, {"--from"}), KeyEnv());
    EXPECT_EQ(other.exit_code, 2) << names[i] << ": " << other.err;
    EXPECT_NE(other.err.find("\"webex-legacy/csrs/json\""), std::string::npos) << other.err;
    EXPECT_NE(other.err.find("\"" + names[i] + "\""), std::string::npos) << other.err;
    EXPECT_NE(other.err.find("one --manifest per record type and format"), std::string::npos) << other.err;
    EXPECT_EQ(Files(dir / "out"), files_before) << names[i] << " wrote objects";
    EXPECT_EQ(ccrec_it::ReadFile(checkpoint_path), checkpoint_before) << "the checkpoint did not move";
    EXPECT_EQ(ccrec_it::ReadFile(manifest), manifest_before) << "no manifest line";
  }
}

// A checkpoint written before the stream was named ("webex-legacy") is still taken, with a warning
// that this one run cannot tell which stream wrote it, and rewritten with the stream's name; from
// then on another stream's run on that manifest is refused.
TEST_F(WebexLegacyTest, CliSinceLastRunTakesAnOlderUnnamedCheckpointAndNamesIt) {
  TempDir dir("ccrec-it-legacy-since-older");
  std::string manifest = dir / "m.jsonl";
  {
    std::ofstream out(manifest + ".checkpoint.json");
    out << R"({"source":"webex-legacy","next_from_ms":)" << kDayStart + 2 * 3600000
        << R"(,"next_from":"2026-11-01T02:00:00.000Z"})";
  }
  auto run = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--since-last-run", "--to", "2026-11-01T03:00:00Z"}, {"--from"}),
      KeyEnv());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.LastLine().rfind("exported=1 skipped=0 failed=0 ", 0), 0u) << "only [02:00, 03:00): " << run.LastLine();
  EXPECT_NE(run.err.find("older ccrec-export"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("cannot tell which stream wrote it"), std::string::npos) << run.err;
  auto checkpoint = Json(ccrec_it::ReadFile(manifest + ".checkpoint.json"));
  ASSERT_TRUE(checkpoint.IsObject());
  EXPECT_STREQ(checkpoint["source"].GetString(), "webex-legacy/csrs/json");
  EXPECT_EQ(checkpoint["next_from_ms"].GetInt64(), kDayStart + 3 * 3600000);
  auto const files = Files(dir / "out");
  auto cars = ccrec_it::RunProgram(CliArgs(dir / "out", {"--record-type", "cars", "--manifest", manifest,
                                                         "--since-last-run", "--to", "2026-11-01T04:00:00Z"},
                                           {"--from"}),
                                   KeyEnv());
  EXPECT_EQ(cars.exit_code, 2) << cars.err;
  EXPECT_NE(cars.err.find("one --manifest per record type and format"), std::string::npos) << cars.err;
  EXPECT_EQ(Files(dir / "out"), files);
}

TEST_F(WebexLegacyTest, CliEmptyRange) {
  TempDir dir("ccrec-it-legacy-empty");
  auto run = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--from", "2026-11-03T00:00:00Z", "--to", "2026-11-03T01:00:00Z"}), KeyEnv());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.LastLine(), "exported=1 skipped=0 failed=0 pending=0 bytes=0");
}

TEST_F(WebexLegacyTest, CliUsageErrorsExitTwoAndWriteNothing) {
  TempDir dir("ccrec-it-legacy-usage");
  std::string dest = dir / "out";
  std::vector<std::vector<std::string>> cases{
      {"--record-type", "bogus"},
      {"--from", "2026-11-02T00:00:00Z"},
      {"--from", "yesterday"},
      {"--format", "xml"},
      {"--window", "0s"},
      {"--number-of-records", "1000000"},
      {"--key-template", "x/{from}.jsonl"},
      {"--api-base-url", "ftp://example.com"},
      {"--concurrency", "0"},
  };
  for (auto const& extra : cases) {
    auto run = ccrec_it::RunProgram(CliArgs(dest, extra), KeyEnv());
    EXPECT_EQ(run.exit_code, 2) << extra[0] << " " << extra[1] << ": " << run.err;
    EXPECT_NE(run.err.find("error"), std::string::npos) << run.err;
  }
  auto no_key = ccrec_it::RunProgram(CliArgs(dest), {{"CCREC_WEBEX_API_KEY", "\x01unset"}});
  EXPECT_EQ(no_key.exit_code, 2) << no_key.err;
  EXPECT_NE(no_key.err.find("CCREC_WEBEX_API_KEY"), std::string::npos) << no_key.err;
  auto args = CliArgs(dest, {}, {"--user-id"});
  auto no_user = ccrec_it::RunProgram(args, KeyEnv());
  EXPECT_EQ(no_user.exit_code, 2) << no_user.err;
  EXPECT_FALSE(fs::exists(dest)) << "nothing was written";
}

TEST_F(WebexLegacyTest, CliExportsToS3) {
  if (!fs::exists(std::string(CCREC_EMULATOR_DIR) + "/s3_server.py")) {
    GTEST_SKIP() << "tests/emulators/s3_server.py is not available";
  }
  auto s3 = ServerProcess::Start("s3_server.py", {"--bucket", "records"});
  std::map<std::string, std::string> env = KeyEnv();
  env["AWS_ACCESS_KEY_ID"] = s3->Get("access_key");
  env["AWS_SECRET_ACCESS_KEY"] = s3->Get("secret_key");
  env["AWS_SESSION_TOKEN"] = "\x01unset";
  env["AWS_REGION"] = "us-east-1";
  auto args = CliArgs("s3://" + s3->Get("bucket") + "/v1", {"--s3-endpoint", s3->Get("endpoint"), "--to", "2026-11-01T12:00:00Z"});
  auto run = ccrec_it::RunProgram(args, env);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto listing = ccrec_it::RunProgram({CCREC_PYTHON, std::string(CCREC_EMULATOR_DIR) + "/s3_inspect.py", "--endpoint",
                                       s3->Get("endpoint"), "--access-key", s3->Get("access_key"), "--secret-key",
                                       s3->Get("secret_key"), "--bucket", s3->Get("bucket"), "--body-suffix", ".jsonl"});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  auto doc = Json(listing.out);
  std::set<std::string> sids;
  std::uint64_t bytes = 0;
  for (auto const& m : doc["objects"].GetObject()) {
    std::string key = m.name.GetString();
    EXPECT_EQ(key.rfind("v1/webex-legacy/csrs/", 0), 0u) << key;
    bytes += m.value["size"].GetUint64();
    for (auto const& line : Lines(m.value["body"].GetString())) sids.insert(Json(line)["sid"].GetString());
  }
  EXPECT_EQ(sids, TruthIds("csrs", kDayStart, kDayStart + 12 * 3600000));
  EXPECT_EQ(run.LastLine(), "exported=" + std::to_string(doc["objects"].MemberCount()) +
                                " skipped=0 failed=0 pending=0 bytes=" + std::to_string(bytes));
  auto again = ccrec_it::RunProgram(args, env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.LastLine().find("exported=0 "), 0u) << again.LastLine();
}

std::int64_t NowMsLegacyCli() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoLegacyCli(std::int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(text);
}

// A range that ends after now (`--to` tomorrow): the windows after now must not be stored without
// their records and marked exported, or every later run over the range would skip them. The
// emulator's days are today and tomorrow, and it serves only records that started before now.
TEST_F(WebexLegacyTest, CliRangeEndingAfterNowLeavesTheRestForALaterRun) {
  std::int64_t const before = NowMsLegacyCli();
  std::int64_t const day_start = before - before % 86400000;
  Config(R"({"day":")" + IsoLegacyCli(day_start).substr(0, 10) + R"(","days":2,"only_past":true})");
  TempDir dir("ccrec-it-legacy-after-now");
  std::string const manifest = dir / "m.jsonl";
  auto run = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--from", IsoLegacyCli(day_start), "--to",
                            IsoLegacyCli(day_start + 2 * 86400000), "--settle", "0"}),
      KeyEnv());
  std::int64_t const after = NowMsLegacyCli();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("ends after now"), std::string::npos) << run.err;
  // No window reaching past the run is recorded: a later run queries them.
  auto const lines = ccrec_it::ManifestRecordLines(manifest);
  EXPECT_FALSE(lines.empty());
  for (auto const& line : lines) {
    std::string const window = Json(line)["recording_id"].GetString();
    EXPECT_LE(std::stoll(window.substr(window.find('-', 1) + 1)), after) << "recorded as done: " << window;
  }
  std::multiset<std::string> sids;
  for (auto const& [path, content] : Files(dir / "out")) {
    for (auto const& line : Lines(content)) sids.insert(Json(line)["sid"].GetString());
  }
  EXPECT_EQ(Missing(TruthIds("csrs", day_start, before), sids), 0u);
  auto const possible = TruthIds("csrs", day_start, after);
  for (auto const& sid : sids) EXPECT_EQ(possible.count(sid), 1u) << sid;
  EXPECT_EQ(std::set<std::string>(sids.begin(), sids.end()).size(), sids.size()) << "each record once";
}

// The default --settle (2h): a run leaves the contacts that started in the last two hours (records
// of contacts in progress do not exist yet) for the next run, and its checkpoint does not pass
// them, so the next --since-last-run run exports them: every record exactly once across the runs.
TEST_F(WebexLegacyTest, CliSettleTimeLeavesRecentContactsToTheNextSinceLastRun) {
  std::int64_t const settle_ms = 2 * 3600000;
  std::int64_t const before = NowMsLegacyCli();
  std::int64_t const day_start = before - before % 86400000;
  Config(R"({"day":")" + IsoLegacyCli(day_start).substr(0, 10) + R"(","days":2,"only_past":true})");
  TempDir dir("ccrec-it-legacy-settle");
  std::string const manifest = dir / "m.jsonl";
  std::string const to = IsoLegacyCli(day_start + 2 * 86400000);
  auto first = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--from", IsoLegacyCli(day_start), "--to", to}), KeyEnv());
  std::int64_t const after = NowMsLegacyCli();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("now minus 2h"), std::string::npos) << first.err;
  for (auto const& line : ccrec_it::ManifestRecordLines(manifest)) {
    std::string const window = Json(line)["recording_id"].GetString();
    EXPECT_LE(std::stoll(window.substr(window.find('-', 1) + 1)), after - settle_ms) << "exported too early: " << window;
  }
  auto second = ccrec_it::RunProgram(
      CliArgs(dir / "out", {"--manifest", manifest, "--since-last-run", "--to", to, "--settle", "0"}, {"--from"}),
      KeyEnv());
  std::int64_t const end = NowMsLegacyCli();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::multiset<std::string> sids;
  for (auto const& [path, content] : Files(dir / "out")) {
    for (auto const& line : Lines(content)) sids.insert(Json(line)["sid"].GetString());
  }
  EXPECT_EQ(Missing(TruthIds("csrs", day_start, before), sids), 0u) << "a contact the checkpoint passed";
  auto const possible = TruthIds("csrs", day_start, end);
  for (auto const& sid : sids) EXPECT_EQ(possible.count(sid), 1u) << sid;
  EXPECT_EQ(std::set<std::string>(sids.begin(), sids.end()).size(), sids.size()) << "each record once";
}

}  // namespace
}  // namespace webex_legacy_it
