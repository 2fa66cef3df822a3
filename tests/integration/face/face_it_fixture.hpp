// SPDX-License-Identifier: Apache-2.0
#pragma once
// The FaceIntegrationTest fixture shared by it_face.cpp (ccrec-export face) and it_face_client.cpp
// (ccrec::face): one tests/emulators/face_server.py per test process (HTTPS with a throwaway CA on
// 127.0.0.1), reset to its defaults before each test, its ground truth, ccrec-export face's
// arguments and a client made for it.

#include "integration/face/face_it_util.hpp"
#include "integration/harness.hpp"

#include <ccrec/face/client.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace face_it {

using ccrec_it::ProgramResult;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

inline constexpr char kFrom[] = "2026-11-01T00:00:00Z";
inline constexpr char kTo[] = "2026-11-02T00:00:00Z";

using ccrec_it::Json;

struct Truth {
  struct Segment {
    std::string id, sha256, filename;
    long long size = 0;
  };
  struct Recording {
    std::string id, ani, dnis, kind;
    bool in_progress = false;
    std::map<std::string, std::string> custom;
    std::vector<Segment> segments;
  };
  std::vector<Recording> recordings;
  std::size_t FinishedSegments() const {
    std::size_t n = 0;
    for (auto const& r : recordings) n += r.in_progress ? 0 : r.segments.size();
    return n;
  }
  std::size_t InProgress() const {
    std::size_t n = 0;
    for (auto const& r : recordings) n += r.in_progress ? 1 : 0;
    return n;
  }
};

class FaceIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    face_ = ServerProcess::Start("face_server.py", {"--recordings", "40", "--in-progress", "2", "--lockout-after", "3"})
                .release();
  }
  static void TearDownTestSuite() {
    delete face_;
    face_ = nullptr;
  }

  void SetUp() override {
    // Every test starts from the emulator's defaults (tests share one emulator when the binary
    // runs them all in one process).
    Control("config", R"({"list_cap":1000,"ignore_accept":false,"vendor_error_http_status":200,)"
                      R"("token_ttl_override":null})");
    Control("inject", R"({"endpoint":"any","code":0,"count":0})");
  }

  static std::string Url() { return face_->Get("base_url"); }
  static std::string Ca() { return face_->Get("ca_file"); }

  static rapidjson::Document Control(std::string const& path, std::string const& body = {}) {
    auto [status, text] = body.empty() ? ccrec_it::HttpGet(Url() + "/_emulator/" + path, Ca())
                                       : ccrec_it::HttpPost(Url() + "/_emulator/" + path, body, "application/json", Ca());
    EXPECT_EQ(status, 200) << path << " " << text;
    return Json(text);
  }
  static rapidjson::Document Stats() { return Control("stats"); }

  static Truth GroundTruth() {
    auto doc = Control("recordings?from=" + std::to_string(kDayStart) + "&to=" + std::to_string(kDayStart + 86400000));
    Truth t;
    for (auto const& r : doc["recordings"].GetArray()) {
      Truth::Recording rec;
      rec.id = r["recordingId"].GetString();
      rec.ani = r["ani"].GetString();
      rec.dnis = r["dnis"].GetString();
      rec.kind = r["kind"].GetString();
      rec.in_progress = r["inProgress"].GetBool();
      for (auto const& c : r["custom"].GetObject()) rec.custom[c.name.GetString()] = c.value.GetString();
      for (auto const& s : r["segments"].GetArray()) {
        rec.segments.push_back({s["segmentId"].GetString(), s["sha256"].GetString(), s["filename"].GetString(),
                                s["size"].GetInt64()});
      }
      t.recordings.push_back(std::move(rec));
    }
    return t;
  }

  static std::vector<std::string> Args(std::string const& dest, std::string const& manifest) {
    std::vector<std::string> a = {CCREC_EXPORT_BIN, "face",    "--face-url", Url(), "--user-email",
                                  face_->Get("user_email"), "--from", kFrom,       "--to",  kTo,
                                  "--dest",                 dest,     "--ca-file", Ca(),
                                  // The emulator's day (2026-11-01) is older than the default 3 days:
                                  // its recordings in progress would be given up (it_face_pending_age.cpp).
                                  "--pending-max-age",      "0"};
    if (!manifest.empty()) {
      a.push_back("--manifest");
      a.push_back(manifest);
    }
    return a;
  }
  static std::map<std::string, std::string> Env() { return {{"CCREC_FACE_PASSWORD", face_->Get("password")}}; }

  static ccrec::face::Client MakeClient(std::string const& email = {}, std::string const& password = {}) {
    ccrec::face::ClientOptions o;
    o.base_url = Url();
    o.user_email = email.empty() ? face_->Get("user_email") : email;
    o.password = password.empty() ? face_->Get("password") : password;
    ccrec::CurlOptions co;
    co.ca_file = Ca();
    o.transport = ccrec::MakeCurlTransport(co);
    o.retry.initial_backoff = std::chrono::milliseconds(1);
    o.retry.max_backoff = std::chrono::milliseconds(5);
    o.retry.max_attempts = 3;
    return ccrec::face::Client(o);
  }

  static std::string LastLine(std::size_t exported, std::size_t skipped, std::size_t failed, std::size_t pending,
                              long long bytes) {
    return "exported=" + std::to_string(exported) + " skipped=" + std::to_string(skipped) +
           " failed=" + std::to_string(failed) + " pending=" + std::to_string(pending) + " bytes=" + std::to_string(bytes);
  }

  inline static ServerProcess* face_ = nullptr;
};

}  // namespace face_it
