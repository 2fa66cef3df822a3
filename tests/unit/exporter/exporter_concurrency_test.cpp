// SPDX-License-Identifier: Apache-2.0
// The export engine: one and eight workers give the same result; the bounded queue applies back-pressure.

#include "exporter_test_util.hpp"

#include <ccrec/exporter/exporter.hpp>
#include <ccrec/exporter/key_template.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

namespace exporter_test {
namespace {

using ccrec::exporter::Exporter;
using ccrec::exporter::ExporterOptions;
using ccrec::exporter::Manifest;
using ccrec::testing::ManualSleeper;
using ccrec::testing::MemorySink;

// ---------------------------------------------------------------------------------------------
// Concurrency and back-pressure

struct Outcome {
  std::string summary;
  std::map<std::string, std::string> objects;
  std::set<std::tuple<std::string, std::string, std::string, std::uint64_t, std::string>> lines;
};

Outcome RunMixed(int concurrency) {
  ccrec_test::TempDir dir;
  auto memory = std::make_shared<MemorySink>();
  auto source = std::make_shared<FakeSource>();
  for (int i = 0; i < 40; ++i) {
    std::vector<Step> script;
    if (i % 3 == 0) script.push_back(Step::DropAfter(static_cast<std::size_t>(100 + i)));
    if (i % 7 == 0) script.push_back(Step::IgnoreRange());
    if (i % 11 == 0) script = {Step::Fail(ErrorCode::kNotFound, "gone")};
    if (i % 13 == 0) script = std::vector<Step>(10, Step::DropAfter(10));
    auto media = std::make_shared<Media>(Bytes(static_cast<std::size_t>(500 + 97 * i), static_cast<std::uint32_t>(i)),
                                         script, 300);
    source->items.push_back(MakeItem("t" + std::to_string(i / 4), "r" + std::to_string(i), media));
  }
  for (int i = 0; i < 5; ++i) source->pending.push_back(PendingItem{"fake", "p" + std::to_string(i), "later"});
  auto manifest = Manifest::Open(dir / "m.jsonl");
  EXPECT_TRUE(manifest);
  ExporterOptions o;
  o.concurrency = concurrency;
  o.sleeper = std::make_shared<ManualSleeper>();
  o.copy_buffer_bytes = 4096;
  o.download_attempts = 4;
  auto summary = Exporter(source, memory, *manifest, o).Run();
  Outcome out;
  out.summary = summary.LastLine();
  for (auto const& [key, obj] : memory->Objects()) out.objects[key] = obj.data;
  for (auto const& l : ReadManifest(dir / "m.jsonl")) {
    out.lines.insert({l.task_id + "/" + l.recording_id, l.key, l.status, l.bytes, l.sha256});
  }
  return out;
}

TEST(ExporterConcurrency, OneAndEightWorkersProduceTheSameResult) {
  auto one = RunMixed(1);
  auto eight = RunMixed(8);
  // 40 items: 4 NotFound (0 is also %13), 4 exhausted (%13: 0,13,26,39 minus 0) -> see counts.
  EXPECT_EQ(one.summary, eight.summary);
  EXPECT_EQ(one.summary.substr(0, one.summary.find(" bytes")), "exported=33 skipped=0 failed=7 pending=5");
  EXPECT_EQ(one.objects.size(), 66u);
  EXPECT_TRUE(one.objects == eight.objects);
  EXPECT_EQ(one.lines, eight.lines);
  EXPECT_EQ(one.lines.size(), 45u);
}

TEST_F(ExporterTest, BoundedQueueAppliesBackPressureOn500Items) {
  constexpr int kConcurrency = 3;
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> max_outstanding{0};
  source->generate_count = 500;
  source->generate = [&](std::size_t i) {
    auto media = std::make_shared<Media>(Bytes(64, static_cast<std::uint32_t>(i)));
    auto item = MakeItem("t" + std::to_string(i), "r", media);
    auto inner = item.open;
    auto first = std::make_shared<std::atomic<bool>>(true);
    item.open = [inner, first, &started](CallContext const& ctx, std::uint64_t offset) {
      if (first->exchange(false)) started.fetch_add(1);
      return inner(ctx, offset);
    };
    return item;
  };
  source->before_item = [&](std::size_t i) {
    std::size_t outstanding = i - std::min(i, started.load());
    std::size_t prev = max_outstanding.load();
    while (outstanding > prev && !max_outstanding.compare_exchange_weak(prev, outstanding)) {
    }
  };
  auto summary = Run(kConcurrency);
  EXPECT_EQ(summary.LastLine(), "exported=500 skipped=0 failed=0 pending=0 bytes=32000");
  EXPECT_EQ(summary.discovered, 500u);
  EXPECT_EQ(memory->Objects().size(), 1000u);
  EXPECT_EQ(Lines().size(), 500u);
  // Handed over but not started: at most the queue (2 x concurrency) plus items the workers
  // have popped and not yet opened.
  EXPECT_LE(max_outstanding.load(), static_cast<std::size_t>(3 * kConcurrency));
}

}  // namespace
}  // namespace exporter_test
