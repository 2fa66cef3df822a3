// SPDX-License-Identifier: Apache-2.0
// S3 sink against a strict in-memory S3 (FakeS3 over FakeHttpTransport): retries and failures
// (CompleteMultipartUpload's 200 errors, SlowDown, transport errors, non-retryable codes, clock skew).
// No sockets, no sleeps.
#include "unit/s3/s3_sink_test_util.hpp"

namespace s3_sink_test {
namespace {

TEST_F(S3SinkTest, CompleteWith200ErrorBodyIsRetried) {
  auto sink = Sink();
  std::atomic<int> completes{0};
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (r.method == "POST" && r.url.find("uploadId=") != std::string::npos && completes++ == 0) {
      return InjectedResponse{200, ErrorXml("InternalError", "We encountered an internal error. Please try again.")};
    }
    return std::nullopt;
  };
  auto data = Pattern(11 * kMiB);
  auto info = Upload(*sink, "c.bin", data);
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(completes.load(), 2);
  EXPECT_EQ(fake_.Object("rec/c.bin")->data, data);
  EXPECT_EQ(sleeper_->Sleeps().size(), 1u);
}

TEST_F(S3SinkTest, CompleteWith200ErrorBodyThatPersistsFailsAndAborts) {
  auto o = Options();
  o.retry.max_attempts = 2;
  auto sink = Sink(o);
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (r.method == "POST" && r.url.find("uploadId=") != std::string::npos) {
      return InjectedResponse{200, ErrorXml("InternalError", "We encountered an internal error.", "RID-9")};
    }
    return std::nullopt;
  };
  auto result = Upload(*sink, "c.bin", Pattern(11 * kMiB));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(result.error().vendor_code, "InternalError");
  EXPECT_EQ(result.error().request_id, "RID-9");
  EXPECT_EQ(result.error().http_status, 200);
  EXPECT_EQ(fake_.Aborts(), 1);
  EXPECT_EQ(fake_.ObjectCount(), 0u);
}

TEST_F(S3SinkTest, CompleteWithGarbageBodyIsAParseError) {
  auto o = Options();
  o.retry.max_attempts = 1;
  auto sink = Sink(o);
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (r.method == "POST" && r.url.find("uploadId=") != std::string::npos) return InjectedResponse{200, "<html>proxy"};
    return std::nullopt;
  };
  auto result = Upload(*sink, "c.bin", Pattern(11 * kMiB));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_EQ(fake_.Aborts(), 1);
}

TEST_F(S3SinkTest, CompleteResponseLostAfterSuccessIsRecognised) {
  auto sink = Sink();
  fake_.lose_next_complete_response = true;
  auto data = Pattern(11 * kMiB);
  auto info = Upload(*sink, "lost.bin", data);
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->etag->substr(info->etag->size() - 2), "-3");
  EXPECT_EQ(fake_.Object("rec/lost.bin")->data, data);
  EXPECT_EQ(fake_.Aborts(), 0);
  auto reqs = Requests();
  EXPECT_EQ(reqs.back().method, "HEAD");
  // A different object under the key (another writer) is not mistaken for ours.
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (r.method == "POST" && r.url.find("uploadId=") != std::string::npos) return InjectedResponse{404, ErrorXml("NoSuchUpload")};
    return std::nullopt;
  };
  auto failed = Upload(*sink, "lost.bin", Pattern(12 * kMiB, 3));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().vendor_code, "NoSuchUpload");
}

// The same with another object of the same size and part count under the key: its ETag is not
// the one this upload's parts make (MD5 of the part MD5s), so it is not taken for ours either.
TEST_F(S3SinkTest, UploadGoneBeforeCompleteDoesNotClaimASameSizeObject) {
  auto sink = Sink();
  auto first = Upload(*sink, "same.bin", Pattern(11 * kMiB));
  ASSERT_TRUE(first) << first.error().ToString();
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (r.method == "POST" && r.url.find("uploadId=") != std::string::npos) return InjectedResponse{404, ErrorXml("NoSuchUpload")};
    return std::nullopt;
  };
  auto other = Upload(*sink, "same.bin", Pattern(11 * kMiB, 3));
  ASSERT_FALSE(other) << "another writer's object recorded as this upload";
  EXPECT_EQ(other.error().vendor_code, "NoSuchUpload");
  EXPECT_EQ(fake_.Object("rec/same.bin")->data, Pattern(11 * kMiB)) << "the first object stays";
}

// With SSE-KMS the ETags are not MD5s, so they cannot tell another writer's object of the same
// size and part count from this upload's: its user metadata (the recording's identity) does. The
// upload's own object, completed by a first attempt whose answer was lost, is still recognised.
TEST_F(S3SinkTest, UploadGoneBeforeCompleteUnderSseKmsDoesNotClaimAnotherWritersObject) {
  auto o = Options();
  o.server_side_encryption = "aws:kms";
  auto sink = Sink(o);
  PutOptions mine;
  mine.metadata = {{"ccrec-id", "webex/t1/r1"}};
  PutOptions theirs;
  theirs.metadata = {{"ccrec-id", "webex/t2/r2"}};
  ASSERT_TRUE(Upload(*sink, "kms.bin", Pattern(11 * kMiB), theirs));
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (r.method == "POST" && r.url.find("uploadId=") != std::string::npos) return InjectedResponse{404, ErrorXml("NoSuchUpload")};
    return std::nullopt;
  };
  auto other = Upload(*sink, "kms.bin", Pattern(11 * kMiB, 3), mine);
  ASSERT_FALSE(other) << "another writer's object recorded as this upload";
  EXPECT_EQ(other.error().vendor_code, "NoSuchUpload");
  fake_.fault = nullptr;
  fake_.lose_next_complete_response = true;
  auto lost = Upload(*sink, "kms2.bin", Pattern(11 * kMiB, 5), mine);
  ASSERT_TRUE(lost) << lost.error().ToString();
  EXPECT_EQ(fake_.Object("rec/kms2.bin")->data, Pattern(11 * kMiB, 5));
}

TEST_F(S3SinkTest, FailedPartIsRetriedFromItsOwnBuffer) {
  auto sink = Sink();
  std::atomic<int> part2{0};
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (IsPartUpload(r) && PartNumberOf(r) == 2 && part2++ == 0) {
      return InjectedResponse{500, ErrorXml("InternalError")};
    }
    return std::nullopt;
  };
  auto data = Pattern(13 * kMiB);
  auto info = Upload(*sink, "r.bin", data);
  ASSERT_TRUE(info) << info.error().ToString();
  std::vector<RecordedRequest> p2;
  int others = 0;
  for (auto const& r : Requests()) {
    if (!IsPartUpload(r)) continue;
    if (PartNumberOf(r) == 2) {
      p2.push_back(r);
    } else {
      ++others;
    }
  }
  ASSERT_EQ(p2.size(), 2u);
  EXPECT_EQ(p2[0].body, p2[1].body);
  EXPECT_EQ(p2[1].body, data.substr(kPart, kPart));
  EXPECT_EQ(others, 2);  // parts 1 and 3 once each
  EXPECT_EQ(fake_.Object("rec/r.bin")->data, data);
  EXPECT_EQ(sleeper_->Sleeps().size(), 1u);
}

TEST_F(S3SinkTest, SlowDownIsRetriedWithBackoff) {
  auto sink = Sink();
  std::atomic<int> n{0};
  fake_.fault = [&](RecordedRequest const&) -> std::optional<InjectedResponse> {
    if (n++ < 2) return InjectedResponse{503, ErrorXml("SlowDown", "Please reduce your request rate.")};
    return std::nullopt;
  };
  auto info = Upload(*sink, "s.json", "{}");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(Requests().size(), 3u);
  EXPECT_EQ(sleeper_->Sleeps().size(), 2u);
}

TEST_F(S3SinkTest, SlowDownExhaustsAttempts) {
  auto sink = Sink();
  fake_.fault = [&](RecordedRequest const&) -> std::optional<InjectedResponse> {
    return InjectedResponse{503, ErrorXml("SlowDown", "Please reduce your request rate.")};
  };
  auto info = Upload(*sink, "s.json", "{}");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(Requests().size(), 4u);  // max_attempts
}

TEST_F(S3SinkTest, TransportErrorsAreRetried) {
  auto sink = Sink();
  transport_->EnqueueError(MakeError(ErrorCode::kTransport, "connection reset"));
  auto info = Upload(*sink, "t.json", "{}");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(Requests().size(), 2u);
}

TEST_F(S3SinkTest, WrongSecretIsNotRetriedAndSaysWhatToCheck) {
  auto o = Options();
  auto wrong = TestCredentials();
  wrong.secret_access_key = "wrong";
  o.credentials = MakeStaticCredentialsProvider(wrong);
  auto sink = Sink(o);
  auto info = Upload(*sink, "w.wav", "data");
  ASSERT_FALSE(info);
  auto const& e = info.error();
  EXPECT_EQ(e.code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(e.vendor_code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.request_id, "REQ123");
  EXPECT_NE(e.message.find("s3://bkt/rec/w.wav"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("secret access key"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("wrong"), std::string::npos) << "the secret leaked into the message";
  EXPECT_EQ(Requests().size(), 1u);
  EXPECT_TRUE(sleeper_->Sleeps().empty());
  EXPECT_EQ(fake_.ObjectCount(), 0u);
}

TEST_F(S3SinkTest, NonRetryableCodes) {
  for (auto const& [status, code, expected] :
       std::vector<std::tuple<int, std::string, ErrorCode>>{{403, "InvalidAccessKeyId", ErrorCode::kUnauthenticated},
                                                            {403, "AccessDenied", ErrorCode::kPermissionDenied},
                                                            {404, "NoSuchBucket", ErrorCode::kNotFound},
                                                            {400, "BadDigest", ErrorCode::kIntegrity}}) {
    SCOPED_TRACE(code);
    transport_->ClearRequests();
    auto sink = Sink();
    transport_->EnqueueResponse(status, ErrorXml(code));
    auto info = Upload(*sink, "n.bin", "abc");
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code, expected);
    EXPECT_EQ(info.error().vendor_code, code);
    EXPECT_EQ(Requests().size(), 1u);
  }
}

TEST_F(S3SinkTest, RequestTimeTooSkewedResignsWithServerTime) {
  auto sink = Sink();
  std::atomic<int> n{0};
  fake_.fault = [&](RecordedRequest const&) -> std::optional<InjectedResponse> {
    if (n++ == 0) {
      return InjectedResponse{403,
                              ErrorXml("RequestTimeTooSkewed",
                                       "The difference between the request time and the current time is too large.",
                                       "R", "<RequestTime>20261101T000000Z</RequestTime><ServerTime>2026-11-01T01:00:00Z"
                                            "</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>"),
                              {{"Date", "Sun, 01 Nov 2026 01:00:00 GMT"}}};
    }
    return std::nullopt;
  };
  std::vector<std::string> warnings;
  std::mutex mu;
  auto o = Options();
  o.logger = Logger(LogLevel::kWarn, [&](LogLevel, std::string_view m) {
    std::lock_guard<std::mutex> lock(mu);
    warnings.emplace_back(m);
  });
  sink = Sink(o);
  auto info = Upload(*sink, "k.json", "{}");
  ASSERT_TRUE(info) << info.error().ToString();
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(*reqs[0].Header("x-amz-date"), "20261101T000000Z");
  EXPECT_EQ(*reqs[1].Header("x-amz-date"), "20261101T010000Z");
  EXPECT_TRUE(sleeper_->Sleeps().empty());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("clock"), std::string::npos);
  // Later requests keep the learnt offset.
  transport_->ClearRequests();
  ASSERT_TRUE(Upload(*sink, "k2.json", "{}"));
  EXPECT_EQ(*Requests().at(0).Header("x-amz-date"), "20261101T010000Z");
}

}  // namespace
}  // namespace s3_sink_test
