// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::face: the state behind face::Client (reference oracle-face.md). Not installed.
// The session (login token, single-flight login) is in session.cpp, the authenticated calls
// (Call, Open, searches, control commands) in calls.cpp, the public methods in client.cpp.

#include <ccrec/face/client.hpp>

#include "face/parse.hpp"
#include "internal/client_runtime.hpp"
#include "internal/http_util.hpp"
#include "internal/retry_loop.hpp"
#include "internal/single_flight.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace ccrec::face {

struct Client::Impl : ::ccrec::detail::ClientRuntime {
  using SysTime = std::chrono::system_clock::time_point;

  /// Validates `options` (a problem is kept in config_error and returned by every call).
  explicit Impl(ClientOptions o);

  ClientOptions options;
  std::string base_url;  // scheme://host:port
  Backoff login_backoff;  // the login's own policy (2 attempts); ClientRuntime::backoff is the calls'
  std::optional<Error> config_error;

  // --- session (single-flight login) -----------------------------------------------------------
  std::mutex mu;  // guards the session fields and `login`
  std::string token;
  SysTime expires_at{};
  std::chrono::seconds lifetime{0};
  std::optional<Error> sticky_error;  // a rejected login: never asked again
  std::optional<Error> last_error;
  std::atomic<std::uint64_t> logins{0};

  std::string Url(std::string const& command) const { return base_url + "/Face/" + command; }

  std::chrono::seconds Margin() const {
    return std::min(options.renew_margin, std::chrono::seconds(lifetime.count() / 4));
  }

  struct Minted {
    std::string token;
    std::chrono::seconds lifetime;
  };
  ::ccrec::detail::SingleFlight<Minted> login;  // one login at a time; guarded by mu

  // --- session.cpp -------------------------------------------------------------------------------
  Error CredentialError(detail::LoginAnswer const& answer, int status) const;

  /// One login (at most two HTTP attempts).
  Result<Minted> DoLogin(CallContext const& ctx);

  /// A usable token: the cached one unless it is `rejected` or about to expire; else one login
  /// shared by every waiting thread.
  Result<std::string> Token(CallContext const& ctx, std::string const& rejected);

  /// Runs `attempt(token)` with a session token. When FACE rejects it (kUnauthenticated: expired
  /// or revoked early, reference §3), logs in again once, logged at info level, and runs
  /// `attempt` with the new token; a second rejection says so in its message. A token that
  /// cannot be had fails with the login's error. Every other result is returned as it is.
  template <typename Attempt>
  auto WithToken(std::string const& what, CallContext const& ctx, Attempt attempt)
      -> decltype(attempt(std::string())) {
    std::string rejected;
    for (int auth_attempt = 1;; ++auth_attempt) {
      auto tok = Token(ctx, rejected);
      if (!tok) return std::move(tok).error();
      auto result = attempt(*tok);
      if (result || result.error().code != ErrorCode::kUnauthenticated) return result;
      if (auth_attempt == 1) {
        logger.Info(what + ": FACE rejected the token; logging in again and retrying once");
        rejected = *tok;
        continue;
      }
      Error e = std::move(result).error();
      e.message += "; the token was rejected again right after a fresh login";
      return e;
    }
  }

  // --- calls.cpp ---------------------------------------------------------------------------------
  /// Sends `request` with ctx's extra headers added, logging `what` and the redacted URL at debug
  /// level; a transport error's message starts with `what`.
  Result<HttpResponse> Send(HttpRequest request, std::string const& what, CallContext const& ctx) const;

  /// One authenticated API call answered with a (small) result document. `accept_code` decides
  /// which FACE codes are answers rather than failures (failures are mapped, and retried when
  /// transient and `idempotent`). Re-logs in once on a token error.
  Result<::ccrec::detail::BufferedResponse> Call(std::string const& command, std::string const& query,
                                          std::optional<std::string> const& form, bool idempotent,
                                          std::function<bool(detail::ResultHeader const&)> const& accept_code,
                                          CallContext const& ctx);

  /// An authenticated download: returns the streaming response when it is media; a result
  /// document (JSON, XML, text) is mapped to an Error. Re-logs in once on a token error; code 11
  /// is retried once. With `expect_redirect`, a 3xx answer is returned as is. With `audio` (the
  /// audio downloads), a body labelled as media that starts like JSON or XML and reads as a FACE
  /// result (a `code`) is that result, not audio: no audio file starts with '{' or '<'.
  Result<HttpResponse> Open(std::string const& command, std::string const& query, CallContext const& ctx,
                            bool expect_redirect = false, bool audio = false);

  Result<ControlResult> Control(std::string const& command, Result<std::string> query,
                                std::optional<MetadataUpdate> const& metadata, CallContext const& ctx);

  /// A search `command` for `criteria` encoded for `use` (a Call accepting AcceptSearchCode).
  Result<::ccrec::detail::BufferedResponse> Search(std::string const& command, SearchCriteria const& criteria,
                                            CriteriaUse use, CallContext const& ctx);
  Result<RecordingSearchResult> SearchRecordings(SearchCriteria const& criteria, CallContext const& ctx);
  Result<SegmentSearchResult> SearchSegments(SearchCriteria const& criteria, CallContext const& ctx);

  static bool AcceptSearchCode(detail::ResultHeader const& h);

  Result<std::string> SegmentQuery(Segment const& segment) const;

  /// The query selecting the recording(s) `target` names, for control commands and redirects.
  Result<std::string> SelectionQuery(SearchCriteria const& target) const {
    return EncodeCriteria(target, CriteriaUse::kRecordingSelection, options.time_format);
  }

  /// `a` and `b` joined with '&' (either may be empty).
  static std::string JoinQuery(std::string a, std::string const& b) {
    if (b.empty()) return a;
    if (a.empty()) return b;
    return a + "&" + b;
  }
};

}  // namespace ccrec::face
