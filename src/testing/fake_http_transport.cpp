// SPDX-License-Identifier: Apache-2.0
#include <ccrec/testing/fake_http_transport.hpp>

#include <algorithm>
#include <cstring>

namespace ccrec::testing {

namespace {

class StringBodyReader : public BodyReader {
 public:
  StringBodyReader(std::string data, std::size_t chunk, std::optional<Error> fail_with)
      : data_(std::move(data)), chunk_(std::max<std::size_t>(1, chunk)), fail_with_(std::move(fail_with)) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (size == 0) return std::size_t{0};  // not the end of the data: nothing was asked for
    std::size_t n = std::min({size, chunk_, data_.size() - pos_});
    if (n == 0 && fail_with_) return *fail_with_;
    if (n > 0) std::memcpy(buffer, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t chunk_;
  std::optional<Error> fail_with_;
  std::size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<BodyReader> MakeStringBodyReader(std::string data, std::size_t chunk, std::optional<Error> fail_with) {
  return std::make_unique<StringBodyReader>(std::move(data), chunk, std::move(fail_with));
}

HttpResponse MakeResponse(int status, std::string body, HttpHeaders headers) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  if (!FindHeader(r.headers, "Content-Length")) r.headers.emplace_back("Content-Length", std::to_string(body.size()));
  r.body = MakeStringBodyReader(std::move(body));
  return r;
}

void FakeHttpTransport::Enqueue(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(handler));
}

void FakeHttpTransport::EnqueueResponse(int status, std::string body, HttpHeaders headers) {
  Enqueue([status, body = std::move(body), headers = std::move(headers)](RecordedRequest const&) -> Result<HttpResponse> {
    return MakeResponse(status, body, headers);
  });
}

void FakeHttpTransport::EnqueueError(Error error) {
  Enqueue([error = std::move(error)](RecordedRequest const&) -> Result<HttpResponse> { return error; });
}

void FakeHttpTransport::Route(std::string method, std::string url_substring, Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  routes_.push_back(RouteEntry{std::move(method), std::move(url_substring), std::move(handler)});
}

std::vector<RecordedRequest> FakeHttpTransport::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::size_t FakeHttpTransport::RequestCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

void FakeHttpTransport::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
}

Result<HttpResponse> FakeHttpTransport::Send(HttpRequest const& request, CallContext const& ctx) {
  if (ctx.cancel.IsCancelled()) return MakeError(ErrorCode::kCancelled, "cancelled before send");
  RecordedRequest recorded{request.method, request.url, request.headers, {}, request.timeout, ctx.cancel};
  if (request.body) {
    auto rewound = request.body->Rewind();
    if (!rewound) return std::move(rewound).error();
    char buffer[65536];
    for (;;) {
      auto n = request.body->Read(buffer, sizeof buffer);
      if (!n) return std::move(n).error();
      if (*n == 0) break;
      recorded.body.append(buffer, *n);
    }
  }
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(recorded);
    if (!queue_.empty()) {
      handler = std::move(queue_.front());
      queue_.pop_front();
    } else {
      for (auto const& route : routes_) {
        if ((route.method.empty() || route.method == request.method) &&
            request.url.find(route.url_substring) != std::string::npos) {
          handler = route.handler;
          break;
        }
      }
    }
  }
  if (!handler) {
    return MakeResponse(599, "FakeHttpTransport: no scripted response for " + request.method + " " + request.url);
  }
  return handler(recorded);
}

}  // namespace ccrec::testing
