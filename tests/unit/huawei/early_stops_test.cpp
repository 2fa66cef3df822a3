// SPDX-License-Identifier: Apache-2.0
// The StopRecordDone events a watch saw before their AgentMediaEvent_Record (detail::EarlyStops):
// bounded, and once full it forgets the oldest, so that the newest early stops keep working in a
// watch that runs for days (before, a full set stopped remembering new ones: each such recording
// then waited max_recording_duration before its download).

#include "huawei/awaiting_stop.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using ccrec::huawei::detail::EarlyStops;

TEST(HuaweiEarlyStops, AFullSetForgetsItsOldestTaskAndKeepsTheNewest) {
  EarlyStops stops(3);
  stops.Add("t1");
  stops.Add("t2");
  stops.Add("t3");
  stops.Add("t4");
  EXPECT_EQ(stops.Size(), 3u);
  EXPECT_FALSE(stops.Contains("t1"));
  EXPECT_TRUE(stops.Contains("t2"));
  EXPECT_TRUE(stops.Contains("t4"));
  EXPECT_TRUE(stops.Take("t4")) << "the newest early stop was not remembered";
  EXPECT_FALSE(stops.Take("t4"));
  EXPECT_FALSE(stops.Take("t1"));
}

TEST(HuaweiEarlyStops, ATakenTaskFreesItsPlaceAndARepeatedStopKeepsItsAge) {
  EarlyStops stops(2);
  stops.Add("a");
  stops.Add("b");
  ASSERT_TRUE(stops.Take("a"));
  stops.Add("c");  // room again: nothing forgotten
  EXPECT_TRUE(stops.Contains("b"));
  EXPECT_TRUE(stops.Contains("c"));
  stops.Add("b");  // seen again: still the oldest
  stops.Add("d");
  EXPECT_FALSE(stops.Contains("b"));
  EXPECT_TRUE(stops.Contains("c"));
  EXPECT_TRUE(stops.Contains("d"));
  EXPECT_EQ(stops.Size(), 2u);
}

TEST(HuaweiEarlyStops, ManyAddAndTakeCyclesKeepItBounded) {
  EarlyStops stops(4);
  for (int i = 0; i < 10000; ++i) {
    auto const task = "task-" + std::to_string(i);
    stops.Add(task);
    if (i % 2 == 0) {
      ASSERT_TRUE(stops.Take(task));
    }
  }
  EXPECT_EQ(stops.Size(), 4u);
  EXPECT_TRUE(stops.Contains("task-9999"));
  EXPECT_TRUE(stops.Contains("task-9993"));
  EXPECT_FALSE(stops.Contains("task-9991"));
}

}  // namespace
