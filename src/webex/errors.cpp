// SPDX-License-Identifier: Apache-2.0
// MapWebexError: the one Webex status + body -> Error mapping (reference webex-cc.md §7).

#include <ccrec/webex/errors.hpp>

#include <ccrec/core/log.hpp>

#include "internal/error_util.hpp"
#include "internal/json.hpp"

#include <cctype>
#include <string>
#include <utility>

namespace ccrec::webex {

namespace {

namespace util = ::ccrec::detail;

std::string_view Hint(int status) {
  return util::HttpStatusHint(
      status,
      {{400, "the request was rejected as malformed"},
       {401, "the access token is invalid or expired; refresh it or re-authorize"},
       {403,
        "the token lacks scope cjp:config_read or the authorizing user is not an administrator or supervisor of the "
        "org"},
       {404, "not found; check the base URL (region) and org id"},
       {408, "the server timed out waiting for the request"},
       {413, "the result is too large; use a smaller time window"},
       {422, "the request was not processable; check the time window and parameters"},
       {429, "rate limited (default 300 requests per minute per client id); slow down"}},
      "unexpected redirect; check the base URL");
}

// Collects "description" strings of an array of {description} objects.
void AppendDescriptions(rapidjson::Value const* array, std::string& out) {
  if (array == nullptr) return;
  for (auto const& e : array->GetArray()) {
    std::optional<std::string> d;
    if (e.IsString()) d = std::string(e.GetString(), e.GetStringLength());
    else d = util::OptString(e, "description");
    if (d && !d->empty()) util::AppendDetail(out, *d);
  }
}

}  // namespace

Error MapWebexError(int status, std::string_view body, HttpHeaders const& headers, std::string_view what,
                    std::chrono::system_clock::time_point now) {
  auto read = [](rapidjson::Value const& doc, Error& error, std::string& details) {
    if (auto id = util::OptString(doc, "trackingId")) error.request_id = *id;
    if (auto const* err = util::OptObject(doc, "error")) {
      // WxCC ApiErrorResponse: {"error":{"key":"401","message":[{"description":".."}]}}
      if (auto key = util::OptString(*err, "key")) error.vendor_code = *key;
      if (auto const* msgs = util::OptArray(*err, "message")) AppendDescriptions(msgs, details);
      else if (auto msg = util::OptString(*err, "message")) details = *msg;
    } else if (auto oauth = util::OptString(doc, "error")) {
      // OAuth2: {"error":"invalid_grant","error_description":".."}
      error.vendor_code = *oauth;
      details = util::OptString(doc, "error_description").value_or(*oauth);
    }
    // Admin API: {"message":"..","errors":[{"description":".."}]}
    if (auto msg = util::OptString(doc, "message")) util::AppendDetail(details, *msg);
    AppendDescriptions(util::OptArray(doc, "errors"), details);
  };
  return util::MapJsonHttpError(status, body, headers, what, Hint(status), "TrackingID", read, now);
}

}  // namespace ccrec::webex
