// SPDX-License-Identifier: Apache-2.0
// Integration (issue 16 item 4): FACE response templates against the emulator
// (tests/emulators/face_templates.py): Client::SearchTemplated returns the answer byte for byte,
// and `ccrec-export face --format-template NAME[:VERSION]` puts it, unchanged, in every sidecar.

#include "integration/harness.hpp"

#include <ccrec/face/client.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

TEST(FaceTemplatesIntegration, TemplatedAnswersReachTheSidecarsUnchanged) {
  auto face = ServerProcess::Start("face_server.py", {"--recordings", "12", "--in-progress", "1"});
  std::string url = face->Get("base_url");
  std::string ca = face->Get("ca_file");
  ccrec::face::ClientOptions o;
  o.base_url = url;
  o.user_email = face->Get("user_email");
  o.password = face->Get("password");
  ccrec::CurlOptions co;
  co.ca_file = ca;
  o.transport = ccrec::MakeCurlTransport(co);
  ccrec::face::Client client(o);

  TempDir dir("ccrec-it-face-tpl");
  auto run_export = [&](std::string const& dest, std::string const& format) {
    return ccrec_it::RunProgram({CCREC_EXPORT_BIN, "face", "--face-url", url, "--user-email", face->Get("user_email"),
                                 "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z", "--dest", dest,
                                 "--ca-file", ca, "--format-template", format, "--pending-max-age", "0"},
                                {{"CCREC_FACE_PASSWORD", face->Get("password")}});
  };
  std::string dest = dir / "out";
  auto run = run_export(dest, "verint:2");
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;

  auto sidecars = ccrec_it::RunProgram({"/bin/sh", "-c", "cd '" + dest + "' && find face -name '*.json' | sort"});
  std::vector<std::string> paths;
  std::string line;
  for (char c : sidecars.out) {
    if (c == '\n') {
      if (!line.empty()) paths.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  ASSERT_GE(paths.size(), 5u) << sidecars.out;
  for (auto const& p : paths) {
    auto doc = Json(ccrec_it::ReadFile(dest + "/" + p));
    ASSERT_TRUE(doc.HasMember("template")) << p;
    std::string rid = doc["recordingId"].GetString();
    ccrec::face::SearchCriteria c;
    c.recording_id = rid;
    auto direct = client.SearchTemplated(ccrec::face::TemplateCommand::kRecordingDetails, c,
                                         ccrec::face::TemplateFormat{"verint", std::string("2")});
    ASSERT_TRUE(direct) << direct.error().ToString();
    EXPECT_NE(direct->body.find("<recording_id>" + rid + "</recording_id>"), std::string::npos) << direct->body;
    auto const& t = doc["template"];
    EXPECT_EQ(std::string(t["text"].GetString(), t["text"].GetStringLength()), direct->body) << p;
    EXPECT_STREQ(t["formatName"].GetString(), "verint");
    EXPECT_STREQ(t["version"].GetString(), "2");
    EXPECT_STREQ(t["contentType"].GetString(), "application/xml; charset=UTF-8");
  }

  // The server's highest version when none is given; segment details too.
  ccrec::face::SearchCriteria all;
  all.ani = "nobody-at-all";
  auto none = client.SearchTemplated(ccrec::face::TemplateCommand::kSegmentDetails, all,
                                     ccrec::face::TemplateFormat{"verint", std::nullopt});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ccrec::ErrorCode::kNotFound);

  // A UTF-16 answer is kept exactly (base64 in the sidecar).
  std::string utf16 = dir / "utf16";
  auto run16 = run_export(utf16, "utf16");
  ASSERT_EQ(run16.exit_code, 0) << run16.err;
  auto first = ccrec_it::RunProgram({"/bin/sh", "-c", "cd '" + utf16 + "' && find face -name '*.json' | sort | head -1"});
  auto doc16 = Json(ccrec_it::ReadFile(utf16 + "/" + first.out.substr(0, first.out.find('\n'))));
  ASSERT_TRUE(doc16["template"].HasMember("base64"));
  EXPECT_FALSE(doc16["template"].HasMember("text"));

  // An unknown template fails the recordings (exit 3), a bad flag is a usage error (exit 2).
  auto unknown = run_export(dir / "unknown", "nope");
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
  EXPECT_NE(unknown.err.find("Template not found"), std::string::npos) << unknown.err;
  auto bad = run_export(dir / "bad", ":2");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--format-template"), std::string::npos) << bad.err;
}

}  // namespace
