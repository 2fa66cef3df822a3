// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: reusable libcurl (multi, easy) handle pairs and the share object behind them.
// Not installed.

#include <ccrec/core/namespaces.hpp>

#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace ccrec::detail {

/// Runs curl_global_init(CURL_GLOBAL_DEFAULT) once per process (std::call_once).
/// @return false when libcurl failed to initialise.
bool CurlGlobalInit() noexcept;

/// One transfer slot: an easy handle driven by its own multi handle. The multi handle owns the
/// connection cache (limited to one connection), so an idle pair keeps its connection open for
/// the next request to the same origin.
///
/// Descriptors (measured by tests/integration/transport/curl_descriptors_test.cpp, libcurl 7.88):
/// curl_multi_init creates a wakeup socketpair for curl_multi_poll/curl_multi_wakeup (2 fds, no
/// option disables it), plus 1 for the connection: 3 per pair, in flight or idle. Sharing one
/// multi handle between requests would save the pair, but then curl_multi_perform on one thread
/// runs every other request's callbacks, including BodySource::Read of uploads, on that thread;
/// per-request multi handles keep each request's callbacks on its caller's thread. The budget is
/// kept by FitDescriptorLimit() instead (include/ccrec/transport/descriptor_limit.hpp).
///
/// @par Thread safety
/// One thread at a time.
struct CurlHandles {
  CurlHandles() = default;
  ~CurlHandles();
  CurlHandles(CurlHandles const&) = delete;
  CurlHandles& operator=(CurlHandles const&) = delete;

  CURLM* multi = nullptr;
  CURL* easy = nullptr;
  /// "scheme://host:port" of the last request, to hand the pair to a request for the same origin.
  std::string origin;
};

/// A free list of idle CurlHandles plus the CURLSH object every easy handle is attached to.
///
/// Connection reuse works per pair: a released pair keeps (at most) one idle connection in its
/// multi handle; Acquire() prefers the most recently used pair whose last request went to the
/// same origin. The free list holds at most `max_idle` pairs; the least recently used are closed.
///
/// The share object holds the DNS cache, and the TLS session cache when libcurl is 8.12 or newer.
/// The connection cache (CURL_LOCK_DATA_CONNECT) is deliberately not shared: libcurl documents it
/// as unsupported between concurrent threads (CURLSHOPT_SHARE(3), curl issues #13347, #13840),
/// and older libcurl documents the same for TLS sessions. Each lock data has its own mutex.
///
/// @par Thread safety
/// Thread-safe.
class CurlHandlePool {
 public:
  explicit CurlHandlePool(std::size_t max_idle);
  ~CurlHandlePool();
  CurlHandlePool(CurlHandlePool const&) = delete;
  CurlHandlePool& operator=(CurlHandlePool const&) = delete;

  /// An idle pair for `origin` if there is one, else a new pair; null when libcurl cannot
  /// allocate handles. The easy handle is in its reset state; the caller sets CURLOPT_SHARE.
  std::unique_ptr<CurlHandles> Acquire(std::string const& origin);
  /// Returns a pair whose transfer completed cleanly (its easy handle must not be in its multi).
  /// Resets the easy handle so that it holds no pointer to the finished transfer.
  void Release(std::unique_ptr<CurlHandles> handles);

  /// The share object to set as CURLOPT_SHARE; null if libcurl could not create it.
  CURLSH* Share() const noexcept { return share_; }
  /// True when TLS sessions are in the share object.
  bool SharesTlsSessions() const noexcept { return shares_tls_sessions_; }
  /// Number of idle pairs (for tests and debug logs).
  std::size_t IdleCount() const;
  /// Number of pairs created so far (for tests and debug logs).
  std::size_t CreatedCount() const;

 private:
  static void LockCallback(CURL* handle, curl_lock_data data, curl_lock_access access, void* self);
  static void UnlockCallback(CURL* handle, curl_lock_data data, void* self);

  std::array<std::mutex, static_cast<std::size_t>(CURL_LOCK_DATA_LAST)> share_locks_;
  CURLSH* share_ = nullptr;
  bool shares_tls_sessions_ = false;
  std::size_t const max_idle_;

  mutable std::mutex mu_;
  std::deque<std::unique_ptr<CurlHandles>> idle_;  // front = least recently used
  std::size_t created_ = 0;
};

}  // namespace ccrec::detail
