// SPDX-License-Identifier: Apache-2.0
// Integration (issue 16 item 1): XML is FACE's default format. A whole `ccrec-export face` run
// against tests/emulators/face_server.py answering every command in XML - UTF-16 LE with a BOM, and
// UTF-16 BE without one, whatever Accept says - writes the same destination, byte for byte
// (recordings, sidecars, .ccrec-meta files but for the tie to their object's file), and the same
// manifest lines as the run in JSON mode.

#include "integration/harness.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

namespace fs = std::filesystem;

using ccrec_it::Json;

/// Every regular file under `root`: relative path -> content. A .ccrec-meta file without its
/// "file" member, which differs between two runs by design (the device and inode numbers and the
/// modification time of the object's file, docs/filesystem.md).
std::map<std::string, std::string> Tree(std::string const& root) {
  std::map<std::string, std::string> out;
  for (auto const& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    auto const path = fs::relative(e.path(), root).generic_string();
    auto content = ccrec_it::ReadFile(e.path().string());
    if (path.rfind(".ccrec-meta/", 0) == 0) {
      auto d = Json(content);
      EXPECT_TRUE(d.IsObject() && d.HasMember("file")) << path << ": " << content;
      if (d.IsObject()) d.RemoveMember("file");
      rapidjson::StringBuffer b;
      rapidjson::Writer<rapidjson::StringBuffer> w(b);
      d.Accept(w);
      content.assign(b.GetString(), b.GetSize());
    }
    out[path] = std::move(content);
  }
  return out;
}

/// The manifest's record lines without what differs between two runs by design (`time`, and the
/// destination directory inside `uri`), sorted by key.
std::vector<std::string> ManifestLines(std::string const& path, std::string const& dest) {
  std::vector<std::string> out;
  for (auto const& line : ccrec_it::ManifestRecordLines(path)) {
    auto d = Json(line);
    if (!d.IsObject()) continue;
    d.RemoveMember("time");
    if (d.HasMember("uri") && d["uri"].IsString()) {
      std::string uri = d["uri"].GetString();
      auto at = uri.find(fs::canonical(dest).generic_string());
      if (at != std::string::npos) uri = uri.substr(0, at) + "DEST" + uri.substr(at + fs::canonical(dest).generic_string().size());
      d["uri"].SetString(uri.c_str(), static_cast<rapidjson::SizeType>(uri.size()), d.GetAllocator());
    }
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    d.Accept(w);
    out.emplace_back(b.GetString(), b.GetSize());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class FaceXmlExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Hostile file names (on by default) put non-ASCII text, emoji included (UTF-16 surrogate
    // pairs), markup characters and '&' into the answers.
    face_ = ServerProcess::Start("face_server.py", {"--recordings", "16", "--in-progress", "1", "--same-start-cluster",
                                                    "2", "--segment-min-bytes", "64", "--segment-max-bytes", "512"})
                .release();
  }
  static void TearDownTestSuite() {
    delete face_;
    face_ = nullptr;
  }

  static rapidjson::Document Control(std::string const& path, std::string const& body = {}) {
    auto const url = face_->Get("base_url") + "/_emulator/" + path;
    auto [status, text] = body.empty() ? ccrec_it::HttpGet(url, face_->Get("ca_file"))
                                       : ccrec_it::HttpPost(url, body, "application/json", face_->Get("ca_file"));
    EXPECT_EQ(status, 200) << path << " " << text;
    return Json(text);
  }

  struct Export {
    ccrec_it::ProgramResult run;
    std::map<std::string, std::string> tree;
    std::vector<std::string> manifest;
  };

  /// One export of the day, the emulator answering in `xml` mode ("off" = JSON, as asked).
  static Export Run(std::string const& xml, TempDir const& dir) {
    Control("config", R"({"xml":")" + xml + R"("})");
    std::vector<std::string> args = {CCREC_EXPORT_BIN,   "face",          "--face-url", face_->Get("base_url"),
                                     "--user-email",     face_->Get("user_email"), "--from", "2026-11-01T00:00:00Z",
                                     "--to",             "2026-11-02T00:00:00Z",  "--dest", dir / "out",
                                     "--manifest",       dir / "manifest.jsonl",  "--ca-file", face_->Get("ca_file"),
                                     "--pending-max-age", "0"};
    Export e;
    e.run = ccrec_it::RunProgram(args, {{"CCREC_FACE_PASSWORD", face_->Get("password")}});
    Control("config", R"({"xml":"off"})");
    e.tree = Tree(dir / "out");
    e.manifest = ManifestLines(dir / "manifest.jsonl", dir / "out");
    return e;
  }

  static ServerProcess* face_;
};

ServerProcess* FaceXmlExportTest::face_ = nullptr;

TEST_F(FaceXmlExportTest, XmlAndJsonExportsAreByteForByteIdentical) {
  TempDir json_dir("ccrec-it-face-json");
  auto const json = Run("off", json_dir);
  ASSERT_EQ(json.run.exit_code, 0) << json.run.err;
  auto stats = Control("stats");
  ASSERT_TRUE(stats.HasMember("json_responses"));
  EXPECT_GT(stats["json_responses"].GetInt(), 0);
  std::size_t sidecars = 0;
  std::size_t audio = 0;
  for (auto const& [path, content] : json.tree) {
    if (path.rfind(".ccrec-meta/", 0) == 0) continue;
    if (path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0) {
      ++sidecars;
      EXPECT_NE(content.find("\"recording\":{"), std::string::npos) << path << ": the server's record is in the sidecar";
    } else {
      ++audio;
    }
  }
  EXPECT_GT(audio, 16u) << "multi-segment recordings give one object per segment";
  EXPECT_EQ(sidecars, audio);
  EXPECT_EQ(json.manifest.size(), audio + 1) << "one line per object, plus the pending in-progress recording";

  for (std::string mode : {"utf-16le", "utf-16be-nobom", "utf-8"}) {
    SCOPED_TRACE("xml mode " + mode);
    int const xml_before = Control("stats")["xml_responses"].GetInt();
    int const json_before = Control("stats")["json_responses"].GetInt();
    TempDir xml_dir("ccrec-it-face-xml");
    auto const xml = Run(mode, xml_dir);
    ASSERT_EQ(xml.run.exit_code, 0) << xml.run.err;
    EXPECT_EQ(xml.run.LastLine(), json.run.LastLine());
    auto after = Control("stats");
    EXPECT_EQ(after["json_responses"].GetInt(), json_before) << "every answer of the XML run was XML";
    EXPECT_GT(after["xml_responses"].GetInt(), xml_before + 16);
    ASSERT_EQ(xml.tree.size(), json.tree.size());
    for (auto const& [path, content] : json.tree) {
      auto it = xml.tree.find(path);
      ASSERT_NE(it, xml.tree.end()) << path << " missing from the XML export";
      EXPECT_TRUE(it->second == content) << path << " differs:\nJSON: " << content.substr(0, 2000)
                                         << "\nXML:  " << it->second.substr(0, 2000);
    }
    EXPECT_EQ(xml.manifest, json.manifest);
  }
}

}  // namespace
