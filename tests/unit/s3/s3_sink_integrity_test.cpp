// SPDX-License-Identifier: Apache-2.0
// S3 sink against a strict in-memory S3 (FakeS3 over FakeHttpTransport): Stat, If-None-Match
// and integrity checks (SHA-256 metadata, expected size, ETag, CRC32C and SHA-256 checksums, unsigned
// payloads). No sockets, no sleeps.
#include "unit/s3/s3_sink_test_util.hpp"

namespace s3_sink_test {
namespace {

TEST_F(S3SinkTest, StatFoundAndMissing) {
  auto sink = Sink();
  ASSERT_TRUE(Upload(*sink, "a/b.wav", "hello"));
  auto st = sink->Stat("a/b.wav");
  ASSERT_TRUE(st) << st.error().ToString();
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->key, "a/b.wav");
  EXPECT_EQ((*st)->bytes, 5u);
  EXPECT_EQ(*(*st)->sha256_hex, ::ccrec::detail::Sha256Hex("hello"));
  EXPECT_EQ(*(*st)->etag, ::ccrec::detail::HexEncode(::ccrec::detail::Md5Raw("hello")));
  auto last = Requests().back();
  EXPECT_EQ(last.method, "HEAD");
  EXPECT_EQ(last.url, "http://127.0.0.1:9000/bkt/rec/a/b.wav");

  auto missing = sink->Stat("nope.wav");
  ASSERT_TRUE(missing) << missing.error().ToString();
  EXPECT_FALSE(missing->has_value());
}

TEST_F(S3SinkTest, StatWithoutShaMetadataAndErrors) {
  auto sink = Sink();
  fake_.PutRaw("rec/raw.bin", "12345");
  auto st = sink->Stat("raw.bin");
  ASSERT_TRUE(st && st->has_value());
  EXPECT_FALSE((*st)->sha256_hex);
  EXPECT_EQ((*st)->bytes, 5u);
  transport_->EnqueueResponse(403, "");
  auto denied = sink->Stat("raw.bin");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(denied.error().http_status, 403);
  transport_->EnqueueResponse(200, "", {{"Content-Length", "abc"}});
  auto bad = sink->Stat("raw.bin");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
}

TEST_F(S3SinkTest, IfNoneMatch) {
  auto sink = Sink();
  PutOptions put;
  put.if_none_match = true;
  ASSERT_TRUE(Upload(*sink, "once.json", "1", put));
  EXPECT_EQ(*Requests().back().Header("If-None-Match"), "*");
  auto again = Upload(*sink, "once.json", "2", put);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(again.error().vendor_code, "PreconditionFailed");
  EXPECT_EQ(fake_.Object("rec/once.json")->data, "1");
  // Multipart: the condition goes on CompleteMultipartUpload.
  auto big = Upload(*sink, "once.json", Pattern(6 * kMiB), put);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().vendor_code, "PreconditionFailed");
  EXPECT_EQ(fake_.Aborts(), 1);
}

TEST_F(S3SinkTest, CallerShaMetadataIsVerified) {
  auto sink = Sink();
  PutOptions put;
  put.metadata = {{"sha256", ::ccrec::detail::Sha256Hex("other")}};
  auto r = Upload(*sink, "v.bin", "data", put);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(fake_.ObjectCount(), 0u);
  put.metadata = {{"sha256", ::ccrec::detail::Sha256Hex("data")}};
  ASSERT_TRUE(Upload(*sink, "v.bin", "data", put));
  // Known up front: multipart sends it on CreateMultipartUpload.
  auto big = Pattern(6 * kMiB);
  put.metadata = {{"sha256", ::ccrec::detail::Sha256Hex(big)}};
  transport_->ClearRequests();
  ASSERT_TRUE(Upload(*sink, "w.bin", big, put));
  EXPECT_EQ(*Requests().at(0).Header("x-amz-meta-sha256"), ::ccrec::detail::Sha256Hex(big));
}

TEST_F(S3SinkTest, ExpectedSizeIsChecked) {
  auto sink = Sink();
  PutOptions put;
  put.expected_size = 10;
  auto shorter = Upload(*sink, "e.bin", "12345", put);
  ASSERT_FALSE(shorter);
  EXPECT_EQ(shorter.error().code, ErrorCode::kIntegrity);
  auto longer = Upload(*sink, "e.bin", "12345678901", put);
  ASSERT_FALSE(longer);
  EXPECT_EQ(longer.error().code, ErrorCode::kIntegrity);
  EXPECT_EQ(fake_.ObjectCount(), 0u);
  ASSERT_TRUE(Upload(*sink, "e.bin", "1234567890", put));
}

TEST_F(S3SinkTest, ExpectedSizeGrowsPartSizeToStayWithin10000Parts) {
  auto sink = Sink();
  PutOptions put;
  put.expected_size = std::uint64_t{100} << 30;  // 100 GiB / 10,000 = 10.24 MiB → 11 MiB parts
  auto w = sink->Open("huge.bin", put);
  ASSERT_TRUE(w);
  auto chunk = Pattern(12 * kMiB);
  ASSERT_TRUE((*w)->Write(chunk.data(), chunk.size()));
  // The full part goes to a pool thread; Abort() would cancel it if it had not started yet, so
  // wait (bounded) until it has reached the transport.
  auto has_part = [&] {
    auto reqs = Requests();
    return std::any_of(reqs.begin(), reqs.end(), [](RecordedRequest const& r) { return IsPartUpload(r); });
  };
  auto const give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!has_part() && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
  (*w)->Abort();
  std::vector<std::size_t> sizes;
  for (auto const& r : Requests()) {
    if (IsPartUpload(r)) sizes.push_back(r.body.size());
  }
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_EQ(sizes[0], 11 * kMiB);
  put.expected_size = (kMaxPartSize * kMaxParts) + 1;
  EXPECT_EQ(sink->Open("toolarge.bin", put).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(S3SinkTest, EtagMismatchIsAnIntegrityError) {
  auto o = Options();
  o.checksum = ChecksumAlgorithm::kNone;
  auto sink = Sink(o);
  fake_.forced_etag = "\"00000000000000000000000000000000\"";
  auto r = Upload(*sink, "m.bin", "abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(r.error().message.find("is not the MD5 of the bytes sent"), std::string::npos) << r.error().message;
  o.verify_etag = false;
  auto lenient = Sink(o);
  EXPECT_TRUE(Upload(*lenient, "m.bin", "abc"));
}

TEST_F(S3SinkTest, EchoedChecksumIsTrustedOverTheEtag) {
  // With a flexible checksum the server verified it on receipt and echoed it; the ETag is not
  // checked (so no MD5 is computed).
  auto sink = Sink();
  fake_.forced_etag = "\"00000000000000000000000000000000\"";
  EXPECT_TRUE(Upload(*sink, "m.bin", "abc"));
}

TEST_F(S3SinkTest, ServerThatDoesNotEchoTheChecksumIsVerifiedByEtagWithOneWarning) {
  // A store without flexible-checksum support ignores x-amz-checksum-crc32c and echoes nothing:
  // the sink falls back to comparing the ETag with the MD5 of the bytes sent, and warns once.
  fake_.flexible_checksums = false;
  std::vector<std::string> warnings;
  std::mutex mu;
  auto o = Options();
  o.logger = Logger(LogLevel::kWarn, [&](LogLevel, std::string_view m) {
    std::lock_guard<std::mutex> lock(mu);
    warnings.emplace_back(m);
  });
  auto sink = Sink(o);
  auto small = Upload(*sink, "a.bin", "abc");
  ASSERT_TRUE(small) << small.error().ToString();
  EXPECT_EQ(*small->checksum, "crc32c:Nks/tw==");  // what was sent: CRC-32C("abc") = 0x364B3FB7
  auto big = Upload(*sink, "b.bin", Pattern(kPart + 10));
  ASSERT_TRUE(big) << big.error().ToString();
  EXPECT_EQ(fake_.Object("rec/b.bin")->data, Pattern(kPart + 10));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("did not return x-amz-checksum-crc32c"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("--s3-checksum md5"), std::string::npos) << warnings[0];

  // Corruption on such a store shows as an ETag that is not the MD5 of what was sent: a single
  // PutObject fails, and a multipart upload fails and is aborted (nothing appears).
  fake_.forced_etag = "\"0123456789abcdef0123456789abcdef\"";
  auto bad = Upload(*sink, "c.bin", "abc");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kIntegrity);
  EXPECT_NE(bad.error().message.find("is not the MD5 of the bytes sent"), std::string::npos) << bad.error().message;
  auto bad_big = Upload(*sink, "d.bin", Pattern(kPart + 10));
  ASSERT_FALSE(bad_big);
  EXPECT_EQ(bad_big.error().code, ErrorCode::kIntegrity);
  EXPECT_FALSE(fake_.Object("rec/d.bin"));
  EXPECT_EQ(fake_.OpenUploads(), 0u);

  // ETags that are not MD5s leave nothing to compare: accepted.
  fake_.forced_etag = "\"opaque-etag\"";
  EXPECT_TRUE(Upload(*sink, "e.bin", "abc"));
  EXPECT_EQ(warnings.size(), 1u);
}

TEST_F(S3SinkTest, Crc32cChecksums) {
  auto o = Options();
  o.checksum = ChecksumAlgorithm::kCrc32c;
  auto sink = Sink(o);
  auto info = Upload(*sink, "c.bin", "123456789");
  ASSERT_TRUE(info) << info.error().ToString();
  auto r = Requests().at(0);
  EXPECT_EQ(*r.Header("x-amz-checksum-crc32c"), "4waSgw==");  // CRC-32C("123456789") = 0xE3069283
  EXPECT_EQ(*r.Header("x-amz-sdk-checksum-algorithm"), "CRC32C");
  EXPECT_EQ(*info->checksum, "crc32c:4waSgw==");

  transport_->ClearRequests();
  auto big = Upload(*sink, "d.bin", Pattern(11 * kMiB));
  ASSERT_TRUE(big) << big.error().ToString();
  auto reqs = Requests();
  EXPECT_EQ(*reqs[0].Header("x-amz-checksum-algorithm"), "CRC32C");
  for (auto const& q : reqs) {
    if (IsPartUpload(q)) {
      EXPECT_TRUE(q.Header("x-amz-checksum-crc32c"));
    }
  }
  EXPECT_EQ(ccrec::detail::xml::Document::Parse(reqs.back().body, "Complete body").value().Texts("ChecksumCRC32C").size(), 3u);
  EXPECT_EQ(*big->checksum, "crc32c:composite-3");
}

TEST_F(S3SinkTest, Sha256ChecksumMismatchEchoedByServerIsDetected) {
  auto o = Options();
  o.checksum = ChecksumAlgorithm::kSha256;
  auto sink = Sink(o);
  transport_->EnqueueResponse(200, "", {{"ETag", "\"" + ::ccrec::detail::HexEncode(::ccrec::detail::Md5Raw("abc")) + "\""},
                                        {"x-amz-checksum-sha256", "AAAA"}});
  auto r = Upload(*sink, "c.bin", "abc");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIntegrity);
}

// A 2xx without an ETag is not S3's answer to an upload (every PutObject, UploadPart and
// CompleteMultipartUpload success names one): a proxy or web server at the endpoint may answer
// 200 and store nothing. Finish() fails (kParse) and a multipart upload is aborted; an echoed
// checksum alone proves nothing either.
TEST_F(S3SinkTest, UploadAnsweredWithoutAnEtagIsNotTakenAsStored) {
  auto o = Options();
  o.retry.max_attempts = 1;
  auto sink = Sink(o);
  auto const is_complete = [](RecordedRequest const& r) {
    return r.method == "POST" && r.url.find("uploadId=") != std::string::npos;
  };
  for (bool echo : {false, true}) {
    fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
      if (r.method != "PUT" || IsPartUpload(r)) return std::nullopt;
      ccrec::HttpHeaders h;
      if (echo) h.emplace_back("x-amz-checksum-crc32c", *r.Header("x-amz-checksum-crc32c"));
      return InjectedResponse{200, "", h};
    };
    auto put = Upload(*sink, "p.bin", "abc");
    ASSERT_FALSE(put) << "a PutObject answered without an ETag was taken as stored (echo " << echo << ")";
    EXPECT_EQ(put.error().code, ErrorCode::kParse);
    EXPECT_EQ(put.error().http_status, 200);
    EXPECT_NE(put.error().message.find("S3 PutObject s3://bkt/rec/p.bin: the answer (HTTP 200) has no ETag"),
              std::string::npos)
        << put.error().message;
  }
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (IsPartUpload(r) && PartNumberOf(r) == 2) return InjectedResponse{200, "", {{"ETag", "\"\""}}};
    return std::nullopt;
  };
  auto part = Upload(*sink, "q.bin", Pattern(11 * kMiB));
  ASSERT_FALSE(part);
  EXPECT_EQ(part.error().code, ErrorCode::kParse);
  EXPECT_NE(part.error().message.find("part 2: the answer (HTTP 200) has no ETag"), std::string::npos)
      << part.error().message;
  EXPECT_EQ(fake_.Aborts(), 1);
  fake_.fault = [&](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (!is_complete(r)) return std::nullopt;
    return InjectedResponse{200, "<?xml version=\"1.0\"?>\n<CompleteMultipartUploadResult><Location>l</Location>"
                                 "<Bucket>bkt</Bucket><Key>rec/r.bin</Key></CompleteMultipartUploadResult>"};
  };
  auto complete = Upload(*sink, "r.bin", Pattern(11 * kMiB));
  ASSERT_FALSE(complete) << "a CompleteMultipartUpload answered without an ETag was taken as stored";
  EXPECT_EQ(complete.error().code, ErrorCode::kParse);
  EXPECT_NE(complete.error().message.find("S3 CompleteMultipartUpload s3://bkt/rec/r.bin: the answer (HTTP 200) has "
                                          "no ETag"),
            std::string::npos)
      << complete.error().message;
  EXPECT_EQ(fake_.Aborts(), 2);
  EXPECT_EQ(fake_.OpenUploads(), 0u);
  EXPECT_EQ(fake_.ObjectCount(), 0u);
}

TEST_F(S3SinkTest, UnsignedPayloadOnlyOverHttps) {
  auto o = Options();
  o.payload_signing = PayloadSigning::kUnsigned;
  auto bad = MakeS3Sink(o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  o.endpoint = "https://127.0.0.1:9443";
  auto sink = Sink(o);
  transport_->EnqueueResponse(200, "", {{"ETag", "\"" + ::ccrec::detail::HexEncode(::ccrec::detail::Md5Raw("abc")) + "\""}});
  ASSERT_TRUE(Upload(*sink, "u.bin", "abc"));
  auto r = Requests().at(0);
  EXPECT_EQ(*r.Header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(r.Header("x-amz-checksum-crc32c"));
}

}  // namespace
}  // namespace s3_sink_test
