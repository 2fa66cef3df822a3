// The tiny S3 XML reader (with malformed input) and the S3 error mapping.
#include "s3/s3_error.hpp"
#include "internal/xml.hpp"

#include <gtest/gtest.h>

namespace {

using namespace ccrec;
using namespace ccrec::s3;
namespace xml = ccrec::internal::xml;

TEST(S3Xml, RootNameSkipsPrologCommentsAndBom) {
  EXPECT_EQ(*xml::RootName("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>x</Code></Error>"), "Error");
  EXPECT_EQ(*xml::RootName("\xEF\xBB\xBF  <!-- c --><!DOCTYPE x>\n<InitiateMultipartUploadResult xmlns=\"u\">"),
            "InitiateMultipartUploadResult");
  EXPECT_EQ(*xml::RootName("\n\n  <CompleteMultipartUploadResult>"), "CompleteMultipartUploadResult");
  EXPECT_FALSE(xml::RootName(""));
  EXPECT_FALSE(xml::RootName("   "));
  EXPECT_FALSE(xml::RootName("{\"json\":true}"));
  EXPECT_FALSE(xml::RootName("<?xml version=\"1.0\""));  // unterminated declaration
  EXPECT_FALSE(xml::RootName("<!-- never closed"));
  EXPECT_FALSE(xml::RootName("<"));
  EXPECT_FALSE(xml::RootName("<Error"));  // no '>'
  EXPECT_FALSE(xml::RootName("< Error>"));
}

TEST(S3Xml, FindText) {
  std::string doc =
      "<?xml version=\"1.0\"?><InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>b</Bucket><Key>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#252;&#x263A;</Key>"
      "<UploadId>VXBsb2FkIElE</UploadId><UploadIdMarker/></InitiateMultipartUploadResult>";
  EXPECT_EQ(*xml::FindText(doc, "UploadId"), "VXBsb2FkIElE");
  EXPECT_EQ(*xml::FindText(doc, "Key"), "a & b <c> \"d\" 'e' \xC3\xBC\xE2\x98\xBA");
  EXPECT_EQ(*xml::FindText(doc, "UploadIdMarker"), "");  // self-closing
  EXPECT_FALSE(xml::FindText(doc, "Upload"));             // prefix of a name does not match
  EXPECT_FALSE(xml::FindText(doc, "Missing"));
  EXPECT_FALSE(xml::FindText(doc, ""));
  EXPECT_FALSE(xml::FindText(doc, "InitiateMultipartUploadResult"));  // has child elements
  EXPECT_EQ(*xml::FindText("<a><b attr=\"1\">v</b></a>", "b"), "v");
  EXPECT_EQ(*xml::FindText("<a><b><![CDATA[x<y]]></b></a>", "b"), "x<y");
}

TEST(S3Xml, MalformedInput) {
  EXPECT_FALSE(xml::FindText("<Error><Code>SlowDown", "Code"));           // truncated
  EXPECT_FALSE(xml::FindText("<Error><Code>SlowDown</Cod", "Code"));      // truncated end tag
  EXPECT_FALSE(xml::FindText("<Error><Code", "Code"));                    // truncated start tag
  EXPECT_FALSE(xml::FindText("<Code>a &bogus; b</Code>", "Code"));       // unknown entity
  EXPECT_FALSE(xml::FindText("<Code>a &amp b</Code>", "Code"));          // unterminated entity
  EXPECT_FALSE(xml::FindText("<Code>&#xD800;</Code>", "Code"));          // surrogate
  EXPECT_FALSE(xml::FindText("<Code>&#1114112;</Code>", "Code"));        // beyond Unicode
  EXPECT_FALSE(xml::FindText("<Code>&#0;</Code>", "Code"));
  EXPECT_FALSE(xml::FindText("<Code>&#x;</Code>", "Code"));
  EXPECT_FALSE(xml::FindText("<Code>&#12a;</Code>", "Code"));
  EXPECT_FALSE(xml::FindText("<b><![CDATA[x</b>", "b"));
  EXPECT_FALSE(xml::FindText(std::string("\0<Code>\0", 8), "Code"));
  // Huge input does not blow up.
  std::string huge(1 << 20, '<');
  EXPECT_FALSE(xml::FindText(huge, "Code"));
  EXPECT_FALSE(xml::RootName(huge));
}

TEST(S3Xml, FindAllTexts) {
  std::string doc = "<L><P><N>1</N><E>&quot;a&quot;</E></P><P><N>2</N><E>b</E></P><P><N>3</N><E>c</P></L>";
  EXPECT_EQ(xml::FindAllTexts(doc, "N"), (std::vector<std::string>{"1", "2", "3"}));
  auto es = xml::FindAllTexts(doc, "E");
  ASSERT_GE(es.size(), 2u);
  EXPECT_EQ(es[0], "\"a\"");
  EXPECT_EQ(es[1], "b");
  EXPECT_TRUE(xml::FindAllTexts(doc, "").empty());
  EXPECT_TRUE(xml::FindAllTexts("", "N").empty());
}

TEST(S3Xml, EscapeRoundTrip) {
  std::string s = "\"etag\" & <x> 'y'";
  EXPECT_EQ(xml::Escape(s), "&quot;etag&quot; &amp; &lt;x&gt; &apos;y&apos;");
  EXPECT_EQ(*xml::Unescape(xml::Escape(s)), s);
}

auto const kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1790000000));

TEST(S3Error, SignatureDoesNotMatch) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
      "signature we calculated does not match the signature you provided. Check your key and signing method."
      "</Message><AWSAccessKeyId>AKID</AWSAccessKeyId><StringToSign>x</StringToSign><RequestId>4442587FB7D0A2F9"
      "</RequestId><HostId>h</HostId></Error>";
  auto e = impl::MapS3Error(403, {{"x-amz-request-id", "HDR"}}, body, "PutObject", "s3://b/k.wav", kNow);
  EXPECT_EQ(e.code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(e.http_status, 403);
  EXPECT_EQ(e.vendor_code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_NE(e.message.find("S3 PutObject s3://b/k.wav failed: HTTP 403 SignatureDoesNotMatch"), std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("check the secret access key"), std::string::npos);
  EXPECT_FALSE(IsRetryable(e));
}

TEST(S3Error, Classification) {
  struct Case {
    int status;
    char const* code;
    ErrorCode expected;
    bool retryable;
  };
  Case const cases[] = {
      {503, "SlowDown", ErrorCode::kRateLimited, true},
      {500, "InternalError", ErrorCode::kUnavailable, true},
      {503, "ServiceUnavailable", ErrorCode::kUnavailable, true},
      {400, "RequestTimeout", ErrorCode::kUnavailable, true},
      {403, "AccessDenied", ErrorCode::kPermissionDenied, false},
      {404, "NoSuchBucket", ErrorCode::kNotFound, false},
      {403, "InvalidAccessKeyId", ErrorCode::kUnauthenticated, false},
      {400, "ExpiredToken", ErrorCode::kUnauthenticated, false},
      {400, "EntityTooSmall", ErrorCode::kInvalidArgument, false},
      {400, "BadDigest", ErrorCode::kIntegrity, false},
      {400, "XAmzContentSHA256Mismatch", ErrorCode::kIntegrity, false},
      {412, "PreconditionFailed", ErrorCode::kInvalidArgument, false},
      {404, "NoSuchUpload", ErrorCode::kNotFound, false},
      {418, "SomethingNew", ErrorCode::kInvalidArgument, false},
      {502, "SomethingNew", ErrorCode::kUnavailable, true},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.code);
    auto e = impl::MapS3Error(c.status, {}, "<Error><Code>" + std::string(c.code) + "</Code></Error>", "Op", "s3://b/k",
                              kNow);
    EXPECT_EQ(e.code, c.expected);
    EXPECT_EQ(e.vendor_code, c.code);
    EXPECT_EQ(IsRetryable(e), c.retryable);
  }
}

TEST(S3Error, NoBodyFallsBackToStatus) {
  auto e = impl::MapS3Error(403, {{"x-amz-request-id", "RID"}}, "", "HeadObject", "s3://b/k", kNow);
  EXPECT_EQ(e.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(e.request_id, "RID");
  EXPECT_TRUE(e.vendor_code.empty());
  EXPECT_NE(e.message.find("secret"), std::string::npos);
  EXPECT_EQ(impl::MapS3Error(503, {}, "", "Op", "s3://b/k", kNow).code, ErrorCode::kUnavailable);
  EXPECT_EQ(impl::MapS3Error(404, {}, "", "Op", "s3://b/k", kNow).code, ErrorCode::kNotFound);
  EXPECT_EQ(impl::MapS3Error(412, {}, "", "Op", "s3://b/k", kNow).vendor_code, "PreconditionFailed");
  // Not XML at all (a proxy page): status decides, body not echoed as a code.
  auto p = impl::MapS3Error(502, {}, "<html><body>Bad Gateway</body></html>", "Op", "s3://b/k", kNow);
  EXPECT_EQ(p.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(p.vendor_code.empty());
  // Truncated error body.
  auto t = impl::MapS3Error(500, {}, "<Error><Code>Internal", "Op", "s3://b/k", kNow);
  EXPECT_EQ(t.code, ErrorCode::kUnavailable);
  EXPECT_TRUE(t.vendor_code.empty());
}

TEST(S3Error, RetryAfterAndRegionHint) {
  auto e = impl::MapS3Error(503, {{"Retry-After", "7"}}, "<Error><Code>SlowDown</Code></Error>", "Op", "s3://b/k", kNow);
  ASSERT_TRUE(e.retry_after);
  EXPECT_EQ(*e.retry_after, std::chrono::seconds(7));
  auto r = impl::MapS3Error(400, {},
                            "<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is "
                            "wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>",
                            "PutObject", "s3://b/k", kNow);
  EXPECT_NE(r.message.find("eu-west-1"), std::string::npos);
  EXPECT_NE(r.message.find("region"), std::string::npos);
}

TEST(S3Error, ErrorDocumentDetection) {
  EXPECT_TRUE(impl::IsErrorDocument("<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code></Error>"));
  EXPECT_TRUE(impl::IsErrorDocument("\n\n\n<Error>"));
  EXPECT_FALSE(impl::IsErrorDocument("<CompleteMultipartUploadResult><ETag>x</ETag></CompleteMultipartUploadResult>"));
  EXPECT_FALSE(impl::IsErrorDocument(""));
  EXPECT_FALSE(impl::IsErrorDocument("<Errors>"));
}

}  // namespace
