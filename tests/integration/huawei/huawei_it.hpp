// SPDX-License-Identifier: Apache-2.0
#pragma once
// The HuaweiIt fixture shared by the Huawei integration tests: one huawei_gateway.py per test process,
// control-endpoint helpers, session options and the ccrec-export command line.
#include "integration/harness.hpp"

#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/url.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace huawei_it {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;
using Clock = std::chrono::steady_clock;

inline rapidjson::Document Json(std::string const& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

inline std::vector<rapidjson::Document> ManifestLines(std::string const& path) {
  std::vector<rapidjson::Document> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.find("\"ccrec_manifest\"") == std::string::npos) out.push_back(Json(line));  // not the header
  }
  return out;
}

inline bool Exists(std::string const& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

/// Fast knobs for every test (the emulator is per test process).
inline constexpr char kFastConfig[] =
    R"({"poll_hold_seconds":0.4,"sign_in_latency_ms":20,"session_timeout_seconds":120,"guid_interval_ms":60000,)"
    R"("old_guid_grace_ms":2000,"rotate_on":"any","download_chunk_delay_ms":0,"pool_mode":false,)"
    R"("large_file_bytes":2000000})";

class HuaweiIt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gw_ = ServerProcess::Start("huawei_gateway.py", {"--poll-hold-seconds", "0.4"}).release();
  }
  static void TearDownTestSuite() {
    delete gw_;
    gw_ = nullptr;
  }
  void SetUp() override { Control("config", kFastConfig); }

  static std::string Url(std::string const& path) { return gw_->Get("base_url") + path; }
  static std::string Ca() { return gw_->Get("ca_file"); }

  /// GET /_emulator/<path> (body empty) or POST with a JSON body.
  static rapidjson::Document Control(std::string const& path, std::string const& body = {}) {
    auto [status, text] = body.empty() ? ccrec_it::HttpGet(Url("/_emulator/" + path), Ca())
                                       : ccrec_it::HttpPost(Url("/_emulator/" + path), body, "application/json", Ca());
    EXPECT_EQ(status, 200) << path << ": " << text;
    return Json(text);
  }
  static std::int64_t Stat(std::string const& name) {
    auto s = Control("stats");
    return s.HasMember(name.c_str()) && s[name.c_str()].IsInt64() ? s[name.c_str()].GetInt64() : 0;
  }
  /// The fileName of a small agent call recording among the preset files ("" if none).
  static std::string SmallPresetRecording() {
    std::string listed;
    auto const files = Control("files");
    for (auto const& f : files["files"].GetArray()) {
      if (f["filetype"].GetInt() == 1 && f["size"].GetInt64() < 100000) listed = f["fileName"].GetString();
    }
    return listed;
  }
  static std::string ExpectedSha(std::string const& file_name) {
    return Control("expected?fileName=" + ccrec::detail::PercentEncode(file_name))["sha256"].GetString();
  }

  ccrec::huawei::AgentSessionOptions SessionOptions(std::string const& agent = "20011") {
    ccrec::huawei::AgentSessionOptions o;
    o.gateway_url = gw_->Get("gateway_url");
    o.agent_id = agent;
    auto agents = Json(gw_->Get("agents"));
    for (auto const& a : agents.GetArray()) {
      if (agent == a["agent_id"].GetString()) {
        o.password = a["password"].GetString();
        o.phone_number = a["phone"].GetString();
      }
    }
    ccrec::CurlOptions co;
    co.ca_file = Ca();
    o.transport = ccrec::MakeCurlTransport(co);
    o.retry.initial_backoff = std::chrono::milliseconds(5);
    o.retry.max_backoff = std::chrono::milliseconds(50);
    o.retry.max_attempts = 3;
    return o;
  }

  static std::string Download(ccrec::huawei::AgentSession const& s, ccrec::huawei::RecordFileRequest const& r,
                              ccrec::Error* error = nullptr) {
    auto response = s.OpenRecordFile(r);
    if (!response) {
      if (error) *error = response.error();
      return "<error " + response.error().ToString() + ">";
    }
    auto body = response->ReadAll(std::size_t{64} << 20);
    if (!body) return "<read error " + body.error().ToString() + ">";
    return *body;
  }

  // --- the CLI ---------------------------------------------------------------------------------------

  std::vector<std::string> Cli(std::string const& dest, std::string const& manifest) {
    return {CCREC_EXPORT_BIN, "huawei", "--gateway-url", gw_->Get("gateway_url"), "--agent-id", "20011",
            "--phone",        "70006",  "--ca-file",     Ca(),                     "--dest",     dest,
            "--manifest",     manifest, "--progress",    "off"};
  }
  std::map<std::string, std::string> Env() {
    return {{"CCREC_HUAWEI_PASSWORD", gw_->Get("password")}};
  }

  inline static ServerProcess* gw_ = nullptr;
};

}  // namespace huawei_it
