// SPDX-License-Identifier: Apache-2.0
// S3 user metadata: sent on PutObject and CreateMultipartUpload, returned by Stat() (HeadObject)
// in ObjectInfo::metadata; Uri(); the SHA256 checksum's spellings. Against FakeS3 over
// FakeHttpTransport: no sockets, no sleeps.
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "internal/crypto.hpp"
#include "internal/xml.hpp"
#include "unit/s3/fake_s3.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace ccrec;
using namespace ccrec::s3;

class S3MetadataTest : public ::testing::Test {
 protected:
  std::shared_ptr<ccrec::testing::FakeHttpTransport> transport_ = std::make_shared<ccrec::testing::FakeHttpTransport>();
  std::shared_ptr<ccrec::testing::ManualClock> clock_ = std::make_shared<ccrec::testing::ManualClock>();
  AwsCredentials creds_{"AKIDTEST", "secret", "", std::nullopt};
  ccrec_test::FakeS3 fake_{transport_, creds_};

  std::shared_ptr<ObjectSink> Sink(ChecksumAlgorithm checksum = S3SinkOptions{}.checksum) {
    S3SinkOptions o;
    o.checksum = checksum;
    o.bucket = "bkt";
    o.prefix = "rec/";
    o.endpoint = "http://127.0.0.1:9000";
    o.path_style = true;
    o.transport = transport_;
    o.credentials = MakeStaticCredentialsProvider(creds_);
    o.clock = clock_;
    o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock_);
    o.part_size = 5 * kMiB;
    o.multipart_threshold = 5 * kMiB;
    auto s = MakeS3Sink(std::move(o));
    EXPECT_TRUE(s) << s.error().ToString();
    return *s;
  }

  static Result<ObjectInfo> Put(ObjectSink& sink, std::string const& key, std::string const& data,
                                PutOptions const& put) {
    auto w = sink.Open(key, put);
    if (!w) return w.error();
    if (auto r = (*w)->Write(data.data(), data.size()); !r) return r.error();
    return (*w)->Finish();
  }
};

// Issue 11 item 3: the exporter compares the identity stored with an object before skipping it.
TEST_F(S3MetadataTest, StatReturnsUserMetadataOfSingleAndMultipartUploads) {
  auto sink = Sink();
  PutOptions put;
  put.metadata["ccrec-id"] = "v1/webex/t%2F1/r1/";
  put.metadata["ccrec-source"] = "webex";
  ASSERT_TRUE(Put(*sink, "small.wav", "hello", put));
  std::string big(6 * kMiB + 1, 'b');
  ASSERT_TRUE(Put(*sink, "big.wav", big, put));
  for (auto const* key : {"small.wav", "big.wav"}) {
    SCOPED_TRACE(key);
    auto st = sink->Stat(key);
    ASSERT_TRUE(st) << st.error().ToString();
    ASSERT_TRUE(st->has_value());
    EXPECT_EQ((*st)->metadata.at("ccrec-id"), "v1/webex/t%2F1/r1/");
    EXPECT_EQ((*st)->metadata.at("ccrec-source"), "webex");
  }
  EXPECT_EQ((*sink->Stat("small.wav"))->metadata.at("sha256").size(), 64u);
}

TEST_F(S3MetadataTest, UriIsTheS3UriOfTheKey) {
  auto sink = Sink();
  EXPECT_EQ(sink->Uri("a/b.wav"), "s3://bkt/rec/a/b.wav");
  EXPECT_EQ(sink->Uri(""), "s3://bkt/rec/");
}

// Every S3 spelling of SHA256 (the header, the algorithm name, the CompleteMultipartUpload element
// and the ObjectInfo::checksum prefix), as S3SinkTest.Crc32cChecksums pins CRC32C's.
TEST_F(S3MetadataTest, Sha256ChecksumSpellings) {
  auto sink = Sink(ChecksumAlgorithm::kSha256);
  auto info = Put(*sink, "c.bin", "abc", {});
  ASSERT_TRUE(info) << info.error().ToString();
  auto r = transport_->Requests().at(0);
  EXPECT_EQ(*r.Header("x-amz-checksum-sha256"), ::ccrec::detail::Base64Encode(::ccrec::detail::Sha256Raw("abc")));
  EXPECT_EQ(*r.Header("x-amz-sdk-checksum-algorithm"), "SHA256");
  EXPECT_FALSE(r.Header("x-amz-checksum-crc32c"));
  ASSERT_TRUE(info->checksum);
  EXPECT_EQ(info->checksum->rfind("sha256:", 0), 0u) << *info->checksum;

  transport_->ClearRequests();
  ASSERT_TRUE(Put(*sink, "d.bin", std::string(11 * kMiB, 'd'), {}));
  auto reqs = transport_->Requests();
  EXPECT_EQ(*reqs[0].Header("x-amz-checksum-algorithm"), "SHA256");
  int parts = 0;
  for (auto const& q : reqs) {
    if (q.method == "PUT" && q.url.find("partNumber=") != std::string::npos) {
      ++parts;
      EXPECT_TRUE(q.Header("x-amz-checksum-sha256"));
    }
  }
  EXPECT_EQ(parts, 3);
  EXPECT_EQ(::ccrec::detail::xml::Document::Parse(reqs.back().body, "Complete body").value().Texts("ChecksumSHA256").size(), 3u);
}

}  // namespace
