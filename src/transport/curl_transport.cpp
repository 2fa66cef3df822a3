// SPDX-License-Identifier: Apache-2.0
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
// * Connection reuse and what is (not) shared between threads: see curl_handle_pool.hpp. The
//   per-request multi handle costs a wakeup socketpair: 3 descriptors per request in flight
//   (FitDescriptorLimit() in descriptor_limit.hpp budgets for it).
// * Code layout: curl_transfer.{hpp,cpp} hold the Transfer class and its easy-handle half
//   (options, callbacks, error mapping); this file holds the multi loop and the public objects.

#include <ccrec/transport/curl.hpp>
#include <ccrec/version.hpp>

#include "transport/curl_transfer.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

namespace ccrec {
inline namespace v1 {
namespace detail {

/// Longest single wait in curl_multi_poll, i.e. the worst-case delay before a cancellation is
/// noticed while no data flows.
constexpr int kPollSliceMs = 50;

// ---- the multi loop ----------------------------------------------------------------------------

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
  auto driven = Drive([this] { return parser_.Complete(); });
  if (!driven) {
    Destroy();
    return driven;
  }
  if (head_refused_) {  // OnHeader refused the head (UnrequestedEncoding): there is no response
    Error e = MapCurlError(CURLE_WRITE_ERROR);
    Destroy();
    return e;
  }
  if (done_) {
    Conclude();
    // Once the head is complete the response is returned even if the transfer has already failed
    // (e.g. the connection dropped mid-body): Read() reports that after the bytes that did arrive.
    if (parser_.Complete()) return {};
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

}  // namespace detail

namespace {

using detail::CaBundle;
using detail::CurlHandlePool;
using detail::HasLineBreakOrNul;
using detail::IsToken;
using detail::OriginOf;
using detail::Transfer;
using detail::TransportState;

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
  response.status = transfer->Status();
  response.headers = transfer->TakeHeaders();
  if (transfer->BodyDecoded()) {
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
  if (!detail::CurlGlobalInit()) {
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
