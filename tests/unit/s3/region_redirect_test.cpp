// SPDX-License-Identifier: Apache-2.0
// Issue 14 item 3: a request signed for the wrong region is followed once — the region comes from
// x-amz-bucket-region on 301 PermanentRedirect / 400 AuthorizationHeaderMalformed, the request is
// re-signed (and, on the default AWS endpoint, re-addressed), and the sink keeps the region.
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "unit/s3/fake_s3.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

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

AwsCredentials TestCredentials() { return {"AKIDTEST", "secret/KEY+test", "", std::nullopt}; }

std::string Scope(RecordedRequest const& r) {
  auto auth = r.Header("Authorization").value_or("");
  auto b = auth.find('/');
  return b == std::string::npos ? "" : auth.substr(b + 10, auth.find("/s3/") - b - 10);
}

std::optional<InjectedResponse> PermanentRedirect(std::string const& region) {
  return InjectedResponse{301,
                          ErrorXml("PermanentRedirect",
                                   "The bucket you are attempting to access must be addressed using the specified "
                                   "endpoint.",
                                   "R301", "<Bucket>bkt</Bucket><Endpoint>bkt.s3." + region + ".amazonaws.com</Endpoint>"),
                          {{"x-amz-bucket-region", region}}};
}

class RegionRedirectTest : public ::testing::Test {
 protected:
  // The fake store lives in eu-west-1: it verifies signatures for that region only.
  RegionRedirectTest() : fake_(transport_, TestCredentials(), "eu-west-1") {}

  S3SinkOptions Options() {
    S3SinkOptions o;
    o.bucket = "bkt";
    o.prefix = "rec/";
    o.region = "us-east-1";
    o.transport = transport_;
    o.credentials = MakeStaticCredentialsProvider(TestCredentials());
    o.clock = clock_;
    o.sleeper = sleeper_;
    o.retry.max_attempts = 3;
    o.checksum = ChecksumAlgorithm::kNone;
    o.logger = Logger(LogLevel::kWarn, [this](LogLevel, std::string_view m) {
      std::lock_guard<std::mutex> lock(mu_);
      warnings_.emplace_back(m);
    });
    return o;
  }

  Result<ObjectInfo> Upload(ObjectSink& sink, std::string const& key, std::string const& data) {
    auto w = sink.Open(key, {});
    if (!w) return w.error();
    if (auto r = (*w)->Write(data.data(), data.size()); !r) return r.error();
    return (*w)->Finish();
  }

  std::shared_ptr<FakeHttpTransport> transport_ = std::make_shared<FakeHttpTransport>();
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::shared_ptr<ManualSleeper> sleeper_ = std::make_shared<ManualSleeper>(clock_);
  FakeS3 fake_;
  std::mutex mu_;
  std::vector<std::string> warnings_;
};

TEST_F(RegionRedirectTest, PermanentRedirectOnTheDefaultEndpointMovesHostAndRegionOnce) {
  // S3 answers 301 to anything sent to the wrong regional endpoint.
  fake_.fault = [](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (r.url.find(".s3.eu-west-1.amazonaws.com/") == std::string::npos) return PermanentRedirect("eu-west-1");
    return std::nullopt;
  };
  auto sink = MakeS3Sink(Options());
  ASSERT_TRUE(sink) << sink.error().ToString();
  auto first = Upload(**sink, "a.wav", "first");
  ASSERT_TRUE(first) << first.error().ToString();
  auto reqs = transport_->Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].url, "https://bkt.s3.us-east-1.amazonaws.com/rec/a.wav");
  EXPECT_EQ(Scope(reqs[0]), "us-east-1");
  EXPECT_EQ(reqs[1].url, "https://bkt.s3.eu-west-1.amazonaws.com/rec/a.wav");
  EXPECT_EQ(Scope(reqs[1]), "eu-west-1");  // re-signed (the fake verified the signature)
  EXPECT_TRUE(sleeper_->Sleeps().empty());  // no backoff: not a retry of a failure
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("region eu-west-1, not us-east-1"), std::string::npos) << warnings_[0];
  // The sink remembers: the next object and a HeadObject go straight to eu-west-1.
  transport_->ClearRequests();
  ASSERT_TRUE(Upload(**sink, "b.wav", "second"));
  auto st = (*sink)->Stat("b.wav");
  ASSERT_TRUE(st) << st.error().ToString();
  reqs = transport_->Requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (auto const& r : reqs) {
    EXPECT_EQ(r.url.rfind("https://bkt.s3.eu-west-1.amazonaws.com/", 0), 0u) << r.url;
    EXPECT_EQ(Scope(r), "eu-west-1");
  }
  EXPECT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(fake_.ObjectCount(), 2u);
}

TEST_F(RegionRedirectTest, AuthorizationHeaderMalformedOnACustomEndpointResignsForTheSameHost) {
  fake_.fault = [](RecordedRequest const& r) -> std::optional<InjectedResponse> {
    if (Scope(r) != "eu-west-1") {
      return InjectedResponse{400,
                              ErrorXml("AuthorizationHeaderMalformed",
                                       "The authorization header is malformed; the region 'us-east-1' is wrong; "
                                       "expecting 'eu-west-1'",
                                       "R400", "<Region>eu-west-1</Region>"),
                              {{"x-amz-bucket-region", "eu-west-1"}}};
    }
    return std::nullopt;
  };
  auto o = Options();
  o.endpoint = "http://127.0.0.1:9000";
  o.path_style = true;
  o.multipart_threshold = kMinPartSize;
  o.part_size = kMinPartSize;
  auto sink = MakeS3Sink(o);
  ASSERT_TRUE(sink);
  // Multipart: CreateMultipartUpload learns the region; the parts and Complete use it.
  auto info = Upload(**sink, "big.wav", std::string(kMinPartSize + 10, 'x'));
  ASSERT_TRUE(info) << info.error().ToString();
  auto reqs = transport_->Requests();
  ASSERT_EQ(reqs.size(), 5u);  // Create (400), Create, 2 × UploadPart, Complete
  for (auto const& r : reqs) EXPECT_EQ(r.url.rfind("http://127.0.0.1:9000/bkt/rec/big.wav", 0), 0u) << r.url;
  EXPECT_EQ(Scope(reqs[0]), "us-east-1");
  for (std::size_t i = 1; i < reqs.size(); ++i) EXPECT_EQ(Scope(reqs[i]), "eu-west-1");
}

TEST_F(RegionRedirectTest, FollowedOnlyOnceAndOnlyWithARegionHeader) {
  // A second redirect within the same request is returned as the error.
  std::atomic<int> n{0};
  fake_.fault = [&](RecordedRequest const&) -> std::optional<InjectedResponse> {
    return PermanentRedirect(++n == 1 ? "eu-west-1" : "ap-south-1");
  };
  auto sink = MakeS3Sink(Options());
  ASSERT_TRUE(sink);
  auto bounced = Upload(**sink, "a.wav", "x");
  ASSERT_FALSE(bounced);
  EXPECT_EQ(bounced.error().http_status, 301);
  EXPECT_EQ(bounced.error().vendor_code, "PermanentRedirect");
  EXPECT_EQ(transport_->RequestCount(), 2u);
  // No x-amz-bucket-region (or a malformed one): the error as is, one request.
  for (ccrec::HttpHeaders headers : {ccrec::HttpHeaders{}, ccrec::HttpHeaders{{"x-amz-bucket-region", "EU WEST\r\n"}}}) {
    transport_->ClearRequests();
    fake_.fault = [&](RecordedRequest const&) -> std::optional<InjectedResponse> {
      return InjectedResponse{301, ErrorXml("PermanentRedirect"), headers};
    };
    auto plain = Upload(**sink, "b.wav", "x");
    ASSERT_FALSE(plain);
    EXPECT_EQ(plain.error().vendor_code, "PermanentRedirect");
    EXPECT_EQ(transport_->RequestCount(), 1u);
  }
  // Other statuses with the header are not redirects.
  transport_->ClearRequests();
  fake_.fault = [&](RecordedRequest const&) -> std::optional<InjectedResponse> {
    return InjectedResponse{403, ErrorXml("AccessDenied"), {{"x-amz-bucket-region", "us-west-2"}}};
  };
  auto denied = Upload(**sink, "c.wav", "x");
  ASSERT_FALSE(denied);
  EXPECT_EQ(transport_->RequestCount(), 1u);
}

}  // namespace
