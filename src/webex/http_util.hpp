#pragma once
// Internal to ccrec::webex: small helpers around HttpTransport for JSON APIs. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

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

/// Reads at most `max_bytes` of `response`'s body, ignoring read errors (for error bodies).
std::string ReadPrefix(HttpResponse& response, std::size_t max_bytes);

/// A fully read response.
struct BufferedResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

/// Sends `request` and reads the body: up to kMaxApiBodyBytes for 2xx (a read failure is the
/// reader's error, kTransport when the connection dropped), up to kMaxErrorBodyBytes otherwise.
Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx);

}  // namespace wire
}  // namespace webex
}  // namespace v1
}  // namespace ccrec
