// SPDX-License-Identifier: Apache-2.0
// The XML layer (src/internal/xml.hpp, pugixml) and the S3 error mapper (src/s3/s3_error.hpp):
// error documents and multipart answers, in UTF-8 or UTF-16.
//
// Input: one byte choosing the HTTP status, then the document.
// Properties: a parse failure is a kParse error with a message; Text of an element agrees with
// the first of Texts when that element has a text; every ChildTexts entry is also found by Texts;
// a text (without NUL or CR, not all blanks) written by xml::Writer parses back to itself.

#include "fuzz_util.hpp"
#include "s3/s3_error.hpp"
#include "internal/xml.hpp"

#include <algorithm>

namespace xml = ccrec::detail::xml;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  static int const kStatuses[] = {200, 301, 307, 400, 403, 404, 409, 412, 416, 429, 500, 503, 0, 206, 304, 999};
  int const status = kStatuses[in.Byte() & 15];
  std::string_view const doc = in.Rest();

  (void)xml::LooksLikeXml(doc);
  auto parsed = xml::Document::Parse(doc, "fuzz body");
  if (!parsed) {
    CCREC_FUZZ_CHECK(parsed.error().code == ccrec::ErrorCode::kParse && !parsed.error().message.empty(),
                     parsed.error().message);
  } else {
    (void)parsed->RootName();
    for (char const* name : {"Code", "Message", "RequestId", "Key", "UploadId", "ETag", "Part", "PartNumber", "code",
                             "message", "token", "matches"}) {
      auto one = parsed->Text(name);
      auto all = parsed->Texts(name);
      if (one) CCREC_FUZZ_CHECK(!all.empty() && *one == all.front(), std::string(name) + ": " + *one);
      CCREC_FUZZ_CHECK(parsed->Has(name) || all.empty(), name);
      for (auto const& fields : parsed->ChildTexts(name)) {
        for (auto const& [child, text] : fields) {
          auto texts = parsed->Texts(child);
          CCREC_FUZZ_CHECK(std::find(texts.begin(), texts.end(), text) != texts.end(), child + ": " + text);
        }
      }
    }
  }
  auto unescaped = xml::Unescape(doc);
  (void)unescaped;
  if (doc.find_first_of(std::string_view("\0\r", 2)) == std::string_view::npos &&
      doc.find_first_not_of(" \t\n") != std::string_view::npos) {
    xml::Writer writer("a");
    writer.Root().Child("b", doc);
    auto const written = writer.ToString();
    auto wrapped = xml::Document::Parse(written, "written text");
    CCREC_FUZZ_CHECK(wrapped && wrapped->Text("b") == std::string(doc), written);
  }

  (void)ccrec::s3::detail::IsErrorDocument(doc);
  ccrec::HttpHeaders headers{{"x-amz-request-id", "REQ1"}, {"Content-Type", "application/xml"}};
  auto const now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  auto e = ccrec::s3::detail::MapS3Error(status, headers, doc, "PutObject", "s3://bucket/key", now);
  CCREC_FUZZ_CHECK(!e.message.empty(), "MapS3Error returned an error without a message");
  return 0;
}
