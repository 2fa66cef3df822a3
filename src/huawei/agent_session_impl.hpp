// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::huawei: the state behind AgentSession (reference huawei-cc-gateway.md). Not
// installed. Requests with the Guid and cookies are in guid_cookies.cpp, sign-in and re-sign-in in
// sign_in.cpp, recording downloads in record_download.cpp, the public methods in agent_session.cpp.

#include <ccrec/huawei/agent_session.hpp>

#include "huawei/wire.hpp"
#include "internal/client_runtime.hpp"
#include "internal/json.hpp"
#include "internal/retry_loop.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::huawei {
namespace detail {

/// Guids this session replaced and still ignores when a late Set-GUID repeats them.
inline constexpr std::size_t kRetiredGuids = 16;
/// A failed re-sign-in is reused (not repeated) for the same lost session for this long.
inline constexpr std::chrono::seconds kFailedRecoveryMemory{30};

inline bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Download slots of one agent (AgentSessionOptions::max_concurrent_downloads).
struct Slots {
  std::mutex mu;
  std::condition_variable cv;
  int used = 0;
  int max = 1;
};

/// Holds one slot; releases it on destruction.
class SlotToken {
 public:
  explicit SlotToken(std::shared_ptr<Slots> slots) : slots_(std::move(slots)) {}
  ~SlotToken() {
    std::lock_guard<std::mutex> lock(slots_->mu);
    --slots_->used;
    slots_->cv.notify_one();
  }
  SlotToken(SlotToken const&) = delete;
  SlotToken& operator=(SlotToken const&) = delete;

 private:
  std::shared_ptr<Slots> slots_;
};

/// A sign-in answer: headers (Set-GUID, Set-Cookie) and the envelope.
struct SignInAnswer {
  HttpHeaders headers;
  ::ccrec::detail::JsonWithSpans doc;
};

}  // namespace detail

struct AgentSession::Impl : ::ccrec::detail::ClientRuntime {
  using SignInAnswer = detail::SignInAnswer;
  using Slots = detail::Slots;
  using SlotToken = detail::SlotToken;

  explicit Impl(AgentSessionOptions o);

  /// As given; use ClientRuntime's transport, clock, sleeper and logger (defaults filled in), not these.
  AgentSessionOptions opt;
  std::string root;
  std::string label;
  bool insecure_scheme = false;
  std::optional<Error> config_error;
  std::shared_ptr<Slots> slots;

  mutable std::mutex mu;  // guards everything below
  std::string guid;
  detail::CookieJar jar;
  std::uint64_t generation = 0;
  bool signed_in = false;
  bool closed = false;
  bool static_warned = false;
  std::deque<std::string> retired;
  struct FailedRecovery {
    std::uint64_t generation;
    Error error;
    std::chrono::system_clock::time_point when;
  };
  std::optional<FailedRecovery> failed_recovery;
  SessionStats stats;

  std::mutex signin_mu;  // sign-in, re-sign-in and sign-out never overlap (reference §2)

  Error NotSignedIn() const {
    return MakeError(ErrorCode::kUnauthenticated, "Huawei " + label + " is not signed in; call SignIn() first");
  }

  // --- headers in and out (guid_cookies.cpp) -------------------------------------------------------

  /// Sends one request with Content-Type, and (when `with_auth`) the Guid and cookies.
  Result<HttpResponse> Send(std::string const& method, std::string const& url, std::optional<std::string> body,
                            std::optional<std::chrono::milliseconds> timeout, CallContext const& ctx, bool with_auth,
                            std::uint64_t* used_generation);

  /// Applies Set-Cookie and Set-GUID of a response to the session it was sent in.
  void Absorb(HttpHeaders const& headers, std::uint64_t gen, std::string const& method);

  /// Makes `g` the Guid, keeping the old one among the retired; the caller holds mu.
  void ReplaceGuidLocked(std::string g);

  /// Reads a JSON answer's body: up to kMaxJsonBodyBytes for 2xx (errors name `what`), a prefix otherwise.
  static Result<std::string> ReadJsonBody(HttpResponse& response, std::string const& what);

  // --- JSON calls (guid_cookies.cpp) ----------------------------------------------------------------

  struct CallSpec {
    std::string method;
    std::string path;  // below the resource root
    std::optional<std::chrono::milliseconds> timeout;
    bool retry = true;    // through the RetryPolicy
    bool recover = true;  // sign in again once on a lost session
    std::string what;
  };

  /// One JSON call with the Guid and cookies, through the retry policy when `spec.retry`, signing in
  /// again once on a lost session when `spec.recover`.
  Result<::ccrec::detail::JsonWithSpans> JsonCall(CallSpec const& spec, CallContext const& ctx);

  // --- sign-in (sign_in.cpp) ------------------------------------------------------------------------

  /// PUT of the sign-in body to `path` (below the resource root), with retries.
  Result<SignInAnswer> PutSignIn(std::string const& path, std::string const& what, CallContext const& ctx);

  /// Signs in; the caller holds signin_mu.
  Result<SignInResult> SignInLocked(CallContext const& ctx, bool recovery);

  /// Single-flight re-sign-in after `cause` (a lost session) was seen on generation `observed`.
  Result<void> Recover(std::uint64_t observed, Error const& cause, CallContext const& ctx);

  // --- download (record_download.cpp) ---------------------------------------------------------------

  /// The recordfile URL of `request`, or why it cannot be built.
  Result<std::string> DownloadUrl(RecordFileRequest const& request) const;

  /// Waits for one of the agent's download slots (cancellation and the deadline end the wait).
  Result<std::unique_ptr<SlotToken>> AcquireSlot(CallContext const& ctx);

  /// Judges a download answer by status and Content-Type (reference §6).
  Result<HttpResponse> ClassifyDownload(HttpResponse response, std::string const& what);

  /// One recording download: a slot, the request with retries, a retry on 104-009, one re-sign-in.
  Result<HttpResponse> OpenRecordFile(RecordFileRequest const& request, CallContext const& ctx);
};

}  // namespace ccrec::huawei
