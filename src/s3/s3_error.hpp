// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the one function mapping an S3 response (status + headers + XML body) to Error.
// Not installed.

#include <ccrec/core/error.hpp>
#include <ccrec/core/http.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::s3::detail {

/// Longest piece of server-provided text (a Message, a header value) kept in an Error.
inline constexpr std::size_t kMaxServerTextBytes = 512;

/// Server-provided text made safe for an Error (message, vendor_code, request_id): every literal
/// occurrence of a `known_secrets` entry of 8 bytes or more (the configured secret access key and
/// session token, should a server echo them) masked as "***", then RedactSecrets() (signatures,
/// X-Amz-Credential/Security-Token, Authorization values, ...), cut to kMaxServerTextBytes, and
/// every control character escaped (EscapeControlCharacters(): no ESC, CR or LF survives).
std::string ServerText(std::string_view text, std::vector<std::string_view> const& known_secrets = {});

/// Maps a failed S3 response to Error. `operation` is the S3 API name ("PutObject"),
/// `location` is "s3://bucket/key". Uses the XML body's Code/Message/RequestId when present
/// (else x-amz-request-id and the status), adds advice for common codes, honours Retry-After.
/// Every server-provided string (Code, Message, RequestId, Region, Endpoint, x-amz-* headers)
/// passes through ServerText(`known_secrets`); StringToSign, CanonicalRequest,
/// SignatureProvided and the rest of the body never reach the Error.
Error MapS3Error(int status, HttpHeaders const& headers, std::string_view body,
                              std::string_view operation, std::string_view location,
                              std::chrono::system_clock::time_point now,
                              std::vector<std::string_view> const& known_secrets = {});

/// True when a 2xx body is nevertheless an S3 `<Error>` document (CompleteMultipartUpload).
bool IsErrorDocument(std::string_view body);

}  // namespace ccrec::s3::detail
