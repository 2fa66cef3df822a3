// SPDX-License-Identifier: Apache-2.0
#include "webex/http_util.hpp"

namespace ccrec {
inline namespace v1 {
namespace webex {
namespace detail {

Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx) {
  return ::ccrec::detail::SendBuffered(transport, request, ctx, kMaxApiBodyBytes, kMaxErrorBodyBytes);
}

}  // namespace detail
}  // namespace webex
}  // namespace v1
}  // namespace ccrec
