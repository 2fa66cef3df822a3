// SPDX-License-Identifier: Apache-2.0
// The engine's hooks for sources that replace items while they are read (Superseded(),
// ExportItem::on_done), items without a sidecar, content types, source key names and dry runs
// over a manifest.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace exporter_test {
namespace {

using ccrec::exporter::IsSuperseded;
using ccrec::exporter::Superseded;

/// A source whose first item is withdrawn at the end of its body and replaced by two items
/// handed out only then; Enumerate() waits for every item's on_done, like webex_legacy's.
class ReplacingSource : public ccrec::exporter::RecordingSource {
 public:
  std::atomic<int> done_calls{0};
  std::atomic<int> opens{0};
  bool supersede_in_opener = false;
  std::vector<std::string> names{"whole"};

  Result<void> Enumerate(std::function<bool(ExportItem)> const& on_item, std::function<void(PendingItem)> const&,
                         CallContext const& ctx) override {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait_for(lock, std::chrono::milliseconds(20),
                   [&] { return !names.empty() || outstanding_ == 0 || ctx.cancel.IsCancelled(); });
      if (ctx.cancel.IsCancelled()) return {};
      if (names.empty()) {
        if (outstanding_ == 0) return {};
        continue;
      }
      std::string name = names.front();
      names.erase(names.begin());
      ++outstanding_;
      lock.unlock();
      bool more = on_item(Item(name));
      lock.lock();
      if (!more) return {};
    }
  }

 private:
  ExportItem Item(std::string const& name) {
    ExportItem item;
    item.source = "fake";
    item.task_id = "t";
    item.recording_id = name;
    item.key_fields.task_id = "t";
    item.key_fields.recording_id = name;
    item.key_fields.ext = ".txt";
    item.content_type = "text/plain; charset=utf-8";
    item.open = [this, name](CallContext const&, std::uint64_t) -> Result<ccrec::HttpResponse> {
      opens.fetch_add(1);
      ccrec::HttpResponse r;
      r.status = 200;
      if (name != "whole") {
        r.body = ccrec::testing::MakeStringBodyReader("part " + name);
        return r;
      }
      auto replace = [this] {
        std::lock_guard<std::mutex> lock(mu_);
        names.push_back("first-half");
        names.push_back("second-half");
        cv_.notify_all();
        return Superseded("too big: split in halves");
      };
      if (supersede_in_opener) return replace();
      r.body = ccrec::testing::MakeStringBodyReader(std::string(10000, 'x'), 4096, replace());
      return r;
    };
    item.on_done = [this] {
      done_calls.fetch_add(1);
      std::lock_guard<std::mutex> lock(mu_);
      --outstanding_;
      cv_.notify_all();
    };
    return item;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int outstanding_ = 0;
};

using SupersededTest = ExporterTest;

TEST_F(SupersededTest, AWithdrawnItemLeavesNothingAndItsReplacementsAreExported) {
  for (bool in_opener : {false, true}) {
    SCOPED_TRACE(in_opener ? "withdrawn by the opener" : "withdrawn at the end of the body");
    ccrec_test::TempDir run_dir;
    auto replacing = std::make_shared<ReplacingSource>();
    replacing->supersede_in_opener = in_opener;
    auto memory_sink = std::make_shared<MemorySink>();
    auto manifest = OpenManifest(run_dir / "m.jsonl");
    ccrec::exporter::Exporter exporter(replacing, memory_sink, manifest, Options(2));
    auto summary = exporter.Run();
    ASSERT_FALSE(summary.fatal) << summary.fatal->ToString();
    EXPECT_EQ(summary.exported, 2u);
    EXPECT_EQ(summary.failed + summary.skipped + summary.pending, 0u);
    EXPECT_EQ(summary.discovered, 2u) << "the withdrawn item is not counted";
    EXPECT_EQ(summary.bytes, std::string("part first-half").size() + std::string("part second-half").size());
    EXPECT_EQ(replacing->done_calls.load(), 3) << "on_done once per item, the withdrawn one included";
    EXPECT_EQ(replacing->opens.load(), 3) << "a withdrawn item is not retried";
    auto objects = memory_sink->Objects();
    ASSERT_EQ(objects.size(), 2u) << "nothing of the withdrawn item";
    EXPECT_EQ(objects.at("call-detail/t/first-half.txt").data, "part first-half");
    EXPECT_EQ(objects.at("call-detail/t/first-half.txt").options.content_type, "text/plain; charset=utf-8");
    EXPECT_EQ(memory_sink->AbortCount(), 1u) << "the withdrawn object was aborted";
    auto lines = ReadManifest(run_dir / "m.jsonl");
    ASSERT_EQ(lines.size(), 2u) << "no line for the withdrawn item";
    for (auto const& line : lines) EXPECT_NE(line.recording_id, "whole");
    for (auto const& [key, object] : objects) {
      EXPECT_EQ(key.find(".json"), std::string::npos) << "items without metadata_json have no sidecar: " << key;
    }
  }
}

TEST(SupersededError, IsRecognisedByItsVendorCodeOnly) {
  auto e = Superseded("split");
  EXPECT_TRUE(IsSuperseded(e));
  EXPECT_EQ(e.code, ErrorCode::kInternal) << "a caller that does not know it fails the item";
  EXPECT_EQ(e.message, "split");
  EXPECT_FALSE(IsSuperseded(MakeError(ErrorCode::kInternal, "split")));
}

TEST_F(SupersededTest, OnDoneIsCalledForEveryItemHowEverItEnds) {
  auto good = Add("t1", "ok", "data");
  Add("t2", "bad", "data", {Step::Fail(ErrorCode::kNotFound, "gone")});
  std::atomic<int> done{0};
  for (auto& item : source->items) item.on_done = [&done] { done.fetch_add(1); };
  auto summary = Run(2);
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(done.load(), 2);
  // Skipped by the manifest, and in a dry run.
  done = 0;
  auto again = Run(2);
  EXPECT_EQ(again.skipped, 1u);
  EXPECT_EQ(done.load(), 2);
  done = 0;
  auto o = Options(2);
  o.dry_run = true;
  EXPECT_FALSE(Run(o, OpenManifest()).fatal);
  EXPECT_EQ(done.load(), 2);
}

TEST_F(SupersededTest, DryRunLeavesOutWhatTheManifestHasDone) {
  Add("t1", "done", "data");
  ASSERT_EQ(Run(2).exported, 1u);
  Add("t2", "new", "data");
  std::vector<std::string> planned;
  std::mutex mu;
  auto o = Options(1);
  o.dry_run = true;
  o.on_dry_run_item = [&](ExportItem const& item, std::string const&) {
    std::lock_guard<std::mutex> lock(mu);
    planned.push_back(item.recording_id);
  };
  auto dry = Run(o, OpenManifest());
  EXPECT_EQ(planned, std::vector<std::string>{"new"});
  EXPECT_EQ(dry.skipped, 1u);
  EXPECT_EQ(dry.exported, 0u);
}

class NamedSource : public FakeSource {
 public:
  std::vector<std::string> ExtraKeyNames() const override { return {"shelf"}; }
};

TEST_F(SupersededTest, TheSourceDeclaresItsOwnPlaceholders) {
  auto named = std::make_shared<NamedSource>();
  auto media = std::make_shared<Media>("data", std::vector<Step>{});
  auto item = MakeItem("t1", "r1", media);
  item.key_fields.extra["shelf"] = "top";
  named->items.push_back(item);
  auto o = Options(1);
  o.key_template = "{shelf}/{task_id}/{recording_id}{ext}";
  ccrec::exporter::Exporter exporter(named, memory, OpenManifest(), o);
  ASSERT_TRUE(exporter.Validate());
  auto summary = exporter.Run();
  EXPECT_EQ(summary.exported, 1u);
  EXPECT_EQ(memory->Objects().count("top/t1/r1.wav"), 1u);
  o.key_template = "{shelf}/{task_id}/{recording_id}{ext}";
  ccrec::exporter::Exporter plain(source, memory, OpenManifest(), o);
  EXPECT_FALSE(plain.Validate()) << "another source does not know {shelf}";
}

class FatalSource : public FakeSource {
 public:
  bool IsFatal(Error const& e) const override {
    return e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kTransport;
  }
};

TEST_F(SupersededTest, AnOpenerErrorTheSourceCallsFatalStopsTheRunAndLeavesItemsPending) {
  auto fatal = std::make_shared<FatalSource>();
  auto refused = std::make_shared<Media>("aaaa", std::vector<Step>{Step::Fail(ErrorCode::kUnauthenticated, "401")});
  fatal->items.push_back(MakeItem("t1", "a", refused));
  for (char const* rec : {"b", "c"}) fatal->items.push_back(MakeItem("t1", rec, std::make_shared<Media>("data")));
  ccrec::exporter::Exporter exporter(fatal, memory, OpenManifest(), Options(1));
  auto summary = exporter.Run();
  ASSERT_TRUE(summary.fatal);
  EXPECT_EQ(summary.fatal->code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(summary.failed, 0u) << "not the item's failure: the run stopped";
  EXPECT_EQ(refused->Calls(), 1u) << "not retried";
  auto counts = StatusCounts(Lines());
  EXPECT_EQ(counts["failed"], 0u);
  EXPECT_GE(counts["pending"], 1u);
  for (auto const& line : Lines()) {
    if (line.recording_id == "a") {
      EXPECT_EQ(line.status, "pending");
    }
  }
  EXPECT_TRUE(memory->Objects().empty());
}

TEST_F(SupersededTest, ABrokenBodyIsNeverFatalEvenWithAnErrorCodeTheSourceCallsFatal) {
  auto fatal = std::make_shared<FatalSource>();
  auto media = std::make_shared<Media>(Bytes(10000), std::vector<Step>{Step::DropAfter(3000)});
  fatal->items.push_back(MakeItem("t1", "a", media));
  ccrec::exporter::Exporter exporter(fatal, memory, OpenManifest(), Options(1));
  auto summary = exporter.Run();
  EXPECT_FALSE(summary.fatal) << summary.fatal->ToString();
  EXPECT_EQ(summary.exported, 1u) << "resumed";
  EXPECT_EQ(memory->Objects().at(Key("t1", "a")).data, Bytes(10000));
}

}  // namespace
}  // namespace exporter_test
