// SPDX-License-Identifier: Apache-2.0
// huawei::AgentSession: the public methods (sign-in, sign-out, event poll, heartbeat, Guid update,
// download) (reference huawei-cc-gateway.md §1–§4, §6–§8). The state is in agent_session_impl.hpp.

#include <ccrec/huawei/agent_session.hpp>

#include <ccrec/transport/curl.hpp>

#include "huawei/agent_session_impl.hpp"
#include "huawei/wire.hpp"
#include "internal/json.hpp"

#include <mutex>

namespace ccrec::huawei {

namespace util = ::ccrec::detail;

AgentSession::Impl::Impl(AgentSessionOptions o)
    : ::ccrec::detail::ClientRuntime(o, [] { return MakeCurlTransport(); }), opt(std::move(o)) {
  slots = std::make_shared<Slots>();
  slots->max = std::max(1, opt.max_concurrent_downloads);
  auto r = detail::ResourceRoot(opt.gateway_url);
  if (!r) {
    config_error = r.error();
  } else {
    root = *r;
    insecure_scheme = root.rfind("http://", 0) == 0;
  }
  if (!config_error && !(detail::AllDigits(opt.agent_id) && opt.agent_id.size() <= 9)) {
    config_error = MakeError(ErrorCode::kInvalidArgument,
                             "Huawei agent id \"" + opt.agent_id + "\" is not a number (101-999999)");
  }
  label = "agent " + opt.agent_id;
}

AgentSession::AgentSession(AgentSessionOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Result<SignInResult> AgentSession::SignIn(CallContext const& ctx) const {
  std::lock_guard<std::mutex> flight(impl_->signin_mu);
  return impl_->SignInLocked(ctx, false);
}

Result<void> AgentSession::SignOut(CallContext const& ctx) const {
  auto& s = *impl_;
  std::lock_guard<std::mutex> flight(s.signin_mu);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.closed = true;  // no re-sign-in from now on
    if (!s.signed_in) return {};
  }
  Impl::CallSpec spec{"DELETE", "onlineagent/" + s.opt.agent_id + "/logout", s.opt.request_timeout, true, false,
                      "Huawei sign-out of " + s.label};
  auto result = s.JsonCall(spec, ctx);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.signed_in = false;
    s.guid.clear();
    s.jar.Clear();
    s.retired.clear();
    ++s.generation;
  }
  if (!result && !IsSessionLost(result.error())) return std::move(result).error();
  s.logger.Info("Huawei " + s.label + (result ? " signed out" : " was already signed out by the gateway"));
  return {};
}

Result<std::vector<AgentEvent>> AgentSession::PollEvents(CallContext const& ctx) const {
  auto& s = *impl_;
  Impl::CallSpec spec{"GET", "agentevent/" + s.opt.agent_id, s.opt.poll_timeout, false, true,
                      "Huawei event poll of " + s.label};
  auto doc = s.JsonCall(spec, ctx);
  if (!doc) return std::move(doc).error();
  int skipped = 0;
  auto events = detail::EventsFromPoll(*doc, &skipped);
  if (skipped > 0) {
    s.logger.Warn("Huawei " + s.label + ": skipped " + std::to_string(skipped) +
                  " malformed event(s) in an event poll answer");
  }
  return events;
}

Result<void> AgentSession::Heartbeat(CallContext const& ctx) const {
  auto& s = *impl_;
  Impl::CallSpec spec{"POST", "onlineagent/" + s.opt.agent_id + "/handshake", s.opt.request_timeout, true, true,
                      "Huawei heartbeat of " + s.label};
  auto doc = s.JsonCall(spec, ctx);
  if (!doc) return std::move(doc).error();
  return {};
}

Result<void> AgentSession::UpdateGuid(CallContext const& ctx) const {
  auto& s = *impl_;
  std::string before = CurrentGuid();
  Impl::CallSpec spec{"PUT", "onlineagent/" + s.opt.agent_id + "/updateGuid", s.opt.request_timeout, true, true,
                      "Huawei Guid update of " + s.label};
  auto doc = s.JsonCall(spec, ctx);
  if (!doc) return std::move(doc).error();
  std::optional<std::string> fresh;
  if (auto const* r = util::OptObject(doc->Doc(), "result")) fresh = util::OptString(*r, "guid");
  if (fresh && !fresh->empty()) {
    std::lock_guard<std::mutex> lock(s.mu);
    std::string g = detail::GuidFromSetGuid(*fresh);
    if (s.signed_in && !g.empty() && g != s.guid) s.ReplaceGuidLocked(std::move(g));
    return {};
  }
  if (CurrentGuid() != before) return {};  // delivered as Set-GUID
  return MakeError(ErrorCode::kParse, spec.what + ": the answer carried no result.guid and no Set-GUID");
}

Result<HttpResponse> AgentSession::OpenRecordFile(RecordFileRequest const& request, CallContext const& ctx) const {
  return impl_->OpenRecordFile(request, ctx);
}

Result<std::string> AgentSession::RecordFileUrl(RecordFileRequest const& request) const {
  return impl_->DownloadUrl(request);
}

std::string const& AgentSession::AgentId() const { return impl_->opt.agent_id; }

bool AgentSession::SignedIn() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->signed_in;
}

SessionStats AgentSession::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  SessionStats s = impl_->stats;
  s.generation = impl_->generation;
  s.signed_in = impl_->signed_in;
  return s;
}

std::string AgentSession::CurrentGuid() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->guid;
}

}  // namespace ccrec::huawei
