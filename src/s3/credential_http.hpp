// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: what the credential endpoints share (container and IMDS endpoints, STS): the
// loopback test for plain-http endpoints and one request retried at once. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/error.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

#include "internal/url.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

namespace ccrec::s3::detail {

/// True for "localhost", "::1" and a well-formed dotted IPv4 literal in 127/8: the hosts a
/// credential endpoint may be reached on over plain http.
inline bool IsLoopbackHost(std::string const& host) {
  if (host == "localhost" || host == "::1") return true;
  return host.rfind("127.", 0) == 0 && ::ccrec::detail::IsIpOrLocalhost(host);
}

/// A credential endpoint's answer, read whole.
struct CredentialAnswer {
  int status = 0;
  std::string body;
};

/// Sends the request `make_request()` returns (an `HttpRequest const&`, rebuilt or re-armed per
/// attempt) up to `attempts` times (at least once) without waiting between attempts: these
/// endpoints answer locally or within a second, and the provider's refresh schedule paces
/// repeated failures. An attempt fails, and the next one starts, on a transport error
/// (kCancelled and kInvalidArgument return at once), on an answer that cannot be read within
/// `max_body` bytes, and when `accept(CredentialAnswer)` returns an error with code kUnavailable
/// (its other errors return at once). Transport and read errors are prefixed with `what`.
/// @return what `accept` returned; else the last attempt's error; kCancelled when `ctx` is
///         cancelled before an attempt.
template <typename MakeRequest, typename Accept>
auto SendCredentialRequest(HttpTransport& transport, CallContext const& ctx, int attempts, std::size_t max_body,
                           std::string const& what, MakeRequest make_request, Accept accept)
    -> decltype(accept(std::declval<CredentialAnswer>())) {
  Error last = MakeError(ErrorCode::kInternal, what + ": no attempt made");
  for (int n = 1; n <= std::max(1, attempts); ++n) {
    if (ctx.cancel.IsCancelled()) return MakeError(ErrorCode::kCancelled, what + ": cancelled");
    auto resp = transport.Send(make_request(), ctx);
    if (!resp) {
      last = resp.error();
      last.message = what + ": " + last.message;
      if (last.code == ErrorCode::kCancelled || last.code == ErrorCode::kInvalidArgument) return last;
      continue;
    }
    auto body = resp->ReadAll(max_body);
    if (!body) {
      last = body.error();
      last.message = what + ": reading the answer: " + last.message;
      continue;
    }
    auto accepted = accept(CredentialAnswer{resp->status, std::move(*body)});
    if (accepted || accepted.error().code != ErrorCode::kUnavailable) return accepted;
    last = accepted.error();
  }
  return last;
}

}  // namespace ccrec::s3::detail
