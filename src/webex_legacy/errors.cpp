// MapLegacyError: the one v1 status + body -> Error mapping (reference webex-legacy-v1.md §6).

#include <ccrec/webex_legacy/errors.hpp>

#include <ccrec/core/log.hpp>

#include "internal/error_util.hpp"
#include "internal/json.hpp"

#include <string>
#include <utility>

namespace ccrec {
inline namespace v1 {
namespace webex_legacy {

namespace {

namespace util = ::ccrec::detail;

char const* Hint(int status) {
  switch (status) {
    case 400: return "the request was rejected as malformed; check the query (anchorId, dates, raw query JSON)";
    case 401:
      return "the API-key authentication was rejected: check the user id (sent as From; it must be the portal "
             "login of the user who owns the API key), that the API key is that user's current key (regenerate "
             "it in the portal if in doubt), and the tenant id (or try without the ;tenantId= suffix)";
    case 403: return "the credentials were accepted but the v1 API is disabled or the user may not read reports";
    case 404: return "not found; check the v1 base URL (region), the record type and the id";
    case 406: return "the service cannot produce the requested format (Accept header)";
    case 408: return "the server timed out waiting for the request";
    case 429: return "rate limited; slow down";
    default: break;
  }
  if (status >= 500 && status <= 599) return "temporary server failure; retry later";
  if (status >= 300 && status <= 399) return "unexpected redirect; check the v1 base URL";
  return "unexpected response";
}

}  // namespace

Error MapLegacyError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what,
                     std::chrono::system_clock::time_point now) {
  Error error;
  error.code = ::ccrec::detail::ErrorCodeForHttpStatus(status);
  std::string details;
  bool understood = false;
  if (!body.empty()) {
    auto doc = util::ParseJson(body, "error body");
    if (doc && doc->IsObject()) {
      understood = true;
      if (auto id = util::OptString(*doc, "trackingId")) error.request_id = *id;
      for (char const* key : {"message", "errorMessage", "description"}) {
        if (auto m = util::OptString(*doc, key); m && !m->empty()) {
          details += (details.empty() ? "" : "; ") + *m;
        }
      }
      if (auto e = util::OptString(*doc, "error"); e && !e->empty()) {
        error.vendor_code = *e;
        if (details.empty()) details = *e;
      } else if (auto code = util::OptString(*doc, "errorCode")) {
        error.vendor_code = *code;
      }
    }
  }
  return ::ccrec::detail::FinishHttpError(
      std::move(error), {status, body, understood, std::move(details), "TrackingID", what, Hint(status)}, headers, now);
}

}  // namespace webex_legacy
}  // namespace v1
}  // namespace ccrec
