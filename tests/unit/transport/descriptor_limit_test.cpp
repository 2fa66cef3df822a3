// SPDX-License-Identifier: Apache-2.0
// DescriptorsNeeded / DecideDescriptorLimit: the open-file budget of planned transfers
// (pure computation; FitDescriptorLimit's setrlimit is covered by it_transport_descriptors).

#include <ccrec/transport/descriptor_limit.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

using ::ccrec::DecideDescriptorLimit;
using ::ccrec::DescriptorPlan;
using ::ccrec::DescriptorsNeeded;

constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

/// The example: --concurrency 64, one download and 4 S3 parts per worker.
DescriptorPlan ExportPlan(std::size_t workers) {
  DescriptorPlan plan;
  plan.workers = workers;
  plan.transfers_per_worker = 1 + 4;
  plan.idle_connections = 64;
  plan.reserved = 64;
  return plan;
}

TEST(DescriptorLimitTest, NeededCountsTransfersIdleConnectionsAndReserve) {
  static_assert(ccrec::kCurlDescriptorsPerTransfer == 3, "measured by it_transport_descriptors");
  DescriptorPlan plan = ExportPlan(64);
  // 64 + 64×3 idle + 64 workers × 5 transfers × (3 + 1 headroom)
  EXPECT_EQ(DescriptorsNeeded(plan, 64), 64u + 192u + 64u * 5u * 4u);
  EXPECT_EQ(DescriptorsNeeded(plan, 0), 64u + 192u);
  plan.files_per_worker = 2;
  EXPECT_EQ(DescriptorsNeeded(plan, 10), 64u + 192u + 10u * (20u + 2u));
  EXPECT_GT(DescriptorsNeeded(ExportPlan(64), 64), 1024u) << "the issue's case does not fit 1,024";
}

TEST(DescriptorLimitTest, NeededSaturatesInsteadOfOverflowing) {
  DescriptorPlan plan;
  plan.transfers_per_worker = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(DescriptorsNeeded(plan, std::numeric_limits<std::size_t>::max()), kUnlimited);
}

TEST(DescriptorLimitTest, EnoughAlreadyChangesNothing) {
  auto d = DecideDescriptorLimit(ExportPlan(4), 1024, 4096);
  EXPECT_EQ(d.workers, 4u);
  EXPECT_EQ(d.new_soft_limit, 1024u);
  EXPECT_FALSE(d.raised);
  EXPECT_FALSE(d.lowered);
  EXPECT_TRUE(d.message.empty()) << d.message;
}

TEST(DescriptorLimitTest, RaisesTheSoftLimitToWhatIsNeededWhenTheHardLimitAllows) {
  auto const needed = DescriptorsNeeded(ExportPlan(64), 64);
  auto d = DecideDescriptorLimit(ExportPlan(64), 1024, 524288);
  EXPECT_EQ(d.needed, needed);
  EXPECT_EQ(d.new_soft_limit, needed);
  EXPECT_EQ(d.workers, 64u);
  EXPECT_TRUE(d.raised);
  EXPECT_FALSE(d.lowered);
  EXPECT_NE(d.message.find("from 1024 to " + std::to_string(needed)), std::string::npos) << d.message;

  auto unlimited = DecideDescriptorLimit(ExportPlan(64), 1024, kUnlimited);
  EXPECT_EQ(unlimited.new_soft_limit, needed) << "raised to what is needed, not to 'unlimited'";
  EXPECT_EQ(unlimited.workers, 64u);
}

TEST(DescriptorLimitTest, LowersConcurrencyToWhatFitsTheHardLimit) {
  // soft = hard = 1024: (1024 - 256) / 20 = 38 workers fit.
  auto d = DecideDescriptorLimit(ExportPlan(64), 1024, 1024);
  EXPECT_FALSE(d.raised);
  EXPECT_TRUE(d.lowered);
  EXPECT_EQ(d.workers, 38u);
  EXPECT_LE(DescriptorsNeeded(ExportPlan(64), d.workers), 1024u);
  EXPECT_GT(DescriptorsNeeded(ExportPlan(64), d.workers + 1), 1024u);
  EXPECT_NE(d.message.find("lowering the concurrency to 38"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("soft 1024, hard 1024"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("ulimit -Hn"), std::string::npos) << d.message;
}

TEST(DescriptorLimitTest, RaisesToTheHardLimitAndLowersWhenBothAreNeeded) {
  auto d = DecideDescriptorLimit(ExportPlan(64), 256, 600);
  EXPECT_TRUE(d.raised);
  EXPECT_EQ(d.new_soft_limit, 600u);
  EXPECT_TRUE(d.lowered);
  EXPECT_EQ(d.workers, (600u - 256u) / 20u);
  EXPECT_NE(d.message.find("raised the soft limit to 600"), std::string::npos) << d.message;
}

TEST(DescriptorLimitTest, NeverBelowOneWorkerAndSaysSo) {
  auto d = DecideDescriptorLimit(ExportPlan(8), 100, 100);
  EXPECT_EQ(d.workers, 1u);
  EXPECT_TRUE(d.lowered);
  EXPECT_NE(d.message.find("even 1 worker"), std::string::npos) << d.message;

  DescriptorPlan zero = ExportPlan(0);
  auto z = DecideDescriptorLimit(zero, 1 << 20, 1 << 20);
  EXPECT_EQ(z.workers, 1u) << "0 workers is treated as 1";
}

}  // namespace
