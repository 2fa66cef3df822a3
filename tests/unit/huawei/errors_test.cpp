// SPDX-License-Identifier: Apache-2.0
// MapHuaweiError and the retcode table (reference huawei-cc-gateway.md §1, §8).
#include <ccrec/huawei/errors.hpp>

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using ccrec::ErrorCode;
using ccrec::huawei::IsSessionLost;
using ccrec::huawei::LookupRetcode;
using ccrec::huawei::MapHuaweiError;
using ccrec::huawei::RetcodeAction;

std::string ErrorEnvelope(std::string const& retcode, std::string const& message = "server says") {
  return "{\"message\":\"" + message + "\",\"retcode\":\"" + retcode + "\",\"result\":\"\"}";
}

TEST(HuaweiErrors, EveryDocumentedRetcodeMapsToItsErrorCode) {
  std::map<std::string, ErrorCode> const expected = {
      {"000-000", ErrorCode::kUnavailable},      {"000-001", ErrorCode::kInternal},
      {"000-002", ErrorCode::kInvalidArgument},  {"000-003", ErrorCode::kUnauthenticated},
      {"000-004", ErrorCode::kUnavailable},      {"000-006", ErrorCode::kInvalidArgument},
      {"000-007", ErrorCode::kRateLimited},      {"100-001", ErrorCode::kInvalidArgument},
      {"100-002", ErrorCode::kPermissionDenied}, {"100-003", ErrorCode::kUnavailable},
      {"100-004", ErrorCode::kUnauthenticated},  {"100-006", ErrorCode::kUnauthenticated},
      {"100-007", ErrorCode::kUnavailable},      {"100-008", ErrorCode::kUnauthenticated},
      {"104-001", ErrorCode::kPermissionDenied}, {"104-002", ErrorCode::kPermissionDenied},
      {"104-004", ErrorCode::kPermissionDenied}, {"104-005", ErrorCode::kNotFound},
      {"104-007", ErrorCode::kInvalidArgument},  {"104-008", ErrorCode::kPermissionDenied},
      {"104-009", ErrorCode::kInvalidArgument},  {"104-010", ErrorCode::kInvalidArgument},
      {"107-000", ErrorCode::kUnauthenticated},
  };
  EXPECT_EQ(ccrec::huawei::KnownRetcodes().size(), expected.size());
  for (auto const& [code, error_code] : expected) {
    SCOPED_TRACE(code);
    auto info = LookupRetcode(code);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->error_code, error_code);
    EXPECT_FALSE(info->meaning.empty());
    EXPECT_FALSE(info->hint.empty());
    auto e = MapHuaweiError(200, ErrorEnvelope(code), {}, "Huawei download of \"x\"");
    EXPECT_EQ(e.code, error_code);
    EXPECT_EQ(e.vendor_code, code);
    EXPECT_EQ(e.http_status, 200);
    EXPECT_NE(e.message.find("Huawei download of \"x\" failed: CC-Gateway retcode " + code), std::string::npos)
        << e.message;
    EXPECT_NE(e.message.find(std::string(info->meaning)), std::string::npos);
    EXPECT_NE(e.message.find("server says"), std::string::npos);
    EXPECT_NE(e.message.find(std::string(info->hint)), std::string::npos);
  }
}

TEST(HuaweiErrors, ActionsFollowTheReference) {
  EXPECT_EQ(LookupRetcode("100-006")->action, RetcodeAction::kSignInAgain);
  EXPECT_EQ(LookupRetcode("000-003")->action, RetcodeAction::kSignInAgain);
  EXPECT_EQ(LookupRetcode("107-000")->action, RetcodeAction::kSignInAgain);
  EXPECT_EQ(LookupRetcode("100-002")->action, RetcodeAction::kForceLogin);
  EXPECT_EQ(LookupRetcode("000-007")->action, RetcodeAction::kRetry);
  EXPECT_EQ(LookupRetcode("104-009")->action, RetcodeAction::kRetryOnce);
  EXPECT_EQ(LookupRetcode("100-004")->action, RetcodeAction::kConfiguration);
  EXPECT_FALSE(LookupRetcode("0"));
  EXPECT_FALSE(LookupRetcode(" 100-006"));
  EXPECT_FALSE(LookupRetcode("999-999"));
  // Retryable ones are retryable for the generic policy; the others are not.
  for (auto const& info : ccrec::huawei::KnownRetcodes()) {
    ccrec::Error e = MapHuaweiError(200, ErrorEnvelope(std::string(info.code)), {}, "x");
    EXPECT_EQ(ccrec::IsRetryable(e), info.action == RetcodeAction::kRetry) << info.code;
  }
}

TEST(HuaweiErrors, SessionLostCodes) {
  for (char const* code : {"100-006", "000-003", "100-008", "107-000"}) {
    EXPECT_TRUE(IsSessionLost(MapHuaweiError(200, ErrorEnvelope(code), {}, "x"))) << code;
  }
  for (char const* code : {"100-004", "104-005", "000-002", "100-002"}) {
    EXPECT_FALSE(IsSessionLost(MapHuaweiError(200, ErrorEnvelope(code), {}, "x"))) << code;
  }
  EXPECT_FALSE(IsSessionLost(ccrec::MakeError(ErrorCode::kUnauthenticated, "401")));
}

TEST(HuaweiErrors, MsgKeyNumericRetcodeAndUnknownCodes) {
  auto e = MapHuaweiError(200, R"({"msg":"already out","retcode":"100-008","result":null})", {}, "sign-out");
  EXPECT_EQ(e.vendor_code, "100-008");
  EXPECT_NE(e.message.find("already out"), std::string::npos);
  auto numeric = MapHuaweiError(200, R"({"message":"","retcode":5})", {}, "x");
  EXPECT_EQ(numeric.vendor_code, "5");
  EXPECT_EQ(numeric.code, ErrorCode::kInternal);
  EXPECT_NE(numeric.message.find("not a documented code"), std::string::npos);
  auto unknown = MapHuaweiError(200, ErrorEnvelope("321-654"), {}, "x");
  EXPECT_EQ(unknown.code, ErrorCode::kInternal);
  EXPECT_EQ(unknown.vendor_code, "321-654");
}

TEST(HuaweiErrors, RetcodeWinsOverHttpStatus) {
  auto e = MapHuaweiError(500, ErrorEnvelope("104-005"), {}, "x");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.http_status, 500);
  EXPECT_NE(e.message.find("HTTP 500"), std::string::npos);
}

TEST(HuaweiErrors, HttpStatusesWithoutEnvelope) {
  std::map<int, ErrorCode> const expected = {{401, ErrorCode::kUnauthenticated}, {403, ErrorCode::kPermissionDenied},
                                             {404, ErrorCode::kNotFound},        {408, ErrorCode::kDeadlineExceeded},
                                             {429, ErrorCode::kRateLimited},     {400, ErrorCode::kInvalidArgument},
                                             {405, ErrorCode::kInvalidArgument}, {500, ErrorCode::kUnavailable},
                                             {503, ErrorCode::kUnavailable}};
  for (auto const& [status, code] : expected) {
    auto e = MapHuaweiError(status, "<html>HTTP Status " + std::to_string(status) + "</html>", {}, "poll");
    EXPECT_EQ(e.code, code) << status;
    EXPECT_EQ(e.http_status, status);
    EXPECT_TRUE(e.vendor_code.empty());
    EXPECT_NE(e.message.find("HTTP " + std::to_string(status)), std::string::npos);
  }
  auto r = MapHuaweiError(429, "", {{"Retry-After", "7"}}, "x");
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(r.retry_after->count(), 7000);
}

TEST(HuaweiErrors, MalformedTruncatedAndEmptyBodiesAreParseErrors) {
  for (std::string body : {std::string(R"({"message":"x","retcode":"104-0)"), std::string("not json at all"),
                           std::string(""), std::string("[1,2]"), std::string(R"({"message":"no code"})"),
                           std::string(R"({"retcode":"0","result":{}})"), std::string(R"({"retcode":["100-006"]})")}) {
    auto e = MapHuaweiError(200, body, {}, "x");
    EXPECT_EQ(e.code, ErrorCode::kParse) << body;
    EXPECT_TRUE(e.vendor_code.empty()) << body;
  }
}

TEST(HuaweiErrors, MessagesAreRedactedAndBounded) {
  std::string huge(10000, 'a');
  auto e = MapHuaweiError(200, ErrorEnvelope("104-005", huge), {}, "x");
  EXPECT_LT(e.message.size(), 1000u);
  auto secret = MapHuaweiError(502, R"(upstream said password=hunter2 Guid: abc)", {}, "x");
  EXPECT_EQ(secret.message.find("hunter2"), std::string::npos) << secret.message;
}

}  // namespace
