// SPDX-License-Identifier: Apache-2.0
// The S3 examples of the AWS "Signature Version 4 for S3" documentation (s3-sigv4.md §6), key
// encoding, presigned URLs and signer argument checks.
#include <ccrec/s3/sigv4.hpp>

#include "internal/crypto.hpp"
#include "internal/time_util.hpp"

#include <gtest/gtest.h>

namespace {

using namespace ccrec::s3;
using ccrec::ErrorCode;
using ccrec::FindHeader;

AwsCredentials DocCredentials() {
  AwsCredentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  return c;
}

SigV4Options DocOptions() {
  SigV4Options o;
  o.region = "us-east-1";
  o.service = "s3";
  o.time = *ccrec::detail::ParseAmzDate("20130524T000000Z");
  return o;
}

std::string const kHost = "examplebucket.s3.amazonaws.com";

TEST(SigV4S3Examples, SigningKey) {
  EXPECT_EQ(ccrec::detail::HexEncode(
                DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3")),
            "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
}

TEST(SigV4S3Examples, GetObjectWithRange) {
  SigV4Request r;
  r.method = "GET";
  r.host = kHost;
  r.path = "/test.txt";
  r.headers = {{"Range", "bytes=0-9"}};
  auto sig = SignRequest(r, DocCredentials(), DocOptions());
  ASSERT_TRUE(sig) << sig.error().ToString();
  EXPECT_EQ(sig->canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sig->string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(sig->signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(sig->authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(*FindHeader(sig->headers_to_add, "x-amz-content-sha256"), kEmptyPayloadSha256);
  EXPECT_EQ(*FindHeader(sig->headers_to_add, "x-amz-date"), "20130524T000000Z");
}

TEST(SigV4S3Examples, PutObjectDollarInKey) {
  SigV4Request r;
  r.method = "PUT";
  r.host = kHost;
  r.path = "/test$file.text";
  r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  r.payload_hash = ccrec::detail::Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(r.payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  auto sig = SignRequest(r, DocCredentials(), DocOptions());
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->canonical_uri, "/test%24file.text");
  EXPECT_EQ(sig->canonical_request,
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
            "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(sig->signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3Examples, GetBucketLifecycle) {
  SigV4Request r;
  r.host = kHost;
  r.path = "/";
  r.query = {{"lifecycle", ""}};
  auto sig = SignRequest(r, DocCredentials(), DocOptions());
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->canonical_query, "lifecycle=");
  EXPECT_EQ(sig->signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3Examples, ListObjects) {
  SigV4Request r;
  r.host = kHost;
  r.path = "/";
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // given out of order on purpose
  auto sig = SignRequest(r, DocCredentials(), DocOptions());
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->canonical_query, "max-keys=2&prefix=J");
  EXPECT_EQ(sig->signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4S3Examples, PresignedGet) {
  SigV4Request r;
  r.host = kHost;
  r.path = "/test.txt";
  PresignOptions o;
  o.time = *ccrec::detail::ParseAmzDate("20130524T000000Z");
  o.expires = std::chrono::seconds(86400);
  auto url = PresignUrl(r, DocCredentials(), o);
  ASSERT_TRUE(url) << url.error().ToString();
  EXPECT_EQ(url->signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_EQ(url->url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_EQ(url->canonical_request,
            "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
            "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
  EXPECT_EQ(url->expires_at, o.time + std::chrono::seconds(86400));
  EXPECT_TRUE(url->signed_headers.empty());
}

// The seed request of the aws-chunked example (only the seed signature; ccrec does not send aws-chunked).
TEST(SigV4S3Examples, ChunkedUploadSeedSignature) {
  SigV4Request r;
  r.method = "PUT";
  r.host = "s3.amazonaws.com";
  r.path = "/examplebucket/chunkObject.txt";
  r.headers = {{"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"Content-Encoding", "aws-chunked"},
               {"x-amz-decoded-content-length", "66560"},
               {"Content-Length", "66824"}};
  r.payload_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  auto sig = SignRequest(r, DocCredentials(), DocOptions());
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->signature, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
}

TEST(SigV4Presign, SessionTokenIsSignedInTheQueryAndBoundsExpiry) {
  SigV4Request r;
  r.host = "127.0.0.1:9000";
  r.path = "/bucket/a b.wav";
  auto creds = DocCredentials();
  creds.session_token = "tok/en+=";
  PresignOptions o;
  o.time = *ccrec::detail::ParseAmzDate("20130524T000000Z");
  o.expires = std::chrono::seconds(3600);
  o.scheme = "http";
  creds.expiration = o.time + std::chrono::seconds(600);
  auto url = PresignUrl(r, creds, o);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->url.rfind("http://127.0.0.1:9000/bucket/a%20b.wav?", 0), 0u) << url->url;
  EXPECT_NE(url->canonical_request.find("X-Amz-Security-Token=tok%2Fen%2B%3D"), std::string::npos);
  EXPECT_NE(url->url.find("&X-Amz-Security-Token=tok%2Fen%2B%3D&"), std::string::npos);
  // The signature is the last parameter.
  auto pos = url->url.rfind("&X-Amz-Signature=");
  ASSERT_NE(pos, std::string::npos);
  EXPECT_EQ(url->url.size() - pos, std::string("&X-Amz-Signature=").size() + 64);
  EXPECT_EQ(url->expires_at, *creds.expiration);
}

TEST(SigV4Presign, PutWithSignedContentType) {
  SigV4Request r;
  r.method = "PUT";
  r.host = kHost;
  r.path = "/upload.wav";
  r.headers = {{"Content-Type", "audio/wav"}};
  PresignOptions o;
  o.time = *ccrec::detail::ParseAmzDate("20130524T000000Z");
  auto url = PresignUrl(r, DocCredentials(), o);
  ASSERT_TRUE(url);
  EXPECT_NE(url->url.find("X-Amz-SignedHeaders=content-type%3Bhost"), std::string::npos);
  EXPECT_NE(url->canonical_request.find("\ncontent-type:audio/wav\nhost:"), std::string::npos);
  ASSERT_EQ(url->signed_headers.size(), 1u);
}

TEST(SigV4Presign, RejectsBadExpiry) {
  SigV4Request r;
  r.host = kHost;
  r.path = "/x";
  PresignOptions o;
  o.time = *ccrec::detail::ParseAmzDate("20130524T000000Z");
  for (long s : {0L, -1L, 604801L}) {
    o.expires = std::chrono::seconds(s);
    auto url = PresignUrl(r, DocCredentials(), o);
    ASSERT_FALSE(url);
    EXPECT_EQ(url.error().code, ErrorCode::kInvalidArgument);
  }
  for (long s : {1L, 604800L}) {
    o.expires = std::chrono::seconds(s);
    EXPECT_TRUE(PresignUrl(r, DocCredentials(), o));
  }
}

TEST(SigV4Presign, RejectsEmptyCredentialsAndHost) {
  SigV4Request r;
  r.path = "/x";
  PresignOptions o;
  EXPECT_EQ(PresignUrl(r, DocCredentials(), o).error().code, ErrorCode::kInvalidArgument);
  r.host = kHost;
  EXPECT_EQ(PresignUrl(r, AwsCredentials{}, o).error().code, ErrorCode::kUnauthenticated);
}

TEST(SigV4Sign, ArgumentChecks) {
  SigV4Request r;
  r.path = "/x";
  EXPECT_EQ(SignRequest(r, DocCredentials(), DocOptions()).error().code, ErrorCode::kInvalidArgument);  // no host
  r.host = kHost;
  EXPECT_EQ(SignRequest(r, AwsCredentials{}, DocOptions()).error().code, ErrorCode::kUnauthenticated);
  r.payload_hash = "not-a-hash";
  EXPECT_EQ(SignRequest(r, DocCredentials(), DocOptions()).error().code, ErrorCode::kInvalidArgument);
  r.payload_hash = kUnsignedPayload;
  auto sig = SignRequest(r, DocCredentials(), DocOptions());
  ASSERT_TRUE(sig);
  EXPECT_EQ(*FindHeader(sig->headers_to_add, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(sig->canonical_request.substr(sig->canonical_request.rfind('\n') + 1), "UNSIGNED-PAYLOAD");
  auto o = DocOptions();
  o.region.clear();
  EXPECT_EQ(SignRequest(r, DocCredentials(), o).error().code, ErrorCode::kInvalidArgument);
}

TEST(SigV4Sign, HostFromHeaderAndCallerSignerHeadersReplaced) {
  SigV4Request r;
  r.path = "/k";
  r.headers = {{"Host", "example.com:8080"},
               {"X-Amz-Date", "19990101T000000Z"},
               {"Authorization", "stale"},
               {"x-amz-content-sha256", "stale"}};
  auto sig = SignRequest(r, DocCredentials(), DocOptions());
  ASSERT_TRUE(sig);
  EXPECT_NE(sig->canonical_request.find("host:example.com:8080\n"), std::string::npos);
  EXPECT_EQ(sig->canonical_request.find("stale"), std::string::npos);
  EXPECT_EQ(sig->canonical_request.find("19990101"), std::string::npos);
  EXPECT_EQ(sig->signed_headers, "host;x-amz-content-sha256;x-amz-date");
}

TEST(SigV4Sign, SessionTokenSignedByDefault) {
  SigV4Request r;
  r.host = kHost;
  r.path = "/k";
  auto creds = DocCredentials();
  creds.session_token = "TOKEN";
  auto sig = SignRequest(r, creds, DocOptions());
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->signed_headers, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  EXPECT_EQ(sig->headers_to_add.size(), 4u);
  EXPECT_EQ(sig->headers_to_add[2], (std::pair<std::string, std::string>("x-amz-security-token", "TOKEN")));
}

TEST(SigV4Sign, HeaderCanonicalisation) {
  SigV4Request r;
  r.host = kHost;
  r.path = "/";
  r.headers = {{"X-Amz-Meta-B", "  two   words  "}, {"x-amz-meta-a", "1"}, {"X-AMZ-META-A", "2"},
               {"x-amz-meta-c", "line1\r\n   line2\tx"}};
  auto o = DocOptions();
  o.add_content_sha256_header = false;
  auto sig = SignRequest(r, DocCredentials(), o);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->canonical_request,
            "GET\n/\n\nhost:examplebucket.s3.amazonaws.com\nx-amz-date:20130524T000000Z\nx-amz-meta-a:1,2\n"
            "x-amz-meta-b:two words\nx-amz-meta-c:line1 line2 x\n\n"
            "host;x-amz-date;x-amz-meta-a;x-amz-meta-b;x-amz-meta-c\n" +
                std::string(kEmptyPayloadSha256));
}

// S3 keys: each path segment encoded once, '/' kept, "//" kept, no normalisation.
TEST(SigV4KeyEncoding, S3Keys) {
  struct Case {
    char const* path;
    char const* uri;
  };
  Case const cases[] = {
      {"/b/a b.txt", "/b/a%20b.txt"},
      {"/b/\xC3\xBC.txt", "/b/%C3%BC.txt"},                     // ü
      {"/b/\xE6\x97\xA5\xE6\x9C\xAC.wav", "/b/%E6%97%A5%E6%9C%AC.wav"},  // 日本
      {"/b/a+b.txt", "/b/a%2Bb.txt"},
      {"/b/a=b.txt", "/b/a%3Db.txt"},
      {"/b/a%b.txt", "/b/a%25b.txt"},
      {"/b/a:b.txt", "/b/a%3Ab.txt"},
      {"/b/a,b.txt", "/b/a%2Cb.txt"},
      {"/b/a(b).txt", "/b/a%28b%29.txt"},
      {"/b/a!b.txt", "/b/a%21b.txt"},
      {"/b/a~b-c_d.e", "/b/a~b-c_d.e"},
      {"/b/$*'@&;", "/b/%24%2A%27%40%26%3B"},
      {"/b/my-object//example//photo.user", "/b/my-object//example//photo.user"},
      {"/b/./a/../c", "/b/./a/../c"},
      {"/b/dir/", "/b/dir/"},
      {"", "/"},
  };
  for (auto const& c : cases) {
    EXPECT_EQ(CanonicalUri(c.path, false, PathMode::kS3), c.uri) << c.path;
  }
  // Already-encoded paths are re-encoded canonically (lower-case hex, over-encoded '~').
  EXPECT_EQ(CanonicalUri("/b/a%2bb%7E%20x", true, PathMode::kS3), "/b/a%2Bb~%20x");
  // An encoded '/' inside a segment stays encoded.
  EXPECT_EQ(CanonicalUri("/b/a%2Fb", true, PathMode::kS3), "/b/a%2Fb");
  // Generic mode normalises.
  EXPECT_EQ(CanonicalUri("/b/./a/../c", false, PathMode::kGeneric), "/b/c");
  EXPECT_EQ(CanonicalUri("//a//b//", false, PathMode::kGeneric), "/a/b/");
  EXPECT_EQ(CanonicalUri("/../..", false, PathMode::kGeneric), "/");
}

TEST(SigV4KeyEncoding, QueryEncodingAndOrder) {
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"prefix", "dir/sub dir"}, {"delimiter", "/"}}), "delimiter=%2F&prefix=dir%2Fsub%20dir");
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"a", "z"}, {"a", "Y"}, {"A", "x"}}), "A=x&a=Y&a=z&b=2");
  EXPECT_EQ(CanonicalQuery({{"k", "a+b=c&d"}}), "k=a%2Bb%3Dc%26d");
  EXPECT_EQ(CanonicalQuery({}), "");
}

}  // namespace
