#include "webex/http_util.hpp"

#include <algorithm>

namespace ccrec {
inline namespace v1 {
namespace webex {
namespace wire {

std::string ReadPrefix(HttpResponse& response, std::size_t max_bytes) {
  std::string out;
  if (!response.body) return out;
  char buffer[8192];
  while (out.size() < max_bytes) {
    auto n = response.body->Read(buffer, std::min(sizeof buffer, max_bytes - out.size()));
    if (!n || *n == 0) break;
    out.append(buffer, *n);
  }
  return out;
}

Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx) {
  auto response = transport.Send(request, ctx);
  if (!response) return std::move(response).error();
  BufferedResponse out;
  out.status = response->status;
  out.headers = response->headers;
  if (out.status >= 200 && out.status <= 299) {
    if (!response->body) return out;
    auto body = response->ReadAll(kMaxApiBodyBytes);
    if (!body) return std::move(body).error();
    out.body = std::move(*body);
  } else {
    out.body = ReadPrefix(*response, kMaxErrorBodyBytes);
  }
  return out;
}

}  // namespace wire
}  // namespace webex
}  // namespace v1
}  // namespace ccrec
