// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// HTTP abstractions: `HttpRequest`, `HttpResponse` with a streaming `BodyReader`, rewindable
/// `BodySource` for uploads, and the pluggable `HttpTransport` (STYLE.md §5, §7).

#include <ccrec/core/export.hpp>
#include <ccrec/core/call_context.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec {
inline namespace v1 {

/// Header list in wire order; names compare case-insensitively. Repeated names are allowed.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive ASCII comparison of header names.
CCREC_EXPORT bool HeaderNameEquals(std::string_view a, std::string_view b) noexcept;
/// First value of header `name` (case-insensitive), if present.
CCREC_EXPORT std::optional<std::string> FindHeader(HttpHeaders const& headers, std::string_view name);
/// Replaces every header `name` with one `name: value`.
CCREC_EXPORT void SetHeader(HttpHeaders& headers, std::string name, std::string value);
/// Removes every header `name`.
CCREC_EXPORT void RemoveHeader(HttpHeaders& headers, std::string_view name);

/// Pull-based reader for a response body.
///
/// @par Thread safety
/// One thread at a time.
class CCREC_EXPORT BodyReader {
 public:
  virtual ~BodyReader() = default;
  /// Reads up to `size` bytes into `buffer`.
  /// @return the number of bytes read; 0 means the body ended normally. An error means the
  /// body was cut short (kTransport), timed out (kDeadlineExceeded), was cancelled (kCancelled)
  /// or was shorter than its Content-Length (kIntegrity).
  virtual Result<std::size_t> Read(char* buffer, std::size_t size) = 0;
};

/// Rewindable request body, so that a retried request can send it again.
///
/// @par Thread safety
/// One thread at a time.
class CCREC_EXPORT BodySource {
 public:
  virtual ~BodySource() = default;
  /// Reads up to `size` bytes; returns 0 at the end.
  virtual Result<std::size_t> Read(char* buffer, std::size_t size) = 0;
  /// Restarts from the first byte. Errors with kInternal when the source cannot rewind.
  virtual Result<void> Rewind() = 0;
  /// Total length in bytes when known (sent as Content-Length); nullopt = chunked.
  virtual std::optional<std::uint64_t> Size() const = 0;
};

/// A body made of an in-memory string (small JSON/form/XML bodies).
CCREC_EXPORT std::shared_ptr<BodySource> MakeStringBody(std::string data);
/// A body over caller-owned memory that outlives the request (e.g. an upload part buffer).
CCREC_EXPORT std::shared_ptr<BodySource> MakeSpanBody(char const* data, std::size_t size);

/// One HTTP request.
struct CCREC_EXPORT HttpRequest {
  /// Method, upper case. Default "GET".
  std::string method = "GET";
  /// Absolute URL, sent exactly as given (no decoding, re-encoding or reordering) — required
  /// for presigned URLs.
  std::string url;
  /// Headers to send. The transport adds nothing but Host, Content-Length/Transfer-Encoding and
  /// (when enabled in its options) Accept-Encoding.
  HttpHeaders headers;
  /// Body, or null for none.
  std::shared_ptr<BodySource> body;
  /// Per-attempt total timeout for this request, overriding the transport's; nullopt = transport's.
  std::optional<std::chrono::milliseconds> timeout;
};

/// One HTTP response. The status is not judged here: a 404 is a successful Send().
///
/// @par Thread safety
/// One thread at a time (the body reader is single-threaded).
struct CCREC_EXPORT HttpResponse {
  int status = 0;
  HttpHeaders headers;
  /// The body; never null after a successful Send().
  std::unique_ptr<BodyReader> body;

  /// First value of header `name`.
  std::optional<std::string> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  /// Content-Length when present and well formed.
  std::optional<std::uint64_t> ContentLength() const;
  /// Reads the whole (small) body. Errors with kParse when it exceeds `max_bytes` (default 16 MiB;
  /// a declared Content-Length over it fails before reading), the message naming the limit; never
  /// returns part of a body. Otherwise the reader's error. Use for API JSON, never for recordings.
  Result<std::string> ReadAll(std::size_t max_bytes = std::size_t{16} << 20);
};

/// Sends HTTP requests. The seam for custom networking and for tests.
///
/// @par Thread safety
/// Implementations must make Send() safe to call concurrently from many threads.
class CCREC_EXPORT HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Sends `request` and returns once the status line and headers have arrived; the body is
  /// then pulled through HttpResponse::body.
  /// @return the response for any HTTP status, or kTransport (DNS, connect, TLS, reset),
  ///         kDeadlineExceeded (timeout or ctx.deadline) or kCancelled (ctx.cancel).
  virtual Result<HttpResponse> Send(HttpRequest const& request, CallContext const& ctx) = 0;
};

}  // namespace v1
}  // namespace ccrec
