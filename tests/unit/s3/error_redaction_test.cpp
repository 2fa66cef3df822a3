// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 4: S3 errors quote the server, and the server may be hostile (or a proxy that
// echoes the request): every server-provided string that reaches an Error — Message, Code,
// RequestId, Region/Endpoint, x-amz-* headers — is redacted (signatures, Authorization values,
// session tokens, and the configured secret if echoed literally), cut to a bounded length and
// stripped of control characters; StringToSign, CanonicalRequest and SignatureProvided never
// reach it at all.
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/testing/fake_http_transport.hpp>
#include <ccrec/testing/manual_clock.hpp>

#include "s3/s3_error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace ccrec;
using namespace ccrec::s3;
using ccrec::testing::FakeHttpTransport;
using ccrec::testing::MakeResponse;
using ccrec::testing::RecordedRequest;

constexpr char kKeyId[] = "AKIDHOSTILETEST0001";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kSessionToken[] = "FwoGZXIvYXdzEJrSESSIONTOKEN0123456789abcdef";

AwsCredentials SessionCredentials() {
  AwsCredentials c;
  c.access_key_id = kKeyId;
  c.secret_access_key = kSecret;
  c.session_token = kSessionToken;
  return c;
}

/// A SignatureDoesNotMatch answer as a hostile server (or an echoing proxy) might write it.
std::string HostileSignatureDoesNotMatch() {
  std::string const auth = std::string("AWS4-HMAC-SHA256 Credential=") + kKeyId +
                           "/20261101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, "
                           "Signature=SIGVALUE1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>") +
         "<Message>The request signature we calculated does not match the signature you provided. " +
         "Authorization: " + auth + "\n" +
         "GET /bkt/x?X-Amz-Credential=" + kKeyId + "%2F20261101&amp;X-Amz-Signature=SIGVALUE2bbbbbbbbbbbbbbbb " +
         "your key " + kSecret + " token " + kSessionToken + " &#27;[2J&#13;&#10;FAKE LOG LINE \x1b[31m red\r</Message>" +
         "<AWSAccessKeyId>" + kKeyId + "</AWSAccessKeyId>" +
         "<StringToSign>AWS4-HMAC-SHA256\n20261101T000000Z\nSTRINGTOSIGN-MARKER " + kSecret + "</StringToSign>" +
         "<SignatureProvided>SIGVALUE3cccccccccccccccc</SignatureProvided>" +
         "<CanonicalRequest>PUT\n/bkt/rec/a.wav\nCANONICAL-MARKER X-Amz-Security-Token=" + kSessionToken +
         "\nx-amz-security-token:" + kSessionToken + "\nauthorization:" + auth + "</CanonicalRequest>" +
         "<RequestId>REQ&#27;]0;title&#7;1</RequestId><HostId>h</HostId></Error>";
}

void ExpectSafe(Error const& e) {
  for (std::string const& text : {e.message, e.ToString(), e.vendor_code, e.request_id}) {
    SCOPED_TRACE(text);
    for (char const* leak : {"SIGVALUE", kSecret, kSessionToken, "STRINGTOSIGN-MARKER", "CANONICAL-MARKER"}) {
      EXPECT_EQ(text.find(leak), std::string::npos) << "leaks " << leak;
    }
    for (unsigned char c : text) {
      EXPECT_FALSE(c < 0x20 || c == 0x7f) << "control character 0x" << std::hex << static_cast<int>(c);
    }
  }
}

class S3ErrorRedaction : public ::testing::Test {
 protected:
  std::shared_ptr<FakeHttpTransport> transport_ = std::make_shared<FakeHttpTransport>();
  std::shared_ptr<ccrec::testing::ManualClock> clock_ = std::make_shared<ccrec::testing::ManualClock>();

  std::shared_ptr<ObjectSink> Sink() {
    S3SinkOptions o;
    o.bucket = "bkt";
    o.prefix = "rec/";
    o.endpoint = "http://127.0.0.1:9000";
    o.path_style = true;
    o.transport = transport_;
    o.credentials = MakeStaticCredentialsProvider(SessionCredentials());
    o.clock = clock_;
    o.sleeper = std::make_shared<ccrec::testing::ManualSleeper>(clock_);
    auto s = MakeS3Sink(std::move(o));
    EXPECT_TRUE(s) << s.error().ToString();
    return *s;
  }
};

TEST_F(S3ErrorRedaction, SignatureDoesNotMatchFromAHostileServerLeaksNothing) {
  transport_->Route("", "", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(403, HostileSignatureDoesNotMatch(), {{"Content-Type", "application/xml"}}));
  });
  auto sink = Sink();
  auto writer = sink->Open("a.wav", {}, {});
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->Write("RIFF", 4));
  auto finished = (*writer)->Finish();
  ASSERT_FALSE(finished);
  Error const& e = finished.error();
  EXPECT_EQ(e.code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(e.vendor_code, "SignatureDoesNotMatch");
  EXPECT_NE(e.message.find("s3://bkt/rec/a.wav"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("check the secret access key"), std::string::npos) << "advice kept: " << e.message;
  EXPECT_NE(e.message.find("does not match the signature you provided"), std::string::npos)
      << "the server's own words are kept, redacted: " << e.message;
  EXPECT_NE(e.message.find("\\x1b"), std::string::npos) << "ESC shown escaped: " << e.message;
  ExpectSafe(e);
}

// A bodiless answer (HEAD, as Stat() sends) puts the code, message and request id in headers.
TEST_F(S3ErrorRedaction, HeaderOnlyErrorsAreRedactedToo) {
  transport_->Route("", "", [](RecordedRequest const&) {
    return Result<HttpResponse>(MakeResponse(
        400, "",
        {{"x-amz-error-code", "Weird\x1b[2JCode"},
         {"x-amz-error-message", std::string("Authorization: AWS4-HMAC-SHA256 Signature=SIGVALUE4dddd, secret ") +
                                     kSecret + "\r\nInjected: header"},
         {"x-amz-request-id", "REQ\x1b]0;t\x07"}}));
  });
  auto sink = Sink();
  auto stat = sink->Stat("a.wav", {});
  ASSERT_FALSE(stat);
  ExpectSafe(stat.error());
  EXPECT_NE(stat.error().ToString().find("s3://bkt/rec/a.wav"), std::string::npos) << stat.error().ToString();
}

// Region/Endpoint hints and bucket-region headers are server text as well; and a huge Message is
// cut to a bounded length.
TEST(S3ErrorRedactionMap, HintsAreRedactedAndLongMessagesBounded) {
  std::string body = "<Error><Code>PermanentRedirect</Code><Message>" + std::string(100000, 'm') +
                     "</Message><Endpoint>evil.example\x1b[2J?X-Amz-Signature=SIGVALUE5</Endpoint>"
                     "<Region>us-east-1&#13;&#10;Injected</Region></Error>";
  auto e = s3::detail::MapS3Error(301, {{"x-amz-bucket-region", "eu\x1b[31m"}}, body, "PutObject", "s3://bkt/k",
                            std::chrono::system_clock::time_point{}, {kSecret});
  ExpectSafe(e);
  EXPECT_LT(e.message.size(), 3 * s3::detail::kMaxServerTextBytes) << "the 100 KB Message was kept whole";
  EXPECT_NE(e.message.find("us-east-1"), std::string::npos) << e.message;
}

TEST(S3ErrorRedactionMap, ServerTextMasksKnownSecretsSignaturesAndControls) {
  auto text = s3::detail::ServerText(std::string("a ") + kSecret + " b X-Amz-Signature=SIGVALUE6 \x1b c\r\n",
                               {kSecret, "short"});
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  EXPECT_EQ(text.find("SIGVALUE6"), std::string::npos) << text;
  EXPECT_EQ(text, "a *** b X-Amz-Signature=*** \\x1b c\\x0d\\x0a");
}

}  // namespace
