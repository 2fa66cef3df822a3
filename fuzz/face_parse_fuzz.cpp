// SPDX-License-Identifier: Apache-2.0
// Oracle FACE answers (src/face/parse.hpp): login, the result header, recording and segment
// searches (both match shapes, JSON and XML through its JSON form), control commands, version,
// expiration.
//
// Input: one byte choosing Content-Type, HTTP status, time format and maxListLength, then the body.
// Properties: no crash, hang, leak or undefined behaviour.

#include "face/parse.hpp"
#include "fuzz_util.hpp"

namespace wire = ccrec::face::detail;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::uint8_t const pick = in.Byte();
  std::string_view const body = in.Rest();
  static char const* const kTypes[] = {"application/json", "application/xml", "text/html",
                                       "application/json;charset=UTF-8", "text/xml; charset=utf-8",
                                       "application/octet-stream", "", "text/plain"};
  ccrec::HttpHeaders headers;
  if ((pick & 7) != 6) headers.emplace_back("Content-Type", kTypes[pick & 7]);
  int const status = (pick & 8) ? 500 : 200;
  ccrec::face::TimeFormat format;
  format.milliseconds = (pick & 16) != 0;
  format.server_utc_offset = std::chrono::minutes((pick & 32) ? -330 : 0);
  int const max_list = (pick & 64) ? 3 : 1000;

  (void)wire::Classify(headers, body);
  (void)wire::ReadResultHeader(headers, body);
  auto login = wire::ParseLogin(headers, body);
  if (login.expiration) (void)wire::ParseExpiration(*login.expiration);
  (void)wire::ParseExpiration(body.substr(0, 64));
  (void)wire::ParseVersion(headers, body);
  (void)wire::Snippet(body);
  (void)wire::XmlAnswerAsJson(body, "fuzz");
  (void)wire::RenamedFilename(body.substr(0, 512));
  (void)wire::IsListMessage(body.substr(0, 512));
  (void)wire::IsTruncationMessage(body.substr(0, 512));

  auto recordings = wire::ParseRecordingSearch(status, headers, body, "fuzz", format, max_list);
  (void)recordings;
  auto segments = wire::ParseSegmentSearch(status, headers, body, "fuzz", format, max_list);
  (void)segments;
  auto control = wire::ParseControl(status, headers, body, "fuzz");
  (void)control;
  return 0;
}
