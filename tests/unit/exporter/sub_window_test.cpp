// SPDX-License-Identifier: Apache-2.0
// Sub-windows on the epoch-aligned grid and static shards: N shards list every sub-window exactly
// once, whatever range each run starts from; bad --shard values name what is wrong.
#include <ccrec/exporter/sub_window.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace {

using ccrec::exporter::MakeShardClaim;
using ccrec::exporter::ParseShardSpec;
using ccrec::exporter::SubWindow;
using ccrec::exporter::SubWindowAt;
using std::chrono::hours;
using std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

TimePoint AtMs(std::int64_t ms) { return TimePoint(milliseconds(ms)); }
constexpr std::int64_t kDay = 86400000;
constexpr std::int64_t kNov1 = 1793491200000;  // 2026-11-01T00:00:00Z

// The grid cells covering [from, to), as the Webex source walks them.
std::vector<SubWindow> Walk(TimePoint from, TimePoint to, milliseconds step) {
  std::vector<SubWindow> out;
  for (auto t = from; t < to;) {
    out.push_back(SubWindowAt(t, step, from, to));
    t = out.back().to;
  }
  return out;
}

TEST(SubWindow, CellsAreAlignedToTheEpochAndClippedToTheRange) {
  auto cells = Walk(AtMs(kNov1 + 6 * 3600000), AtMs(kNov1 + 2 * kDay + 3600000), hours(24));
  ASSERT_EQ(cells.size(), 3u);
  EXPECT_EQ(cells[0].index, kNov1 / kDay);
  EXPECT_EQ(cells[0].from, AtMs(kNov1 + 6 * 3600000)) << "clipped to the range start";
  EXPECT_EQ(cells[0].to, AtMs(kNov1 + kDay)) << "a UTC day";
  EXPECT_EQ(cells[1].index, kNov1 / kDay + 1);
  EXPECT_EQ(cells[2].to, AtMs(kNov1 + 2 * kDay + 3600000)) << "clipped to the range end";
  // Before 1970 the index is floored, not truncated: no two cells share an index.
  EXPECT_EQ(SubWindowAt(AtMs(-1), hours(24), AtMs(-kDay), AtMs(0)).index, -1);
  EXPECT_EQ(SubWindowAt(AtMs(-kDay), hours(24), AtMs(-kDay), AtMs(0)).index, -1);
}

TEST(SubWindow, ShardsListEverySubWindowExactlyOnceWhateverEachRunStartsFrom) {
  for (std::uint32_t count : {1u, 2u, 3u, 7u}) {
    std::vector<int> listed(40, 0);
    for (std::uint32_t i = 0; i < count; ++i) {
      auto claim = MakeShardClaim({i, count});
      // Each shard runs twice, the second run starting where its first stopped (--since-last-run):
      // the grid numbers the days alike in both runs.
      TimePoint const mid = AtMs(kNov1 + 17 * kDay + 5 * 3600000);
      for (auto [from, to] : {std::pair{AtMs(kNov1), mid}, std::pair{mid, AtMs(kNov1 + 40 * kDay)}}) {
        for (auto const& w : Walk(from, to, hours(24))) {
          if (claim(w)) ++listed[static_cast<std::size_t>(w.index - kNov1 / kDay)];
        }
      }
    }
    for (std::size_t d = 0; d < listed.size(); ++d) {
      // Day 17 is split between the two runs of its shard: listed once by each half.
      EXPECT_EQ(listed[d], d == 17 ? 2 : 1) << "day " << d << " with " << count << " shards";
    }
  }
  EXPECT_TRUE(MakeShardClaim({2, 3})(SubWindow{-1, {}, {}})) << "-1 mod 3 is 2";
}

TEST(SubWindow, ShardSpecParsing) {
  auto ok = ParseShardSpec("3/8");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->index, 3u);
  EXPECT_EQ(ok->count, 8u);
  auto k8s = ParseShardSpec("index/4", "2");
  ASSERT_TRUE(k8s);
  EXPECT_EQ(k8s->index, 2u);
  struct Bad {
    char const* text;
    char const* env;
    char const* says;
  };
  for (auto const& b : {Bad{"3", nullptr, "expected I/N"}, Bad{"4/4", nullptr, "below the count"},
                        Bad{"a/4", nullptr, "not a number"}, Bad{"1/0", nullptr, "between 1 and 100000"},
                        Bad{"-1/4", nullptr, "not a number"}, Bad{"0/", nullptr, "count is not a number"},
                        Bad{"index/4", nullptr, "JOB_COMPLETION_INDEX"}, Bad{"index/4", "9", "below the count"},
                        Bad{"index/4", "x", "not a number"}}) {
    auto r = ParseShardSpec(b.text, b.env);
    ASSERT_FALSE(r) << b.text;
    EXPECT_EQ(r.error().code, ccrec::ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(b.says), std::string::npos) << b.text << ": " << r.error().message;
  }
}

// A checkpoint holds for a run when each shard index lists the same sub-windows: equal counts,
// and equal lengths when sharded (unsharded, every sub-window is listed whatever its length).
TEST(SubWindow, SameShardCoverageIsTheCountAndTheLengthWhenSharded) {
  using ccrec::exporter::SameShardCoverage;
  using ccrec::exporter::ShardLayout;
  auto const day = std::chrono::milliseconds(std::chrono::hours(24));
  auto const hour = std::chrono::milliseconds(std::chrono::hours(1));
  EXPECT_TRUE(SameShardCoverage(ShardLayout{4, day}, ShardLayout{4, day}));
  EXPECT_FALSE(SameShardCoverage(ShardLayout{4, day}, ShardLayout{2, day})) << "fewer shards";
  EXPECT_FALSE(SameShardCoverage(ShardLayout{2, day}, ShardLayout{4, day})) << "more shards";
  EXPECT_FALSE(SameShardCoverage(ShardLayout{2, day}, ShardLayout{2, hour})) << "the grid moved";
  EXPECT_FALSE(SameShardCoverage(ShardLayout{4, day}, ShardLayout{1, day})) << "one run now lists every shard's";
  EXPECT_FALSE(SameShardCoverage(ShardLayout{1, day}, ShardLayout{4, day}));
  EXPECT_TRUE(SameShardCoverage(ShardLayout{1, day}, ShardLayout{1, hour})) << "unsharded: any length";
}

}  // namespace
