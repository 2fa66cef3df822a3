#include "webex/http_util.hpp"

namespace ccrec {
inline namespace v1 {
namespace webex {
namespace wire {

Result<BufferedResponse> SendBuffered(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx) {
  return internal::SendBuffered(transport, request, ctx, kMaxApiBodyBytes, kMaxErrorBodyBytes);
}

}  // namespace wire
}  // namespace webex
}  // namespace v1
}  // namespace ccrec
