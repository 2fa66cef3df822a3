// SPDX-License-Identifier: Apache-2.0
// The S3 error mapping over the XML layer (tests/unit/core/xml_test.cpp tests the layer itself).
#include "s3/s3_error.hpp"

#include <gtest/gtest.h>

namespace {

using namespace ccrec;
using namespace ccrec::s3;
auto const kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1790000000));

TEST(S3Error, SignatureDoesNotMatch) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
      "signature we calculated does not match the signature you provided. Check your key and signing method."
      "</Message><AWSAccessKeyId>AKID</AWSAccessKeyId><StringToSign>x</StringToSign><RequestId>4442587FB7D0A2F9"
      "</RequestId><HostId>h</HostId></Error>";
  auto e = s3::detail::MapS3Error(403, {{"x-amz-request-id", "HDR"}}, body, "PutObject", "s3://b/k.wav", kNow);
  EXPECT_EQ(e.code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.vendor_code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_NE(e.message.find("S3 PutObject s3://b/k.wav failed: HTTP 403 SignatureDoesNotMatch"), std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("check the secret access key"), std::string::npos);
  EXPECT_FALSE(IsRetryable(e));
}

TEST(S3Error, Classification) {
  struct Case {
    int status;
    char const* code;
    ErrorCode expected;
    bool retryable;
  };
  Case const cases[] = {
      {503, "SlowDown", ErrorCode::kRateLimited, true},
      {500, "InternalError", ErrorCode::kUnavailable, true},
      {503, "ServiceUnavailable", ErrorCode::kUnavailable, true},
      {400, "RequestTimeout", ErrorCode::kUnavailable, true},
      {403, "AccessDenied", ErrorCode::kPermissionDenied, false},
      {404, "NoSuchBucket", ErrorCode::kNotFound, false},
      {403, "InvalidAccessKeyId", ErrorCode::kUnauthenticated, false},
      {400, "ExpiredToken", ErrorCode::kUnauthenticated, false},
      {400, "EntityTooSmall", ErrorCode::kInvalidArgument, false},
      {400, "BadDigest", ErrorCode::kIntegrity, false},
      {400, "XAmzContentSHA256Mismatch", ErrorCode::kIntegrity, false},
      {412, "PreconditionFailed", ErrorCode::kInvalidArgument, false},
      {404, "NoSuchUpload", ErrorCode::kNotFound, false},
      {418, "SomethingNew", ErrorCode::kInvalidArgument, false},
      {502, "SomethingNew", ErrorCode::kUnavailable, true},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.code);
    auto e = s3::detail::MapS3Error(c.status, {}, "<Error><Code>" + std::string(c.code) + "</Code></Error>", "Op", "s3://b/k",
                              kNow);
    EXPECT_EQ(e.code, c.expected);
    EXPECT_EQ(e.vendor_code, c.code);
    EXPECT_EQ(IsRetryable(e), c.retryable);
  }
}

TEST(S3Error, NoBodyFallsBackToStatus) {
  auto e = s3::detail::MapS3Error(403, {{"x-amz-request-id", "RID"}}, "", "HeadObject", "s3://b/k", kNow);
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(e.request_id, "RID");
  EXPECT_TRUE(e.vendor_code.empty());
  EXPECT_NE(e.message.find("secret"), std::string::npos);
  EXPECT_EQ(s3::detail::MapS3Error(503, {}, "", "Op", "s3://b/k", kNow).code, ErrorCode::kUnavailable);
  EXPECT_EQ(s3::detail::MapS3Error(404, {}, "", "Op", "s3://b/k", kNow).code, ErrorCode::kNotFound);
  EXPECT_EQ(s3::detail::MapS3Error(412, {}, "", "Op", "s3://b/k", kNow).vendor_code, "PreconditionFailed");
  // Not XML at all (a proxy page): status decides, body not echoed as a code.
  auto p = s3::detail::MapS3Error(502, {}, "<html><body>Bad Gateway</body></html>", "Op", "s3://b/k", kNow);
  EXPECT_EQ(p.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(p.vendor_code.empty());
  // Truncated error body.
  auto t = s3::detail::MapS3Error(500, {}, "<Error><Code>Internal", "Op", "s3://b/k", kNow);
  EXPECT_EQ(t.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(t.vendor_code.empty());
}

TEST(S3Error, RetryAfterAndRegionHint) {
  auto e = s3::detail::MapS3Error(503, {{"Retry-After", "7"}}, "<Error><Code>SlowDown</Code></Error>", "Op", "s3://b/k", kNow);
  ASSERT_TRUE(e.retry_after);
  EXPECT_EQ(*e.retry_after, std::chrono::seconds(7));
  auto r = s3::detail::MapS3Error(400, {},
                            "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is "
                            "wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>",
                            "PutObject", "s3://b/k", kNow);
  EXPECT_NE(r.message.find("eu-west-1"), std::string::npos);
  EXPECT_NE(r.message.find("region"), std::string::npos);
}

TEST(S3Error, ErrorDocumentDetection) {
  EXPECT_TRUE(s3::detail::IsErrorDocument("<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code></Error>"));
  // CompleteMultipartUpload's 200 OK keeps the connection alive with blanks before the <Error>.
  EXPECT_TRUE(s3::detail::IsErrorDocument("\n\n\n<Error><Code>InternalError</Code></Error>"));
  EXPECT_TRUE(s3::detail::IsErrorDocument("<s3:Error xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>"));
  // A truncated <Error> is not well-formed: the caller's root check reports it (kParse).
  EXPECT_FALSE(s3::detail::IsErrorDocument("\n\n\n<Error>"));
  EXPECT_FALSE(s3::detail::IsErrorDocument("<CompleteMultipartUploadResult><ETag>x</ETag></CompleteMultipartUploadResult>"));
  EXPECT_FALSE(s3::detail::IsErrorDocument(""));
  EXPECT_FALSE(s3::detail::IsErrorDocument("<Errors>"));
}

TEST(S3Error, NamespacedUtf16AndEscapedErrorDocuments) {
  auto e = s3::detail::MapS3Error(404, {},
                            "<s3:Error xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:Code>NoSuchKey</s3:Code>"
                            "<s3:Message>key &quot;a&amp;b&quot; &#x263A;</s3:Message><s3:RequestId>R1</s3:RequestId>"
                            "</s3:Error>",
                            "GetObject", "s3://b/k", kNow);
  EXPECT_EQ(e.vendor_code, "NoSuchKey");
  EXPECT_EQ(e.request_id, "R1");
  EXPECT_NE(e.message.find("(\"key \"a&b\" \xE2\x98\xBA\")"), std::string::npos) << e.message;
  std::string utf16le = "\xFF\xFE";
  for (char c : std::string("<Error><Code>SlowDown</Code></Error>")) {
    utf16le.push_back(c);
    utf16le.push_back('\0');
  }
  EXPECT_EQ(s3::detail::MapS3Error(503, {}, utf16le, "Op", "s3://b/k", kNow).vendor_code, "SlowDown");
  // A DOCTYPE makes the body unreadable (no entity is expanded): the status decides.
  auto d = s3::detail::MapS3Error(500, {}, "<!DOCTYPE Error [<!ENTITY c \"SlowDown\">]><Error><Code>&c;</Code></Error>", "Op",
                            "s3://b/k", kNow);
  EXPECT_TRUE(d.vendor_code.empty());
  EXPECT_EQ(d.code, ErrorCode::kUnavailable);
}

}  // namespace
