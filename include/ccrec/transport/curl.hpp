#pragma once
/// @file
/// The default HttpTransport, built on libcurl (OpenSSL).

#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {

/// Options for MakeCurlTransport(). Every field has a production default.
struct CurlOptions {
  /// Extra PEM CA bundle trusted in addition to the system store (e.g. an internal CA or a
  /// test CA). Default: none (system trust store only).
  std::string ca_file;
  /// Disables TLS peer and host verification. Default false; never enable in production
  /// (the CLI's --insecure). Logged as a warning when set.
  bool insecure_skip_verify = false;
  /// TCP + TLS connect timeout. Default 10 s.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  /// Whole-request timeout (headers and body) unless the request sets its own. Default 0 = none
  /// (recordings can be large; the low-speed limit catches stalls instead).
  std::chrono::milliseconds total_timeout{0};
  /// Abort a transfer slower than low_speed_bytes_per_second for low_speed_time. Default
  /// 1 byte/s for 60 s (a stalled connection).
  long low_speed_bytes_per_second = 1;
  std::chrono::seconds low_speed_time{60};
  /// Proxies from the standard environment variables (https_proxy, HTTPS_PROXY, http_proxy,
  /// ALL_PROXY, NO_PROXY), as libcurl reads them. Default true. An explicit proxy URL wins.
  bool proxy_from_environment = true;
  std::string proxy;
  /// Ask for gzip/deflate and decode transparently. Default true.
  bool accept_compressed = true;
  /// Largest number of idle connections kept for reuse, across all hosts. Default 64.
  std::size_t max_idle_connections = 64;
  /// Bytes buffered per response before the transfer pauses (bounds memory per stream).
  /// Default 256 KiB.
  std::size_t receive_buffer_bytes = 256 * 1024;
  /// User-Agent header. Default "ccrec/<version>".
  std::string user_agent;
  /// Debug logging of request lines and statuses (URLs redacted). Default: none.
  Logger logger;
};

/// Creates a libcurl transport. Connections (and TLS sessions, DNS) are pooled and reused across
/// calls and threads; `curl_global_init` runs once behind std::call_once.
///
/// Redirects are not followed (a presigned URL must never be replayed with credentials against
/// another host). Requests are sent with exactly the caller's headers (plus Host,
/// Content-Length / Transfer-Encoding, Accept-Encoding and User-Agent); libcurl's default
/// `Expect: 100-continue` is suppressed.
///
/// @return never null.
/// @par Thread safety
/// Send() is thread-safe; each returned HttpResponse body is read by one thread.
CCREC_EXPORT std::shared_ptr<HttpTransport> MakeCurlTransport(CurlOptions options = {});

}  // namespace v1
}  // namespace ccrec
