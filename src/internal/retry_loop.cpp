#include "internal/retry_loop.hpp"

namespace ccrec {
inline namespace v1 {
namespace internal {

std::optional<Error> CheckContext(CallContext const& ctx, std::chrono::system_clock::time_point now) {
  if (ctx.cancel.IsCancelled()) return MakeError(ErrorCode::kCancelled, "operation cancelled");
  if (ctx.deadline && now >= *ctx.deadline) {
    return MakeError(ErrorCode::kDeadlineExceeded, "operation deadline exceeded");
  }
  return std::nullopt;
}

}  // namespace internal
}  // namespace v1
}  // namespace ccrec
