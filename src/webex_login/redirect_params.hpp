// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex_login: the query parameters of an authorization redirect, shared by
// ParseAuthorizationRedirect (a pasted URL) and the loopback listener (cpp-httplib's parameters).
// Not installed.

#include <ccrec/webex_login/login.hpp>

#include <string>

namespace ccrec::webex::detail {

/// Sets what the redirect parameter `name` carries in `out`: `code`, `state` (and has_state),
/// `error`, `error_description`; other parameters are ignored. `value` is already decoded.
void SetRedirectParam(AuthorizationRedirect& out, std::string const& name, std::string const& value);

}  // namespace ccrec::webex::detail
