// SPDX-License-Identifier: Apache-2.0
#pragma once
// The FACE control-plane request (login, searches, commands, version): method, URL, Accept and the
// client's total per-attempt timeout (ClientOptions::request_timeout). Recording downloads are built
// without it so that they keep only the transport's low-speed floor.

#include <ccrec/core/http.hpp>
#include <ccrec/face/client.hpp>

#include <string>
#include <utility>

namespace ccrec::face::detail {

inline HttpRequest ControlRequest(std::string method, std::string url, ClientOptions const& options) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = {{"Accept", "application/json"}};
  if (options.request_timeout.count() > 0) request.timeout = options.request_timeout;
  return request;
}

}  // namespace ccrec::face::detail
