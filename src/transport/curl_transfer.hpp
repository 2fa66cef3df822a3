// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: one libcurl request/response on a (multi, easy) pair, and the immutable state a
// transport shares with its transfers. Not installed.
//
// The code is split along the easy/multi seam:
// * curl_transfer.cpp  - the easy handle: options (Configure), the libcurl callbacks (headers,
//                        body buffer with pause, upload source, seek, progress) and the mapping
//                        of CURLcode to ccrec::Error;
// * curl_transport.cpp - the multi loop: Start/Drive/Read/Conclude/Destroy, and the public
//                        HttpTransport and BodyReader built on them.

#include <ccrec/core/http.hpp>
#include <ccrec/transport/curl.hpp>

#include "transport/ca_bundle.hpp"
#include "transport/curl_handle_pool.hpp"
#include "transport/response_header_parser.hpp"

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::detail {

// ---- typed wrappers for libcurl's variadic setters ------------------------------------------

/// Collects the first failing curl_easy_setopt so that setup code stays linear.
class EasyOptions {
 public:
  explicit EasyOptions(CURL* easy) : easy_(easy) {}

  void Long(CURLoption option, long value) { Check(option, curl_easy_setopt(easy_, option, value)); }
  void OffT(CURLoption option, curl_off_t value) { Check(option, curl_easy_setopt(easy_, option, value)); }
  void String(CURLoption option, char const* value) { Check(option, curl_easy_setopt(easy_, option, value)); }
  void Pointer(CURLoption option, void* value) { Check(option, curl_easy_setopt(easy_, option, value)); }
  template <typename Fn>
  void Function(CURLoption option, Fn* fn) {
    Check(option, curl_easy_setopt(easy_, option, fn));
  }

  CURLcode FirstError() const noexcept { return first_error_; }
  CURLoption FailedOption() const noexcept { return failed_option_; }

 private:
  void Check(CURLoption option, CURLcode code) {
    if (code != CURLE_OK && first_error_ == CURLE_OK) {
      first_error_ = code;
      failed_option_ = option;
    }
  }
  CURL* easy_;
  CURLcode first_error_ = CURLE_OK;
  CURLoption failed_option_ = CURLOPT_URL;
};

/// A curl_off_t CURLINFO value, -1 when unavailable.
curl_off_t InfoOffT(CURL* easy, CURLINFO info);

// ---- small helpers ---------------------------------------------------------------------------

/// "scheme://authority" of an absolute URL, lower-cased scheme and host; the pool key.
std::string OriginOf(std::string_view url);
/// True for a non-empty RFC 9110 token (a method or header name).
bool IsToken(std::string_view s);
/// True when `s` holds CR, LF or NUL (header injection).
bool HasLineBreakOrNul(std::string_view s);
/// `s` without trailing CR, LF and spaces (libcurl's error buffer ends with a newline).
std::string TrimTrailingNewlines(std::string s);

/// Owns a curl_slist.
class HeaderList {
 public:
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(list_); }
  HeaderList(HeaderList const&) = delete;
  HeaderList& operator=(HeaderList const&) = delete;

  bool Append(std::string const& line) {
    curl_slist* next = curl_slist_append(list_, line.c_str());
    if (next == nullptr) return false;
    list_ = next;
    return true;
  }
  curl_slist* get() const noexcept { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// ---- shared, immutable transport state -------------------------------------------------------

struct TransportState {
  CurlOptions options;
  std::string user_agent;
  std::shared_ptr<CaBundle const> ca_bundle;
  /// Set when the options are unusable (e.g. unreadable ca_file); every Send() fails with it.
  std::optional<Error> config_error;
  std::shared_ptr<CurlHandlePool> pool;
};

// ---- one transfer ----------------------------------------------------------------------------

/// The state of one request/response on one (multi, easy) pair. Heap-allocated so that the
/// callbacks' user pointer stays valid; owned by Send() and then by the response body reader.
class Transfer {
 public:
  Transfer(std::shared_ptr<TransportState const> state, std::unique_ptr<CurlHandles> handles,
           HttpRequest const& request, CallContext const& ctx)
      : state_(std::move(state)),
        handles_(std::move(handles)),
        method_(request.method),
        redacted_url_(RedactUrl(request.url)),
        body_(request.body),
        cancel_(ctx.cancel),
        capacity_(std::max<std::size_t>(state_->options.receive_buffer_bytes, 1)) {
    what_ = method_ + " " + redacted_url_;
    errbuf_[0] = '\0';
  }

  ~Transfer() { Destroy(); }
  Transfer(Transfer const&) = delete;
  Transfer& operator=(Transfer const&) = delete;

  /// Configures the easy handle, starts the transfer and drives it until the final response
  /// head arrived (or the transfer ended).
  Result<void> Start(HttpRequest const& request, CallContext const& ctx);

  /// BodyReader::Read.
  Result<std::size_t> Read(char* buffer, std::size_t size);

  int Status() const noexcept { return parser_.Status(); }
  HttpHeaders TakeHeaders() { return parser_.TakeHeaders(); }
  bool BodyDecoded() const noexcept { return decoding_ && method_ != "HEAD"; }

 private:
  static std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t OnWrite(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t OnRead(char* data, std::size_t size, std::size_t count, void* self);
  static int OnSeek(void* self, curl_off_t offset, int origin);
  static int OnProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

  std::size_t Deliver(char const* data, std::size_t size);
  /// For a decoded response (Accept-Encoding: gzip), once its head is complete: an error unless
  /// its Content-Encoding is at most one gzip layer. libcurl decodes every coding a server
  /// names (deflate, br, zstd, and up to four stacked), whatever was asked for.
  std::optional<Error> UnrequestedEncoding() const;
  std::size_t ReadBodySource(char* data, std::size_t want);
  Result<void> Configure(HttpRequest const& request, CallContext const& ctx);
  template <typename Predicate>
  Result<void> Drive(Predicate enough);
  /// After the transfer ended: maps its result, and returns the pair to the pool (success) or
  /// destroys it (failure).
  void Conclude();
  /// Removes the easy handle from its multi handle and destroys the pair (connection closed).
  void Destroy();
  std::size_t Buffered() const noexcept { return buffer_.size() - head_; }

  Error CancelledError() const {
    return MakeError(ErrorCode::kCancelled, what_ + ": cancelled");
  }
  Error MapCurlError(CURLcode code);

  std::shared_ptr<TransportState const> state_;
  std::unique_ptr<CurlHandles> handles_;
  bool in_multi_ = false;
  std::string method_;
  std::string redacted_url_;
  std::string what_;  // "GET https://host/path" (redacted), prefix of every message
  std::shared_ptr<BodySource> body_;
  std::optional<Error> upload_error_;    // from the BodySource, or a short body
  std::optional<Error> callback_error_;  // an exception caught in a libcurl callback
  std::uint64_t uploaded_ = 0;
  CancellationToken cancel_;
  HeaderList header_list_;
  char errbuf_[CURL_ERROR_SIZE];
  std::chrono::milliseconds timeout_{0};
  bool timeout_is_deadline_ = false;
  bool decoding_ = false;
  bool head_refused_ = false;  // OnHeader refused the response head: Start() fails with callback_error_

  ResponseHeaderParser parser_;
  std::string buffer_;
  std::size_t head_ = 0;
  std::size_t const capacity_;
  bool paused_ = false;

  bool done_ = false;          // libcurl reported CURLMSG_DONE
  CURLcode result_ = CURLE_OK;  // its result
  std::optional<Error> error_;  // sticky error, reported once the buffer is drained
};

}  // namespace ccrec::detail
