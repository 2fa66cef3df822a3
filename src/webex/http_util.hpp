#pragma once
// Internal to ccrec::webex: small helpers around HttpTransport for JSON APIs. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

#include "internal/http_util.hpp"

#include <cstddef>
#include <string>

namespace ccrec {
inline namespace v1 {
namespace webex {
namespace wire {

/// Largest API response body read into memory (tasks pages of 1000 are a few hundred KiB).
inline constexpr std::size_t kMaxApiBodyBytes = std::size_t{64} << 20;
/// How much of an error body is read for the error message.
inline constexpr std::size_t kMaxErrorBodyBytes = std::size_t{64} << 10;

/// A fully read response (the shared internal one).
using BufferedResponse = ::ccrec::internal::BufferedResponse;

/// internal::SendBuffered with the Webex caps: up to kMaxApiBodyBytes for 2xx (a read failure is
/// the reader's error, kTransport when the connection dropped), up to kMaxErrorBodyBytes otherwise.
Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx);

}  // namespace wire
}  // namespace webex
}  // namespace v1
}  // namespace ccrec
