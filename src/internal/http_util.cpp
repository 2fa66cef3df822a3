// SPDX-License-Identifier: Apache-2.0
#include "internal/http_util.hpp"

#include "internal/ascii.hpp"

#include <algorithm>
#include <cstring>

namespace ccrec::detail {

std::string ReadPrefix(BodyReader* body, std::size_t max_bytes) {
  std::string out;
  if (body == nullptr) return out;
  char buffer[8192];
  while (out.size() < max_bytes) {
    auto n = body->Read(buffer, std::min(sizeof buffer, max_bytes - out.size()));
    if (!n || *n == 0) break;
    out.append(buffer, *n);
  }
  return out;
}

std::string ReadPrefix(HttpResponse& response, std::size_t max_bytes) {
  return ReadPrefix(response.body.get(), max_bytes);
}

Result<BufferedResponse> BufferResponse(HttpResponse& response, std::size_t max_ok_body, std::size_t max_error_body) {
  BufferedResponse out;
  out.status = response.status;
  out.headers = response.headers;
  if (out.status >= 200 && out.status <= 299) {
    auto body = response.ReadAll(max_ok_body);
    if (!body) return std::move(body).error();
    out.body = std::move(*body);
  } else {
    out.body = ReadPrefix(response, max_error_body);
  }
  return out;
}

Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx,
                                      std::size_t max_ok_body, std::size_t max_error_body) {
  auto response = transport.Send(request, ctx);
  if (!response) return std::move(response).error();
  return BufferResponse(*response, max_ok_body, max_error_body);
}

PrefixedBodyReader::PrefixedBodyReader(std::string prefix, std::unique_ptr<BodyReader> inner)
    : prefix_(std::move(prefix)), inner_(std::move(inner)) {}

Result<std::size_t> PrefixedBodyReader::Read(char* buffer, std::size_t size) {
  if (offset_ < prefix_.size()) {
    std::size_t n = std::min(size, prefix_.size() - offset_);
    std::memcpy(buffer, prefix_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  if (!inner_) return std::size_t{0};
  return inner_->Read(buffer, size);
}

namespace {

/// The body of RequireNonEmptyBody(): `empty_error` instead of the end when nothing came before it.
class NonEmptyBodyReader final : public BodyReader {
 public:
  NonEmptyBodyReader(std::unique_ptr<BodyReader> inner, Error empty_error)
      : inner_(std::move(inner)), empty_error_(std::move(empty_error)) {}

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    auto n = inner_->Read(buffer, size);
    if (!n || size == 0) return n;
    if (*n > 0) started_ = true;
    if (*n == 0 && !started_) return empty_error_;
    return n;
  }

 private:
  std::unique_ptr<BodyReader> inner_;
  Error empty_error_;
  bool started_ = false;
};

}  // namespace

Result<HttpResponse> RequireNonEmptyBody(HttpResponse response, Error empty_error) {
  if (!response.body) return response;
  if (response.ContentLength() == std::optional<std::uint64_t>(0)) return empty_error;
  response.body = std::make_unique<NonEmptyBodyReader>(std::move(response.body), std::move(empty_error));
  return response;
}

std::optional<std::string> MediaType(HttpHeaders const& headers) {
  auto value = FindHeader(headers, "Content-Type");
  if (!value) return std::nullopt;
  std::string media;
  for (char c : value->substr(0, value->find(';'))) {
    if (c != ' ' && c != '\t') media += AsciiLower(c);
  }
  return media;
}

}  // namespace ccrec::detail
