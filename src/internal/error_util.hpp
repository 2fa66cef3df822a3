#pragma once
// Internal: pieces every vendor's status+body -> Error mapping shares. Not installed.

#include <ccrec/core/error.hpp>

#include <string>
#include <string_view>

namespace ccrec {
inline namespace v1 {
namespace internal {

/// The ErrorCode an HTTP status implies before the vendor's body refines it: 401
/// kUnauthenticated, 403 kPermissionDenied, 404 kNotFound, 408 kDeadlineExceeded, 429
/// kRateLimited, other 4xx kInvalidArgument, 5xx kUnavailable, anything else kInternal.
CCREC_EXPORT ErrorCode ErrorCodeForHttpStatus(int status) noexcept;

/// The first `max_bytes` bytes of a response body for an error message: control characters
/// become spaces, trailing spaces are dropped, "..." marks a cut, and secrets are redacted.
CCREC_EXPORT std::string BodySnippet(std::string_view body, std::size_t max_bytes = 200);

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
