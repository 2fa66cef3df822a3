// SPDX-License-Identifier: Apache-2.0
// huawei::AgentSession: sign-in (with forcelogin when allowed) and the single-flight re-sign-in
// after a lost session (reference huawei-cc-gateway.md §2).

#include "huawei/agent_session_impl.hpp"

#include "internal/time_util.hpp"

namespace ccrec::huawei {

namespace util = ::ccrec::detail;

Result<detail::SignInAnswer> AgentSession::Impl::PutSignIn(std::string const& path, std::string const& what,
                                                           CallContext const& ctx) {
  std::string const body = detail::SignInBody(opt);
  return util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<SignInAnswer> {
    auto response = Send("PUT", root + path, body, opt.request_timeout, ctx, false, nullptr);
    if (!response) return std::move(response).error();
    auto text = ReadJsonBody(*response, what);
    if (!text) return std::move(text).error();
    auto doc = detail::ParseEnvelope(response->status, *text, response->headers, what);
    if (!doc) return std::move(doc).error();
    return SignInAnswer{response->headers, std::move(*doc)};
  });
}

Result<SignInResult> AgentSession::Impl::SignInLocked(CallContext const& ctx, bool recovery) {
  if (config_error) return *config_error;
  if (insecure_scheme) {
    logger.Warn("Huawei " + label + ": the gateway URL is http://; the password is sent unencrypted");
  }
  std::string const what = "Huawei sign-in of " + label;
  auto answer = PutSignIn("onlineagent/" + opt.agent_id, what, ctx);
  bool forced = false;
  if (!answer && answer.error().vendor_code == "100-002") {
    bool allowed = opt.force_login == ForceLogin::kAlways || (recovery && opt.force_login == ForceLogin::kOnRecovery);
    if (!allowed) {
      Error e = std::move(answer).error();
      e.message += " (another client, or an earlier run that did not sign out, holds the agent; the gateway "
                   "signs it out 2 minutes after its last event poll)";
      return e;
    }
    logger.Warn("Huawei " + label + " is already signed in; taking the session over with forcelogin");
    answer = PutSignIn("onlineagent/" + opt.agent_id + "/forcelogin", "Huawei forced sign-in of " + label, ctx);
    forced = true;
  }
  if (!answer) return std::move(answer).error();

  std::string new_guid;
  for (auto const& [name, value] : answer->headers) {
    if (HeaderNameEquals(name, "Set-GUID")) new_guid = detail::GuidFromSetGuid(value);
  }
  if (new_guid.empty()) {
    if (auto g = FindHeader(answer->headers, "Guid")) new_guid = detail::GuidFromSetGuid(*g);
  }
  if (new_guid.empty()) {
    return MakeError(ErrorCode::kParse, what + " succeeded but the answer carried no Set-GUID (or Guid) header");
  }
  SignInResult result;
  result.forced = forced;
  if (auto const* r = util::OptObject(answer->doc.Doc(), "result")) {
    result.raw_json = answer->doc.Raw(*r);
    result.work_no = util::OptString(*r, "workno").value_or("");
    result.vdn_id = util::OptInt64(*r, "vdnid");
    result.media_type = util::OptString(*r, "mediatype").value_or("");
    if (auto ms = util::OptInt64(*r, "loginTime")) result.login_time = util::FromEpochMs(*ms);
    result.password_change_required = util::OptBool(*r, "isForceChange").value_or(false);
    result.password_days_remaining = util::OptInt64(*r, "timeRemaining");
    result.server_name = util::OptString(*r, "serverName").value_or("");
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    guid = std::move(new_guid);
    jar.Clear();
    jar.Apply(answer->headers, clock->Now());
    retired.clear();
    ++generation;
    signed_in = true;
    closed = false;
    failed_recovery.reset();
    ++stats.sign_ins;
    if (forced) ++stats.force_logins;
  }
  logger.Info("Huawei " + label + " signed in" + (forced ? " (forcelogin)" : "") +
              (recovery ? " again after losing the session" : ""));
  if (result.password_change_required) {
    logger.Warn("Huawei " + label +
                ": the gateway says the password must be changed (isForceChange); other calls may fail until "
                "it is");
  }
  return result;
}

Result<void> AgentSession::Impl::Recover(std::uint64_t observed, Error const& cause, CallContext const& ctx) {
  std::lock_guard<std::mutex> flight(signin_mu);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (closed || !signed_in) {
      Error e = cause;
      e.message += " (the session was signed out; not signing in again)";
      return e;
    }
    if (generation != observed) return {};  // another thread already signed in again
    if (failed_recovery && failed_recovery->generation == observed &&
        clock->Now() - failed_recovery->when < detail::kFailedRecoveryMemory) {
      return failed_recovery->error;
    }
  }
  logger.Warn("Huawei " + label + ": session lost (retcode " + cause.vendor_code + "); signing in again");
  auto signed_in_again = SignInLocked(ctx, true);
  if (!signed_in_again) {
    Error e = std::move(signed_in_again).error();
    e.message = "the session of Huawei " + label + " was lost (retcode " + cause.vendor_code +
                ") and signing in again failed: " + e.message;
    if (e.code != ErrorCode::kCancelled && e.code != ErrorCode::kDeadlineExceeded) {
      std::lock_guard<std::mutex> lock(mu);
      failed_recovery = FailedRecovery{observed, e, clock->Now()};
    }
    return e;
  }
  std::lock_guard<std::mutex> lock(mu);
  ++stats.re_sign_ins;
  return {};
}

}  // namespace ccrec::huawei
