// SPDX-License-Identifier: Apache-2.0
// face::Client's event and screen-capture commands: eventNotify, StartScreenCapture,
// StopScreenCapture, with the parameters the ISR API guide documents ("REST API Commands",
// https://docs.oracle.com/en/industries/communications/interactive-session-recorder/6.3/api/rest-api-commands.html).
// Like the other control commands they are sent once (Impl::Control: never retried, except the
// one re-login on a token error), and their `<response><Code>..` answer is read by ParseControl.

#include <ccrec/face/client.hpp>

#include "face/client_impl.hpp"
#include "internal/url.hpp"

#include <string>

namespace ccrec::face {

namespace util = ::ccrec::detail;

namespace {

bool SetAndNonEmpty(std::optional<std::string> const& v) { return v && !v->empty(); }

/// `AgentId=..` or `ScreenIP=..`: exactly one, non-empty.
Result<std::string> ScreenSelector(ScreenCaptureParams const& params, std::string const& what) {
  if (params.agent_id && params.screen_ip) {
    return MakeError(ErrorCode::kInvalidArgument, what + ": set agent_id or screen_ip, not both");
  }
  if (params.agent_id) {
    if (params.agent_id->empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": agent_id is empty");
    return util::BuildQuery({{"AgentId", *params.agent_id}});
  }
  if (params.screen_ip) {
    if (params.screen_ip->empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": screen_ip is empty");
    return util::BuildQuery({{"ScreenIP", *params.screen_ip}});
  }
  return MakeError(ErrorCode::kInvalidArgument, what + ": set agent_id (the agent screen's DNIS or ANI) or screen_ip");
}

}  // namespace

Result<ControlResult> Client::EventNotify(EventNotifyParams const& params, CallContext const& ctx) const {
  std::string const what = "FACE eventNotify";
  if (params.event.empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": the event is empty");
  std::string query = util::BuildQuery({{"event", params.event}});
  if (params.ucid) {
    if (params.ucid->empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": ucid is set but empty");
    query = Impl::JoinQuery(query, util::BuildQuery({{"ucid", *params.ucid}}));
  }
  if (!params.called_aors.empty()) {
    // Each AOR is percent-encoded; the ',' separating them stays literal (the guide's example
    // `calledAors=sip:agentX@…,sip:agentY@…`), so an AOR cannot contain one.
    std::string aors;
    for (auto const& aor : params.called_aors) {
      if (aor.empty()) return MakeError(ErrorCode::kInvalidArgument, what + ": an entry of called_aors is empty");
      if (aor.find(',') != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument,
                         what + ": the AOR \"" + aor + "\" contains ',', which separates calledAors entries");
      }
      if (!aors.empty()) aors += ',';
      aors += util::PercentEncode(aor);
    }
    query = Impl::JoinQuery(query, "calledAors=" + aors);
  }
  auto selection = impl_->SelectionQuery(params.target);
  if (!selection) return std::move(selection).error();
  return impl_->Control("eventNotify", Impl::JoinQuery(query, *selection), std::nullopt, ctx);
}

Result<ControlResult> Client::StartScreenCapture(ScreenCaptureParams const& params, CallContext const& ctx) const {
  std::string const what = "FACE StartScreenCapture";
  if (!SetAndNonEmpty(params.isr_id)) {
    return MakeError(ErrorCode::kInvalidArgument, what + ": isr_id (the session's UCID) is required");
  }
  auto selector = ScreenSelector(params, what);
  if (!selector) return std::move(selector).error();
  std::string query = Impl::JoinQuery(util::BuildQuery({{"IsrId", *params.isr_id}}), *selector);
  return impl_->Control("StartScreenCapture", std::move(query), std::nullopt, ctx);
}

Result<ControlResult> Client::StopScreenCapture(ScreenCaptureParams const& params, CallContext const& ctx) const {
  std::string const what = "FACE StopScreenCapture";
  if (params.isr_id) {
    return MakeError(ErrorCode::kInvalidArgument, what + ": takes no isr_id (only agent_id or screen_ip)");
  }
  auto selector = ScreenSelector(params, what);
  if (!selector) return std::move(selector).error();
  return impl_->Control("StopScreenCapture", std::move(*selector), std::nullopt, ctx);
}

}  // namespace ccrec::face
