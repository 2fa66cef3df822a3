// SPDX-License-Identifier: Apache-2.0
// The socket-free half of ccrec::webex_login (webex_login/login.hpp): state, loopback redirect
// URIs and parsing the authorization redirect.
#include <ccrec/webex_login/login.hpp>

#include "internal/crypto.hpp"
#include "internal/url.hpp"
#include "webex_login/redirect_params.hpp"

#include <exception>
#include <string>

namespace ccrec::webex {

namespace util = ::ccrec::detail;

void detail::SetRedirectParam(AuthorizationRedirect& out, std::string const& name, std::string const& value) {
  if (name == "code") out.code = value;
  if (name == "state") {
    out.state = value;
    out.has_state = true;
  }
  if (name == "error") out.error = value;
  if (name == "error_description") out.error_description = value;
}

namespace {

std::string Trim(std::string const& text) {
  auto const first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  auto const last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

Error Tagged(ErrorCode code, std::string vendor, std::string message) {
  Error e = MakeError(code, std::move(message));
  e.vendor_code = std::move(vendor);
  return e;
}

}  // namespace

Result<std::string> MakeOAuthState() {
  std::string raw;
  try {
    raw = util::RandomBytes(32);
  } catch (std::exception const& e) {
    return MakeError(ErrorCode::kInternal, std::string("cannot make an OAuth state: ") + e.what());
  }
  std::string text = util::Base64Encode(raw);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::string LoopbackRedirectUri::ToString() const {
  return "http://" + host + (port > 0 ? ":" + std::to_string(port) : std::string()) + path;
}

Result<LoopbackRedirectUri> ParseLoopbackRedirectUri(std::string const& uri) {
  std::string const quoted = "redirect URI \"" + uri + "\"";
  // ParseHttpUrl refuses port 0; ":0" means "any port" here.
  std::string text = uri;
  bool any_port = false;
  for (std::string const host : {"http://127.0.0.1:0", "http://localhost:0"}) {
    if (text.rfind(host, 0) == 0 && (text.size() == host.size() || text[host.size()] == '/')) {
      text = host.substr(0, host.size() - 1) + "1" + text.substr(host.size());
      any_port = true;
    }
  }
  auto const fragment = text.find('#');
  if (fragment != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, quoted + " has a fragment; a redirect URI cannot have one");
  }
  auto url = ParseHttpUrl(text);
  if (!url) return MakeError(ErrorCode::kInvalidArgument, "wrong redirect URI: " + url.error().message);
  if (url->scheme != "http") {
    return MakeError(ErrorCode::kInvalidArgument,
                     quoted + " is not http://: the loopback listener receives http://127.0.0.1:PORT/PATH only "
                              "(use --no-listen to paste the redirect of another redirect URI)");
  }
  if (url->host != "127.0.0.1" && url->host != "localhost") {
    return MakeError(ErrorCode::kInvalidArgument,
                     quoted + " does not point at this machine: the loopback listener binds 127.0.0.1 and receives "
                              "http://127.0.0.1:PORT/PATH or http://localhost:PORT/PATH only (use --no-listen for "
                              "another redirect URI)");
  }
  if (!url->query.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, quoted + " has a query; the listener's redirect URI cannot have one");
  }
  LoopbackRedirectUri out;
  out.host = url->host;
  out.port = any_port ? 0 : url->port;
  out.path = url->path.empty() ? "/" : url->path;
  return out;
}

Result<AuthorizationRedirect> ParseAuthorizationRedirect(std::string const& input) {
  std::string text = Trim(input);
  if (text.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no redirect given: paste the whole URL the browser was sent to (or its code)");
  }
  AuthorizationRedirect out;
  if (text.find_first_of("?=& \t") == std::string::npos) {  // a bare code
    out.code = util::PercentDecode(text);
    return out;
  }
  std::string query = text;
  if (auto q = text.find('?'); q != std::string::npos) query = text.substr(q + 1);
  if (auto hash = query.find('#'); hash != std::string::npos) query.erase(hash);
  for (auto const& [name, value] : util::ParseQuery(query, /*plus_is_space=*/true)) {
    detail::SetRedirectParam(out, name, value);
  }
  if (out.code.empty() && out.error.empty()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the redirect has neither a code nor an error parameter: paste the whole URL the browser was "
                     "sent to after accepting (it contains ?code=...&state=...)");
  }
  return out;
}

Result<std::string> CodeFromRedirect(AuthorizationRedirect const& redirect, std::string const& expected_state,
                                     bool allow_missing_state) {
  // The state first: an error redirect with a foreign state is not ours either.
  bool const state_ok = redirect.has_state ? redirect.state == expected_state : allow_missing_state;
  if (!state_ok) {
    return Tagged(ErrorCode::kPermissionDenied, "state_mismatch",
                  redirect.has_state
                      ? "state mismatch: the redirect's state is not the one this login sent; it belongs to another "
                        "login attempt or was forged, so its code was not used. Run the login again and use the URL "
                        "it prints"
                      : "state mismatch: the redirect has no state parameter, so it cannot be matched to this login; "
                        "its code was not used");
  }
  if (!redirect.error.empty()) {
    std::string detail = redirect.error_description.empty() ? std::string() : " (" + redirect.error_description + ")";
    if (redirect.error == "access_denied") {
      return Tagged(ErrorCode::kPermissionDenied, "access_denied",
                    "authorization declined (access_denied)" + detail +
                        ": the user did not accept the integration's access. Sign in as an administrator of the "
                        "Contact Center org and choose Accept");
    }
    return Tagged(ErrorCode::kUnauthenticated, redirect.error,
                  "the authorization server answered with error \"" + redirect.error + "\"" + detail +
                      " instead of a code");
  }
  if (redirect.code.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "the redirect has no code parameter");
  }
  return redirect.code;
}

}  // namespace ccrec::webex
