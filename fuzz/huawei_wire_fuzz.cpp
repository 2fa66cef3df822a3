// SPDX-License-Identifier: Apache-2.0
// Huawei CC-Gateway wire formats (src/huawei/wire.hpp): the response envelope (retcode/message/
// result), polled events, AgentEvent_Record content (ParseRecordEvent), Set-GUID values and
// Set-Cookie lines (CookieJar).
//
// Input: one byte choosing the HTTP status, a first line used as header text (Set-GUID value,
// '|'-separated Set-Cookie values, Content-Type), then the body.
// Property: the Cookie header the jar builds never contains CR or LF (no header injection).

#include "fuzz_util.hpp"
#include "huawei/wire.hpp"

#include <set>
#include <string>

namespace wire = ccrec::huawei::detail;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::uint8_t const status_pick = in.Byte();
  std::string_view const head = in.Until('\n');
  std::string_view const body = in.Rest();
  int const status = status_pick % 4 == 0 ? 200 : status_pick % 4 == 1 ? 401 : status_pick % 4 == 2 ? 500 : 200 + status_pick;

  (void)wire::GuidFromSetGuid(head);
  (void)wire::ClassifyContentType(std::string(head));
  (void)wire::DateFromPath(head);
  (void)wire::DateFromPath(body.substr(0, 256));

  // Cookies: every '|'-separated piece of the head is one Set-Cookie value.
  wire::CookieJar jar;
  auto const now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
  ccrec::HttpHeaders set_cookies;
  std::string_view rest = head;
  while (!rest.empty()) {
    auto bar = rest.find('|');
    set_cookies.emplace_back("Set-Cookie", std::string(rest.substr(0, bar)));
    rest.remove_prefix(bar == std::string_view::npos ? rest.size() : bar + 1);
  }
  jar.Apply(set_cookies, now);
  std::string header = jar.Header();
  CCREC_FUZZ_CHECK(header.find('\r') == std::string::npos && header.find('\n') == std::string::npos, header);
  (void)jar.Get("JSESSIONID");

  ccrec::HttpHeaders headers{{"Content-Type", status_pick & 0x80 ? std::string(head) : "application/json"}};
  auto envelope = wire::ParseEnvelope(status, body, headers, "fuzz");
  if (!envelope) return 0;
  int skipped = 0;
  auto events = wire::EventsFromPoll(*envelope, &skipped);
  CCREC_FUZZ_CHECK(skipped >= 0, "negative skipped count");
  for (auto const& e : events) {
    auto ref = ccrec::huawei::ParseRecordEvent(e);
    (void)ref;
  }
  // The record-event parser also sees content that did not come through EventsFromPoll.
  ccrec::huawei::AgentEvent raw;
  raw.event_type = std::string(ccrec::huawei::kRecordEvent);
  raw.content_json = std::string(body);
  (void)ccrec::huawei::ParseRecordEvent(raw);
  return 0;
}
