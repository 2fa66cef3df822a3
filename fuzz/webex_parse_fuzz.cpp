// SPDX-License-Identifier: Apache-2.0
// Webex Contact Center: GET /v1/tasks and POST /v1/captures/query response bodies
// (src/webex/parse.hpp). The same bytes go to both parsers.

#include "fuzz_util.hpp"
#include "webex/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  ccrec_fuzz::Input in(data, size);
  std::string_view body = in.Rest();
  ccrec::Logger const logger;  // logs nothing, but every log call is still formatted
  auto tasks = ccrec::webex::detail::ParseTasksResponse(body, logger);
  if (tasks) {
    for (auto const& t : *tasks) CCREC_FUZZ_CHECK(!t.id.empty(), "a parsed task has an empty id");
  }
  auto captures = ccrec::webex::detail::ParseCapturesResponse(body, logger);
  (void)captures;
  ccrec::HttpHeaders headers{{"Content-Type", std::string(body.substr(0, 64))}};
  (void)ccrec::webex::detail::CheckJsonContentType(headers, "fuzz");
  return 0;
}
