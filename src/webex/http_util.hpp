// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::webex: small helpers around HttpTransport for JSON APIs. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

#include "internal/http_util.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace ccrec::webex::detail {

/// Largest API response body read into memory: 16 MiB. The largest legitimate pages are a tasks
/// page (pageSize max 1000 in the Webex CC OpenAPI: 414 KiB from the emulator, ~2 MiB at a
/// pessimistic 2 KiB per real task) and a captures answer (at most 10 task ids: 31 KiB with
/// segments and VA recordings). A larger body fails the call with kParse naming the endpoint and
/// the limit (issue 12: a hostile server must not make the client buffer 64 MiB per worker).
inline constexpr std::size_t kMaxApiBodyBytes = std::size_t{16} << 20;
/// How much of an error body is read for the error message: the shared 64 KiB.
using ::ccrec::detail::kMaxErrorBodyBytes;

/// A fully read response (the shared internal one).
using BufferedResponse = ::ccrec::detail::BufferedResponse;

/// ::ccrec::detail::SendBuffered with the Webex caps: up to kMaxApiBodyBytes for 2xx (a read failure is
/// the reader's error, kTransport when the connection dropped), up to kMaxErrorBodyBytes otherwise.
Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx);

/// A Webex CC API request: `Authorization: Bearer <token>`, `Accept: application/json`, a new
/// `TrackingId` (CCREC_<uuid>), a JSON body when `body` is set, `request_timeout` when positive,
/// then CallContext::extra_headers (which may replace any of these, the TrackingId included).
HttpRequest MakeApiRequest(std::string const& method, std::string const& url, std::string const& token,
                           std::optional<std::string> const& body, std::chrono::milliseconds request_timeout,
                           CallContext const& ctx);

}  // namespace ccrec::webex::detail
