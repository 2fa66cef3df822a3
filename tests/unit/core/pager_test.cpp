// SPDX-License-Identifier: Apache-2.0
// Pager<T>: lazy, move-only, error yielded once as the last element.

#include <ccrec/core/pager.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace ccrec {
namespace {

// Yields 1..n (fetched one "page" of `page` items at a time), then optionally an error.
struct Source {
  explicit Source(int count, int page_size = 2, bool fail_at_end = false)
      : n(count), page(page_size), fail(fail_at_end) {}
  int n;
  int page;
  bool fail;
  int fetches = 0;   // page fetches
  int calls = 0;     // calls of next
  int produced = 0;
  std::vector<int> buffer;
  bool failed = false;

  Pager<int> MakePager() {
    return Pager<int>([this]() -> std::optional<Result<int>> {
      ++calls;
      if (buffer.empty()) {
        if (produced >= n) {
          if (fail && !failed) {
            failed = true;
            return Result<int>(MakeError(ErrorCode::kUnavailable, "page fetch failed"));
          }
          return std::nullopt;
        }
        ++fetches;
        for (int i = 0; i < page && produced < n; ++i) buffer.push_back(++produced);
      }
      int v = buffer.front();
      buffer.erase(buffer.begin());
      return Result<int>(v);
    });
  }
};

TEST(Pager, IsMoveOnly) {
  static_assert(!std::is_copy_constructible_v<Pager<int>>);
  static_assert(!std::is_copy_assignable_v<Pager<int>>);
  static_assert(std::is_nothrow_move_constructible_v<Pager<int>>);
  static_assert(std::is_nothrow_move_assignable_v<Pager<int>>);
}

TEST(Pager, LazyUntilIterated) {
  Source s(5);
  auto pager = s.MakePager();
  EXPECT_EQ(s.calls, 0) << "constructing a pager fetches nothing";
  auto moved = std::move(pager);
  EXPECT_EQ(s.calls, 0);
  auto it = moved.begin();
  EXPECT_EQ(s.calls, 1);
  EXPECT_EQ(s.fetches, 1);
  ASSERT_NE(it, moved.end());
  EXPECT_EQ(**it, 1);
  ++it;
  EXPECT_EQ(**it, 2);
  EXPECT_EQ(s.fetches, 1) << "the second item came from the first page";
  ++it;
  EXPECT_EQ(s.fetches, 2);
  EXPECT_EQ(**it, 3);
}

TEST(Pager, RangeForYieldsAll) {
  Source s(7, 3);
  std::vector<int> got;
  for (auto& item : s.MakePager()) {
    ASSERT_TRUE(item);
    got.push_back(*item);
  }
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(s.fetches, 3);
  EXPECT_EQ(s.calls, 8) << "one call per item plus the end";
}

TEST(Pager, EarlyBreakStopsFetching) {
  Source s(100, 10);
  int seen = 0;
  for (auto& item : s.MakePager()) {
    ASSERT_TRUE(item);
    if (++seen == 3) break;
  }
  EXPECT_EQ(s.fetches, 1);
  EXPECT_EQ(s.calls, 3);
}

TEST(Pager, Empty) {
  Source s(0);
  auto pager = s.MakePager();
  EXPECT_EQ(pager.begin(), pager.end());
  int count = 0;
  Source s2(0);
  for (auto& item : s2.MakePager()) {
    (void)item;
    ++count;
  }
  EXPECT_EQ(count, 0);
}

TEST(Pager, ErrorYieldedOnceAsLast) {
  Source s(3, 2, /*fail=*/true);
  std::vector<Result<int>> got;
  auto pager = s.MakePager();
  for (auto& item : pager) got.push_back(item);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(*got[0], 1);
  EXPECT_EQ(*got[2], 3);
  ASSERT_FALSE(got[3]);
  EXPECT_EQ(got[3].error().code, ErrorCode::kUnavailable);
  int calls = s.calls;
  // Iterating the exhausted pager again yields nothing and fetches nothing.
  EXPECT_EQ(pager.begin(), pager.end());
  EXPECT_EQ(s.calls, calls);
}

TEST(Pager, ErrorFirst) {
  auto calls = std::make_shared<int>(0);
  Pager<std::string> pager([calls]() -> std::optional<Result<std::string>> {
    ++*calls;
    return Result<std::string>(MakeError(ErrorCode::kUnauthenticated, "401"));
  });
  std::vector<Result<std::string>> got;
  for (auto& item : pager) got.push_back(item);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(*calls, 1) << "nothing is fetched after an error";
}

TEST(Pager, IteratorArrowAndPostIncrement) {
  Pager<std::string> pager([n = 0]() mutable -> std::optional<Result<std::string>> {
    if (n == 2) return std::nullopt;
    return Result<std::string>(std::string(static_cast<std::size_t>(++n), 'x'));
  });
  auto it = pager.begin();
  EXPECT_EQ((*it)->size(), 1u);
  EXPECT_TRUE(it->has_value());
  it++;
  EXPECT_EQ((*it)->size(), 2u);
  it++;
  EXPECT_EQ(it, pager.end());
}

TEST(Pager, ItemsCanBeMovedOut) {
  Pager<std::unique_ptr<int>> pager([n = 0]() mutable -> std::optional<Result<std::unique_ptr<int>>> {
    if (n == 3) return std::nullopt;
    return Result<std::unique_ptr<int>>(std::make_unique<int>(++n));
  });
  std::vector<std::unique_ptr<int>> got;
  for (auto& item : pager) got.push_back(std::move(item).value());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(*got[2], 3);
}

TEST(Pager, MoveAssign) {
  Source a(2);
  Source b(3);
  auto pa = a.MakePager();
  auto pb = b.MakePager();
  pa = std::move(pb);
  int count = 0;
  for (auto& item : pa) {
    ASSERT_TRUE(item);
    ++count;
  }
  EXPECT_EQ(count, 3);
  EXPECT_EQ(a.calls, 0);
}

}  // namespace
}  // namespace ccrec
