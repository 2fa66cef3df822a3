// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// An HTTP(S) listener for Webex Contact Center webhook deliveries, on cpp-httplib (part of the
/// optional ccrec::webex_login target). It only moves bytes: the handler gets the raw body and
/// the headers and decides the answer (ccrec::webex::VerifyWebhook() plus a durable store, as
/// `ccrec-export webex serve` does).
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace ccrec::webex {

/// Options of WebhookListener::Start().
struct CCREC_EXPORT WebhookListenerOptions {
  /// Address to bind. Default "127.0.0.1" (behind a TLS-terminating reverse proxy); "0.0.0.0"
  /// for every interface.
  std::string host = "127.0.0.1";
  /// Port; 0 = a free port chosen by the system (see WebhookListener::Port()). Default 0.
  int port = 0;
  /// The one path answered to POST; other paths get 404, other methods 405. Default "/webhooks/webex".
  std::string path = "/webhooks/webex";
  /// Bodies larger than this are refused with 413 without being read. Default 256 KiB.
  std::size_t max_body_bytes = 256 * 1024;
  /// PEM certificate chain and private key: serve HTTPS. Both or neither. Default: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// Worker threads answering requests (a flood queues behind them). Default 4.
  std::size_t threads = 4;
};

/// The answer of a WebhookListener::Handler.
struct WebhookReply {
  int status = 200;
  /// A short text/plain body (never the secret, never the delivery).
  std::string text;
};

/// A multi-threaded HTTP(S) listener calling `handler` for each POST to `path`.
///
/// @par Thread safety
/// The handler is called concurrently from the listener's threads. Port() and Stop() from any thread.
class CCREC_EXPORT WebhookListener {
 public:
  using Handler = std::function<WebhookReply(HttpHeaders const& headers, std::string const& body)>;
  /// Binds and starts serving in background threads.
  /// Errors: kInvalidArgument (path not starting with '/', port outside 0..65535, only one of the
  /// TLS files, certificate or key unreadable); kUnavailable when the address cannot be bound.
  static Result<std::unique_ptr<WebhookListener>> Start(WebhookListenerOptions options, Handler handler);
  /// Stops and joins.
  ~WebhookListener();
  WebhookListener(WebhookListener const&) = delete;
  WebhookListener& operator=(WebhookListener const&) = delete;
  /// The bound port.
  int Port() const;
  /// Stops accepting and answering; returns after the serving thread ended.
  void Stop();

 private:
  WebhookListener();
  struct CCREC_HIDDEN Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccrec::webex
