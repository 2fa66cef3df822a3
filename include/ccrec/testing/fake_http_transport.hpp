// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `FakeHttpTransport`: a scripted HttpTransport that records requests. No sockets.

#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::testing {

/// A request as the fake saw it, with its body read into memory.
struct CCREC_EXPORT RecordedRequest {
  std::string method;
  std::string url;
  HttpHeaders headers;
  std::string body;
  /// HttpRequest::timeout as sent (nullopt = the transport's own).
  std::optional<std::chrono::milliseconds> timeout;
  /// The call's cancellation token, so that a handler that holds its answer can model a transfer
  /// that cancellation aborts (as CurlTransport does): return kCancelled once it is cancelled.
  CancellationToken cancel;
  /// First value of header `name`.
  std::optional<std::string> Header(std::string_view name) const { return FindHeader(headers, name); }
};

/// Builds a response whose body is `body`. Adds Content-Length.
CCREC_EXPORT HttpResponse MakeResponse(int status, std::string body, HttpHeaders headers = {});
/// A body reader that returns `data` in chunks of at most `chunk` bytes, then, if `fail_with` is
/// set, that error instead of end-of-body (simulates a dropped connection).
CCREC_EXPORT std::unique_ptr<BodyReader> MakeStringBodyReader(std::string data, std::size_t chunk = 65536,
                                                 std::optional<Error> fail_with = {});

/// Scripted transport. Each Send() records the request, then answers with, in order:
/// the first queued handler (Enqueue), else the first route whose method matches and whose
/// URL contains the route's substring (Route), else a 599 "no scripted response" error.
///
/// @par Thread safety
/// Thread-safe.
class CCREC_EXPORT FakeHttpTransport : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(RecordedRequest const&)>;

  /// Answers the next request with `handler`.
  void Enqueue(Handler handler);
  /// Answers the next request with a fixed response.
  void EnqueueResponse(int status, std::string body, HttpHeaders headers = {});
  /// Answers the next request with an error (as if the network failed).
  void EnqueueError(Error error);
  /// Answers every request whose method equals `method` ("" = any) and whose URL contains
  /// `url_substring` with `handler`, when the queue is empty. Routes are tried in order added.
  void Route(std::string method, std::string url_substring, Handler handler);

  /// Everything sent so far.
  std::vector<RecordedRequest> Requests() const;
  std::size_t RequestCount() const;
  void ClearRequests();

  Result<HttpResponse> Send(HttpRequest const& request, CallContext const& ctx) override;

 private:
  struct RouteEntry {
    std::string method;
    std::string url_substring;
    Handler handler;
  };
  mutable std::mutex mu_;
  std::deque<Handler> queue_;
  std::vector<RouteEntry> routes_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace ccrec::testing
