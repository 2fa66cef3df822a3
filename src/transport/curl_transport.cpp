// The libcurl HttpTransport (include/ccrec/transport/curl.hpp).
//
// Design
// ------
// * Each request runs on a (multi, easy) pair taken from CurlHandlePool. Send() adds the easy
//   handle to its own multi handle and drives it with curl_multi_perform/curl_multi_poll on the
//   calling thread until the final response head has arrived, then returns. There is no
//   background thread.
// * The body is pulled (the technique of google-cloud-cpp's CurlImpl): the write callback copies
//   into a buffer bounded by CurlOptions::receive_buffer_bytes and returns CURL_WRITEFUNC_PAUSE
//   when the next chunk does not fit; BodyReader::Read() drains the buffer, unpauses
//   (curl_easy_pause) and drives the multi handle again. Memory per response is bounded by
//   receive_buffer_bytes plus one libcurl chunk (CURL_MAX_WRITE_SIZE, 16 KiB) plus the chunk
//   libcurl itself holds while paused.
// * A pair goes back to the pool only after its transfer completed cleanly, so its idle
//   connection is in a known state. A response dropped before its body was read, and every failed
//   transfer, destroys its pair (and so closes that connection).
// * Cancellation is polled: before every curl_multi_perform, in the progress callback, in the
//   upload read callback, and in Read(); curl_multi_poll waits at most kPollSliceMs at a time.
// * Connection reuse and what is (not) shared between threads: see curl_handle_pool.hpp.

#include <ccrec/transport/curl.hpp>

#include "transport/ca_bundle.hpp"
#include "transport/curl_handle_pool.hpp"
#include "transport/response_header_parser.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#ifndef CCREC_VERSION_STRING
#define CCREC_VERSION_STRING "0"
#endif

namespace ccrec {
inline namespace v1 {
namespace {

using internal::CaBundle;
using internal::CurlHandlePool;
using internal::CurlHandles;
using internal::ResponseHeaderParser;

/// Longest single wait in curl_multi_poll, i.e. the worst-case delay before a cancellation is
/// noticed while no data flows.
constexpr int kPollSliceMs = 50;

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

  CURLcode first_error() const noexcept { return first_error_; }
  CURLoption failed_option() const noexcept { return failed_option_; }

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

curl_off_t InfoOffT(CURL* easy, CURLINFO info) {
  curl_off_t value = -1;
  if (curl_easy_getinfo(easy, info, &value) != CURLE_OK) return -1;
  return value;
}

// ---- small helpers ---------------------------------------------------------------------------

/// "scheme://authority" of an absolute URL, lower-cased scheme and host; the pool key.
std::string OriginOf(std::string_view url) {
  auto const scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto rest = url.substr(scheme_end + 3);
  auto const end = rest.find_first_of("/?#");
  std::string origin(url.substr(0, scheme_end + 3));
  origin.append(rest.substr(0, end).data(), rest.substr(0, end).size());
  std::transform(origin.begin(), origin.end(), origin.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return origin;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), IsTokenChar);
}

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string TrimTrailingNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

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

  int status() const noexcept { return parser_.status(); }
  HttpHeaders TakeHeaders() { return parser_.TakeHeaders(); }
  bool body_decoded() const noexcept { return decoding_ && method_ != "HEAD"; }

 private:
  static std::size_t OnHeader(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t OnWrite(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t OnRead(char* data, std::size_t size, std::size_t count, void* self);
  static int OnSeek(void* self, curl_off_t offset, int origin);
  static int OnProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);

  std::size_t Deliver(char const* data, std::size_t size);
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

  ResponseHeaderParser parser_;
  std::string buffer_;
  std::size_t head_ = 0;
  std::size_t const capacity_;
  bool paused_ = false;

  bool done_ = false;          // libcurl reported CURLMSG_DONE
  CURLcode result_ = CURLE_OK;  // its result
  std::optional<Error> error_;  // sticky error, reported once the buffer is drained
};

// The callbacks run inside libcurl (C code): no exception may leave them. A failure is kept in
// callback_error_ and the transfer aborted.

std::size_t Transfer::OnHeader(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::size_t const n = size * count;
  try {
    t->parser_.Feed(std::string_view(data, n));
    return n;
  } catch (std::exception const& e) {
    t->callback_error_ = MakeError(ErrorCode::kInternal, std::string("storing the response headers failed: ") + e.what());
    return 0;  // CURLE_WRITE_ERROR
  }
}

std::size_t Transfer::OnWrite(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  try {
    return t->Deliver(data, size * count);
  } catch (std::exception const& e) {
    t->callback_error_ = MakeError(ErrorCode::kInternal, std::string("buffering the response body failed: ") + e.what());
    return 0;  // CURLE_WRITE_ERROR
  }
}

std::size_t Transfer::Deliver(char const* data, std::size_t size) {
  std::size_t const buffered = Buffered();
  // Always accept into an empty buffer (a chunk may exceed a tiny capacity); otherwise pause
  // when the chunk does not fit. libcurl keeps the refused chunk and offers it again on unpause.
  if (buffered > 0 && buffered + size > capacity_) {
    paused_ = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  if (buffered == 0) {
    buffer_.clear();
    head_ = 0;
  } else if (head_ >= buffer_.size() / 2) {
    buffer_.erase(0, head_);
    head_ = 0;
  }
  buffer_.append(data, size);
  return size;
}

std::size_t Transfer::OnRead(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  if (t->cancel_.IsCancelled()) return CURL_READFUNC_ABORT;
  if (!t->body_) return 0;
  try {
    return t->ReadBodySource(data, size * count);
  } catch (std::exception const& e) {
    t->upload_error_ = MakeError(ErrorCode::kInternal, std::string("the request body source threw: ") + e.what());
    return CURL_READFUNC_ABORT;
  }
}

std::size_t Transfer::ReadBodySource(char* data, std::size_t want) {
  auto const declared = body_->Size();
  if (declared) {
    // Never send more than the declared Content-Length (it would corrupt the connection).
    std::uint64_t const remaining = *declared > uploaded_ ? *declared - uploaded_ : 0;
    if (remaining == 0) return 0;
    if (remaining < want) want = static_cast<std::size_t>(remaining);
  }
  auto n = body_->Read(data, want);
  if (!n) {
    upload_error_ = n.error();
    return CURL_READFUNC_ABORT;
  }
  if (*n > want) {
    upload_error_ = MakeError(ErrorCode::kInternal, "the request body source returned more bytes than asked for");
    return CURL_READFUNC_ABORT;
  }
  if (*n == 0 && declared && uploaded_ < *declared) {
    // libcurl would stop sending and wait for a response the server never sends.
    upload_error_ = MakeError(ErrorCode::kInvalidArgument,
                                 "the request body ended after " + std::to_string(uploaded_) + " of " +
                                     std::to_string(*declared) + " bytes (BodySource::Size() promised more)");
    return CURL_READFUNC_ABORT;
  }
  uploaded_ += *n;
  return *n;
}

int Transfer::OnSeek(void* self, curl_off_t offset, int origin) {
  // libcurl rewinds the body when it must resend it (e.g. a reused connection that turned out
  // to be closed by the server).
  auto* t = static_cast<Transfer*>(self);
  if (offset != 0 || origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  if (!t->body_) return CURL_SEEKFUNC_OK;
  try {
    if (!t->body_->Rewind()) return CURL_SEEKFUNC_CANTSEEK;
  } catch (std::exception const&) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t->uploaded_ = 0;
  return CURL_SEEKFUNC_OK;
}

int Transfer::OnProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(self)->cancel_.IsCancelled() ? 1 : 0;
}

Result<void> Transfer::Configure(HttpRequest const& request, CallContext const& ctx) {
  CurlOptions const& opt = state_->options;
  CURL* easy = handles_->easy;
  EasyOptions set(easy);

  // Headers: exactly the caller's. libcurl's own Accept and Expect are suppressed with empty
  // "Name:" entries; an empty caller value is sent with libcurl's "Name;" syntax.
  bool has_accept = false, has_expect = false, has_accept_encoding = false;
  for (auto const& [name, value] : request.headers) {
    if (!IsToken(name) || HasLineBreakOrNul(value)) {
      return MakeError(ErrorCode::kInvalidArgument,
                       what_ + ": invalid request header name or value (header '" + name.substr(0, 64) + "')");
    }
    has_accept = has_accept || HeaderNameEquals(name, "Accept");
    has_expect = has_expect || HeaderNameEquals(name, "Expect");
    has_accept_encoding = has_accept_encoding || HeaderNameEquals(name, "Accept-Encoding");
    if (!header_list_.Append(value.empty() ? name + ";" : name + ": " + value)) {
      return MakeError(ErrorCode::kInternal, what_ + ": out of memory building the header list");
    }
  }
  if ((!has_accept && !header_list_.Append("Accept:")) || (!has_expect && !header_list_.Append("Expect:"))) {
    return MakeError(ErrorCode::kInternal, what_ + ": out of memory building the header list");
  }

  // The URL exactly as given: no CURLU round trip, no dot-segment removal.
  set.String(CURLOPT_URL, request.url.c_str());
  set.Long(CURLOPT_PATH_AS_IS, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
  set.String(CURLOPT_PROTOCOLS_STR, "http,https");
#else
  set.Long(CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  set.Long(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  set.Pointer(CURLOPT_SHARE, state_->pool->share());
  set.Long(CURLOPT_NOSIGNAL, 1L);
  set.Long(CURLOPT_FOLLOWLOCATION, 0L);
  set.Long(CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  set.Long(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  set.Long(CURLOPT_TCP_KEEPALIVE, 1L);
  set.Pointer(CURLOPT_ERRORBUFFER, errbuf_);
  set.Pointer(CURLOPT_HTTPHEADER, header_list_.get());
  set.String(CURLOPT_USERAGENT, state_->user_agent.c_str());
  if (opt.accept_compressed && !has_accept_encoding) {
    set.String(CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
    decoding_ = true;
  }

  // TLS: verification is on unless explicitly disabled.
  if (opt.insecure_skip_verify) {
    set.Long(CURLOPT_SSL_VERIFYPEER, 0L);
    set.Long(CURLOPT_SSL_VERIFYHOST, 0L);
  } else {
    set.Long(CURLOPT_SSL_VERIFYPEER, 1L);
    set.Long(CURLOPT_SSL_VERIFYHOST, 2L);
    if (state_->ca_bundle) {
      using SslCtxFn = CURLcode(CURL*, void*, void*);
      SslCtxFn* fn = [](CURL*, void* ssl_ctx, void* bundle) -> CURLcode {
        // libcurl (OpenSSL backend) has already loaded its default CA bundle into this SSL_CTX's
        // store; add ours next to it.
        static_cast<CaBundle const*>(bundle)->AddToSslCtx(ssl_ctx);
        return CURLE_OK;
      };
      set.Function(CURLOPT_SSL_CTX_FUNCTION, fn);
      set.Pointer(CURLOPT_SSL_CTX_DATA, const_cast<CaBundle*>(state_->ca_bundle.get()));
      if (set.first_error() == CURLE_NOT_BUILT_IN || set.first_error() == CURLE_UNKNOWN_OPTION) {
        return MakeError(ErrorCode::kInvalidArgument,
                         what_ + ": ca_file needs libcurl built with OpenSSL (CURLOPT_SSL_CTX_FUNCTION); this "
                                 "libcurl uses " +
                             std::string(curl_version()));
      }
    }
  }

  // Proxies: libcurl reads the environment by default; an explicit proxy wins; "" disables both.
  if (!opt.proxy.empty()) {
    set.String(CURLOPT_PROXY, opt.proxy.c_str());
  } else if (!opt.proxy_from_environment) {
    set.String(CURLOPT_PROXY, "");
  }

  // Timeouts. ctx.deadline caps the per-attempt total.
  if (opt.connect_timeout.count() > 0) set.Long(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt.connect_timeout.count()));
  timeout_ = request.timeout.value_or(opt.total_timeout);
  if (ctx.deadline) {
    auto const remaining = std::chrono::ceil<std::chrono::milliseconds>(*ctx.deadline - std::chrono::system_clock::now());
    if (remaining.count() <= 0) {
      return MakeError(ErrorCode::kDeadlineExceeded, what_ + ": the call's deadline has already passed");
    }
    if (timeout_.count() <= 0 || remaining < timeout_) {
      timeout_ = remaining;
      timeout_is_deadline_ = true;
    }
  }
  if (timeout_.count() > 0) {
    auto const ms = std::min<std::int64_t>(timeout_.count(), std::numeric_limits<long>::max());
    set.Long(CURLOPT_TIMEOUT_MS, static_cast<long>(ms));
  }
  if (opt.low_speed_bytes_per_second > 0 && opt.low_speed_time.count() > 0) {
    set.Long(CURLOPT_LOW_SPEED_LIMIT, opt.low_speed_bytes_per_second);
    set.Long(CURLOPT_LOW_SPEED_TIME, static_cast<long>(opt.low_speed_time.count()));
  }

  // Callbacks.
  set.Function(CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  set.Pointer(CURLOPT_HEADERDATA, this);
  set.Function(CURLOPT_WRITEFUNCTION, &Transfer::OnWrite);
  set.Pointer(CURLOPT_WRITEDATA, this);
  set.Long(CURLOPT_NOPROGRESS, 0L);
  set.Function(CURLOPT_XFERINFOFUNCTION, &Transfer::OnProgress);
  set.Pointer(CURLOPT_XFERINFODATA, this);

  // Method and body.
  std::string const& method = request.method;
  bool const has_body = request.body != nullptr;
  if (method == "HEAD") {
    if (has_body) return MakeError(ErrorCode::kInvalidArgument, what_ + ": a HEAD request cannot have a body");
    set.Long(CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && !has_body) {
    set.Long(CURLOPT_HTTPGET, 1L);
  } else if (has_body || method == "PUT" || method == "POST") {
    // Every body goes through the upload path: CURLOPT_READFUNCTION, Content-Length when the
    // size is known (0 for a body-less PUT/POST), chunked otherwise. No form Content-Type.
    std::optional<std::uint64_t> size = has_body ? request.body->Size() : std::optional<std::uint64_t>(0);
    if (size && *size > static_cast<std::uint64_t>(std::numeric_limits<curl_off_t>::max())) {
      return MakeError(ErrorCode::kInvalidArgument, what_ + ": request body too large");
    }
    if (has_body) {
      // The body is the whole content from its first byte; this also makes a retried Send()
      // resend it from the start.
      auto rewound = request.body->Rewind();
      if (!rewound && state_->options.logger.Enabled(LogLevel::kDebug)) {
        state_->options.logger.Debug(what_ + ": request body cannot rewind (" + rewound.error().message +
                                     "); sending it from its current position");
      }
    }
    set.Long(CURLOPT_UPLOAD, 1L);
    set.OffT(CURLOPT_INFILESIZE_LARGE, size ? static_cast<curl_off_t>(*size) : curl_off_t{-1});
    set.Function(CURLOPT_READFUNCTION, &Transfer::OnRead);
    set.Pointer(CURLOPT_READDATA, this);
    set.Function(CURLOPT_SEEKFUNCTION, &Transfer::OnSeek);
    set.Pointer(CURLOPT_SEEKDATA, this);
    if (method != "PUT") set.String(CURLOPT_CUSTOMREQUEST, method.c_str());
  } else {
    set.String(CURLOPT_CUSTOMREQUEST, method.c_str());  // DELETE, OPTIONS, ... without a body
  }

  if (set.first_error() != CURLE_OK) {
    return MakeError(ErrorCode::kInternal, what_ + ": libcurl rejected option " +
                                               std::to_string(static_cast<int>(set.failed_option())) + ": " +
                                               curl_easy_strerror(set.first_error()));
  }
  return {};
}

Result<void> Transfer::Start(HttpRequest const& request, CallContext const& ctx) {
  if (auto configured = Configure(request, ctx); !configured) {
    state_->pool->Release(std::move(handles_));  // never started: the pair and its connection are intact
    return configured;
  }
  CURLMcode const added = curl_multi_add_handle(handles_->multi, handles_->easy);
  if (added != CURLM_OK) {
    return MakeError(ErrorCode::kInternal, what_ + ": curl_multi_add_handle failed: " + curl_multi_strerror(added));
  }
  in_multi_ = true;
  auto driven = Drive([this] { return parser_.complete(); });
  if (!driven) {
    Destroy();
    return driven;
  }
  if (done_) {
    Conclude();
    // Once the head is complete the response is returned even if the transfer has already failed
    // (e.g. the connection dropped mid-body): Read() reports that after the bytes that did arrive.
    if (parser_.complete()) return {};
    if (error_) return *error_;
    return MakeError(ErrorCode::kTransport, what_ + ": the server sent no complete HTTP response head");
  }
  return {};
}

template <typename Predicate>
Result<void> Transfer::Drive(Predicate enough) {
  CURLM* multi = handles_->multi;
  for (;;) {
    if (cancel_.IsCancelled()) return CancelledError();
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) {
      return MakeError(ErrorCode::kInternal, what_ + ": curl_multi_perform failed: " + curl_multi_strerror(mc));
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == handles_->easy) {
        done_ = true;
        result_ = msg->data.result;
      }
    }
    if (done_ || enough()) return {};
    mc = curl_multi_poll(multi, nullptr, 0, kPollSliceMs, nullptr);
    if (mc != CURLM_OK) {
      return MakeError(ErrorCode::kInternal, what_ + ": curl_multi_poll failed: " + curl_multi_strerror(mc));
    }
  }
}

void Transfer::Conclude() {
  if (!handles_) return;
  if (result_ != CURLE_OK) {
    if (!error_) error_ = MapCurlError(result_);
    Destroy();
    return;
  }
  curl_multi_remove_handle(handles_->multi, handles_->easy);
  in_multi_ = false;
  state_->pool->Release(std::move(handles_));
}

void Transfer::Destroy() {
  if (!handles_) return;
  if (in_multi_) curl_multi_remove_handle(handles_->multi, handles_->easy);
  in_multi_ = false;
  handles_.reset();
}

Result<std::size_t> Transfer::Read(char* buffer, std::size_t size) {
  if (size == 0 || buffer == nullptr) {
    return MakeError(ErrorCode::kInvalidArgument, what_ + ": BodyReader::Read needs a non-empty buffer");
  }
  for (;;) {
    std::size_t const buffered = Buffered();
    if (buffered == 0 && done_) {
      if (error_) return *error_;
      return std::size_t{0};
    }
    if (error_ && !done_) return *error_;  // cancelled or failed while driving
    if (cancel_.IsCancelled() && !done_) {
      Destroy();
      error_ = CancelledError();
      return *error_;
    }
    if (buffered > 0) {
      std::size_t const n = std::min(size, buffered);
      std::memcpy(buffer, buffer_.data() + head_, n);
      head_ += n;
      return n;
    }
    // Empty buffer, transfer still running: let libcurl deliver the next chunk.
    if (paused_) {
      paused_ = false;
      CURLcode const rc = curl_easy_pause(handles_->easy, CURLPAUSE_CONT);  // may call OnWrite
      if (rc != CURLE_OK) {
        error_ = MakeError(ErrorCode::kTransport, what_ + ": could not resume the transfer: " + curl_easy_strerror(rc));
        Destroy();
        return *error_;
      }
    }
    auto driven = Drive([this] { return Buffered() > 0; });
    if (!driven) {
      error_ = driven.error();
      Destroy();
      return *error_;
    }
    if (done_) Conclude();
  }
}

Error Transfer::MapCurlError(CURLcode code) {
  std::string detail = TrimTrailingNewlines(errbuf_[0] != '\0' ? std::string(errbuf_) : std::string());
  if (detail.empty()) detail = curl_easy_strerror(code);
  detail = RedactSecrets(detail);
  auto make = [&](ErrorCode ec, std::string text) { return MakeError(ec, what_ + ": " + std::move(text)); };

  if (callback_error_) {
    Error e = *callback_error_;
    e.message = what_ + ": " + e.message;
    return e;
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: {
      std::string why;
      if (timeout_is_deadline_) {
        why = "the call's deadline was reached";
      } else if (timeout_.count() > 0) {
        why = "limits: total timeout " + std::to_string(timeout_.count()) + " ms, connect timeout " +
              std::to_string(state_->options.connect_timeout.count()) + " ms, low-speed limit " +
              std::to_string(state_->options.low_speed_bytes_per_second) + " B/s for " +
              std::to_string(state_->options.low_speed_time.count()) + " s";
      } else {
        why = "limits: connect timeout " + std::to_string(state_->options.connect_timeout.count()) +
              " ms, low-speed limit " + std::to_string(state_->options.low_speed_bytes_per_second) + " B/s for " +
              std::to_string(state_->options.low_speed_time.count()) + " s";
      }
      return make(ErrorCode::kDeadlineExceeded, "timed out (" + detail + "; " + why + ")");
    }
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_READ_ERROR:
      if (upload_error_) {
        Error e = *upload_error_;
        e.message = what_ + ": sending the request body failed: " + e.message;
        return e;
      }
      if (cancel_.IsCancelled()) return CancelledError();
      if (code == CURLE_READ_ERROR && body_) {
        auto const size = body_->Size();
        return make(ErrorCode::kInvalidArgument,
                    "the request body ended after " + std::to_string(uploaded_) + " of " +
                        (size ? std::to_string(*size) : std::string("?")) + " bytes (" + detail + ")");
      }
      return make(ErrorCode::kInternal, "transfer aborted (" + detail + ")");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    {
      // Retrying cannot fix a certificate the client does not trust: mark it so IsRetryable() stops.
      Error e = make(ErrorCode::kTransport,
                     "TLS certificate verification failed (" + detail +
                         "). If the server uses a private or corporate CA, pass its PEM bundle with --ca-file "
                         "(CurlOptions::ca_file); it is trusted in addition to the system CAs.");
      e.vendor_code = kTlsVerificationFailed;
      return e;
    }
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
      return make(ErrorCode::kTransport, "TLS handshake failed (" + detail + ")");
    case CURLE_COULDNT_RESOLVE_HOST:
      return make(ErrorCode::kTransport, "could not resolve the host (" + detail + ")");
    case CURLE_COULDNT_RESOLVE_PROXY:
      return make(ErrorCode::kTransport, "could not resolve the proxy (" + detail + ")");
    case CURLE_COULDNT_CONNECT:
      return make(ErrorCode::kTransport, "could not connect (" + detail + ")");
    case CURLE_GOT_NOTHING:
      return make(ErrorCode::kTransport, "the server closed the connection without a response (" + detail + ")");
    case CURLE_SEND_ERROR:
      return make(ErrorCode::kTransport, "connection failed while sending (" + detail + ")");
    case CURLE_RECV_ERROR:
      return make(ErrorCode::kTransport, "connection failed while receiving (" + detail + ")");
    case CURLE_PARTIAL_FILE: {
      curl_off_t const got = handles_ ? InfoOffT(handles_->easy, CURLINFO_SIZE_DOWNLOAD_T) : -1;
      curl_off_t const want = handles_ ? InfoOffT(handles_->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) : -1;
      std::string text = "connection closed after " + (got >= 0 ? std::to_string(got) : std::string("?"));
      text += want >= 0 ? " of " + std::to_string(want) + " bytes of the response body"
                        : " bytes, before the end of the response body";
      return make(ErrorCode::kTransport, text + " (" + detail + ")");
    }
    case CURLE_BAD_CONTENT_ENCODING:
      return make(ErrorCode::kTransport, "could not decode the compressed response body (" + detail + ")");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return make(ErrorCode::kInvalidArgument, "invalid URL (" + detail + ")");
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return make(ErrorCode::kInternal, "libcurl failed (" + detail + ")");
    default:
      return make(ErrorCode::kTransport, std::string(curl_easy_strerror(code)) + " (" + detail + ")");
  }
}

// ---- the public objects ------------------------------------------------------------------------

class CurlBodyReader final : public BodyReader {
 public:
  explicit CurlBodyReader(std::unique_ptr<Transfer> transfer) : transfer_(std::move(transfer)) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    try {
      return transfer_->Read(buffer, size);
    } catch (std::exception const& e) {
      return MakeError(ErrorCode::kInternal, std::string("reading the response body failed: ") + e.what());
    }
  }

 private:
  std::unique_ptr<Transfer> transfer_;
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(std::shared_ptr<TransportState const> state) : state_(std::move(state)) {}

  Result<HttpResponse> Send(HttpRequest const& request, CallContext const& ctx) override {
    try {
      return SendImpl(request, ctx);
    } catch (std::exception const& e) {
      return MakeError(ErrorCode::kInternal, request.method + " " + RedactUrl(request.url) + ": " + e.what());
    }
  }

 private:
  Result<HttpResponse> SendImpl(HttpRequest const& request, CallContext const& ctx);

  std::shared_ptr<TransportState const> state_;
};

Result<HttpResponse> CurlTransport::SendImpl(HttpRequest const& request, CallContext const& ctx) {
  std::string const what = request.method + " " + RedactUrl(request.url);
  if (state_->config_error) {
    Error e = *state_->config_error;
    e.message = what + ": " + e.message;
    return e;
  }
  if (!IsToken(request.method)) {
    return MakeError(ErrorCode::kInvalidArgument, what + ": invalid HTTP method");
  }
  if (request.url.empty() || HasLineBreakOrNul(request.url)) {
    return MakeError(ErrorCode::kInvalidArgument, what + ": invalid URL");
  }
  if (ctx.cancel.IsCancelled()) return MakeError(ErrorCode::kCancelled, what + ": cancelled");

  Logger const& logger = state_->options.logger;
  auto const started = std::chrono::steady_clock::now();
  auto handles = state_->pool->Acquire(OriginOf(request.url));
  if (!handles) return MakeError(ErrorCode::kInternal, what + ": libcurl could not allocate a handle");
  handles->origin = OriginOf(request.url);

  auto transfer = std::make_unique<Transfer>(state_, std::move(handles), request, ctx);
  if (logger.Enabled(LogLevel::kDebug)) logger.Debug("HTTP " + what);
  auto started_ok = transfer->Start(request, ctx);
  if (!started_ok) {
    if (logger.Enabled(LogLevel::kDebug)) logger.Debug("HTTP " + what + " failed: " + started_ok.error().message);
    return started_ok.error();
  }

  HttpResponse response;
  response.status = transfer->status();
  response.headers = transfer->TakeHeaders();
  if (transfer->body_decoded()) {
    auto const encoding = FindHeader(response.headers, "Content-Encoding");
    if (encoding && !encoding->empty() && !HeaderNameEquals(*encoding, "identity")) {
      // libcurl decoded the body: these headers describe the encoded bytes, not what Read() returns.
      RemoveHeader(response.headers, "Content-Encoding");
      RemoveHeader(response.headers, "Content-Length");
    }
  }
  if (logger.Enabled(LogLevel::kDebug)) {
    auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    logger.Debug("HTTP " + what + " -> " + std::to_string(response.status) + " (headers after " +
                 std::to_string(ms.count()) + " ms)");
  }
  response.body = std::make_unique<CurlBodyReader>(std::move(transfer));
  return response;
}

}  // namespace

std::shared_ptr<HttpTransport> MakeCurlTransport(CurlOptions options) {
  auto state = std::make_shared<TransportState>();
  if (!internal::CurlGlobalInit()) {
    state->config_error = MakeError(ErrorCode::kInternal, "curl_global_init failed");
  }
  state->user_agent = options.user_agent.empty() ? std::string("ccrec/" CCREC_VERSION_STRING) : options.user_agent;
  if (options.insecure_skip_verify) {
    options.logger.Warn(
        "TLS certificate verification is DISABLED (insecure_skip_verify / --insecure): connections can be "
        "intercepted; never use this in production");
  } else if (!options.ca_file.empty()) {
    auto bundle = CaBundle::Load(options.ca_file);
    if (bundle) {
      state->ca_bundle = *std::move(bundle);
    } else {
      state->config_error = bundle.error();
    }
  }
  state->pool = std::make_shared<CurlHandlePool>(options.max_idle_connections);
  state->options = std::move(options);
  return std::make_shared<CurlTransport>(std::move(state));
}

}  // namespace v1
}  // namespace ccrec
