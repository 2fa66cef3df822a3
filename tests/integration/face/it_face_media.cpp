// SPDX-License-Identifier: Apache-2.0
// Integration (issue 16 item 6): `ccrec-export face --concatenate-segments` against the FACE
// emulator serving real WAV segments (`--wav-layout varied`: a LIST chunk in first segments, and
// a 16 kHz second segment in recordings with an odd id). Each concatenated object is read back:
// one valid RIFF whose data is exactly the segments' PCM in sequence; recordings whose formats
// differ are exported one object per segment, byte for byte, with their own manifest lines.

#include "integration/face/face_it_util.hpp"
#include "integration/harness.hpp"

#include <ccrec/face/client.hpp>
#include <ccrec/transport/curl.hpp>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using ccrec_it::Json;
using ccrec_it::ServerProcess;
using ccrec_it::TempDir;

using face_it::kDayStart;

std::uint32_t U32At(std::string const& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
  return v;
}

TEST(FaceMediaIntegration, ConcatenatedSegmentsAreOneValidWavOrOneObjectPerSegment) {
  auto face = ServerProcess::Start("face_server.py", {"--recordings", "24", "--in-progress", "1", "--multi-segment-rate",
                                                      "0.7", "--hostile-names", "false", "--wav-layout", "varied"});
  std::string url = face->Get("base_url");
  std::string ca = face->Get("ca_file");
  auto [status, text] = ccrec_it::HttpGet(url + "/_emulator/recordings?from=" + std::to_string(kDayStart) +
                                              "&to=" + std::to_string(kDayStart + 86400000),
                                          ca);
  ASSERT_EQ(status, 200) << text;
  auto truth = Json(text);

  TempDir dir("ccrec-it-face-media");
  std::string dest = dir / "out";
  std::string manifest = dir / "run.jsonl";
  auto run = ccrec_it::RunProgram({CCREC_EXPORT_BIN, "face", "--face-url", url, "--user-email", face->Get("user_email"),
                                   "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-02T00:00:00Z", "--dest", dest,
                                   "--manifest", manifest, "--ca-file", ca, "--concatenate-segments", "--pending-max-age", "0"},
                                  {{"CCREC_FACE_PASSWORD", face->Get("password")}});
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;

  ccrec::face::ClientOptions o;
  o.base_url = url;
  o.user_email = face->Get("user_email");
  o.password = face->Get("password");
  ccrec::CurlOptions co;
  co.ca_file = ca;
  o.transport = ccrec::MakeCurlTransport(co);
  ccrec::face::Client client(o);
  auto segment_bytes = [&](std::string const& id) {
    ccrec::face::Segment s;
    s.segment_id = id;
    auto r = client.DownloadSegment(s);
    EXPECT_TRUE(r) << r.error().ToString();
    if (!r) return std::string();
    auto all = r->ReadAll(std::size_t{64} << 20);
    EXPECT_TRUE(all);
    return all ? *all : std::string();
  };

  std::size_t concatenated = 0, refused = 0, single = 0, expected_lines = 0;
  for (auto const& rec : truth["recordings"].GetArray()) {
    if (rec["inProgress"].GetBool()) continue;
    std::string rid = rec["recordingId"].GetString();
    auto const& segs = rec["segments"].GetArray();
    if (segs.Size() == 1) {
      ++single;
      ++expected_lines;
      EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(dest + "/face/" + rid + ".wav")), segs[0]["sha256"].GetString());
      continue;
    }
    bool same = true;
    for (auto const& s : segs) same = same && s["sampleRate"].GetInt() == segs[0]["sampleRate"].GetInt();
    if (!same) {
      ++refused;
      for (auto const& s : segs) {
        ++expected_lines;
        std::string key = dest + "/face/" + rid + "_seg" + s["segmentId"].GetString() + ".wav";
        EXPECT_EQ(ccrec_it::Sha256Hex(ccrec_it::ReadFile(key)), s["sha256"].GetString()) << key;
      }
      EXPECT_NE(run.err.find("FACE recording " + rid + " is exported as one object per segment"), std::string::npos)
          << run.err;
      continue;
    }
    ++concatenated;
    ++expected_lines;
    std::string object = ccrec_it::ReadFile(dest + "/face/" + rid + ".wav");
    std::string pcm;
    for (auto const& s : segs) {
      std::string file = segment_bytes(s["segmentId"].GetString());
      pcm += file.substr(static_cast<std::size_t>(s["dataOffset"].GetInt()), static_cast<std::size_t>(s["dataLen"].GetInt()));
    }
    ASSERT_GE(object.size(), 44u) << rid;
    EXPECT_EQ(object.substr(0, 4), "RIFF");
    EXPECT_EQ(U32At(object, 4), object.size() - 8) << "RIFF size";
    EXPECT_EQ(object.substr(8, 8), "WAVEfmt ");
    EXPECT_EQ(U32At(object, 16), 16u);
    EXPECT_EQ(U32At(object, 24), static_cast<std::uint32_t>(segs[0]["sampleRate"].GetInt()));
    EXPECT_EQ(object.substr(36, 4), "data");
    EXPECT_EQ(U32At(object, 40), pcm.size());
    EXPECT_TRUE(object.substr(44) == pcm) << "recording " << rid << ": the data is the segments' PCM in sequence";
    EXPECT_EQ(object.find("RIFF", 4), std::string::npos);
    EXPECT_EQ(object.find("LIST"), std::string::npos);
  }
  EXPECT_GE(concatenated, 1u) << "the data set must hold multi-segment recordings of one format";
  EXPECT_GE(refused, 1u) << "and some whose formats differ";
  EXPECT_GE(single, 1u);
  EXPECT_NE(run.err.find("has another WAV format than segment"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("sampleRate 8000 vs 16000"), std::string::npos) << run.err;
  std::size_t exported = 0;
  for (auto const& line : ccrec_it::ManifestRecordLines(manifest)) {
    if (line.find("\"status\":\"exported\"") != std::string::npos) ++exported;
  }
  EXPECT_EQ(exported, expected_lines);
}

}  // namespace
