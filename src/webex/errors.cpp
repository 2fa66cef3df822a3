// MapWebexError: the one Webex status + body -> Error mapping (reference webex-cc.md §7).

#include <ccrec/webex/errors.hpp>

#include <ccrec/core/log.hpp>

#include "internal/error_util.hpp"
#include "internal/json.hpp"

#include <cctype>
#include <string>
#include <utility>

namespace ccrec {
inline namespace v1 {
namespace webex {

namespace {

namespace util = ::ccrec::detail;

char const* Hint(int status) {
  switch (status) {
    case 400: return "the request was rejected as malformed";
    case 401: return "the access token is invalid or expired; refresh it or re-authorize";
    case 403:
      return "the token lacks scope cjp:config_read or the authorizing user is not an administrator or "
             "supervisor of the org";
    case 404: return "not found; check the base URL (region) and org id";
    case 408: return "the server timed out waiting for the request";
    case 413: return "the result is too large; use a smaller time window";
    case 422: return "the request was not processable; check the time window and parameters";
    case 429: return "rate limited (default 300 requests per minute per client id); slow down";
    default: break;
  }
  if (status >= 500 && status <= 599) return "temporary server failure; retry later";
  if (status >= 300 && status <= 399) return "unexpected redirect; check the base URL";
  return "unexpected response";
}

// Collects "description" strings of an array of {description} objects.
void AppendDescriptions(rapidjson::Value const* array, std::string& out) {
  if (array == nullptr) return;
  for (auto const& e : array->GetArray()) {
    std::optional<std::string> d;
    if (e.IsString()) d = std::string(e.GetString(), e.GetStringLength());
    else d = util::OptString(e, "description");
    if (d && !d->empty()) out += (out.empty() ? "" : "; ") + *d;
  }
}

}  // namespace

Error MapWebexError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what,
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
      if (auto const* err = util::OptObject(*doc, "error")) {
        // WxCC ApiErrorResponse: {"error":{"key":"401","message":[{"description":".."}]}}
        if (auto key = util::OptString(*err, "key")) error.vendor_code = *key;
        if (auto const* msgs = util::OptArray(*err, "message")) AppendDescriptions(msgs, details);
        else if (auto msg = util::OptString(*err, "message")) details = *msg;
      } else if (auto oauth = util::OptString(*doc, "error")) {
        // OAuth2: {"error":"invalid_grant","error_description":".."}
        error.vendor_code = *oauth;
        details = util::OptString(*doc, "error_description").value_or(*oauth);
      }
      // Admin API: {"message":"..","errors":[{"description":".."}]}
      if (auto msg = util::OptString(*doc, "message")) details += (details.empty() ? "" : "; ") + *msg;
      AppendDescriptions(util::OptArray(*doc, "errors"), details);
    }
  }
  return ::ccrec::detail::FinishHttpError(
      std::move(error), {status, body, understood, std::move(details), "TrackingID", what, Hint(status)}, headers, now);
}

}  // namespace webex
}  // namespace v1
}  // namespace ccrec
