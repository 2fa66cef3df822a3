// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the S3 sink unit tests (s3_sink_*test.cpp): the S3SinkTest fixture, an S3 sink against a
// strict in-memory S3 (FakeS3 over FakeHttpTransport) with a manual clock and sleeper, and helpers
// (credentials, deterministic payloads, part-upload requests). No sockets, no sleeps.
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
#include <mutex>
#include <set>
#include <thread>

namespace s3_sink_test {

using namespace ccrec;
using namespace ccrec::s3;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::ManualClock;
using ccrec::testing::ManualSleeper;
using ccrec::testing::RecordedRequest;
using ccrec_test::ErrorXml;
using ccrec_test::FakeS3;
using ccrec_test::InjectedResponse;

inline constexpr std::uint64_t kPart = 5 * kMiB;

inline AwsCredentials TestCredentials() {
  AwsCredentials c;
  c.access_key_id = "AKIDTEST";
  c.secret_access_key = "secret/KEY+test";
  return c;
}

inline std::string Pattern(std::size_t n, unsigned seed = 1) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

inline bool IsPartUpload(RecordedRequest const& r) {
  return r.method == "PUT" && r.url.find("partNumber=") != std::string::npos;
}

inline int PartNumberOf(RecordedRequest const& r) {
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

}  // namespace s3_sink_test
