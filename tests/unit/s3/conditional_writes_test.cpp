// SPDX-License-Identifier: Apache-2.0
// S3SinkOptions::conditional_writes (issue 15): what ObjectSink::EnforcesIfNoneMatch() answers.
// The export engine skips its HeadObject only when this says true, so a store that may ignore
// If-None-Match must never be claimed by default.

#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/testing/fake_http_transport.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace {

using namespace ccrec;
using namespace ccrec::s3;

bool CwEnforces(std::string const& endpoint, ConditionalWrites setting) {
  S3SinkOptions o;
  o.bucket = "bkt";
  o.endpoint = endpoint;
  o.transport = std::make_shared<ccrec::testing::FakeHttpTransport>();  // nothing is sent
  o.credentials = MakeStaticCredentialsProvider(AwsCredentials{"AKIDEXAMPLE", "secret", "", {}});
  o.conditional_writes = setting;
  auto sink = MakeS3Sink(o);
  EXPECT_TRUE(sink) << sink.error().ToString();
  return sink && (*sink)->EnforcesIfNoneMatch();
}

TEST(S3ConditionalWrites, AutoClaimsAwsEndpointsOnly) {
  EXPECT_TRUE(CwEnforces("", ConditionalWrites::kAuto));  // the default AWS endpoint
  EXPECT_TRUE(CwEnforces("https://s3.eu-west-1.amazonaws.com", ConditionalWrites::kAuto));
  EXPECT_TRUE(CwEnforces("https://S3.cn-north-1.Amazonaws.com.cn", ConditionalWrites::kAuto));
  EXPECT_FALSE(CwEnforces("http://127.0.0.1:9000", ConditionalWrites::kAuto));
  EXPECT_FALSE(CwEnforces("https://minio.example.com", ConditionalWrites::kAuto));
  EXPECT_FALSE(CwEnforces("https://amazonaws.com.evil.example", ConditionalWrites::kAuto));
  EXPECT_FALSE(CwEnforces("https://notamazonaws.com", ConditionalWrites::kAuto));
}

TEST(S3ConditionalWrites, OnAndOffOverrideTheEndpoint) {
  EXPECT_TRUE(CwEnforces("http://127.0.0.1:9000", ConditionalWrites::kOn));
  EXPECT_FALSE(CwEnforces("https://s3.us-east-1.amazonaws.com", ConditionalWrites::kOff));
}

TEST(S3ConditionalWrites, DefaultIsAuto) { EXPECT_EQ(S3SinkOptions{}.conditional_writes, ConditionalWrites::kAuto); }

}  // namespace
