// SPDX-License-Identifier: Apache-2.0
// The sidecar key (KEY.json) of a recording is never another recording's object: within a run it
// is claimed like a recording key (a recording whose key is another item's KEY.json fails both),
// and across runs an object already there is looked up first on a sink that may ignore
// If-None-Match, and never overwritten.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace exporter_test {
namespace {

using ccrec::exporter::ManifestEntry;

/// A CountingSink whose Open() of `hold_key` waits for `release` first.
class SkHoldingSink : public CountingSink {
 public:
  using CountingSink::CountingSink;
  std::string hold_key;
  std::shared_ptr<Latch> release = std::make_shared<Latch>();

  Result<std::unique_ptr<ccrec::ObjectWriter>> Open(std::string const& key, ccrec::PutOptions const& options,
                                                    CallContext const& ctx = {}) override {
    if (key == hold_key) {
      EXPECT_TRUE(release->Wait()) << "never released: " << key;
    }
    return CountingSink::Open(key, options, ctx);
  }
};

class SidecarKeyTest : public ExporterTest {
 protected:
  std::shared_ptr<SkHoldingSink> holding = std::make_shared<SkHoldingSink>(memory);
  void SetUp() override {
    sink = holding;
    memory->SetIgnoresIfNoneMatch(true);  // a store that would overwrite: only the engine protects
  }

  // ---- one run in which "x/a.wav" (t1/r1, with its sidecar "x/a.wav.json") and "x/a.wav.json"
  //      (t2/r2) are exported, in either order --------------------------------------------------

  enum class First { kSidecarOwner, kRecording };
  enum class Timing {
    kFirstCompleted,  ///< the first item has its manifest line before the second is listed
    kFirstInFlight,   ///< the first item's sidecar waits until the second has failed
  };

  std::shared_ptr<Media> owner;  // t1/r1 at x/a.wav, sidecar x/a.wav.json
  std::shared_ptr<Media> other;  // t2/r2 at x/a.wav.json

  ExportSummary RunPair(First first, Timing timing) {
    auto add_owner = [&] { owner = Add("t1", "r1", Bytes(100, 1), {}, "a.wav"); };
    auto add_other = [&] { other = Add("t2", "r2", Bytes(200, 2), {}, "a.wav.json"); };
    if (first == First::kSidecarOwner) {
      add_owner();
      add_other();
    } else {
      add_other();
      add_owner();
    }
    std::string const first_rec = first == First::kSidecarOwner ? "r1" : "r2";
    auto first_done = std::make_shared<Latch>();
    auto o = Options(1);  // in listing order
    o.key_template = "x/{file_name}";
    o.on_item_done = [first_rec, first_done, release = holding->release](ExportItem const& item, ManifestEntry const&) {
      (item.recording_id == first_rec ? first_done : release)->Set();
    };
    source->identity = ccrec::exporter::KeyIdentityRule{"lax", {}};
    if (timing == Timing::kFirstCompleted) {
      source->before_item = [first_done](std::size_t i) {
        if (i == 1) {
          EXPECT_TRUE(first_done->Wait());
        }
      };
      holding->release->Set();
    } else {
      // The first item's sidecar is its last write: it waits until the second item has failed.
      holding->hold_key = first == First::kSidecarOwner ? "x/a.wav.json" : "x/a.wav.json.json";
    }
    return Run(o, OpenManifest());
  }

  /// RunPair(): both items end failed with a collision that names both and the sidecar (a first
  /// item that completed gets a second line), and the second item wrote nothing.
  void ExpectBothFailed(First first, Timing timing) {
    auto const summary = RunPair(first, timing);
    EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=2 pending=0 bytes=0");
    auto const lines = Lines();
    std::string const first_rec = first == First::kSidecarOwner ? "r1" : "r2";
    std::string const second_rec = first == First::kSidecarOwner ? "r2" : "r1";
    std::vector<std::string> seen;
    for (auto const& l : lines) seen.push_back(l.recording_id + ":" + l.status);
    if (timing == Timing::kFirstCompleted) {  // its "exported" line is taken back by the collision
      EXPECT_EQ(seen,
                (std::vector<std::string>{first_rec + ":exported", first_rec + ":failed", second_rec + ":failed"}));
    } else {  // the second fails on its claim, the first when it completes
      EXPECT_EQ(seen, (std::vector<std::string>{second_rec + ":failed", first_rec + ":failed"}));
    }
    std::map<std::string, Line> latest;
    for (auto const& l : lines) latest[l.recording_id] = l;
    for (auto const& rec : {"r1", "r2"}) {
      auto const& l = latest.at(rec);
      EXPECT_EQ(l.status, "failed") << l.raw;
      EXPECT_NE(l.error.find("key collision: memory://x/a.wav.json is the key of both"), std::string::npos) << l.raw;
      EXPECT_NE(l.error.find("the sidecar of fake task t1 recording r1"), std::string::npos) << l.raw;
      EXPECT_NE(l.error.find("fake task t2 recording r2"), std::string::npos) << l.raw;
    }
    EXPECT_EQ(latest.at("r1").key, "x/a.wav");
    EXPECT_EQ(latest.at("r2").key, "x/a.wav.json");
    if (first == First::kSidecarOwner) {
      EXPECT_EQ(other->Calls(), 0u);
      EXPECT_EQ(memory->Get("x/a.wav"), std::optional<std::string>(owner->Data()));
      EXPECT_EQ(memory->Get("x/a.wav.json"), std::optional<std::string>(R"({"task":"t1","recording":"r1"})"))
          << "the sidecar is not overwritten";
      EXPECT_FALSE(memory->Get("x/a.wav.json.json"));
    } else {
      EXPECT_EQ(owner->Calls(), 0u);
      EXPECT_EQ(memory->Get("x/a.wav.json"), std::optional<std::string>(other->Data()))
          << "the recording is not overwritten";
      EXPECT_FALSE(memory->Get("x/a.wav"));
    }
  }

  // ---- an object already at an item's sidecar key --------------------------------------------

  /// Exports t1/r1 with `existing` already at its sidecar key (another recording's object when
  /// `task` is given, else one without identity): the item fails and the object stays.
  void ExpectExistingSidecarKeyKept(std::string const& task, std::string const& rec, std::string const& error_part) {
    Add("t1", "r1", Bytes(300, 1));
    auto const sidecar_key = Key("t1", "r1") + ".json";
    Preload(sidecar_key, "someone else's", task, rec);
    auto const before = memory->Objects().at(sidecar_key).options.metadata;
    auto summary = Run(1);
    EXPECT_EQ(summary.LastLine(), "exported=0 skipped=0 failed=1 pending=0 bytes=0");
    EXPECT_EQ(memory->Get(sidecar_key), std::optional<std::string>("someone else's")) << "never overwritten";
    EXPECT_EQ(memory->Objects().at(sidecar_key).options.metadata, before);
    auto lines = Lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].status, "failed");
    auto const what = "the sidecar memory://" + sidecar_key + " of fake task t1 recording r1 already exists";
    EXPECT_NE(lines[0].error.find(what), std::string::npos) << lines[0].error;
    EXPECT_NE(lines[0].error.find(error_part), std::string::npos) << lines[0].error;
    EXPECT_NE(lines[0].error.find("it was not overwritten"), std::string::npos) << lines[0].error;
  }
};

TEST_F(SidecarKeyTest, RecordingAtAnExportedItemsSidecarKeyFailsBoth) {
  ExpectBothFailed(First::kSidecarOwner, Timing::kFirstCompleted);
}

TEST_F(SidecarKeyTest, RecordingAtAnInFlightItemsSidecarKeyFailsBoth) {
  ExpectBothFailed(First::kSidecarOwner, Timing::kFirstInFlight);
}

TEST_F(SidecarKeyTest, SidecarAtAnExportedRecordingsKeyFailsBoth) {
  ExpectBothFailed(First::kRecording, Timing::kFirstCompleted);
}

TEST_F(SidecarKeyTest, SidecarAtAnInFlightRecordingsKeyFailsBoth) {
  ExpectBothFailed(First::kRecording, Timing::kFirstInFlight);
}

TEST_F(SidecarKeyTest, WithoutSidecarsTheKeysDoNotCollide) {
  Add("t1", "r1", Bytes(100, 1), {}, "a.wav");
  Add("t2", "r2", Bytes(200, 2), {}, "a.wav.json");
  source->items[0].metadata_json.clear();  // t1/r1 has no sidecar: x/a.wav.json is t2/r2's alone
  source->identity = ccrec::exporter::KeyIdentityRule{"lax", {}};
  auto o = Options(1);
  o.key_template = "x/{file_name}";
  EXPECT_EQ(Run(o, OpenManifest()).LastLine(), "exported=2 skipped=0 failed=0 pending=0 bytes=300");
}

TEST_F(SidecarKeyTest, SidecarKeyHoldingAnotherRecordingsObjectIsNotOverwritten) {
  ExpectExistingSidecarKeyKept("t9", "r9", "belongs to another recording (v1/fake/t9/r9/)");
}

TEST_F(SidecarKeyTest, SidecarKeyHoldingAnObjectWithoutIdentityIsNotOverwritten) {
  ExpectExistingSidecarKeyKept("", "", "has no ccrec-id metadata");
}

// A sink that enforces If-None-Match refuses the write; the object is judged the same way.
TEST_F(SidecarKeyTest, EnforcingSinkJudgesAnObjectWithoutIdentityTheSameWay) {
  memory->SetIgnoresIfNoneMatch(false);
  sink->enforces_if_none_match = true;
  ExpectExistingSidecarKeyKept("", "", "has no ccrec-id metadata");
  for (auto const& key : sink->Statted()) EXPECT_NE(key, Key("t1", "r1")) << "one conditional write, no Stat() first";
}

// An older ccrec wrote the recording and its sidecar, both without identity metadata; the
// manifest proves the recording: the sidecar is its own and is kept.
TEST_F(SidecarKeyTest, AnOlderCcrecsRecordingKeepsItsSidecarWithoutIdentity) {
  auto media = Add("t1", "r1", Bytes(500));
  Preload(Key("t1", "r1"), media->Data());
  Preload(Key("t1", "r1") + ".json", R"({"older":"sidecar"})");
  ccrec_test::WriteFile(manifest_path, R"({"source":"fake","task_id":"t1","recording_id":"r1","key":")" +
                                           Key("t1", "r1") + R"(","bytes":500,"sha256":"","status":"exported"})" +
                                           "\n");
  auto summary = Run(1);
  EXPECT_EQ(summary.LastLine(), "exported=0 skipped=1 failed=0 pending=0 bytes=0");
  EXPECT_EQ(memory->Get(Key("t1", "r1") + ".json"), std::optional<std::string>(R"({"older":"sidecar"})"));
}

}  // namespace
}  // namespace exporter_test
