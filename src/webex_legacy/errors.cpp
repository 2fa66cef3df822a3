// SPDX-License-Identifier: Apache-2.0
// MapLegacyError: the one v1 status + body -> Error mapping (reference webex-legacy-v1.md §6).

#include <ccrec/webex_legacy/errors.hpp>

#include <ccrec/core/log.hpp>

#include "internal/error_util.hpp"
#include "internal/json.hpp"

#include <string>
#include <utility>

namespace ccrec::webex_legacy {

namespace {

namespace util = ::ccrec::detail;

std::string_view Hint(int status) {
  return util::HttpStatusHint(
      status,
      {{400, "the request was rejected as malformed; check the query (anchorId, dates, raw query JSON)"},
       {401,
        "the API-key authentication was rejected: check the user id (sent as From; it must be the portal login of "
        "the user who owns the API key), that the API key is that user's current key (regenerate it in the portal "
        "if in doubt), and the tenant id (or try without the ;tenantId= suffix)"},
       {403, "the credentials were accepted but the v1 API is disabled or the user may not read reports"},
       {404, "not found; check the v1 base URL (region), the record type and the id"},
       {406, "the service cannot produce the requested format (Accept header)"},
       {408, "the server timed out waiting for the request"},
       {429, "rate limited; slow down"}},
      "unexpected redirect; check the v1 base URL");
}

}  // namespace

Error MapLegacyError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what,
                     std::chrono::system_clock::time_point now) {
  auto read = [](rapidjson::Value const& doc, Error& error, std::string& details) {
    if (auto id = util::OptString(doc, "trackingId")) error.request_id = *id;
    for (char const* key : {"message", "errorMessage", "description"}) {
      if (auto m = util::OptString(doc, key); m && !m->empty()) util::AppendDetail(details, *m);
    }
    if (auto e = util::OptString(doc, "error"); e && !e->empty()) {
      error.vendor_code = *e;
      if (details.empty()) details = *e;
    } else if (auto code = util::OptString(doc, "errorCode")) {
      error.vendor_code = *code;
    }
  };
  return util::MapJsonHttpError(status, body, headers, what, Hint(status), "TrackingID", read, now);
}

}  // namespace ccrec::webex_legacy
