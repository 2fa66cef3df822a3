// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 6: the RIFF/WAVE header reader (truncated and hostile headers) and
// `concatenate_segments` writing one valid WAV per recording, or one object per segment when the
// segments' formats differ.

#include "face_test_util.hpp"
#include "unit/core/test_util.hpp"

#include "face/wav.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>

namespace face_test {
namespace {

using ccrec::detail::FromEpochMs;
using ccrec::face::detail::ParseWavHeader;
using ccrec::face::detail::WavFormatDifference;
using ccrec::face::detail::WavHeader;
using ccrec::face::detail::WavParse;
using Status = WavParse::Status;

void U16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void U32(std::string& s, std::uint32_t v) {
  U16(s, v & 0xFFFF);
  U16(s, v >> 16);
}
std::string Chunk(std::string const& id, std::string const& body, std::optional<std::uint32_t> size = {}) {
  std::string s = id;
  U32(s, size ? *size : static_cast<std::uint32_t>(body.size()));
  s += body;
  if (body.size() & 1U) s += '\0';
  return s;
}
std::string Fmt(unsigned rate = 8000, unsigned channels = 1, unsigned bits = 16, unsigned tag = 1) {
  std::string f;
  U16(f, tag);
  U16(f, channels);
  U32(f, rate);
  U32(f, rate * channels * bits / 8);
  U16(f, channels * bits / 8);
  U16(f, bits);
  return f;
}
/// A WAV file: RIFF header, the chunks, then `data`'s body.
std::string Wav(std::string const& pcm, std::string const& fmt = Fmt(), std::string const& before_data = {},
                std::string const& after_data = {}) {
  std::string chunks = Chunk("fmt ", fmt) + before_data + Chunk("data", pcm) + after_data;
  std::string s = "RIFF";
  U32(s, static_cast<std::uint32_t>(4 + chunks.size()));
  return s + "WAVE" + chunks;
}

TEST(FaceWav, ReadsACanonicalHeader) {
  auto file = Wav("abcdef");
  auto p = ParseWavHeader(file, file.size());
  ASSERT_EQ(p.status, Status::kOk) << p.problem;
  EXPECT_EQ(p.layout.data_offset, 44u);
  EXPECT_EQ(p.layout.data_size, 6u);
  EXPECT_EQ(p.layout.format.sample_rate, 8000u);
  EXPECT_EQ(p.layout.format.bits_per_sample, 16u);
  EXPECT_EQ(p.layout.format.chunk, Fmt());
}

TEST(FaceWav, SkipsUnknownChunksWithPadding) {
  auto file = Wav("abcd", Fmt(), Chunk("LIST", "INFOISFT\x05\0\0\0ccrec"), Chunk("LIST", "x"));
  auto p = ParseWavHeader(file, file.size());
  ASSERT_EQ(p.status, Status::kOk) << p.problem;
  EXPECT_EQ(p.layout.data_offset, 12 + 24 + 8 + 10 + 8u) << "LIST (9 bytes, padded to 10) skipped";
  EXPECT_EQ(file.substr(p.layout.data_offset, p.layout.data_size), "abcd");
}

TEST(FaceWav, EveryTruncationAsksForMoreOrFailsWhenTheFileEnds) {
  auto file = Wav("abcd", Fmt(), Chunk("LIST", "0123456789"));
  auto full = ParseWavHeader(file);
  ASSERT_EQ(full.status, Status::kOk);
  for (std::size_t n = 0; n < full.layout.data_offset; ++n) {
    auto p = ParseWavHeader(std::string_view(file).substr(0, n));
    EXPECT_EQ(p.status, Status::kNeedMore) << n;
    auto ended = ParseWavHeader(std::string_view(file).substr(0, n), n);
    EXPECT_EQ(ended.status, Status::kInvalid) << n << " bytes of a file of " << n;
    EXPECT_FALSE(ended.problem.empty());
  }
}

TEST(FaceWav, RefusesHostileAndForeignHeaders) {
  auto problem = [](std::string const& file, std::optional<std::uint64_t> total = std::nullopt) {
    auto p = ParseWavHeader(file, total ? total : std::optional<std::uint64_t>(file.size()));
    EXPECT_EQ(p.status, Status::kInvalid) << p.problem;
    return p.problem;
  };
  EXPECT_NE(problem("SEG-ONE|").find("does not start with \"RIFF\""), std::string::npos);
  EXPECT_NE(problem("{\"result\":{}}").find("RIFF"), std::string::npos);
  std::string avi = Wav("ab");
  std::memcpy(&avi[8], "AVI ", 4);
  EXPECT_NE(problem(avi).find("\"AVI \", not \"WAVE\""), std::string::npos);
  // data before fmt; two fmt chunks; fmt too short / too long; zero fields.
  std::string s = "RIFF";
  U32(s, 100);
  EXPECT_NE(problem(s + "WAVE" + Chunk("data", "ab")).find("before any fmt"), std::string::npos);
  EXPECT_NE(problem(Wav("ab", Fmt(), Chunk("fmt ", Fmt()))).find("second fmt"), std::string::npos);
  EXPECT_NE(problem(Wav("ab", Fmt().substr(0, 14))).find("14 bytes"), std::string::npos);
  EXPECT_NE(problem(Wav("ab", Fmt() + std::string(2000, 'x'))).find("2016 bytes"), std::string::npos);
  EXPECT_NE(problem(Wav("ab", Fmt(0))).find("sample rate of 0"), std::string::npos);
  EXPECT_NE(problem(Wav("ab", Fmt(8000, 0))).find("0 channels"), std::string::npos);
  // Data sizes: a streaming placeholder, past the end of the file, not whole blocks.
  std::string streaming = "RIFF";
  U32(streaming, 0xFFFFFFFFU);
  streaming += "WAVE" + Chunk("fmt ", Fmt()) + "data";
  U32(streaming, 0xFFFFFFFFU);
  EXPECT_NE(problem(streaming + "abcd").find("0xFFFFFFFF"), std::string::npos);
  auto file = Wav("abcd");
  EXPECT_NE(problem(file, file.size() - 1).find("declares 4 bytes"), std::string::npos);
  EXPECT_NE(problem(Wav("abc")).find("whole number of 2-byte blocks"), std::string::npos);
  // A skipped chunk that claims 4 GiB, and one that pushes data past the 64 KiB bound.
  EXPECT_NE(problem(Wav("ab", Fmt(), Chunk("junk", "", 0xFFFFFFF0U)), 1u << 30).find("\"junk\""), std::string::npos);
  auto big = Wav("ab", Fmt(), Chunk("LIST", std::string(70000, 'x')));
  EXPECT_NE(problem(big).find("first 65536 bytes"), std::string::npos);
  EXPECT_EQ(ParseWavHeader(std::string(70000, 'x')).status, Status::kInvalid);
  // A chunk id with control bytes is quoted safely.
  auto weird = Wav("ab", Fmt(), Chunk(std::string("\x01\xff" "ab", 4), "", 0xFFFFFF00U));
  EXPECT_NE(problem(weird, 1000).find("\\x01\\xffab"), std::string::npos);
}

TEST(FaceWav, FormatDifferenceNamesTheField) {
  auto a = ParseWavHeader(Wav("ab")).layout.format;
  EXPECT_EQ(WavFormatDifference(a, a), "");
  EXPECT_EQ(WavFormatDifference(a, ParseWavHeader(Wav("ab", Fmt(16000))).layout.format), "sampleRate 8000 vs 16000");
  EXPECT_EQ(WavFormatDifference(a, ParseWavHeader(Wav("abcd", Fmt(8000, 2))).layout.format), "channels 1 vs 2");
  EXPECT_EQ(WavFormatDifference(a, ParseWavHeader(Wav("a", Fmt(8000, 1, 8, 7))).layout.format), "formatTag 1 vs 7");
  auto ext = ParseWavHeader(Wav("ab", Fmt() + std::string("\0\0", 2))).layout.format;
  EXPECT_NE(WavFormatDifference(a, ext).find("fmt extension"), std::string::npos);
}

TEST(FaceWav, WrittenHeaderReadsBack) {
  auto format = ParseWavHeader(Wav("ab")).layout.format;
  auto header = WavHeader(format, 1000);
  EXPECT_EQ(header.size(), 44u);
  EXPECT_EQ(header, Wav(std::string(1000, 'x')).substr(0, 44));
  auto p = ParseWavHeader(header + std::string(1000, 'x'), 1044);
  ASSERT_EQ(p.status, Status::kOk) << p.problem;
  EXPECT_EQ(p.layout.data_size, 1000u);
  EXPECT_EQ(ccrec::face::detail::MaxWavDataSize(format), 0xFFFFFFFFULL - 36 - 1);
}

// --- concatenate_segments through the export engine ---

struct ConcatRun {
  Env env;
  std::unique_ptr<FakeFace> fake;
  std::shared_ptr<ccrec::testing::MemorySink> sink = std::make_shared<ccrec::testing::MemorySink>();

  /// `pre` may register routes that take precedence over the fake server's.
  explicit ConcatRun(std::function<void(FakeHttpTransport&)> const& pre = {}) {
    if (pre) pre(*env.transport);
    fake = std::make_unique<FakeFace>(env.transport);
  }

  void Add(std::string const& id, std::vector<std::string> const& audio, std::int64_t at) {
    FakeRecording r;
    r.id = id;
    r.start_ms = kDayStart + at;
    int k = 0;
    for (auto const& a : audio) {
      std::string sid = id + std::to_string(++k);
      r.segments.push_back({sid, "r" + id + ".seg" + std::to_string(k) + ".wav", r.start_ms + k * 1000,
                            r.start_ms + k * 1000 + 900, a});
    }
    fake->Add(r);
  }

  ccrec::exporter::ExportSummary Run() {
    ccrec::face::FaceSourceOptions so;
    so.from = FromEpochMs(kDayStart);
    so.to = FromEpochMs(kDayStart + 86'400'000);
    so.concatenate_segments = true;
    so.logger = env.Options().logger;
    ccrec::exporter::ExporterOptions eo;
    eo.concurrency = 2;
    eo.key_template = ccrec::face::kDefaultConcatenatedKeyTemplate;
    eo.sleeper = env.sleeper;
    eo.clock = env.clock;
    ccrec::exporter::Exporter exporter(ccrec::face::MakeFaceSource(env.MakeClient(), so), sink, nullptr, eo);
    return exporter.Run();
  }
};

TEST(FaceConcatenation, SegmentsOfOneFormatBecomeOneValidWav) {
  ConcatRun run;
  // Different header layouts (a LIST chunk, a trailing chunk after data), one format.
  run.Add("500", {Wav("AAAA"), Wav("BBBBBB", Fmt(), Chunk("LIST", "INFOxyz")), Wav("CC", Fmt(), {}, Chunk("LIST", "t"))},
          1000);
  auto summary = run.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(summary.failed, 0u);
  auto object = run.sink->Get("face/500.wav");
  ASSERT_TRUE(object);
  EXPECT_EQ(*object, Wav("AAAABBBBBBCC")) << "one RIFF header, the PCM of the segments in sequence";
  auto p = ParseWavHeader(*object, object->size());
  ASSERT_EQ(p.status, Status::kOk);
  EXPECT_EQ(p.layout.data_size, 12u);
  EXPECT_EQ(object->find("RIFF", 1), std::string::npos);
  // First pass: one ranged request per segment.
  int ranged = 0;
  for (auto const& r : run.env.transport->Requests()) {
    for (auto const& [name, value] : r.headers) {
      if (name == "Range") {
        EXPECT_EQ(value, "bytes=0-65535");
        ++ranged;
      }
    }
  }
  EXPECT_EQ(ranged, 3);
}

TEST(FaceConcatenation, OddDataSizeGetsAPadByte) {
  ConcatRun run;
  run.Add("510", {Wav("a", Fmt(8000, 1, 8, 7)), Wav("bc", Fmt(8000, 1, 8, 7))}, 1000);
  auto summary = run.Run();
  ASSERT_FALSE(summary.fatal);
  auto object = run.sink->Get("face/510.wav");
  ASSERT_TRUE(object);
  EXPECT_EQ(*object, Wav("abc", Fmt(8000, 1, 8, 7)));
  EXPECT_EQ(object->size(), 44u + 3 + 1);
}

// Audit 4: a segment entry listed twice in the details (the same segmentId) is one segment: its
// audio is in the WAV once (it was in it twice), and a warning names it.
TEST(FaceConcatenation, ARepeatedSegmentEntryIsConcatenatedOnce) {
  ConcatRun run;
  FakeRecording r;
  r.id = "520";
  r.start_ms = kDayStart + 1000;
  r.segments = {{"5201", "r520.seg1.wav", r.start_ms, r.start_ms + 900, Wav("AAAA")},
                {"5202", "r520.seg2.wav", r.start_ms + 1000, r.start_ms + 1900, Wav("BB")},
                {"5201", "r520.seg1.wav", r.start_ms, r.start_ms + 900, Wav("AAAA")}};
  run.fake->Add(r);
  auto summary = run.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u) << summary.LastLine();
  auto object = run.sink->Get("face/520.wav");
  ASSERT_TRUE(object);
  EXPECT_EQ(*object, Wav("AAAABB")) << "each segment's audio once";
  EXPECT_NE(run.env.AllLogs().find("FACE recording 520 lists segment 5201 more than once"), std::string::npos)
      << run.env.AllLogs();
}

TEST(FaceConcatenation, DifferentFormatsAreRefusedOneObjectPerSegment) {
  ConcatRun run;
  auto first = Wav("AAAA");
  auto second = Wav("BBBBBBBB", Fmt(16000));
  run.Add("600", {first, second}, 2000);
  run.Add("700", {"SEG-ONE|", "SEG-TWO|"}, 3000);  // not WAV at all
  auto summary = run.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 4u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_FALSE(run.sink->Get("face/600.wav"));
  EXPECT_EQ(run.sink->Get("face/600_seg6001.wav"), first);
  EXPECT_EQ(run.sink->Get("face/600_seg6002.wav"), second);
  EXPECT_EQ(run.sink->Get("face/700_seg7001.wav"), "SEG-ONE|");
  EXPECT_EQ(run.sink->Get("face/700_seg7002.wav"), "SEG-TWO|");
  auto sidecar = run.sink->Get("face/600_seg6002.wav.json");
  ASSERT_TRUE(sidecar);
  EXPECT_NE(sidecar->find("\"segmentId\":\"6002\""), std::string::npos);
  EXPECT_NE(sidecar->find("sampleRate 8000 vs 16000"), std::string::npos) << *sidecar;
  auto logs = run.env.AllLogs();
  EXPECT_NE(logs.find("FACE recording 600 is exported as one object per segment"), std::string::npos) << logs;
  EXPECT_NE(logs.find("segment 6002 (sequence 2) has another WAV format than segment 6001 (sequence 1): sampleRate "
                      "8000 vs 16000"),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find("segment 7001 (sequence 1) is not a WAV file"), std::string::npos) << logs;
}

TEST(FaceConcatenation, ASegmentThatChangesAfterTheFirstPassFailsTheItem) {
  int calls = 0;
  ConcatRun run([&calls](FakeHttpTransport& t) {
    t.Route("GET", "segmentId=8002", [&calls](RecordedRequest const&) {
      ++calls;
      // The header pass sees 4 bytes of data, the download 6: never spliced.
      return Result<HttpResponse>(
          MakeResponse(200, calls == 1 ? Wav("BBBB") : Wav("BBBBBB"), {{"Content-Type", "audio/wav"}}));
    });
  });
  run.Add("800", {Wav("AAAA"), Wav("BBBB")}, 4000);
  auto summary = run.Run();
  EXPECT_EQ(summary.exported, 0u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_FALSE(run.sink->Get("face/800.wav"));
}

}  // namespace
}  // namespace face_test
