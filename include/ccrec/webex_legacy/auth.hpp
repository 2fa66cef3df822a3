// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// API-key authentication of the Webex Contact Center legacy v1 API: the HMAC-SHA1 signature and
/// the `Authorization` / `From` header values.
///
/// Source: ccrec reference `webex-legacy-v1.md` §3 (Cisco WxCC API lab, "APIv1 (legacy version)").

#include <ccrec/core/export.hpp>

#include <string>
#include <string_view>

namespace ccrec::webex_legacy {

/// Who calls the v1 API: the portal user, that user's API key and the tenant.
///
/// The API key is a secret: ccrec never logs it or puts it (or the signature derived from it,
/// which is an equally replayable credential) into an error message.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ApiKeyCredentials {
  /// The user id: the portal login e-mail, e.g. "userID@portal-controlhub.com". Sent as the
  /// `From` header and used, as exact UTF-8 bytes (no trimming, no case folding), as the HMAC
  /// message. Required.
  std::string user_id;
  /// The user's API key (generated in the WxCC portal), used as exact UTF-8 bytes as the HMAC key.
  /// Required.
  std::string api_key;
  /// The tenant id (the `tId` of an Analyzer report URL). Empty = none. Default: empty.
  std::string tenant_id;
  /// Append `;tenantId=<tenant_id>` to the Authorization header when `tenant_id` is set. The 2021
  /// lab revision shows the header without the suffix, the later one with it; turn this off for a
  /// tenant that rejects the suffix. Default true.
  bool tenant_suffix = true;
};

/// Computes the v1 signature: `Base64(HMAC-SHA1(key = api_key, message = user_id))`, standard
/// alphabet with `=` padding.
///
/// Nothing else is signed (no method, path, date or body), so the result is a static credential:
/// compute it once per configuration and never log it.
///
/// @param api_key the API key (HMAC key), exact bytes.
/// @param user_id the user id (HMAC message), exact bytes.
/// @return the 28-character Base64 text, e.g. "yDkJq/aXwm9YYs2xgyWRqRnqgfQ=" for the lab's
///         placeholder inputs "myRandomApiKeY" / "userID@portal-controlhub.com".
///
/// Source: reference §3.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string ComputeApiKeySignature(std::string_view api_key, std::string_view user_id);

/// The `Authorization` header value: the signature, followed by `;tenantId=<id>` when
/// `credentials.tenant_id` is set and `credentials.tenant_suffix` is true.
///
/// @param credentials user id, API key, tenant id.
/// @return e.g. "yDkJq/aXwm9YYs2xgyWRqRnqgfQ=;tenantId=11894". A secret: never log it.
///
/// Source: reference §3.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::string AuthorizationHeaderValue(ApiKeyCredentials const& credentials);

}  // namespace ccrec::webex_legacy
