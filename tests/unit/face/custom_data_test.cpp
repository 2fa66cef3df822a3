// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 1: a hostile FACE server answering a recording with tens of thousands of customData
// entries (and repeated names) must be processed in linear time, with a documented rule for
// repeated names: the FIRST entry of a name wins in the sidecar, the model keeps every entry.

#include "face_test_util.hpp"

#include "face/sidecar.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/face/recording_source.hpp>
#include <ccrec/testing/memory_sink.hpp>

#include <gtest/gtest.h>

#include <string>

namespace face_test {
namespace {

using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::detail::FromEpochMs;

constexpr int kDistinct = 40'000;
constexpr int kRepeated = 10'000;

/// customDataSets of `kDistinct` distinct names k0..k(N-1) with values v0.., then `kRepeated`
/// repeats of k0..k(R-1) with the value "late", then one entry object that itself has
/// `kDistinct` members (repeated "name" keys: the first is the entry's name).
std::string HugeCustomDataSets() {
  std::string out = R"({"customData":[)";
  out.reserve(static_cast<std::size_t>(kDistinct) * 80);
  for (int i = 0; i < kDistinct; ++i) {
    out += R"({"customDataId":)" + std::to_string(i) + R"(,"name":"k)" + std::to_string(i) + R"(","value":"v)" +
           std::to_string(i) + R"("},)";
  }
  for (int i = 0; i < kRepeated; ++i) out += R"({"name":"k)" + std::to_string(i) + R"(","value":"late"},)";
  out += R"({"name":"wide")";
  for (int i = 0; i < kDistinct; ++i) out += R"(,"name":"shadow)" + std::to_string(i) + R"(")";
  out += R"(,"value":"wide-value"}]})";
  return out;
}

FakeRecording HugeRecording() {
  FakeRecording r;
  r.id = "500";
  r.start_ms = kDayStart + 1000;
  r.segments = {{"5001", "huge.wav", kDayStart + 1000, kDayStart + 2000, "HUGE-AUDIO"}};
  r.custom_data_sets_json = HugeCustomDataSets();
  return r;
}

// The model keeps every entry, in server order (duplicates included).
TEST(FaceCustomData, ModelKeepsEveryEntryInOrder) {
  Env env;
  FakeFace face(env.transport);
  face.Add(HugeRecording());
  auto recording = env.MakeClient().GetRecording("500");
  ASSERT_TRUE(recording) << recording.error().ToString();
  auto const& cd = recording->custom_data;
  ASSERT_EQ(cd.size(), static_cast<std::size_t>(kDistinct + kRepeated + 1));
  EXPECT_EQ(cd[7].name, "k7");
  EXPECT_EQ(cd[7].value, "v7");
  EXPECT_EQ(cd[7].custom_data_id, 7);
  EXPECT_EQ(cd[kDistinct + 7].name, "k7");
  EXPECT_EQ(cd[kDistinct + 7].value, "late");
  EXPECT_EQ(cd.back().name, "wide") << "a repeated key inside one entry: the first wins";
  EXPECT_EQ(cd.back().value, "wide-value");
}

// The sidecar's "customData" object: one member per distinct name, the first entry's value.
// Before the fix every name was looked up with rapidjson HasMember (a linear scan) in the loop
// that builds the object: 40,000 names made ~8*10^8 string comparisons per sidecar.
TEST(FaceCustomData, SidecarIsLinearAndFirstNameWins) {
  Env env;
  FakeFace face(env.transport);
  face.Add(HugeRecording());
  auto sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec::face::FaceSourceOptions so;
  so.from = FromEpochMs(kDayStart);
  so.to = FromEpochMs(kDayStart + 86'400'000);
  ExporterOptions eo;
  eo.key_template = ccrec::face::kDefaultKeyTemplate;
  eo.sleeper = env.sleeper;
  eo.clock = env.clock;
  Exporter exporter(ccrec::face::MakeFaceSource(env.MakeClient(), so), sink, nullptr, eo);
  auto summary = exporter.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(sink->Get("face/500/5001.wav"), "HUGE-AUDIO");
  auto sidecar = sink->Get("face/500/5001.wav.json");
  ASSERT_TRUE(sidecar);
  auto doc = ccrec::detail::ParseJson(*sidecar, "sidecar");
  ASSERT_TRUE(doc);
  auto const& custom = (*doc)["customData"];
  ASSERT_TRUE(custom.IsObject());
  ASSERT_EQ(custom.MemberCount(), static_cast<rapidjson::SizeType>(kDistinct + 1));
  // Members keep the order of first appearance; each value is the first entry's.
  int i = 0;
  for (auto it = custom.MemberBegin(); it != custom.MemberEnd(); ++it, ++i) {
    std::string name(it->name.GetString(), it->name.GetStringLength());
    std::string value(it->value.GetString(), it->value.GetStringLength());
    if (i < kDistinct) {
      ASSERT_EQ(name, "k" + std::to_string(i));
      ASSERT_EQ(value, "v" + std::to_string(i)) << "the first entry of a repeated name wins";
    } else {
      EXPECT_EQ(name, "wide");
      EXPECT_EQ(value, "wide-value");
    }
  }
}

// The sidecar builder alone, at a size no FACE page of a few MiB reaches but a quadratic builder
// cannot finish: 300,000 distinct names (~4.5*10^10 name comparisons before the fix: minutes even
// in a Release build, so this executable's ctest TIMEOUT of 60 s fails it) take well under a
// second when each name is one hash-set probe.
TEST(FaceCustomData, SidecarOfThreeHundredThousandNames) {
  constexpr int kNames = 300'000;
  ccrec::face::Recording r;
  r.recording_id = "700";
  r.custom_data.reserve(kNames + 2);
  for (int i = 0; i < kNames; ++i) {
    r.custom_data.push_back(ccrec::face::CustomData{std::nullopt, "name-" + std::to_string(i), std::to_string(i)});
  }
  r.custom_data.push_back(ccrec::face::CustomData{std::nullopt, "name-0", "late"});
  r.custom_data.push_back(ccrec::face::CustomData{std::nullopt, "name-299999", "late"});
  auto sidecar = ccrec::face::detail::Sidecar(r, nullptr);
  auto doc = ccrec::detail::ParseJson(sidecar, "sidecar");
  ASSERT_TRUE(doc);
  auto const& custom = (*doc)["customData"];
  ASSERT_EQ(custom.MemberCount(), static_cast<rapidjson::SizeType>(kNames));
  EXPECT_STREQ(custom.MemberBegin()->value.GetString(), "0");
  EXPECT_STREQ((custom.MemberEnd() - 1)->value.GetString(), "299999");
}

// Names and values are copied with their length: an embedded NUL neither truncates a name nor
// merges two names that differ after it.
TEST(FaceCustomData, NamesWithEmbeddedNulStayDistinct) {
  Env env;
  FakeFace face(env.transport);
  FakeRecording r;
  r.id = "600";
  r.start_ms = kDayStart + 1000;
  r.segments = {{"6001", "n.wav", kDayStart + 1000, kDayStart + 2000, "N"}};
  r.custom_data_sets_json =
      R"([{"customData":{"name":"a\u0000x","value":"1\u0000one"}},{"customData":{"name":"a\u0000y","value":"2"}},)"
      R"({"customData":{"name":"a\u0000x","value":"3"}}])";
  face.Add(r);
  auto sink = std::make_shared<ccrec::testing::MemorySink>();
  ccrec::face::FaceSourceOptions so;
  so.from = FromEpochMs(kDayStart);
  so.to = FromEpochMs(kDayStart + 86'400'000);
  ExporterOptions eo;
  eo.key_template = ccrec::face::kDefaultKeyTemplate;
  eo.sleeper = env.sleeper;
  eo.clock = env.clock;
  Exporter exporter(ccrec::face::MakeFaceSource(env.MakeClient(), so), sink, nullptr, eo);
  auto summary = exporter.Run();
  ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
  auto sidecar = sink->Get("face/600/6001.wav.json");
  ASSERT_TRUE(sidecar);
  auto doc = ccrec::detail::ParseJson(*sidecar, "sidecar");
  ASSERT_TRUE(doc);
  auto const& custom = (*doc)["customData"];
  ASSERT_EQ(custom.MemberCount(), 2u) << *sidecar;
  auto first = custom.MemberBegin();
  EXPECT_EQ(std::string(first->name.GetString(), first->name.GetStringLength()), std::string("a\0x", 3));
  EXPECT_EQ(std::string(first->value.GetString(), first->value.GetStringLength()), std::string("1\0one", 5));
  auto second = first + 1;
  EXPECT_EQ(std::string(second->name.GetString(), second->name.GetStringLength()), std::string("a\0y", 3));
}

}  // namespace
}  // namespace face_test
