// SPDX-License-Identifier: Apache-2.0
// The easy-handle half of a libcurl transfer (see curl_transfer.hpp): options, callbacks and
// error mapping. The multi loop that drives it is in curl_transport.cpp.

#include "internal/ascii.hpp"
#include "transport/curl_transfer.hpp"

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

namespace ccrec::detail {

curl_off_t InfoOffT(CURL* easy, CURLINFO info) {
  curl_off_t value = -1;
  if (curl_easy_getinfo(easy, info, &value) != CURLE_OK) return -1;
  return value;
}

std::string OriginOf(std::string_view url) {
  auto const scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto rest = url.substr(scheme_end + 3);
  auto const end = rest.find_first_of("/?#");
  std::string origin(url.substr(0, scheme_end + 3));
  origin.append(rest.substr(0, end).data(), rest.substr(0, end).size());
  return detail::ToLowerAscii(origin);
}

namespace {
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}
}  // namespace

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

// The callbacks run inside libcurl (C code): no exception may leave them. A failure is kept in
// callback_error_ and the transfer aborted.

std::size_t Transfer::OnHeader(char* data, std::size_t size, std::size_t count, void* self) {
  auto* t = static_cast<Transfer*>(self);
  std::size_t const n = size * count;
  try {
    bool const had_head = t->parser_.Complete();
    t->parser_.Feed(std::string_view(data, n));
    if (!had_head && t->parser_.Complete() && t->BodyDecoded()) {
      if (auto refused = t->UnrequestedEncoding()) {  // before libcurl decodes a byte of the body
        t->callback_error_ = std::move(refused);
        t->head_refused_ = true;
        return 0;  // CURLE_WRITE_ERROR
      }
    }
    return n;
  } catch (std::exception const& e) {
    t->callback_error_ = MakeError(ErrorCode::kInternal, std::string("storing the response headers failed: ") + e.what());
    return 0;  // CURLE_WRITE_ERROR
  }
}

std::optional<Error> Transfer::UnrequestedEncoding() const {
  std::string codings;  // as the server wrote them, for the message
  std::size_t gzip = 0;
  bool other = false;
  for (auto const& [name, value] : parser_.Headers()) {
    if (!HeaderNameEquals(name, "Content-Encoding")) continue;
    codings += (codings.empty() ? "" : ", ") + value;
    std::size_t pos = 0;
    while (pos <= value.size()) {
      auto comma = value.find(',', pos);
      if (comma == std::string::npos) comma = value.size();
      std::string coding = ToLowerAscii(value.substr(pos, comma - pos));
      coding.erase(0, coding.find_first_not_of(" \t"));
      coding.erase(coding.find_last_not_of(" \t") + 1);
      if (coding == "gzip" || coding == "x-gzip") {
        ++gzip;
      } else if (!coding.empty() && coding != "identity") {
        other = true;
      }
      pos = comma + 1;
    }
  }
  if (!other && gzip <= 1) return std::nullopt;
  return MakeError(ErrorCode::kTransport, "the response has Content-Encoding \"" + codings +
                                              "\" but only one gzip layer was asked for (Accept-Encoding: gzip); "
                                              "refused instead of decoded, as it could expand without bound");
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
  set.Pointer(CURLOPT_SHARE, state_->pool->Share());
  set.Long(CURLOPT_NOSIGNAL, 1L);
  set.Long(CURLOPT_FOLLOWLOCATION, 0L);
  set.Long(CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  set.Long(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  set.Long(CURLOPT_TCP_KEEPALIVE, 1L);
  set.Pointer(CURLOPT_ERRORBUFFER, errbuf_);
  set.Pointer(CURLOPT_HTTPHEADER, header_list_.get());
  set.String(CURLOPT_USERAGENT, state_->user_agent.c_str());
  if (opt.accept_compressed && !has_accept_encoding) {
    // gzip only: inflating expands at most ~1032:1, and a paused transfer buffers the decoded
    // output of a whole network read (16 KiB -> at most ~16 MiB). "" would also offer deflate,
    // br and zstd (brotli and zstd expand by far more).
    set.String(CURLOPT_ACCEPT_ENCODING, "gzip");
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
      if (set.FirstError() == CURLE_NOT_BUILT_IN || set.FirstError() == CURLE_UNKNOWN_OPTION) {
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
  auto const cap = [](std::uint64_t v) {
    return static_cast<curl_off_t>(std::min<std::uint64_t>(v, std::numeric_limits<curl_off_t>::max()));
  };
  if (opt.max_send_bytes_per_second > 0) set.OffT(CURLOPT_MAX_SEND_SPEED_LARGE, cap(opt.max_send_bytes_per_second));
  if (opt.max_recv_bytes_per_second > 0) set.OffT(CURLOPT_MAX_RECV_SPEED_LARGE, cap(opt.max_recv_bytes_per_second));

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

  if (set.FirstError() != CURLE_OK) {
    return MakeError(ErrorCode::kInternal, what_ + ": libcurl rejected option " +
                                               std::to_string(static_cast<int>(set.FailedOption())) + ": " +
                                               curl_easy_strerror(set.FirstError()));
  }
  return {};
}

namespace {

/// A libcurl result whose error is always the same: its code and text (the detail follows in
/// parentheses).
struct FixedCurlError {
  CURLcode code;
  ErrorCode error;
  char const* text;
};

constexpr FixedCurlError kFixedCurlErrors[] = {
    {CURLE_SSL_CONNECT_ERROR, ErrorCode::kTransport, "TLS handshake failed"},
    {CURLE_SSL_CERTPROBLEM, ErrorCode::kTransport, "TLS handshake failed"},
    {CURLE_SSL_CIPHER, ErrorCode::kTransport, "TLS handshake failed"},
    {CURLE_SSL_ENGINE_NOTFOUND, ErrorCode::kTransport, "TLS handshake failed"},
    {CURLE_SSL_ENGINE_SETFAILED, ErrorCode::kTransport, "TLS handshake failed"},
    {CURLE_SSL_SHUTDOWN_FAILED, ErrorCode::kTransport, "TLS handshake failed"},
    {CURLE_SSL_CRL_BADFILE, ErrorCode::kTransport, "TLS handshake failed"},
    {CURLE_COULDNT_RESOLVE_HOST, ErrorCode::kTransport, "could not resolve the host"},
    {CURLE_COULDNT_RESOLVE_PROXY, ErrorCode::kTransport, "could not resolve the proxy"},
    {CURLE_COULDNT_CONNECT, ErrorCode::kTransport, "could not connect"},
    {CURLE_GOT_NOTHING, ErrorCode::kTransport, "the server closed the connection without a response"},
    {CURLE_SEND_ERROR, ErrorCode::kTransport, "connection failed while sending"},
    {CURLE_RECV_ERROR, ErrorCode::kTransport, "connection failed while receiving"},
    {CURLE_BAD_CONTENT_ENCODING, ErrorCode::kTransport, "could not decode the compressed response body"},
    {CURLE_URL_MALFORMAT, ErrorCode::kInvalidArgument, "invalid URL"},
    {CURLE_UNSUPPORTED_PROTOCOL, ErrorCode::kInvalidArgument, "invalid URL"},
    {CURLE_OUT_OF_MEMORY, ErrorCode::kInternal, "libcurl failed"},
    {CURLE_FAILED_INIT, ErrorCode::kInternal, "libcurl failed"},
    {CURLE_BAD_FUNCTION_ARGUMENT, ErrorCode::kInternal, "libcurl failed"},
};

}  // namespace

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
      } else {
        why = "limits: ";
        if (timeout_.count() > 0) why += "total timeout " + std::to_string(timeout_.count()) + " ms, ";
        why += "connect timeout " + std::to_string(state_->options.connect_timeout.count()) + " ms, low-speed limit " +
               std::to_string(state_->options.low_speed_bytes_per_second) + " B/s for " +
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
    case CURLE_PARTIAL_FILE: {
      curl_off_t const got = handles_ ? InfoOffT(handles_->easy, CURLINFO_SIZE_DOWNLOAD_T) : -1;
      curl_off_t const want = handles_ ? InfoOffT(handles_->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) : -1;
      std::string text = "connection closed after " + (got >= 0 ? std::to_string(got) : std::string("?"));
      text += want >= 0 ? " of " + std::to_string(want) + " bytes of the response body"
                        : " bytes, before the end of the response body";
      return make(ErrorCode::kTransport, text + " (" + detail + ")");
    }
    default:
      for (auto const& fixed : kFixedCurlErrors) {
        if (fixed.code == code) return make(fixed.error, fixed.text + (" (" + detail + ")"));
      }
      return make(ErrorCode::kTransport, std::string(curl_easy_strerror(code)) + " (" + detail + ")");
  }
}

}  // namespace ccrec::detail
