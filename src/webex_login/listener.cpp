// SPDX-License-Identifier: Apache-2.0
// LoopbackListener (webex_login/login.hpp): a one-shot HTTP listener on 127.0.0.1 for the OAuth
// authorization redirect, on cpp-httplib.
#include <ccrec/webex_login/login.hpp>

#include <httplib.h>

#include "webex_login/redirect_params.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace ccrec::webex {

namespace {

constexpr char kPageStart[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ccrec login</title></head><body>"
    "<h1>ccrec</h1><p>";
constexpr char kPageEnd[] = "</p></body></html>\n";

void Page(httplib::Response& res, int status, std::string const& text) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Content-Security-Policy", "default-src 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(std::string(kPageStart) + text + kPageEnd, "text/html; charset=utf-8");
}

}  // namespace

struct LoopbackListener::Impl {
  LoopbackListenerOptions options;
  httplib::Server server;
  std::thread thread;
  int port = 0;

  std::mutex mu;
  std::condition_variable cv;
  std::optional<Result<std::string>> outcome;  // guarded by mu; the first decisive request

  void Decide(Result<std::string> result) {
    std::lock_guard<std::mutex> lock(mu);
    if (!outcome) outcome = std::move(result);
    cv.notify_all();
  }

  bool Decided() {
    std::lock_guard<std::mutex> lock(mu);
    return outcome.has_value();
  }

  void Handle(httplib::Request const& req, httplib::Response& res) {
    if (req.path != options.path) {
      Page(res, 404, "Not found.");
      return;
    }
    if (Decided()) {
      Page(res, 409, "This login has already received its redirect. Return to the terminal.");
      return;
    }
    // cpp-httplib splits the target: req.path without the query, req.params decoded.
    AuthorizationRedirect redirect;
    for (auto const& [name, value] : req.params) detail::SetRedirectParam(redirect, name, value);
    if (redirect.code.empty() && redirect.error.empty()) {
      Page(res, 400, "This request carries no authorization code. Return to the terminal.");
      Decide(MakeError(ErrorCode::kInvalidArgument,
                       "the redirect to the listener had neither a code nor an error parameter"));
      return;
    }
    auto code = CodeFromRedirect(redirect, options.expected_state);
    if (code) {
      Page(res, 200,
           "Authorization received. You can close this window; the terminal shows whether the token was stored.");
    } else if (code.error().vendor_code == "access_denied") {
      Page(res, 403, "Authorization declined. Return to the terminal.");
    } else if (code.error().vendor_code == "state_mismatch") {
      Page(res, 400, "This redirect does not belong to the running login (state mismatch); nothing was done.");
    } else {
      Page(res, 400, "The authorization failed. Return to the terminal.");
    }
    Decide(std::move(code));
  }
};

LoopbackListener::LoopbackListener() : impl_(std::make_unique<Impl>()) {}

LoopbackListener::~LoopbackListener() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int LoopbackListener::Port() const { return impl_->port; }

Result<std::unique_ptr<LoopbackListener>> LoopbackListener::Start(LoopbackListenerOptions options) {
  if (options.expected_state.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "LoopbackListener: expected_state is required");
  }
  if (options.path.empty() || options.path[0] != '/') {
    return MakeError(ErrorCode::kInvalidArgument,
                     "LoopbackListener: path \"" + options.path + "\" must start with '/'");
  }
  if (options.port < 0 || options.port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "LoopbackListener: port " + std::to_string(options.port) + " is not in 0..65535");
  }
  std::unique_ptr<LoopbackListener> listener(new LoopbackListener());
  Impl& impl = *listener->impl_;
  impl.options = std::move(options);
  auto& server = impl.server;
  server.new_task_queue = [] { return new httplib::ThreadPool(1); };
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_max_count(1);
  server.set_payload_max_length(0);  // a redirect has no body
  std::size_t const limit = impl.options.max_request_bytes;
  server.set_pre_routing_handler([limit](httplib::Request const& req, httplib::Response& res) {
    std::size_t size = req.method.size() + req.target.size() + req.version.size();
    for (auto const& [name, value] : req.headers) size += name.size() + value.size() + 4;
    if (size > limit || !req.body.empty()) {
      Page(res, req.body.empty() ? 431 : 413, "Request too large.");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method != "GET") {
      res.set_header("Allow", "GET");
      Page(res, 405, "Method not allowed.");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  Impl* raw = &impl;
  server.Get(".*", [raw](httplib::Request const& req, httplib::Response& res) { raw->Handle(req, res); });
  if (impl.options.port == 0) {
    impl.port = server.bind_to_any_port("127.0.0.1");
    if (impl.port <= 0) return MakeError(ErrorCode::kUnavailable, "cannot listen on 127.0.0.1 (any port)");
  } else {
    if (!server.bind_to_port("127.0.0.1", impl.options.port)) {
      return MakeError(ErrorCode::kUnavailable, "cannot listen on 127.0.0.1:" + std::to_string(impl.options.port) +
                                                    " (in use by another program?); choose another with --listen-port "
                                                    "and put it in the redirect URI");
    }
    impl.port = impl.options.port;
  }
  impl.thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return listener;
}

Result<std::string> LoopbackListener::WaitForCode(std::chrono::milliseconds timeout, CancellationToken const& cancel) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(impl_->mu);
  while (!impl_->outcome) {
    if (cancel.IsCancelled()) return MakeError(ErrorCode::kCancelled, "login cancelled");
    auto const now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      auto const seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
      return MakeError(ErrorCode::kDeadlineExceeded,
                       "timeout: no authorization redirect arrived at http://127.0.0.1:" + std::to_string(impl_->port) +
                           impl_->options.path + " within " + std::to_string(seconds) +
                           " s; open the printed URL in a browser on this machine, sign in and accept (or raise "
                           "--timeout)");
    }
    impl_->cv.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(100)));
  }
  return *impl_->outcome;
}

}  // namespace ccrec::webex
