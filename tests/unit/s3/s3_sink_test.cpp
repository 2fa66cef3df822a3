// SPDX-License-Identifier: Apache-2.0
// S3 sink against a strict in-memory S3 (FakeS3 over FakeHttpTransport). No sockets, no sleeps.
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/s3/sigv4.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"
#include "internal/xml.hpp"
#include "unit/s3/fake_s3.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

namespace {

using namespace ccrec;
using namespace ccrec::s3;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
using ccrec::testing::RecordedRequest;
using ccrec_test::ErrorXml;
using ccrec_test::FakeS3;
using ccrec_test::InjectedResponse;

constexpr std::uint64_t kPart = 5 * kMiB;

AwsCredentials TestCredentials() {
  AwsCredentials c;
  c.access_key_id = "AKIDTEST";
  c.secret_access_key = "secret/KEY+test";
  return c;
}

std::string Pattern(std::size_t n, unsigned seed = 1) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

bool IsPartUpload(RecordedRequest const& r) {
  return r.method == "PUT" && r.url.find("partNumber=") != std::string::npos;
}

int PartNumberOf(RecordedRequest const& r) {
  auto p = r.url.find("partNumber=");
  return std::stoi(r.url.substr(p + 11));
}

class S3SinkTest : public ::testing::Test {
 protected:
  S3SinkTest()
      : transport_(std::make_shared<FakeHttpTransport>()),
        clock_(std::make_shared<ManualClock>()),
        sleeper_(std::make_shared<ManualSleeper>(clock_)),
        fake_(transport_, TestCredentials()) {}

  S3SinkOptions Options() {
    S3SinkOptions o;
    o.bucket = "bkt";
    o.prefix = "rec/";
    o.endpoint = "http://127.0.0.1:9000";
    o.path_style = true;
    o.transport = transport_;
    o.credentials = MakeStaticCredentialsProvider(TestCredentials());
    o.clock = clock_;
    o.sleeper = sleeper_;
    o.part_size = kPart;
    o.multipart_threshold = kPart;
    o.retry.max_attempts = 4;
    o.retry_seed = 42;
    return o;
  }

  std::shared_ptr<ObjectSink> Sink(S3SinkOptions o) {
    auto s = MakeS3Sink(std::move(o));
    EXPECT_TRUE(s) << s.error().ToString();
    return *s;
  }
  std::shared_ptr<ObjectSink> Sink() { return Sink(Options()); }

  // Writes `data` in uneven chunks and finishes.
  Result<ObjectInfo> Upload(ObjectSink& sink, std::string const& key, std::string const& data,
                            PutOptions const& put = {}, CallContext const& ctx = {}) {
    auto w = sink.Open(key, put, ctx);
    if (!w) return w.error();
    std::size_t off = 0, step = 1;
    while (off < data.size()) {
      auto n = std::min(data.size() - off, step);
      auto r = (*w)->Write(data.data() + off, n);
      if (!r) return r.error();
      off += n;
      step = step * 3 + 7;
      if (step > (3u << 20)) step = 12345;
    }
    return (*w)->Finish();
  }

  std::vector<RecordedRequest> Requests() const { return transport_->Requests(); }

  std::shared_ptr<FakeHttpTransport> transport_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<ManualSleeper> sleeper_;
  FakeS3 fake_;
};

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
  auto numbers = ccrec::detail::xml::Document::Parse(complete.body, "Complete body").value().Texts("PartNumber");
  EXPECT_EQ(numbers, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_NE(complete.body.find("<ETag>&quot;"), std::string::npos);

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

namespace {

// Answers S3 calls without keeping bodies (FakeHttpTransport records them, which would hide the
// sink's own memory use).
class NullS3Transport : public ccrec::HttpTransport {
 public:
  ccrec::Result<ccrec::HttpResponse> Send(ccrec::HttpRequest const& request, ccrec::CallContext const&) override {
    if (request.body) {
      char buf[65536];
      (void)request.body->Rewind();
      while (true) {
        auto n = request.body->Read(buf, sizeof buf);
        if (!n || *n == 0) break;
      }
    }
    if (request.method == "POST" && request.url.find("uploads=") != std::string::npos) {
      return ccrec::testing::MakeResponse(
          200, "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>");
    }
    if (request.method == "POST") {
      return ccrec::testing::MakeResponse(
          200, "<CompleteMultipartUploadResult><ETag>\"e-1\"</ETag></CompleteMultipartUploadResult>");
    }
    return ccrec::testing::MakeResponse(200, "", {{"ETag", "\"etag\""}});
  }
};

std::size_t ReadStatusKiB(char const* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stoul(line.substr(std::strlen(field)));
  }
  return 0;
}

// Measures the documented bound: part_size × max_in_flight_parts (+ small constant).
TEST(S3SinkMemory, PeakMemoryIsPartSizeTimesInFlight) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "RSS is not meaningful under sanitizers";
#endif
  std::ofstream clear("/proc/self/clear_refs");
  if (!clear) GTEST_SKIP() << "/proc/self/clear_refs not available";
  S3SinkOptions o;
  o.bucket = "b";
  o.endpoint = "http://127.0.0.1:1";
  o.transport = std::make_shared<NullS3Transport>();
  o.credentials = MakeStaticCredentialsProvider({"AK", "SK", "", std::nullopt});
  o.verify_etag = false;
  o.part_size = 8 * kMiB;
  o.multipart_threshold = 8 * kMiB;
  o.max_in_flight_parts = 4;
  auto sink = MakeS3Sink(o);
  ASSERT_TRUE(sink);
  std::string chunk = Pattern(kMiB, 9);
  auto const baseline = ReadStatusKiB("VmRSS:");
  clear << "5" << std::flush;  // reset VmHWM to the current RSS
  auto w = (*sink)->Open("m.bin", {});
  ASSERT_TRUE(w);
  std::uint64_t const total = 192 * kMiB;
  for (std::uint64_t done = 0; done < total; done += chunk.size()) {
    ASSERT_TRUE((*w)->Write(chunk.data(), chunk.size()));
  }
  auto info = (*w)->Finish();
  ASSERT_TRUE(info) << info.error().ToString();
  EXPECT_EQ(info->bytes, total);
  auto const peak = ReadStatusKiB("VmHWM:");
  auto const growth_mib = (peak > baseline ? peak - baseline : 0) / 1024.0;
  std::cout << "[ MEASURED ] 192 MiB upload, 8 MiB x 4 parts: peak RSS growth " << growth_mib << " MiB\n";
  EXPECT_LT(growth_mib, 44.0);  // 32 MiB of part buffers + hashing state, arenas and thread stacks
}

}  // namespace
