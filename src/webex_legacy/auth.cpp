// SPDX-License-Identifier: Apache-2.0
// API-key authentication (reference webex-legacy-v1.md §3).

#include <ccrec/webex_legacy/auth.hpp>

#include "internal/crypto.hpp"

namespace ccrec::webex_legacy {

std::string ComputeApiKeySignature(std::string_view api_key, std::string_view user_id) {
  return ::ccrec::detail::Base64Encode(::ccrec::detail::HmacSha1Raw(api_key, user_id));
}

std::string AuthorizationHeaderValue(ApiKeyCredentials const& credentials) {
  std::string value = ComputeApiKeySignature(credentials.api_key, credentials.user_id);
  if (credentials.tenant_suffix && !credentials.tenant_id.empty()) value += ";tenantId=" + credentials.tenant_id;
  return value;
}

}  // namespace ccrec::webex_legacy
