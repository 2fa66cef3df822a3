// SPDX-License-Identifier: Apache-2.0
// S3 sink against a strict in-memory S3 (FakeS3 over FakeHttpTransport): object options
// (encryption, storage class, tags), option and key validation, cancellation, credentials and signed
// extra headers. No sockets, no sleeps.
#include "unit/s3/s3_sink_test_util.hpp"

namespace s3_sink_test {
namespace {

TEST_F(S3SinkTest, EncryptionStorageClassAndTags) {
  auto o = Options();
  o.server_side_encryption = "aws:kms";
  o.sse_kms_key_id = "arn:aws:kms:us-east-1:111122223333:key/abc";
  o.storage_class = "STANDARD_IA";
  o.tags = {{"source", "webex cc"}, {"team", "a&b"}};
  auto sink = Sink(o);
  ASSERT_TRUE(Upload(*sink, "e.wav", "abc"));
  auto r = Requests().at(0);
  EXPECT_EQ(*r.Header("x-amz-server-side-encryption"), "aws:kms");
  EXPECT_EQ(*r.Header("x-amz-server-side-encryption-aws-kms-key-id"), o.sse_kms_key_id);
  EXPECT_EQ(*r.Header("x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(*r.Header("x-amz-tagging"), "source=webex%20cc&team=a%26b");
  o.server_side_encryption = "rot13";
  EXPECT_FALSE(MakeS3Sink(o));
}

// DSSE-KMS ("aws:kms:dsse") takes the KMS key id like SSE-KMS (AWS S3 API reference, PutObject:
// without it S3 uses the aws/s3 key), and its ETags are not MD5s of the data either: with
// Content-MD5 (checksum kNone, where every ETag is compared) a single PUT and a multipart upload
// must still succeed, and both name the key.
TEST_F(S3SinkTest, DsseKmsSendsTheKeyIdAndIsNotCheckedByMd5Etags) {
  auto o = Options();
  o.server_side_encryption = "aws:kms:dsse";
  o.sse_kms_key_id = "arn:aws:kms:us-east-1:111122223333:key/dsse";
  o.checksum = ChecksumAlgorithm::kNone;
  auto sink = Sink(o);
  fake_.forced_etag = "\"0123456789abcdef0123456789abcdef\"";  // 32 hex digits, not the MD5
  auto small = Upload(*sink, "d.wav", "abc");
  ASSERT_TRUE(small) << small.error().ToString();
  auto big = Upload(*sink, "e.wav", Pattern(11 * kMiB));
  ASSERT_TRUE(big) << big.error().ToString();
  int object_requests = 0;
  for (auto const& r : Requests()) {
    bool const creates = (r.method == "PUT" && !IsPartUpload(r)) ||
                         (r.method == "POST" && r.url.find("?uploads") != std::string::npos);
    if (!creates) continue;
    ++object_requests;
    EXPECT_EQ(r.Header("x-amz-server-side-encryption").value_or(""), "aws:kms:dsse") << r.url;
    EXPECT_EQ(r.Header("x-amz-server-side-encryption-aws-kms-key-id").value_or(""), o.sse_kms_key_id) << r.url;
  }
  EXPECT_EQ(object_requests, 2);
}

TEST_F(S3SinkTest, OptionValidation) {
  auto o = Options();
  o.bucket.clear();
  EXPECT_EQ(MakeS3Sink(o).error().code, ErrorCode::kInvalidArgument);
  o = Options();
  o.part_size = kMiB;
  EXPECT_FALSE(MakeS3Sink(o));
  o = Options();
  o.max_in_flight_parts = 0;
  EXPECT_FALSE(MakeS3Sink(o));
  o = Options();
  o.endpoint = "ftp://x";
  EXPECT_FALSE(MakeS3Sink(o));
  o = Options();
  o.multipart_threshold = 0;
  EXPECT_FALSE(MakeS3Sink(o));
  // Defaults: endpoint from region.
  o = Options();
  o.endpoint.clear();
  o.region = "ap-south-1";
  o.path_style = false;
  auto sink = Sink(o);
  transport_->EnqueueResponse(200, "");
  (void)Upload(*sink, "k", "abc");
  EXPECT_EQ(Requests().back().url, "https://bkt.s3.ap-south-1.amazonaws.com/rec/k");
}

TEST_F(S3SinkTest, KeyAndMetadataValidation) {
  auto sink = Sink();
  EXPECT_EQ(sink->Open("", {}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(sink->Open("a/../b", {}));
  EXPECT_FALSE(sink->Open("./b", {}));
  EXPECT_FALSE(sink->Open(std::string(1100, 'k'), {}));
  PutOptions put;
  put.metadata = {{"Bad Key", "v"}};
  EXPECT_FALSE(sink->Open("k", put));
  put.metadata = {{"k", "line\r\nX-Injected: 1"}};
  EXPECT_FALSE(sink->Open("k", put));
  put.metadata = {{"sha256", "nothex"}};
  EXPECT_FALSE(sink->Open("k", put));
  EXPECT_TRUE(sink->Open("a..b/.c/d.", {}));
  EXPECT_EQ(transport_->RequestCount(), 0u);
}

TEST_F(S3SinkTest, CancelledContextStopsAndAborts) {
  auto sink = Sink();
  CallContext ctx;
  auto w = sink->Open("c.bin", {}, ctx);
  ASSERT_TRUE(w);
  auto data = Pattern(6 * kMiB);
  ASSERT_TRUE((*w)->Write(data.data(), data.size()));
  ctx.cancel.Cancel();
  auto r = (*w)->Write("x", 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(fake_.Aborts(), 1);  // abort still sent with a fresh context
  EXPECT_EQ(fake_.OpenUploads(), 0u);
}

TEST_F(S3SinkTest, MissingCredentialsNameTheSource) {
  auto o = Options();
  o.credentials = MakeStaticCredentialsProvider({});
  auto sink = Sink(o);
  auto r = Upload(*sink, "k", "abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message.find("static"), std::string::npos) << r.error().message;
  EXPECT_EQ(transport_->RequestCount(), 0u);
}

TEST_F(S3SinkTest, SessionTokenIsSentAndSigned) {
  auto creds = TestCredentials();
  creds.session_token = "SESSION";
  auto o = Options();
  o.credentials = MakeStaticCredentialsProvider(creds);
  auto sink = Sink(o);
  ASSERT_TRUE(Upload(*sink, "k", "abc"));
  auto r = Requests().at(0);
  EXPECT_EQ(*r.Header("x-amz-security-token"), "SESSION");
  EXPECT_NE(r.Header("Authorization")->find("x-amz-security-token"), std::string::npos);
}

TEST_F(S3SinkTest, ContextExtraHeadersAreSigned) {
  auto sink = Sink();
  CallContext ctx;
  ctx.extra_headers = {{"x-amz-expected-bucket-owner", "111122223333"}};
  ASSERT_TRUE(Upload(*sink, "k", "abc", {}, ctx));
  auto r = Requests().at(0);
  EXPECT_EQ(*r.Header("x-amz-expected-bucket-owner"), "111122223333");
  EXPECT_NE(r.Header("Authorization")->find("x-amz-expected-bucket-owner"), std::string::npos);
  EXPECT_EQ(fake_.SignatureFailures(), 0);
}

}  // namespace
}  // namespace s3_sink_test
