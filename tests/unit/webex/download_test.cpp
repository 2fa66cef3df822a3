// SPDX-License-Identifier: Apache-2.0
// Presigned recording downloads: no Authorization, URL byte-exact, S3 errors, expiry
// (reference webex-cc.md §5.4).

#include "webex_test_util.hpp"

#include <gtest/gtest.h>

namespace webex_test {
namespace {

using ccrec::ErrorCode;
using ccrec::Result;
using ccrec::testing::MakeResponse;
using namespace std::chrono_literals;

// Signed at the ManualClock's start (2026-11-01T00:00:00Z), valid 30 minutes. Deliberately odd
// encoding and parameter order: it must be sent exactly as given.
const std::string kUrl =
    "https://cjp-ccone-media-storage-recording.s3.amazonaws.com/org%2F1/task+1/rec%20a.wav"
    "?X-Amz-Security-Token=IQo%2Bb3JpZ2lu%3D%3D&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261101T000000Z"
    "&X-Amz-SignedHeaders=host&X-Amz-Expires=1800&X-Amz-Credential=AKIA%2F20261101%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Signature=0123abcd";

constexpr char kExpiredXml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message>"
    "<X-Amz-Expires>1800</X-Amz-Expires><RequestId>REQ123</RequestId><HostId>h</HostId></Error>";

std::string ReadBody(ccrec::HttpResponse& response) {
  auto body = response.ReadAll();
  return body ? *body : "<error: " + body.error().ToString() + ">";
}

TEST(WebexDownload, PlainGetWithoutAuthorizationAndUrlByteExact) {
  Env env;
  env.transport->EnqueueResponse(200, "RIFF....WAVE", {{"Content-Type", "audio/wav"}});
  auto client = env.MakeClient();
  ccrec::CallContext ctx;
  ctx.extra_headers = {{"TrackingId", "SHOULD-NOT-BE-SENT"}, {"Authorization", "Bearer nope"}};
  auto response = client.OpenRecording(kUrl, ctx);
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(ReadBody(*response), "RIFF....WAVE");
  auto requests = env.transport->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].url, kUrl);
  // Issue 11 item 8: only Accept-Encoding: identity (libcurl would otherwise ask for gzip and
  // decode, and the stored bytes would not be the recording's). No Authorization, TrackingId,
  // Accept or any other header.
  ASSERT_EQ(requests[0].headers.size(), 1u);
  EXPECT_EQ(requests[0].Header("Accept-Encoding"), "identity");
  EXPECT_TRUE(requests[0].body.empty());
}

TEST(WebexDownload, RangeHeaderOnlyWhenResuming) {
  Env env;
  env.transport->EnqueueResponse(206, "WAVE", {{"Content-Range", "bytes 8-11/12"}});
  auto response = env.MakeClient().OpenRecording(kUrl, {}, 8);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 206);
  EXPECT_EQ(ReadBody(*response), "WAVE");
  auto r = env.transport->Requests().at(0);
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.Header("Range"), "bytes=8-");
  EXPECT_EQ(r.Header("Accept-Encoding"), "identity");
}

// Issue 11 item 8: a resume carries the caller's If-Range (the first response's ETag) and no
// other extra header; a first request never carries If-Range.
TEST(WebexDownload, ResumeForwardsIfRangeAndNoOtherExtraHeader) {
  Env env;
  env.transport->EnqueueResponse(206, "WAVE", {{"Content-Range", "bytes 8-11/12"}});
  env.transport->EnqueueResponse(200, "RIFF....WAVE");
  ccrec::CallContext ctx;
  ctx.extra_headers = {{"If-Range", "\"abc\""}, {"TrackingId", "SHOULD-NOT-BE-SENT"}};
  ASSERT_TRUE(env.MakeClient().OpenRecording(kUrl, ctx, 8));
  ASSERT_TRUE(env.MakeClient().OpenRecording(kUrl, ctx, 0));
  auto requests = env.transport->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].headers.size(), 3u);
  EXPECT_EQ(requests[0].Header("If-Range"), "\"abc\"");
  EXPECT_FALSE(requests[0].Header("TrackingId"));
  EXPECT_EQ(requests[1].headers.size(), 1u) << "no Range, so no If-Range either";
}

TEST(WebexDownload, IgnoredRangeIsSkippedLocally) {
  Env env;
  env.transport->EnqueueResponse(200, "RIFF....WAVE");
  auto response = env.MakeClient().OpenRecording(kUrl, {}, 8);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->ContentLength(), 4u);
  EXPECT_EQ(ReadBody(*response), "WAVE");

  Env env2;
  env2.transport->EnqueueResponse(200, "RIFF");
  auto beyond = env2.MakeClient().OpenRecording(kUrl, {}, 8);
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().code, ErrorCode::kInvalidArgument);
}

TEST(WebexDownload, ExpiredUrlIsPermissionDeniedAndSaysToRequery) {
  Env env;
  env.clock->Advance(31min);
  env.transport->EnqueueResponse(403, kExpiredXml, {{"Content-Type", "application/xml"}});
  auto response = env.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(response);
  auto const& e = response.error();
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.vendor_code, "AccessDenied");
  EXPECT_EQ(e.request_id, "REQ123");
  EXPECT_NE(e.message.find("expired at 2026-11-01T00:30:00Z"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("re-query captures"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("X-Amz-Signature"), std::string::npos) << "never the presigned query: " << e.message;
  EXPECT_EQ(e.message.find("0123abcd"), std::string::npos) << e.message;
  EXPECT_EQ(env.transport->RequestCount(), 1u) << "403 is not retried";
}

TEST(WebexDownload, ExpiredPerS3MessageEvenIfOurClockDisagrees) {
  Env env;  // clock says the URL is still valid (skew)
  env.transport->EnqueueResponse(403, kExpiredXml);
  auto response = env.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().vendor_code, "AccessDenied");
  EXPECT_NE(response.error().message.find("expired"), std::string::npos);
}

TEST(WebexDownload, OtherForbiddenKeepsTheS3Code) {
  Env env;
  env.transport->EnqueueResponse(
      403, "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error>");
  auto response = env.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(response.error().vendor_code, "SignatureDoesNotMatch");
  EXPECT_NE(response.error().message.find("re-query captures"), std::string::npos);
}

TEST(WebexDownload, NotFoundAndOtherS3Errors) {
  Env env;
  env.transport->EnqueueResponse(404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
                                 {{"x-amz-request-id", "HDRREQ"}});
  auto missing = env.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().vendor_code, "NoSuchKey");
  EXPECT_EQ(missing.error().request_id, "HDRREQ");

  Env env2;
  env2.transport->EnqueueResponse(400, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>");
  auto two_auth = env2.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(two_auth);
  EXPECT_EQ(two_auth.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(two_auth.error().message.find("Authorization header"), std::string::npos);

  Env env3;
  env3.transport->EnqueueResponse(416, "<Error><Code>InvalidRange</Code></Error>");
  auto range = env3.MakeClient().OpenRecording(kUrl, {}, 100);
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(range.error().vendor_code, "InvalidRange");
}

TEST(WebexDownload, StoreErrorBodiesAreReadAsXml) {
  // Entities are expanded, namespace prefixes and UTF-16 are understood, control characters never
  // reach the message (the store's <Error> body goes through the shared XML layer).
  Env env;
  env.transport->EnqueueResponse(
      404, "<s3:Error xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:Code>NoSuchKey</s3:Code><s3:Message>key "
           "&quot;org/1&amp;2&quot;&#10;does not exist</s3:Message><s3:RequestId>R&amp;1</s3:RequestId></s3:Error>");
  auto missing = env.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().vendor_code, "NoSuchKey");
  EXPECT_EQ(missing.error().request_id, "R&1");
  EXPECT_NE(missing.error().message.find("key \"org/1&2\"\\x0adoes not exist"), std::string::npos)
      << missing.error().message;

  Env env2;
  std::string utf16be = "\xFE\xFF";
  for (char c : std::string("<Error><Code>SlowDown</Code></Error>")) {
    utf16be.push_back('\0');
    utf16be.push_back(c);
  }
  env2.transport->EnqueueResponse(400, utf16be);
  auto slow = env2.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().vendor_code, "SlowDown");

  Env env3;  // not XML: the status alone decides, nothing of the body becomes a code
  env3.transport->EnqueueResponse(404, "<html><Code>x</Code>");
  auto html = env3.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(html.error().vendor_code.empty());
}

TEST(WebexDownload, TransientFailuresAreRetriedBeforeTheBodyStarts) {
  Env env;
  env.transport->EnqueueError(ccrec::MakeError(ErrorCode::kTransport, "connection refused"));
  env.transport->EnqueueResponse(503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
                                 {{"Retry-After", "3"}});
  env.transport->EnqueueResponse(500, "<Error><Code>InternalError</Code></Error>");
  env.transport->EnqueueResponse(200, "RIFF");
  auto response = env.MakeClient().OpenRecording(kUrl);
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(ReadBody(*response), "RIFF");
  EXPECT_EQ(env.transport->RequestCount(), 4u);
  auto sleeps = env.sleeper->Sleeps();
  ASSERT_EQ(sleeps.size(), 3u);
  EXPECT_GE(sleeps[1], 3000ms) << "Retry-After honoured";
  for (auto const& r : env.transport->Requests()) {
    EXPECT_EQ(r.url, kUrl);
    EXPECT_FALSE(r.Header("Authorization"));
  }
}

TEST(WebexDownload, SlowDownIsRateLimited) {
  Env env;
  env.transport->Route("GET", "s3.amazonaws.com", [](RecordedRequest const&) -> Result<ccrec::HttpResponse> {
    return MakeResponse(503, "<Error><Code>SlowDown</Code></Error>");
  });
  auto response = env.MakeClient().OpenRecording(kUrl);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(response.error().vendor_code, "SlowDown");
  EXPECT_EQ(env.transport->RequestCount(), 4u);
}

TEST(WebexDownload, InvalidUrlIsRejectedLocally) {
  Env env;
  for (auto const* url : {"", "not a url", "ftp://host/file.wav", "/relative/path.wav"}) {
    auto response = env.MakeClient().OpenRecording(url);
    ASSERT_FALSE(response) << url;
    EXPECT_EQ(response.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(env.transport->RequestCount(), 0u);
}

TEST(WebexDownload, NoTokenIsNeededForDownloads) {
  Env env;
  env.transport->EnqueueResponse(200, "RIFF");
  auto client = env.MakeClient(env.MakeOAuth(ccrec::MakeMemoryTokenStore()));  // nothing stored
  auto response = client.OpenRecording(kUrl);
  ASSERT_TRUE(response) << response.error().ToString();
  EXPECT_EQ(env.transport->RequestCount(), 1u);
}

TEST(WebexPresignedUrlExpiry, SigV4DatePlusExpires) {
  auto expiry = ccrec::webex::Client::PresignedUrlExpiry(kUrl);
  ASSERT_TRUE(expiry);
  EXPECT_EQ(*expiry, At(1793491200000) + 1800s);
  auto lower = ccrec::webex::Client::PresignedUrlExpiry(
      "https://b.s3.amazonaws.com/k?x-amz-expires=60&x-amz-date=20261101T000000Z");
  ASSERT_TRUE(lower);
  EXPECT_EQ(*lower, At(1793491200000) + 60s);
}

TEST(WebexPresignedUrlExpiry, SigV2Expires) {
  auto expiry = ccrec::webex::Client::PresignedUrlExpiry(
      "https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIA&Expires=1793493000&Signature=abc%2B");
  ASSERT_TRUE(expiry);
  EXPECT_EQ(*expiry, At(1793493000000));
}

TEST(WebexPresignedUrlExpiry, AbsentOrMalformed) {
  using ccrec::webex::Client;
  EXPECT_FALSE(Client::PresignedUrlExpiry("https://b.s3.amazonaws.com/k"));
  EXPECT_FALSE(Client::PresignedUrlExpiry("https://b.s3.amazonaws.com/k?X-Amz-Date=20261101T000000Z"));
  EXPECT_FALSE(Client::PresignedUrlExpiry("https://b.s3.amazonaws.com/k?X-Amz-Expires=60"));
  EXPECT_FALSE(Client::PresignedUrlExpiry("https://b/k?X-Amz-Date=yesterday&X-Amz-Expires=60"));
  EXPECT_FALSE(Client::PresignedUrlExpiry("https://b/k?X-Amz-Date=20261101T000000Z&X-Amz-Expires=-1"));
  EXPECT_FALSE(Client::PresignedUrlExpiry("https://b/k?X-Amz-Date=20261101T000000Z&X-Amz-Expires=99999999999999999"));
  EXPECT_FALSE(Client::PresignedUrlExpiry("https://b/k?Expires=soon"));
  EXPECT_FALSE(Client::PresignedUrlExpiry(""));
}

}  // namespace
}  // namespace webex_test
