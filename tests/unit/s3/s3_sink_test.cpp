// SPDX-License-Identifier: Apache-2.0
// S3 sink against a strict in-memory S3 (FakeS3 over FakeHttpTransport): single PUTs (checksums,
// addressing, key encoding) and multipart uploads (thresholds, parallel parts, aborts). No sockets, no sleeps.
#include "unit/s3/s3_sink_test_util.hpp"

namespace s3_sink_test {
namespace {

TEST_F(S3SinkTest, SmallObjectInContentMd5ModeIsOnePutObjectWithSignedPayloadAndMd5) {
  auto o = Options();
  o.checksum = ChecksumAlgorithm::kNone;
  auto sink = Sink(o);
  std::string data = "RIFF....WAVEfmt hello";
  PutOptions put;
  put.metadata = {{"task-id", "t-1"}};
  auto info = Upload(*sink, "2026/a.wav", data, put);
  ASSERT_TRUE(info) << info.error().ToString();
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 1u);
  auto const& r = reqs[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/bkt/rec/2026/a.wav");
  EXPECT_EQ(r.body, data);
  auto sha = ::ccrec::detail::Sha256Hex(data);
  EXPECT_EQ(*r.Header("x-amz-content-sha256"), sha);
  EXPECT_EQ(*r.Header("Content-MD5"), ::ccrec::detail::Base64Encode(::ccrec::detail::Md5Raw(data)));
  EXPECT_EQ(*r.Header("Content-Type"), "audio/wav");
  EXPECT_EQ(*r.Header("x-amz-meta-sha256"), sha);
  EXPECT_EQ(*r.Header("x-amz-meta-task-id"), "t-1");
  EXPECT_EQ(*r.Header("x-amz-date"), "20261101T000000Z");
  EXPECT_FALSE(r.Header("Host"));  // the transport derives it from the URL
  auto auth = *r.Header("Authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/20261101/us-east-1/s3/aws4_request, "
                       "SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date;"
                       "x-amz-meta-sha256;x-amz-meta-task-id, Signature=",
                       0),
            0u)
      << auth;
  EXPECT_EQ(auth.size() - auth.rfind('=') - 1, 64u);
  EXPECT_EQ(fake_.SignatureFailures(), 0);

  EXPECT_EQ(info->key, "2026/a.wav");
  EXPECT_EQ(info->bytes, data.size());
  EXPECT_EQ(*info->sha256_hex, sha);
  EXPECT_EQ(*info->etag, ::ccrec::detail::HexEncode(::ccrec::detail::Md5Raw(data)));
  EXPECT_EQ(fake_.Object("rec/2026/a.wav")->data, data);
  EXPECT_EQ(sink->Describe("2026/a.wav"), "s3://bkt/rec/2026/a.wav");
}

TEST_F(S3SinkTest, DefaultChecksumIsCrc32cWithoutContentMd5) {
  auto sink = Sink();
  std::string data = "123456789";
  auto info = Upload(*sink, "a.wav", data);
  ASSERT_TRUE(info) << info.error().ToString();
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 1u);
  auto const& r = reqs[0];
  EXPECT_EQ(*r.Header("x-amz-checksum-crc32c"), "4waSgw==");  // CRC-32C("123456789") = 0xE3069283
  EXPECT_EQ(*r.Header("x-amz-sdk-checksum-algorithm"), "CRC32C");
  EXPECT_FALSE(r.Header("Content-MD5"));
  EXPECT_EQ(*r.Header("x-amz-content-sha256"), ::ccrec::detail::Sha256Hex(data));
  auto auth = *r.Header("Authorization");
  EXPECT_NE(auth.find("SignedHeaders=content-type;host;x-amz-checksum-crc32c;x-amz-content-sha256;x-amz-date;"
                      "x-amz-meta-sha256;x-amz-sdk-checksum-algorithm, Signature="),
            std::string::npos)
      << auth;
  EXPECT_EQ(fake_.SignatureFailures(), 0);
  EXPECT_EQ(*info->checksum, "crc32c:4waSgw==");
  EXPECT_EQ(fake_.Object("rec/a.wav")->data, data);
}

TEST_F(S3SinkTest, EmptyObject) {
  auto sink = Sink();
  auto info = Upload(*sink, "empty.json", "");
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->bytes, 0u);
  EXPECT_EQ(*info->sha256_hex, kEmptyPayloadSha256);
  auto r = Requests().at(0);
  EXPECT_EQ(*r.Header("Content-Type"), "application/json");
  EXPECT_EQ(fake_.Object("rec/empty.json")->data, "");
}

TEST_F(S3SinkTest, KeysAreEncodedOncePerSegment) {
  auto sink = Sink();
  std::string key = "d i r//\xC3\xBC+=%:,()!$.wav";
  ASSERT_TRUE(Upload(*sink, key, "x"));
  EXPECT_EQ(Requests().at(0).url, "http://127.0.0.1:9000/bkt/rec/d%20i%20r//%C3%BC%2B%3D%25%3A%2C%28%29%21%24.wav");
  EXPECT_TRUE(fake_.Object("rec/" + key));
  EXPECT_EQ(fake_.SignatureFailures(), 0);
}

TEST_F(S3SinkTest, VirtualHostedAddressingAndDefaultPortOmitted) {
  auto o = Options();
  o.endpoint = "https://s3.eu-west-1.amazonaws.com:443";
  o.region = "eu-west-1";
  o.path_style = false;
  auto sink = Sink(o);
  transport_->EnqueueResponse(200, "", {{"ETag", "\"" + ::ccrec::detail::HexEncode(::ccrec::detail::Md5Raw("abc")) + "\""}});
  ASSERT_TRUE(Upload(*sink, "k.bin", "abc"));
  auto r = Requests().at(0);
  EXPECT_EQ(r.url, "https://bkt.s3.eu-west-1.amazonaws.com/rec/k.bin");
  EXPECT_NE(r.Header("Authorization")->find("/eu-west-1/s3/aws4_request"), std::string::npos);
  // Host signed as the wire host (no :443).
  SigV4Request s;
  s.method = "PUT";
  s.host = "bkt.s3.eu-west-1.amazonaws.com";
  s.path = "/rec/k.bin";
  for (auto const& h : r.headers) {
    if (!HeaderNameEquals(h.first, "authorization")) s.headers.push_back(h);
  }
  s.payload_hash = *r.Header("x-amz-content-sha256");
  SigV4Options so;
  so.region = "eu-west-1";
  so.time = clock_->Now();
  EXPECT_EQ(SignRequest(s, TestCredentials(), so)->authorization, *r.Header("Authorization"));
}

TEST_F(S3SinkTest, IpEndpointForcesPathStyle) {
  auto o = Options();
  o.path_style = false;
  auto sink = Sink(o);
  ASSERT_TRUE(Upload(*sink, "k", "abc"));
  EXPECT_EQ(Requests().at(0).url, "http://127.0.0.1:9000/bkt/rec/k");
  EXPECT_TRUE(EndpointImpliesPathStyle("http://127.0.0.1:9000"));
  EXPECT_TRUE(EndpointImpliesPathStyle("http://localhost:9000"));
  EXPECT_TRUE(EndpointImpliesPathStyle("http://[::1]:9000"));
  EXPECT_FALSE(EndpointImpliesPathStyle("https://s3.amazonaws.com"));
  EXPECT_FALSE(EndpointImpliesPathStyle("not a url"));
}

TEST_F(S3SinkTest, ObjectOfExactlyThresholdIsSinglePut) {
  auto sink = Sink();
  auto data = Pattern(kPart);
  ASSERT_TRUE(Upload(*sink, "t.bin", data));
  ASSERT_EQ(Requests().size(), 1u);
  EXPECT_EQ(fake_.Object("rec/t.bin")->data, data);
}

TEST_F(S3SinkTest, MultipartFlow) {
  auto sink = Sink();
  auto data = Pattern(12 * kMiB + 7);
  PutOptions put;
  put.metadata = {{"k", "v"}};
  auto info = Upload(*sink, "big.wav", data, put);
  ASSERT_TRUE(info) << info.error().ToString();
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].url, "http://127.0.0.1:9000/bkt/rec/big.wav?uploads=");
  EXPECT_EQ(*reqs[0].Header("Content-Type"), "audio/wav");
  EXPECT_EQ(*reqs[0].Header("x-amz-meta-k"), "v");
  EXPECT_FALSE(reqs[0].Header("x-amz-meta-sha256"));  // not known up front
  std::map<int, RecordedRequest> parts;
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(IsPartUpload(reqs[i]));
    parts[PartNumberOf(reqs[i])] = reqs[i];
  }
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].body.size(), kPart);
  EXPECT_EQ(parts[2].body.size(), kPart);
  EXPECT_EQ(parts[3].body.size(), 2 * kMiB + 7);
  for (auto const& [n, r] : parts) {
    EXPECT_EQ(r.url, "http://127.0.0.1:9000/bkt/rec/big.wav?partNumber=" + std::to_string(n) + "&uploadId=upload-1");
    EXPECT_FALSE(r.Header("Content-MD5"));
    auto crc = ::ccrec::detail::Crc32c(0, r.body.data(), r.body.size());
    std::string be{static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                   static_cast<char>(crc)};
    EXPECT_EQ(*r.Header("x-amz-checksum-crc32c"), ::ccrec::detail::Base64Encode(be));
    EXPECT_EQ(*r.Header("x-amz-content-sha256"), ::ccrec::detail::Sha256Hex(r.body));
  }
  EXPECT_EQ(*reqs[0].Header("x-amz-checksum-algorithm"), "CRC32C");
  auto const& complete = reqs[4];
  EXPECT_EQ(complete.method, "POST");
  EXPECT_EQ(complete.url, "http://127.0.0.1:9000/bkt/rec/big.wav?uploadId=upload-1");
  std::string const head = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part>"
                           "<PartNumber>1</PartNumber><ETag>\"";
  EXPECT_EQ(complete.body.substr(0, head.size()), head);
  auto body = ccrec::detail::xml::Document::Parse(complete.body, "Complete body").value();
  EXPECT_EQ(body.Texts("PartNumber"), (std::vector<std::string>{"1", "2", "3"}));
  std::vector<std::string> etags, checksums;
  for (auto const& [n, r] : parts) {
    etags.push_back("\"" + ::ccrec::detail::HexEncode(::ccrec::detail::Md5Raw(r.body)) + "\"");  // the fake's ETag
    checksums.push_back(*r.Header("x-amz-checksum-crc32c"));
  }
  EXPECT_EQ(body.Texts("ETag"), etags);
  EXPECT_EQ(body.Texts("ChecksumCRC32C"), checksums);

  EXPECT_EQ(fake_.Object("rec/big.wav")->data, data);
  EXPECT_EQ(info->bytes, data.size());
  EXPECT_EQ(*info->sha256_hex, ::ccrec::detail::Sha256Hex(data));
  EXPECT_EQ(info->etag->substr(info->etag->size() - 2), "-3");
  EXPECT_EQ(fake_.OpenUploads(), 0u);
  EXPECT_EQ(fake_.SignatureFailures(), 0);
}

TEST_F(S3SinkTest, ThresholdPlusOneByteIsTwoParts) {
  auto sink = Sink();
  auto data = Pattern(kPart + 1);
  ASSERT_TRUE(Upload(*sink, "t.bin", data));
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(fake_.Object("rec/t.bin")->data, data);
}

TEST_F(S3SinkTest, ThresholdAbovePartSizeCarvesTheFirstBuffer) {
  auto o = Options();
  o.multipart_threshold = 11 * kMiB;
  o.max_in_flight_parts = 2;
  auto sink = Sink(o);
  auto data = Pattern(11 * kMiB + 3);
  ASSERT_TRUE(Upload(*sink, "t.bin", data));
  std::set<int> numbers;
  for (auto const& r : Requests()) {
    if (IsPartUpload(r)) numbers.insert(PartNumberOf(r));
  }
  EXPECT_EQ(numbers, (std::set<int>{1, 2, 3}));
  EXPECT_EQ(fake_.Object("rec/t.bin")->data, data);
  // Below the threshold stays a single request.
  transport_->ClearRequests();
  ASSERT_TRUE(Upload(*sink, "u.bin", Pattern(10 * kMiB)));
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(S3SinkTest, SequentialPartsWithOneInFlight) {
  auto o = Options();
  o.max_in_flight_parts = 1;
  auto sink = Sink(o);
  auto data = Pattern(16 * kMiB);
  ASSERT_TRUE(Upload(*sink, "s.bin", data));
  std::vector<int> order;
  for (auto const& r : Requests()) {
    if (IsPartUpload(r)) order.push_back(PartNumberOf(r));
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(fake_.Object("rec/s.bin")->data, data);
}

TEST_F(S3SinkTest, PartsRunInParallel) {
  auto o = Options();
  o.max_in_flight_parts = 3;
  auto sink = Sink(o);
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0, peak = 0;
  fake_.on_part = [&](int) {
    std::unique_lock<std::mutex> lock(mu);
    ++in_flight;
    peak = std::max(peak, in_flight);
    cv.notify_all();
    // Wait (bounded) for a second concurrent part; no fixed sleep.
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return peak >= 2; });
    --in_flight;
  };
  auto data = Pattern(20 * kMiB);
  ASSERT_TRUE(Upload(*sink, "p.bin", data));
  EXPECT_GE(peak, 2);
  EXPECT_EQ(fake_.Object("rec/p.bin")->data, data);
}

TEST_F(S3SinkTest, FailedPartAbortsAndLeavesNothing) {
  auto sink = Sink();
  fake_.fault = [](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (IsPartUpload(r) && PartNumberOf(r) == 2) return InjectedResponse{403, ErrorXml("AccessDenied", "Access Denied")};
    return std::nullopt;
  };
  auto result = Upload(*sink, "x.wav", Pattern(16 * kMiB));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(result.error().vendor_code, "AccessDenied");
  EXPECT_NE(result.error().message.find("s3://bkt/rec/x.wav"), std::string::npos);
  EXPECT_EQ(fake_.Aborts(), 1);
  EXPECT_EQ(fake_.OpenUploads(), 0u);
  EXPECT_EQ(fake_.ObjectCount(), 0u);
  auto reqs = Requests();
  EXPECT_EQ(reqs.back().method, "DELETE");
  EXPECT_EQ(reqs.back().url, "http://127.0.0.1:9000/bkt/rec/x.wav?uploadId=upload-1");
  // Part 2 was not retried (403 is final).
  EXPECT_EQ(std::count_if(reqs.begin(), reqs.end(), [](auto const& r) { return IsPartUpload(r) && PartNumberOf(r) == 2; }),
            1);
}

TEST_F(S3SinkTest, ExplicitAbortAndDestructorAbort) {
  auto sink = Sink();
  auto data = Pattern(6 * kMiB);
  {
    auto w = sink->Open("a.bin", {});
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->Write(data.data(), data.size()));
    (*w)->Abort();
    (*w)->Abort();  // idempotent
    EXPECT_EQ(fake_.Aborts(), 1);
    auto again = (*w)->Write("x", 1);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kCancelled);
    EXPECT_FALSE((*w)->Finish());
  }
  {
    auto w = sink->Open("b.bin", {});
    ASSERT_TRUE((*w)->Write(data.data(), data.size()));
  }  // destroyed unfinished
  EXPECT_EQ(fake_.Aborts(), 2);
  EXPECT_EQ(fake_.OpenUploads(), 0u);
  EXPECT_EQ(fake_.ObjectCount(), 0u);
  {
    // Small unfinished writer: nothing was sent at all.
    transport_->ClearRequests();
    auto w = sink->Open("c.bin", {});
    ASSERT_TRUE((*w)->Write("abc", 3));
  }
  EXPECT_EQ(Requests().size(), 0u);
}

}  // namespace
}  // namespace s3_sink_test
