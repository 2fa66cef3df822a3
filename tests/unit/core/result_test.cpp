// SPDX-License-Identifier: Apache-2.0
// Result<T>, Result<void>, Error and Exception.

#include <ccrec/core/error.hpp>
#include <ccrec/core/result.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ccrec {
namespace {

using std::chrono::milliseconds;

Result<int> Half(int n) {
  if (n % 2 != 0) return MakeError(ErrorCode::kInvalidArgument, std::to_string(n) + " is odd");
  return n / 2;
}

TEST(Result, HoldsValue) {
  auto r = Half(8);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 4);
  EXPECT_EQ(*r, 4);
  EXPECT_EQ(r.value_or(-1), 4);
}

TEST(Result, HoldsError) {
  auto r = Half(7);
  ASSERT_FALSE(r.has_value());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "7 is odd");
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(Result, OperatorBoolIsExplicit) {
  static_assert(!std::is_convertible_v<Result<int>, bool>, "operator bool must be explicit");
  static_assert(std::is_constructible_v<bool, Result<int>>, "but usable in conditions");
}

TEST(Result, ValueOnErrorThrowsExceptionCarryingTheError) {
  Error e = MakeError(ErrorCode::kRateLimited, "slow down");
  e.http_status = 429;
  e.vendor_code = "SlowDown";
  e.request_id = "req-1";
  e.retry_after = milliseconds(1500);
  Result<std::string> r = e;
  try {
    (void)r.value();
    FAIL() << "value() did not throw";
  } catch (Exception const& ex) {
    EXPECT_EQ(ex.error().code, ErrorCode::kRateLimited);
    EXPECT_EQ(ex.error().http_status, 429);
    EXPECT_EQ(ex.error().vendor_code, "SlowDown");
    EXPECT_EQ(ex.error().message, "slow down");
    EXPECT_EQ(ex.error().request_id, "req-1");
    EXPECT_EQ(ex.error().retry_after, milliseconds(1500));
    EXPECT_EQ(std::string(ex.what()), e.ToString());
  }
  // Const and rvalue accessors throw too.
  Result<std::string> const& cr = r;
  EXPECT_THROW((void)cr.value(), Exception);
  EXPECT_THROW((void)std::move(r).value(), Exception);
  // Exception is a std::runtime_error.
  EXPECT_THROW((void)Half(3).value(), std::runtime_error);
}

TEST(Result, ArrowAndMutation) {
  Result<std::string> r = std::string("abc");
  EXPECT_EQ(r->size(), 3u);
  r->append("d");
  *r += "e";
  r.value() += "f";
  EXPECT_EQ(*r, "abcdef");
  Result<std::string> const& cr = r;
  EXPECT_EQ(cr->size(), 6u);
  EXPECT_EQ(*cr, "abcdef");
}

TEST(Result, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(42);
  ASSERT_TRUE(r);
  EXPECT_EQ(**r, 42);
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 42);

  Result<std::unique_ptr<int>> r2 = std::make_unique<int>(7);
  std::unique_ptr<int> q = *std::move(r2);
  EXPECT_EQ(*q, 7);

  // A move-only Result can itself be moved.
  Result<std::unique_ptr<int>> r3 = std::make_unique<int>(9);
  Result<std::unique_ptr<int>> r4 = std::move(r3);
  EXPECT_EQ(**r4, 9);

  Result<std::unique_ptr<int>> failed = MakeError(ErrorCode::kNotFound, "none");
  EXPECT_THROW((void)std::move(failed).value(), Exception);
}

TEST(Result, MoveOnlyValueOr) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(1);
  auto p = std::move(r).value_or(nullptr);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 1);
  Result<std::unique_ptr<int>> e = MakeError(ErrorCode::kNotFound, "none");
  auto q = std::move(e).value_or(std::make_unique<int>(2));
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(*q, 2);
}

TEST(Result, ValueOrConvertsFallback) {
  Result<std::string> r = MakeError(ErrorCode::kNotFound, "x");
  EXPECT_EQ(r.value_or("fallback"), "fallback");
  Result<std::string> ok = std::string("v");
  EXPECT_EQ(ok.value_or("fallback"), "v");
}

TEST(Result, ErrorCanBeMovedOut) {
  Result<int> r = MakeError(ErrorCode::kParse, "bad json");
  Error e = std::move(r).error();
  EXPECT_EQ(e.code, ErrorCode::kParse);
  EXPECT_EQ(e.message, "bad json");
}

TEST(Result, ContainerValue) {
  Result<std::vector<int>> r = std::vector<int>{1, 2, 3};
  EXPECT_EQ(r->size(), 3u);
  EXPECT_EQ(r.value_or(std::vector<int>{}).size(), 3u);
}

TEST(ResultVoid, DefaultIsSuccess) {
  Result<void> r;
  EXPECT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_NO_THROW(r.value());
}

TEST(ResultVoid, HoldsError) {
  Result<void> r = MakeError(ErrorCode::kIntegrity, "short");
  EXPECT_FALSE(r.has_value());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
  try {
    r.value();
    FAIL() << "value() did not throw";
  } catch (Exception const& ex) {
    EXPECT_EQ(ex.error().code, ErrorCode::kIntegrity);
    EXPECT_EQ(ex.error().message, "short");
  }
  Error moved = std::move(r).error();
  EXPECT_EQ(moved.message, "short");
}

TEST(ResultVoid, FunctionReturningBraces) {
  auto ok = []() -> Result<void> { return {}; };
  auto bad = []() -> Result<void> { return MakeError(ErrorCode::kInternal, "boom"); };
  EXPECT_TRUE(ok());
  EXPECT_FALSE(bad());
}

TEST(ErrorCode, ToStringNamesEveryCode) {
  EXPECT_EQ(ToString(ErrorCode::kCancelled), "Cancelled");
  EXPECT_EQ(ToString(ErrorCode::kDeadlineExceeded), "DeadlineExceeded");
  EXPECT_EQ(ToString(ErrorCode::kUnauthenticated), "Unauthenticated");
  EXPECT_EQ(ToString(ErrorCode::kPermissionDenied), "PermissionDenied");
  EXPECT_EQ(ToString(ErrorCode::kNotFound), "NotFound");
  EXPECT_EQ(ToString(ErrorCode::kInvalidArgument), "InvalidArgument");
  EXPECT_EQ(ToString(ErrorCode::kRateLimited), "RateLimited");
  EXPECT_EQ(ToString(ErrorCode::kUnavailable), "Unavailable");
  EXPECT_EQ(ToString(ErrorCode::kTransport), "Transport");
  EXPECT_EQ(ToString(ErrorCode::kParse), "Parse");
  EXPECT_EQ(ToString(ErrorCode::kIntegrity), "Integrity");
  EXPECT_EQ(ToString(ErrorCode::kInternal), "Internal");
  EXPECT_EQ(ToString(static_cast<ErrorCode>(999)), "Unknown");
}

TEST(Error, DefaultIsInternal) {
  Error e;
  EXPECT_EQ(e.code, ErrorCode::kInternal);
  EXPECT_EQ(e.http_status, 0);
  EXPECT_FALSE(e.retry_after.has_value());
}

TEST(Error, ToStringCodeAndMessageOnly) {
  EXPECT_EQ(MakeError(ErrorCode::kNotFound, "task 42 not found").ToString(), "NotFound: task 42 not found");
}

TEST(Error, ToStringWithHttpStatus) {
  Error e = MakeError(ErrorCode::kUnavailable, "server busy");
  e.http_status = 503;
  EXPECT_EQ(e.ToString(), "Unavailable (HTTP 503): server busy");
}

TEST(Error, ToStringWithEverything) {
  Error e = MakeError(ErrorCode::kRateLimited, "reduce your request rate");
  e.http_status = 429;
  e.vendor_code = "SlowDown";
  e.request_id = "ABC123";
  EXPECT_EQ(e.ToString(), "RateLimited (HTTP 429, vendor SlowDown): reduce your request rate [request id ABC123]");
}

TEST(Error, ToStringVendorCodeWithoutStatus) {
  Error e = MakeError(ErrorCode::kNotFound, "no such recording");
  e.vendor_code = "19";
  EXPECT_EQ(e.ToString(), "NotFound (vendor 19): no such recording");
}

TEST(Error, ToStringRequestIdWithoutStatus) {
  Error e = MakeError(ErrorCode::kTransport, "connection reset");
  e.request_id = "t-1";
  EXPECT_EQ(e.ToString(), "Transport: connection reset [request id t-1]");
}

}  // namespace
}  // namespace ccrec
