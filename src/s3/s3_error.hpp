#pragma once
// Internal: the one function mapping an S3 response (status + headers + XML body) to Error.
// Not installed.

#include <ccrec/core/error.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ccrec {
inline namespace v1 {
namespace s3 {
namespace impl {

/// Maps a failed S3 response to Error. `operation` is the S3 API name ("PutObject"),
/// `location` is "s3://bucket/key". Uses the XML body's Code/Message/RequestId when present
/// (else x-amz-request-id and the status), adds advice for common codes, honours Retry-After.
/// Never puts secrets in the message.
CCREC_EXPORT Error MapS3Error(int status, HttpHeaders const& headers, std::string_view body,
                              std::string_view operation, std::string_view location,
                              std::chrono::system_clock::time_point now);

/// True when a 2xx body is nevertheless an S3 `<Error>` document (CompleteMultipartUpload).
CCREC_EXPORT bool IsErrorDocument(std::string_view body);

}  // namespace impl
}  // namespace s3
}  // namespace v1
}  // namespace ccrec
