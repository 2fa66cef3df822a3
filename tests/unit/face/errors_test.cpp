// SPDX-License-Identifier: Apache-2.0
// MapFaceError: the FACE return-code table (reference §7) and token errors (§8).

#include "face_test_util.hpp"

#include <ccrec/face/errors.hpp>

#include <gtest/gtest.h>

namespace face_test {
namespace {

using ccrec::ErrorCode;
using ccrec::face::MapFaceError;

std::string JsonResult(int code, std::string const& message) {
  return R"({"result":{"code":)" + std::to_string(code) + R"(,"message":")" + message + R"("}})";
}

TEST(FaceErrors, CodeTable) {
  struct Case {
    int code;
    ErrorCode expected;
  };
  for (auto c : std::vector<Case>{{1, ErrorCode::kPermissionDenied},  {2, ErrorCode::kPermissionDenied},
                                  {3, ErrorCode::kInvalidArgument},   {4, ErrorCode::kInvalidArgument},
                                  {5, ErrorCode::kInvalidArgument},   {6, ErrorCode::kInvalidArgument},
                                  {7, ErrorCode::kInvalidArgument},   {8, ErrorCode::kInvalidArgument},
                                  {9, ErrorCode::kInvalidArgument},   {10, ErrorCode::kUnavailable},
                                  {11, ErrorCode::kNotFound},         {12, ErrorCode::kInvalidArgument},
                                  {13, ErrorCode::kInvalidArgument},  {14, ErrorCode::kInvalidArgument},
                                  {15, ErrorCode::kInvalidArgument},  {16, ErrorCode::kUnavailable},
                                  {17, ErrorCode::kInvalidArgument},  {18, ErrorCode::kInvalidArgument},
                                  {19, ErrorCode::kNotFound},         {20, ErrorCode::kUnavailable},
                                  {21, ErrorCode::kUnavailable},      {22, ErrorCode::kNotFound},
                                  {23, ErrorCode::kInternal},         {24, ErrorCode::kUnavailable},
                                  {25, ErrorCode::kUnavailable},      {26, ErrorCode::kNotFound},
                                  {27, ErrorCode::kInvalidArgument},  {-1, ErrorCode::kInvalidArgument},
                                  {99, ErrorCode::kInternal}}) {
    auto e = MapFaceError(200, JsonResult(c.code, std::string(ccrec::face::DescribeReturnCode(c.code))), JsonHeaders(),
                          "FACE GET audioRecording/download");
    EXPECT_EQ(e.code, c.expected) << c.code;
    EXPECT_EQ(e.vendor_code, std::to_string(c.code));
    EXPECT_EQ(e.http_status, 200);
    EXPECT_NE(e.message.find("FACE GET audioRecording/download"), std::string::npos);
    EXPECT_NE(e.message.find("return code " + std::to_string(c.code)), std::string::npos) << e.message;
  }
}

TEST(FaceErrors, MessagesSayWhatToDo) {
  auto e19 = MapFaceError(200, JsonResult(19, "No recording found with supplied criteria"), JsonHeaders(), "op");
  EXPECT_NE(e19.message.find("No recording found"), std::string::npos);
  auto e2 = MapFaceError(200, JsonResult(2, "Host Not Authorized"), JsonHeaders(), "op");
  EXPECT_NE(e2.message.find("authorized hosts"), std::string::npos) << e2.message;
  auto e1 = MapFaceError(200, JsonResult(1, "Feature Not Licensed"), JsonHeaders(), "op");
  EXPECT_NE(e1.message.find("not licensed"), std::string::npos) << e1.message;
  // The server's own message is kept when it adds something.
  auto e11 = MapFaceError(200, JsonResult(11, "Error retrieving file for ANI 1 DNIS 2"), JsonHeaders(), "op");
  EXPECT_NE(e11.message.find("ANI 1 DNIS 2"), std::string::npos);
}

TEST(FaceErrors, XmlBodiesAreUnderstood) {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<result><code>2</code><message>Host Not "
                    "Authorized</message></result>";
  auto e = MapFaceError(200, xml, XmlHeaders(), "op");
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(e.vendor_code, "2");
  // No Content-Type: recognized by its first bytes.
  auto e2 = MapFaceError(200, "\xEF\xBB\xBF  <result><code>24</code><message>x</message></result>", {}, "op");
  EXPECT_EQ(e2.code, ErrorCode::kUnavailable);
  EXPECT_EQ(e2.vendor_code, "24");
}

TEST(FaceErrors, TokenErrors) {
  EXPECT_TRUE(ccrec::face::IsTokenError(401, std::nullopt, ""));
  EXPECT_TRUE(ccrec::face::IsTokenError(403, std::nullopt, ""));  // reference §8: log in again on 403 too
  EXPECT_FALSE(ccrec::face::IsTokenError(403, 2, "host not authorized"));  // the code says what was refused
  EXPECT_TRUE(ccrec::face::IsTokenError(200, 27, "Missing Parameter - token is required"));
  EXPECT_TRUE(ccrec::face::IsTokenError(200, -1, "Invalid or expired token"));
  EXPECT_FALSE(ccrec::face::IsTokenError(200, 27, "Missing Parameter - ani is required"));
  EXPECT_FALSE(ccrec::face::IsTokenError(200, -1, "NACK"));
  auto e = MapFaceError(401, JsonResult(-1, "Invalid or expired token"), JsonHeaders(), "op");
  EXPECT_EQ(e.code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(e.vendor_code, "-1");
  auto e27 = MapFaceError(401, JsonResult(27, "Missing Parameter - token is required"), JsonHeaders(), "op");
  EXPECT_EQ(e27.code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(e27.vendor_code, "27");
}

TEST(FaceErrors, NoResultFallsBackToHttpStatus) {
  EXPECT_EQ(MapFaceError(500, "", {}, "op").code, ErrorCode::kUnavailable);
  EXPECT_EQ(MapFaceError(503, "<html>busy</html>", {{"Content-Type", "text/html"}}, "op").code, ErrorCode::kUnavailable);
  EXPECT_EQ(MapFaceError(404, "", {}, "op").code, ErrorCode::kNotFound);
  // 403 without a FACE code: a token error (log in again once; reference §8), naming both causes.
  auto forbidden = MapFaceError(403, "", {}, "op");
  EXPECT_EQ(forbidden.code, ErrorCode::kUnauthenticated);
  EXPECT_NE(forbidden.message.find("authorized hosts"), std::string::npos) << forbidden.message;
  EXPECT_EQ(MapFaceError(429, "", {}, "op").code, ErrorCode::kRateLimited);
  EXPECT_EQ(MapFaceError(400, "nope", {}, "op").code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(MapFaceError(302, "", {}, "op").code, ErrorCode::kInternal);
  EXPECT_EQ(MapFaceError(200, "not a result", {}, "op").code, ErrorCode::kParse);
  // -1 with a 5xx: transient.
  EXPECT_EQ(MapFaceError(500, JsonResult(-1, "java.lang.NullPointerException"), JsonHeaders(), "op").code,
            ErrorCode::kUnavailable);
}

TEST(FaceErrors, RetryAfterAndRedaction) {
  auto e = MapFaceError(503, "", {{"Retry-After", "7"}}, "op");
  ASSERT_TRUE(e.retry_after);
  EXPECT_EQ(e.retry_after->count(), 7000);
  auto leak = MapFaceError(400, "bad request token=abcdef-secret&password=hunter2", {{"Content-Type", "text/plain"}}, "op");
  EXPECT_EQ(leak.message.find("abcdef-secret"), std::string::npos) << leak.message;
  EXPECT_EQ(leak.message.find("hunter2"), std::string::npos) << leak.message;
}

TEST(FaceErrors, MalformedBodiesNeverCrash) {
  for (std::string body : {std::string("{"), std::string("{\"result\":"), std::string("{\"result\":{\"code\":\"x\"}}"),
                           std::string("{\"result\":[]}"), std::string("<result><code>"), std::string("<code>2"),
                           std::string("{\"result\":{\"code\":99999999999999999999}}"), std::string(100000, '<'),
                           std::string("\0\0\0", 3)}) {
    auto e = MapFaceError(200, body, {}, "op");
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(FaceErrors, DescribeReturnCode) {
  EXPECT_EQ(ccrec::face::DescribeReturnCode(19), "No recording found with supplied criteria");
  EXPECT_EQ(ccrec::face::DescribeReturnCode(2), "Host Not Authorized");
  EXPECT_EQ(ccrec::face::DescribeReturnCode(1), "Feature Not Licensed");
  EXPECT_EQ(ccrec::face::DescribeReturnCode(1234), "unknown return code");
}

}  // namespace
}  // namespace face_test
