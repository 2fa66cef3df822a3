// The XML reader (src/internal/xml.hpp) and the S3 error mapper (src/s3/s3_error.hpp): error
// documents, ListObjectsV2 / multipart answers, STS and IMDS credential documents.
//
// Input: one byte choosing the HTTP status, then the document.
// Properties: Unescape(Escape(x)) == x; Escape output contains no markup characters; FindText of
// an element present in FindAllTexts agrees with its first value.

#include "fuzz_util.hpp"
#include "s3/s3_error.hpp"
#include "internal/xml.hpp"

namespace xml = ccrec::internal::xml;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  static int const kStatuses[] = {200, 301, 307, 400, 403, 404, 409, 412, 416, 429, 500, 503, 0, 206, 304, 999};
  int const status = kStatuses[in.Byte() & 15];
  std::string_view const doc = in.Rest();

  (void)xml::RootName(doc);
  for (char const* name : {"Code", "Message", "RequestId", "Key", "UploadId", "ETag", "NextContinuationToken",
                           "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}) {
    auto one = xml::FindText(doc, name);
    auto all = xml::FindAllTexts(doc, name);
    if (one && !all.empty()) CCREC_FUZZ_CHECK(*one == all.front(), std::string(name) + ": " + *one);
  }
  auto unescaped = xml::Unescape(doc);
  (void)unescaped;
  std::string escaped = xml::Escape(doc);
  CCREC_FUZZ_CHECK(escaped.find_first_of("<>\"'") == std::string::npos, escaped);
  auto back = xml::Unescape(escaped);
  CCREC_FUZZ_CHECK(back.has_value() && *back == doc, escaped);

  (void)ccrec::s3::impl::IsErrorDocument(doc);
  ccrec::HttpHeaders headers{{"x-amz-request-id", "REQ1"}, {"Content-Type", "application/xml"}};
  auto const now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  auto e = ccrec::s3::impl::MapS3Error(status, headers, doc, "PutObject", "s3://bucket/key", now);
  CCREC_FUZZ_CHECK(!e.message.empty(), "MapS3Error returned an error without a message");
  return 0;
}
