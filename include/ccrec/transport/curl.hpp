// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The default HttpTransport, built on libcurl (OpenSSL).

#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {

/// Options for MakeCurlTransport(). Every field has a production default.
struct CurlOptions {
  /// Extra PEM CA bundle trusted in addition to the system store (e.g. an internal CA or a
  /// test CA). Default: none (system trust store only).
  ///
  /// The file is read once, by MakeCurlTransport(); its certificates are added to the OpenSSL
  /// trust store of every TLS connection after libcurl has loaded the system CAs
  /// (CURLOPT_SSL_CTX_FUNCTION), so both stay trusted. This needs libcurl built with OpenSSL (the
  /// same OpenSSL ccrec links). When the file cannot be read or holds no certificate, every
  /// Send() fails with kInvalidArgument naming the file. Ignored when insecure_skip_verify is set.
  std::string ca_file;
  /// Disables TLS peer and host verification. Default false; never enable in production
  /// (the CLI's --insecure). Logged as a warning when set.
  bool insecure_skip_verify = false;
  /// TCP + TLS connect timeout. Default 10 s.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// Whole-request timeout (headers and body) unless the request sets its own. Default 0 = none
  /// (recordings can be large; the low-speed limit catches stalls instead). It runs from Send()
  /// until the body is fully read, including the time the caller spends between Read() calls.
  /// CallContext::deadline, when sooner, caps it. Expiry is kDeadlineExceeded.
  std::chrono::milliseconds total_timeout{0};
  /// Abort a transfer slower than low_speed_bytes_per_second for low_speed_time. Default
  /// 1 byte/s for 60 s (a stalled connection). Time during which the transfer is paused because
  /// the caller has not read the buffered body is not counted. 0 disables the check.
  long low_speed_bytes_per_second = 1;
  std::chrono::seconds low_speed_time{60};
  /// Upper bound of the upload speed of each transfer, in bytes per second
  /// (CURLOPT_MAX_SEND_SPEED_LARGE): libcurl pauses the transfer whenever its average over the
  /// last seconds would exceed it. Per transfer, not per transport: N concurrent uploads may
  /// send N times as much. Default 0 = unlimited.
  std::uint64_t max_send_bytes_per_second = 0;
  /// Upper bound of the download speed of each transfer, in bytes per second
  /// (CURLOPT_MAX_RECV_SPEED_LARGE); per transfer like max_send_bytes_per_second. Default 0 =
  /// unlimited.
  std::uint64_t max_recv_bytes_per_second = 0;
  /// Proxies from the standard environment variables (https_proxy, HTTPS_PROXY, http_proxy,
  /// ALL_PROXY, NO_PROXY), as libcurl reads them. Default true. An explicit proxy URL wins.
  bool proxy_from_environment = true;
  std::string proxy;
  /// Send `Accept-Encoding: gzip` and decode a gzip response transparently. Default true. Only
  /// gzip is offered (not every encoding libcurl can decode): inflating expands at most ~1032:1,
  /// which bounds what one network read can become before the receive buffer's pause applies;
  /// brotli and zstd expand by far more. A response encoded otherwise than with at most one
  /// gzip layer (`identity` aside), which libcurl would decode all the same, fails Send() with
  /// kTransport before any of its body is decoded. A decoded response has its Content-Encoding
  /// and Content-Length headers removed (they describe the encoded bytes, not what Read()
  /// returns). A request that sets its own Accept-Encoding header (e.g. "identity" for a
  /// byte-exact object download) is sent as is and its response is not decoded.
  bool accept_compressed = true;
  /// Largest number of idle connections kept for reuse, across all hosts. Default 64. 0 closes
  /// every connection after its response.
  std::size_t max_idle_connections = 64;
  /// Bytes buffered per response before the transfer pauses (bounds memory per stream).
  /// Default 256 KiB. A response holds at most this plus one libcurl chunk (16 KiB).
  std::size_t receive_buffer_bytes = 256 * 1024;
  /// User-Agent header. Default "ccrec/<version>". A request's own User-Agent header wins.
  std::string user_agent;
  /// Debug logging of request lines and statuses (URLs redacted). Default: none.
  Logger logger;
};

/// Creates a libcurl transport. Connections are pooled and reused across calls and threads
/// (with the DNS cache, and TLS sessions on libcurl >= 8.12); `curl_global_init` runs once
/// behind std::call_once. There is no background thread: Send() and BodyReader::Read() drive
/// the transfer on the calling thread.
///
/// Requests:
/// - The URL is passed to libcurl exactly as given (no re-encoding, no dot-segment removal);
///   HTTP/1.1 only; http and https only.
/// - Sent with exactly the caller's headers plus Host, Content-Length / Transfer-Encoding,
///   Accept-Encoding (see accept_compressed) and User-Agent. libcurl's default `Accept` and
///   `Expect: 100-continue` are suppressed; CallContext::extra_headers are not added here (the
///   clients apply them). No cookies, no .netrc, no redirects followed (a presigned URL must never
///   be replayed with credentials against another host): a 3xx is returned as is.
/// - A body with a known BodySource::Size() is sent with Content-Length, otherwise chunked. The
///   body is rewound before it is sent, so a retried Send() with the same request resends it
///   from its first byte; a bodiless PUT or POST is sent with `Content-Length: 0`.
///
/// Responses: Send() returns once the final status line and headers have arrived (interim 1xx
/// responses are skipped; headers in wire order; trailers ignored). The body is then pulled
/// through HttpResponse::body; a body cut short is an error from Read() ("connection closed
/// after N of M bytes", kTransport), never a normal end. Destroying a response before its body
/// has been read closes its connection.
///
/// Errors name the method and the redacted URL (RedactUrl). kTransport: DNS, connect, TLS (the
/// message says certificate verification failed and suggests --ca-file), reset.
/// kDeadlineExceeded: a timeout or CallContext::deadline. kCancelled: CallContext::cancel, noticed
/// within about 50 ms even while waiting for the server. kInvalidArgument: a malformed URL,
/// method or header, or an unusable ca_file.
///
/// File descriptors: each request in flight holds 3 (its connection plus the wakeup socketpair
/// of its own libcurl multi handle, which keeps every libcurl callback on the thread that calls
/// Send() or Read()), and each idle pooled connection holds 3 (at most max_idle_connections of
/// them). Size RLIMIT_NOFILE for the planned concurrency with FitDescriptorLimit()
/// (<ccrec/transport/descriptor_limit.hpp>).
///
/// libcurl runs with CURLOPT_NOSIGNAL (required with threads), so it does not ignore SIGPIPE
/// for you. libcurl >= 7.87 with OpenSSL on Linux sends with MSG_NOSIGNAL and raises none; with
/// older libcurl, or elsewhere, programs should ignore SIGPIPE.
///
/// @return never null.
/// @par Thread safety
/// Send() is thread-safe; each returned HttpResponse body is read by one thread.
CCREC_EXPORT std::shared_ptr<HttpTransport> MakeCurlTransport(CurlOptions options = {});

}  // namespace v1
}  // namespace ccrec
