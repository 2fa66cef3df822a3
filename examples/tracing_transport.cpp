// SPDX-License-Identifier: Apache-2.0
// An HttpTransport decorator that traces every request: method, redacted URL, status (or the
// error) and the time to the response headers. It wraps any transport (here libcurl's) and can be
// handed to every ccrec client and sink that takes a `transport`, e.g. S3SinkOptions::transport,
// webex::ClientOptions::transport, huawei/face options.
//
// It never logs a secret: the URL goes through ccrec::RedactUrl (a presigned URL keeps only its
// scheme, host and path; token-like query values are masked), headers (Authorization, cookies,
// X-Amz-Security-Token) and bodies are never logged.
//
//   tracing_transport URL      GET URL through libcurl, traced
//   tracing_transport --demo   the same over a canned in-process transport (no network)
#include "example_util.hpp"

#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/transport/curl.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace {

/// Traces each Send() through `sink` (one line per request), then returns what `inner` returned.
/// Thread-safe when `inner` and `sink` are (ccrec calls Send() from many threads).
class TracingTransport : public ccrec::HttpTransport {
 public:
  using TraceSink = std::function<void(std::string const& line)>;
  TracingTransport(std::shared_ptr<ccrec::HttpTransport> inner, TraceSink sink)
      : inner_(std::move(inner)), sink_(std::move(sink)) {}

  ccrec::Result<ccrec::HttpResponse> Send(ccrec::HttpRequest const& request, ccrec::CallContext const& ctx) override {
    auto const start = std::chrono::steady_clock::now();
    auto response = inner_->Send(request, ctx);
    auto const ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    std::string line = "http " + request.method + " " + ccrec::RedactUrl(request.url) + " -> ";
    // An error message may quote the URL or a server answer: redact it too.
    line += response ? std::to_string(response->status) : "error " + ccrec::RedactSecrets(response.error().ToString());
    line += " in " + std::to_string(ms) + " ms";
    sink_(line);
    return response;
  }

 private:
  std::shared_ptr<ccrec::HttpTransport> inner_;
  TraceSink sink_;
};

/// A canned transport for --demo: 200 with a small body, 404 for paths ending in /missing.
class CannedTransport : public ccrec::HttpTransport {
 public:
  ccrec::Result<ccrec::HttpResponse> Send(ccrec::HttpRequest const& request, ccrec::CallContext const&) override {
    ccrec::HttpResponse response;
    bool const missing = request.url.find("/missing") != std::string::npos;
    response.status = missing ? 404 : 200;
    response.body = std::make_unique<example_util::StringBody>(missing ? "" : "hello");
    return response;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: tracing_transport URL | --demo\n";
    return 2;
  }
  std::mutex mu;
  auto trace = [&mu](std::string const& line) {
    std::lock_guard<std::mutex> lock(mu);
    std::cerr << line << "\n";
  };
  std::string const arg = argv[1];
  bool const demo = arg == "--demo";
  std::shared_ptr<ccrec::HttpTransport> inner;
  if (demo) {
    inner = std::make_shared<CannedTransport>();
  } else {
    inner = ccrec::MakeCurlTransport();
  }
  auto transport = std::make_shared<TracingTransport>(inner, trace);

  std::vector<std::string> urls;
  if (demo) {
    urls = {"https://bucket.s3.example.com/recordings/a.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE"
            "%2F20261101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0123456789abcdef",
            "https://api.example.com/v1/tasks?access_token=SECRET-TOKEN&from=1",
            "https://api.example.com/v1/missing"};
  } else {
    urls = {arg};
  }
  int status = 0;
  for (auto const& url : urls) {
    ccrec::HttpRequest request;
    request.url = url;
    request.headers.push_back({"Authorization", "Bearer NEVER-LOGGED"});
    auto response = transport->Send(request, {});
    if (!response) {
      status = 1;
      continue;
    }
    auto body = response->ReadAll();
    std::cout << (body ? std::to_string(body->size()) + " bytes" : body.error().ToString()) << "\n";
  }
  return status;
}
