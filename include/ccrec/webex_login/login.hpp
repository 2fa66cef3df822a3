// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Interactive Webex OAuth login without copying codes by hand: the random `state`, the loopback
/// redirect URI, parsing the redirect, and `LoopbackListener`, a one-shot HTTP listener on
/// 127.0.0.1 that receives the browser's redirect (`?code=..&state=..`).
///
/// Target `ccrec::webex_login` (pkg-config `ccrec-webex-login`), built only when cpp-httplib is
/// available; `ccrec::core` and `ccrec::webex` never link it. Exchange the code with
/// webex::OAuthClient::ExchangeAuthorizationCode().
///
/// Source: Webex Integrations & Authorization,
/// https://developer.webex.com/docs/integrations (authorize, `code` and `state` in the redirect,
/// `error=access_denied` when the user declines); RFC 6749 §4.1.2.1 (error redirects), RFC 8252
/// §7.3 (loopback redirect URIs).

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace ccrec::webex {

/// A fresh OAuth `state`: 32 bytes from OpenSSL's RAND_bytes, base64url without padding
/// (43 characters of A-Z a-z 0-9 - _).
/// Errors: kInternal when the random generator fails.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> MakeOAuthState();

/// The parts of a loopback redirect URI `http://127.0.0.1:PORT/PATH` (or `http://localhost:..`).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT LoopbackRedirectUri {
  /// "127.0.0.1" or "localhost", as written.
  std::string host;
  /// The port, or 0 when the URI has none or says 0 (then LoopbackListener picks a free one).
  int port = 0;
  /// The request path the listener answers, e.g. "/callback"; "/" when the URI has none.
  std::string path;
  /// The URI with `port` (when non-zero) put in: `http://HOST:PORT/PATH`.
  std::string ToString() const;
};

/// Parses the redirect URI a loopback listener can receive.
/// Errors (kInvalidArgument, the message quotes the URI and says what is wrong): not `http://`
/// (the listener speaks plain HTTP on loopback, which never leaves the machine), a host other than
/// 127.0.0.1 or localhost (it binds 127.0.0.1 only), a query or fragment, a malformed URL.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<LoopbackRedirectUri> ParseLoopbackRedirectUri(std::string const& uri);

/// What the authorization server put in the redirect (RFC 6749 §4.1.2 and §4.1.2.1).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT AuthorizationRedirect {
  std::string code;               ///< `code`, empty when absent
  std::string state;              ///< `state`, empty when absent
  std::string error;              ///< `error`, e.g. "access_denied"; empty when absent
  std::string error_description;  ///< `error_description`, empty when absent
  bool has_state = false;         ///< true when the text carried a `state` parameter at all
};

/// Parses what a user pastes after `--no-listen`, or a request target the listener received:
/// a full redirect URL (`https://app.example.com/cb?code=..&state=..`), a request target
/// (`/callback?code=..`), a bare query (`code=..&state=..`), or a bare code (no `=`, `?`, `&`
/// or spaces). Surrounding white space is ignored.
/// Errors: kInvalidArgument when the text is empty, or has parameters but neither `code` nor
/// `error`. Never quotes the code.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<AuthorizationRedirect> ParseAuthorizationRedirect(std::string const& text);

/// Checks a redirect and returns its code.
/// @param expected_state the state the authorize URL carried.
/// @param allow_missing_state accept a redirect without `state` (a bare pasted code: the caller
///        warns that it could not be checked). A *different* state is refused always.
/// Errors: kPermissionDenied (vendor_code "access_denied") when the user declined;
/// kUnauthenticated (vendor_code = the `error`) for any other error redirect; kPermissionDenied
/// (vendor_code "state_mismatch") when `state` differs or is missing (then nothing may be
/// exchanged: the redirect belongs to another attempt or was forged); kInvalidArgument without a
/// code. Messages never contain the code or the states.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<std::string> CodeFromRedirect(AuthorizationRedirect const& redirect,
                                                  std::string const& expected_state, bool allow_missing_state = false);

/// Options of LoopbackListener::Start().
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT LoopbackListenerOptions {
  /// The one request path answered (the redirect URI's path). Default "/callback". Other paths
  /// (a browser's /favicon.ico) get 404 and the listener keeps waiting.
  std::string path = "/callback";
  /// Port on 127.0.0.1; 0 (default) = a free port chosen by the system.
  int port = 0;
  /// Requests with a longer request line, header block or any body are refused (400/413/414);
  /// default 8 KiB.
  std::size_t max_request_bytes = 8192;
  /// The `state` the authorize URL carried. Required.
  std::string expected_state;
};

/// A one-shot HTTP listener on 127.0.0.1 for the authorization redirect.
///
/// It answers GET requests on `path` only; the first one decides: a code with the expected state,
/// an error redirect or a state mismatch. The browser gets a short HTML page (no-store,
/// no referrer, no scripts) that never repeats the code. Binds 127.0.0.1 only.
///
/// @par Thread safety
/// WaitForCode() from one thread at a time; Port() from any.
class CCREC_EXPORT LoopbackListener {
 public:
  /// Binds 127.0.0.1:`options.port` and starts serving in a background thread.
  /// Errors: kInvalidArgument (empty expected_state, a path not starting with '/', port outside
  /// 0..65535); kUnavailable when the port cannot be bound (in use, not permitted).
  static Result<std::unique_ptr<LoopbackListener>> Start(LoopbackListenerOptions options);
  /// Stops the listener and joins its thread.
  ~LoopbackListener();
  LoopbackListener(LoopbackListener const&) = delete;
  LoopbackListener& operator=(LoopbackListener const&) = delete;

  /// The bound port.
  int Port() const;

  /// Waits for the redirect and returns its code (see CodeFromRedirect for the errors of an
  /// error redirect or a wrong state).
  /// Errors additionally: kDeadlineExceeded when nothing decisive arrived within `timeout`;
  /// kCancelled when `cancel` was cancelled.
  Result<std::string> WaitForCode(std::chrono::milliseconds timeout, CancellationToken const& cancel = {});

 private:
  LoopbackListener();
  struct CCREC_HIDDEN Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccrec::webex
