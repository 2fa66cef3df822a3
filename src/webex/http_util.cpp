// SPDX-License-Identifier: Apache-2.0
#include "webex/http_util.hpp"

#include "internal/crypto.hpp"

namespace ccrec::webex::detail {

Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx) {
  return ::ccrec::detail::SendBuffered(transport, request, ctx, kMaxApiBodyBytes, kMaxErrorBodyBytes);
}

HttpRequest MakeApiRequest(std::string const& method, std::string const& url, std::string const& token,
                           std::optional<std::string> const& body, std::chrono::milliseconds request_timeout,
                           CallContext const& ctx) {
  HttpRequest request;
  request.method = method;
  request.url = url;
  if (request_timeout.count() > 0) request.timeout = request_timeout;
  request.headers = {{"Authorization", "Bearer " + token},
                     {"Accept", "application/json"},
                     {"TrackingId", "CCREC_" + ::ccrec::detail::NewUuid()}};
  if (body) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = MakeStringBody(*body);
  }
  for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
  return request;
}

}  // namespace ccrec::webex::detail
