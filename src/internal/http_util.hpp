// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: small helpers around HttpTransport responses shared by every vendor client (bounded
// body reads, buffered responses, replaying sniffed bytes). Not installed. Each vendor keeps its
// own cap on a 2xx body and passes it in; all read the same kMaxErrorBodyBytes of an error body.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace ccrec::detail {

/// How much of an error body (non-2xx, or an unexpected answer) every vendor client reads for its
/// error message: 64 KiB.
inline constexpr std::size_t kMaxErrorBodyBytes = std::size_t{64} << 10;

/// Reads at most `max_bytes` of `body` (nullptr: nothing), stopping quietly at the end of the
/// body or at a read error. For error and diagnostic bodies, where what was read is all that
/// matters; never use it where a cut-short body must be noticed.
std::string ReadPrefix(BodyReader* body, std::size_t max_bytes);
/// ReadPrefix of `response`'s body.
std::string ReadPrefix(HttpResponse& response, std::size_t max_bytes);

/// The media type of `headers`' Content-Type: the part before its parameters (";"), blanks
/// removed and ASCII lower-cased ("Text/HTML; charset=UTF-8" gives "text/html"). nullopt when
/// there is no Content-Type header; "" when it is empty.
std::optional<std::string> MediaType(HttpHeaders const& headers);

/// A response whose body was read into memory.
struct BufferedResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

/// Reads `response`'s body into memory: for a 2xx status the whole body (HttpResponse::ReadAll:
/// kParse above `max_ok_body` bytes, the reader's error, such as kTransport, when it fails); for
/// any other status at most `max_error_body` bytes with ReadPrefix (never fails).
Result<BufferedResponse> BufferResponse(HttpResponse& response, std::size_t max_ok_body,
                                                     std::size_t max_error_body);

/// `transport.Send(request, ctx)` then BufferResponse. The transport's error and the body read
/// error are returned as they are (callers add their context).
Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request,
                                                   CallContext const& ctx, std::size_t max_ok_body,
                                                   std::size_t max_error_body);

/// A BodyReader that first replays `prefix` (bytes read ahead, e.g. to sniff a body without a
/// Content-Type) and then continues with `inner` (null: the body ends after the prefix). One
/// thread, like every BodyReader.
class PrefixedBodyReader final : public BodyReader {
 public:
  PrefixedBodyReader(std::string prefix, std::unique_ptr<BodyReader> inner);
  Result<std::size_t> Read(char* buffer, std::size_t size) override;

 private:
  std::string prefix_;
  std::size_t offset_ = 0;
  std::unique_ptr<BodyReader> inner_;
};

/// `response` (a 2xx answer to a media download from byte 0) with a body that must not be empty,
/// for media that never is (an audio file: a WAV header alone is 44 bytes). `empty_error` (e.g.
/// kIntegrity naming the download) is returned at once when the response says "Content-Length:
/// 0" (a consumer that counts bytes against Content-Length would take the empty body as
/// complete), and otherwise by the body's first Read() when the body ends before its first byte.
/// A response without a body is returned as it is.
Result<HttpResponse> RequireNonEmptyBody(HttpResponse response, Error empty_error);

}  // namespace ccrec::detail
