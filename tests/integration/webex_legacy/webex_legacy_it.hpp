// SPDX-License-Identifier: Apache-2.0
#pragma once
// The WebexLegacyTest fixture shared by the legacy v1 integration tests (it_webex_legacy*.cpp): one
// tests/emulators/webex_legacy.py per test process (HTTPS with a throwaway CA, 127.0.0.1), its knobs
// and ground truth, a client made for it and ccrec-export webex-legacy's default arguments.
#include "integration/harness.hpp"

#include <ccrec/transport/curl.hpp>
#include <ccrec/webex_legacy/client.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace webex_legacy_it {

namespace fs = std::filesystem;
namespace legacy = ccrec::webex_legacy;
using ccrec_it::ProgramResult;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

inline constexpr std::int64_t kDayStart = 1793491200000;  // 2026-11-01T00:00:00Z
inline constexpr std::int64_t kDayEnd = kDayStart + 86400000;
inline constexpr char kFrom[] = "2026-11-01T00:00:00Z";
inline constexpr char kTo[] = "2026-11-02T00:00:00Z";
inline constexpr char kDefaults[] =
    R"({"next_429":0,"next_503":0,"malformed_json":false,"truncate_csv":false,"rate_429":0,"rate_503":0,)"
    R"("tenant_mode":"required","ms_cluster_size":7,"retry_after":1,"row_cap":1000,)"
    R"("date_end_inclusive":false,"date_begin_exclusive":false,"csv_header":true,"csv_error_answer":"off",)"
    R"("only_past":false,)"
    R"("day":"2026-11-01","days":1})";

using ccrec_it::Json;

inline std::vector<std::string> Lines(std::string const& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

/// How many of `truth` are not in `got` (the first few are named in the test log).
inline std::size_t Missing(std::set<std::string> const& truth, std::multiset<std::string> const& got) {
  std::size_t n = 0;
  for (auto const& id : truth) {
    if (got.count(id)) continue;
    if (++n <= 3) ADD_FAILURE() << "missing " << id;
  }
  return n;
}

/// Every regular file under `root` (relative path -> content).
inline std::map<std::string, std::string> Files(std::string const& root) {
  std::map<std::string, std::string> out;
  if (!fs::exists(root)) return out;
  for (auto const& e : fs::recursive_directory_iterator(root)) {
    auto rel = fs::relative(e.path(), root).string();
    if (rel.rfind(".ccrec-meta/", 0) == 0) continue;  // the filesystem sink's identity metadata
    if (e.is_regular_file()) out[rel] = ccrec_it::ReadFile(e.path().string());
  }
  return out;
}

class WebexLegacyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { emu_ = ServerProcess::Start("webex_legacy.py", {"--exit-with-parent"}).release(); }
  static void TearDownTestSuite() {
    delete emu_;
    emu_ = nullptr;
  }
  void SetUp() override { Config(kDefaults); }

  static void Config(std::string const& json) {
    auto [status, body] = ccrec_it::HttpPost(emu_->Get("base_url") + "/_emulator/config", json, "application/json",
                                             emu_->Get("ca_file"));
    ASSERT_EQ(status, 200) << body;
  }
  static rapidjson::Document Control(std::string const& path) {
    auto [status, body] = ccrec_it::HttpGet(emu_->Get("base_url") + path, emu_->Get("ca_file"));
    EXPECT_EQ(status, 200) << body;
    return Json(body);
  }
  static std::set<std::string> TruthIds(std::string const& type, std::int64_t from, std::int64_t to) {
    auto doc = Control("/_emulator/records?type=" + type + "&from=" + std::to_string(from) + "&to=" +
                       std::to_string(to));
    std::set<std::string> ids;
    for (auto const& id : doc["ids"].GetArray()) ids.insert(id.GetString());
    EXPECT_EQ(ids.size(), doc["count"].GetUint()) << "ground-truth ids are unique";
    return ids;
  }

  legacy::Client MakeClient(std::string api_key = {}) {
    legacy::ClientOptions o;
    o.base_url = emu_->Get("base_url");
    o.credentials.user_id = emu_->Get("user_id");
    o.credentials.api_key = api_key.empty() ? emu_->Get("api_key") : api_key;
    o.credentials.tenant_id = emu_->Get("tenant_id");
    ccrec::CurlOptions co;
    co.ca_file = emu_->Get("ca_file");
    o.transport = ccrec::MakeCurlTransport(co);
    return legacy::Client(o);
  }

  static legacy::TimeWindow Range(std::int64_t from, std::int64_t to) {
    using std::chrono::milliseconds;
    using std::chrono::system_clock;
    return {system_clock::time_point(milliseconds(from)), system_clock::time_point(milliseconds(to))};
  }

  /// ccrec-export webex-legacy with the defaults below; `extra` holds "--flag", "value" pairs that
  /// replace a default of the same flag (CLI11 rejects a repeated option) or add one, and lone flags.
  std::vector<std::string> CliArgs(std::string const& dest, std::vector<std::string> extra = {},
                                   std::vector<std::string> drop = {}) {
    std::vector<std::pair<std::string, std::string>> values{
        {"--api-base-url", emu_->Get("base_url")}, {"--user-id", emu_->Get("user_id")},
        {"--tenant-id", emu_->Get("tenant_id")},   {"--ca-file", emu_->Get("ca_file")},
        {"--record-type", "csrs"},                 {"--from", kFrom},
        {"--to", kTo},                             {"--dest", dest},
        {"--progress", "off"}};
    std::vector<std::string> lone;
    for (std::size_t i = 0; i < extra.size(); ++i) {
      bool has_value = i + 1 < extra.size() && extra[i + 1].rfind("--", 0) != 0;
      if (!has_value) {
        lone.push_back(extra[i]);
        continue;
      }
      bool replaced = false;
      for (auto& v : values) {
        if (v.first == extra[i]) {
          v.second = extra[i + 1];
          replaced = true;
        }
      }
      if (!replaced) values.emplace_back(extra[i], extra[i + 1]);
      ++i;
    }
    std::vector<std::string> args{CCREC_EXPORT_BIN, "webex-legacy"};
    for (auto const& [flag, value] : values) {
      if (std::find(drop.begin(), drop.end(), flag) != drop.end()) continue;
      args.push_back(flag);
      args.push_back(value);
    }
    args.insert(args.end(), lone.begin(), lone.end());
    return args;
  }
  std::map<std::string, std::string> KeyEnv() { return {{"CCREC_WEBEX_API_KEY", emu_->Get("api_key")}}; }

  inline static ServerProcess* emu_ = nullptr;
};

}  // namespace webex_legacy_it
