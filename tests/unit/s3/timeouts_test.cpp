// SPDX-License-Identifier: Apache-2.0
// Total per-attempt timeouts of S3 control calls (S3SinkOptions::request_timeout,
// complete_multipart_timeout); object data (PutObject, UploadPart) gets none.
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "unit/s3/fake_s3.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace {

using namespace ccrec;
using namespace ccrec::s3;
using namespace std::chrono_literals;
using ccrec::testing::RecordedRequest;

AwsCredentials Credentials() {
  AwsCredentials c;
  c.access_key_id = "AKIDTEST";
  c.secret_access_key = "secret/KEY+test";
  return c;
}

std::string OperationOf(RecordedRequest const& r) {
  bool const upload_id = r.url.find("uploadId=") != std::string::npos;
  if (r.method == "HEAD") return "HeadObject";
  if (r.method == "POST") return upload_id ? "CompleteMultipartUpload" : "CreateMultipartUpload";
  if (r.method == "DELETE") return upload_id ? "AbortMultipartUpload" : "DeleteObject";
  if (r.method == "PUT") return upload_id ? "UploadPart" : "PutObject";
  return r.method;
}

// Runs every kind of call the sink makes and returns each operation's timeouts.
std::map<std::string, std::set<std::optional<std::chrono::milliseconds>>> TimeoutsByOperation(
    std::function<void(S3SinkOptions&)> const& configure) {
  auto transport = std::make_shared<ccrec::testing::FakeHttpTransport>();
  auto clock = std::make_shared<ccrec::testing::ManualClock>();
  ccrec_test::FakeS3 fake(transport, Credentials());
  S3SinkOptions o;
  o.bucket = "bkt";
  o.endpoint = "http://127.0.0.1:9000";
  o.path_style = true;
  o.transport = transport;
  o.credentials = MakeStaticCredentialsProvider(Credentials());
  o.clock = clock;
  o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock);
  o.part_size = 5 * kMiB;
  o.multipart_threshold = 5 * kMiB;
  configure(o);
  auto sink = MakeS3Sink(o);
  EXPECT_TRUE(sink) << sink.error().ToString();
  std::string const big(6 * kMiB, 'x');
  for (bool abort : {false, true}) {
    auto w = (*sink)->Open(abort ? "aborted.bin" : "big.bin", {});
    EXPECT_TRUE(w);
    EXPECT_TRUE((*w)->Write(big.data(), big.size()));
    if (abort) {
      (*w)->Abort();
    } else {
      EXPECT_TRUE((*w)->Finish());
    }
  }
  auto small = (*sink)->Open("small.bin", {});
  EXPECT_TRUE((*small)->Write("abc", 3));
  EXPECT_TRUE((*small)->Finish());
  EXPECT_TRUE((*sink)->Stat("big.bin"));
  std::map<std::string, std::set<std::optional<std::chrono::milliseconds>>> out;
  for (auto const& r : transport->Requests()) out[OperationOf(r)].insert(r.timeout);
  return out;
}

using Timeouts = std::set<std::optional<std::chrono::milliseconds>>;

TEST(S3Timeouts, ControlCallsCarryTheirTimeoutsAndDataCallsNone) {
  auto defaults = TimeoutsByOperation([](S3SinkOptions&) {});
  EXPECT_EQ(defaults["CreateMultipartUpload"], Timeouts{60000ms});
  EXPECT_EQ(defaults["AbortMultipartUpload"], Timeouts{60000ms});
  EXPECT_EQ(defaults["HeadObject"], Timeouts{60000ms});
  EXPECT_EQ(defaults["CompleteMultipartUpload"], Timeouts{std::chrono::milliseconds(10min)});
  EXPECT_EQ(defaults["UploadPart"], Timeouts{std::nullopt}) << "parts keep the low-speed floor only";
  EXPECT_EQ(defaults["PutObject"], Timeouts{std::nullopt});

  auto configured = TimeoutsByOperation([](S3SinkOptions& o) {
    o.request_timeout = 1500ms;
    o.complete_multipart_timeout = 2500ms;
  });
  EXPECT_EQ(configured["CreateMultipartUpload"], Timeouts{1500ms});
  EXPECT_EQ(configured["AbortMultipartUpload"], Timeouts{1500ms});
  EXPECT_EQ(configured["HeadObject"], Timeouts{1500ms});
  EXPECT_EQ(configured["CompleteMultipartUpload"], Timeouts{2500ms});
  EXPECT_EQ(configured["UploadPart"], Timeouts{std::nullopt});
  EXPECT_EQ(configured["PutObject"], Timeouts{std::nullopt});

  auto none = TimeoutsByOperation([](S3SinkOptions& o) {
    o.request_timeout = 0ms;
    o.complete_multipart_timeout = 0ms;
  });
  for (auto const& [operation, timeouts] : none) EXPECT_EQ(timeouts, Timeouts{std::nullopt}) << operation;
}

TEST(S3Timeouts, CredentialEndpointRequestsCarryTheEndpointTimeout) {
  for (auto timeout : {std::optional<std::chrono::milliseconds>{}, std::optional<std::chrono::milliseconds>{700ms}}) {
    auto transport = std::make_shared<ccrec::testing::FakeHttpTransport>();
    transport->Route("PUT", "/latest/api/token", [](RecordedRequest const&) {
      return Result<HttpResponse>(ccrec::testing::MakeResponse(200, "TOKEN"));
    });
    transport->Route("GET", "/security-credentials/", [](RecordedRequest const&) {
      return Result<HttpResponse>(ccrec::testing::MakeResponse(404, ""));
    });
    CredentialsEndpointOptions o;
    o.transport = transport;
    o.clock = std::make_shared<ccrec::testing::ManualClock>();
    o.imds_endpoint = "http://169.254.169.254";
    if (timeout) o.timeout = *timeout;
    (void)MakeInstanceMetadataCredentialsProvider(o)->Get();
    auto requests = transport->Requests();
    ASSERT_EQ(requests.size(), 2u);
    for (auto const& r : requests) EXPECT_EQ(r.timeout, timeout.value_or(2000ms)) << r.method << " " << r.url;
  }
}

}  // namespace
