// SPDX-License-Identifier: Apache-2.0
// WebhookListener (webex_login/webhook_listener.hpp): POST receiver for webhook deliveries on
// cpp-httplib, HTTPS when given a certificate (Debian's cpp-httplib is built with OpenSSL).
#include <ccrec/webex_login/webhook_listener.hpp>

#include <httplib.h>

#include <fstream>
#include <thread>

namespace ccrec::webex {

struct WebhookListener::Impl {
  WebhookListenerOptions options;
  Handler handler;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
};

WebhookListener::WebhookListener() : impl_(std::make_unique<Impl>()) {}

WebhookListener::~WebhookListener() { Stop(); }

int WebhookListener::Port() const { return impl_->port; }

void WebhookListener::Stop() {
  if (impl_->server) impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

namespace {

bool Readable(std::string const& path) {
  std::ifstream in(path);
  return in.good();
}

void Text(httplib::Response& res, int status, std::string const& text) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(text + "\n", "text/plain; charset=utf-8");
}

}  // namespace

Result<std::unique_ptr<WebhookListener>> WebhookListener::Start(WebhookListenerOptions options, Handler handler) {
  if (options.path.empty() || options.path[0] != '/') {
    return MakeError(ErrorCode::kInvalidArgument, "webhook listener: path \"" + options.path + "\" must start with '/'");
  }
  if (options.port < 0 || options.port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "webhook listener: port " + std::to_string(options.port) + " is not in 0..65535");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "webhook listener: TLS needs both a certificate and a key file");
  }
  if (!handler) return MakeError(ErrorCode::kInvalidArgument, "webhook listener: no handler");
  std::unique_ptr<WebhookListener> listener(new WebhookListener());
  Impl& impl = *listener->impl_;
  impl.options = std::move(options);
  impl.handler = std::move(handler);
  if (!impl.options.tls_cert_file.empty()) {
    for (auto const* file : {&impl.options.tls_cert_file, &impl.options.tls_key_file}) {
      if (!Readable(*file)) {
        return MakeError(ErrorCode::kInvalidArgument, "webhook listener: cannot read TLS file " + *file);
      }
    }
    auto tls = std::make_unique<httplib::SSLServer>(impl.options.tls_cert_file.c_str(),
                                                    impl.options.tls_key_file.c_str());
    if (!tls->is_valid()) {
      return MakeError(ErrorCode::kInvalidArgument, "webhook listener: the TLS certificate " +
                                                        impl.options.tls_cert_file + " or key " +
                                                        impl.options.tls_key_file + " is not usable (PEM expected)");
    }
    impl.server = std::move(tls);
  } else {
    impl.server = std::make_unique<httplib::Server>();
  }
  auto& server = *impl.server;
  std::size_t const threads = impl.options.threads == 0 ? 1 : impl.options.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_payload_max_length(impl.options.max_body_bytes);  // larger: 413 before the body is read
  Impl* raw = &impl;
  server.Post(".*", [raw](httplib::Request const& req, httplib::Response& res) {
    if (req.path != raw->options.path) return Text(res, 404, "not found");
    HttpHeaders headers;
    for (auto const& [name, value] : req.headers) headers.emplace_back(name, value);
    auto reply = raw->handler(headers, req.body);
    Text(res, reply.status, reply.text);
  });
  server.set_pre_routing_handler([](httplib::Request const& req, httplib::Response& res) {
    if (req.method != "POST") {
      res.set_header("Allow", "POST");
      Text(res, 405, "method not allowed");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto const& host = impl.options.host;
  if (impl.options.port == 0) {
    impl.port = server.bind_to_any_port(host);
    if (impl.port <= 0) return MakeError(ErrorCode::kUnavailable, "webhook listener: cannot listen on " + host);
  } else {
    if (!server.bind_to_port(host, impl.options.port)) {
      return MakeError(ErrorCode::kUnavailable, "webhook listener: cannot listen on " + host + ":" +
                                                    std::to_string(impl.options.port) + " (in use, or not permitted)");
    }
    impl.port = impl.options.port;
  }
  impl.thread = std::thread([raw] { raw->server->listen_after_bind(); });
  return listener;
}

}  // namespace ccrec::webex
