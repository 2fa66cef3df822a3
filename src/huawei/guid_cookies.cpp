// SPDX-License-Identifier: Apache-2.0
// huawei::AgentSession: requests carrying the Guid and cookies, Set-GUID and Set-Cookie from the
// answers, and the JSON calls built on them (reference huawei-cc-gateway.md §2, §3).

#include "huawei/agent_session_impl.hpp"

#include "internal/http_util.hpp"

namespace ccrec::huawei {

namespace util = ::ccrec::detail;

Result<HttpResponse> AgentSession::Impl::Send(std::string const& method, std::string const& url,
                                              std::optional<std::string> body,
                                              std::optional<std::chrono::milliseconds> timeout, CallContext const& ctx,
                                              bool with_auth, std::uint64_t* used_generation) {
  HttpRequest req;
  req.method = method;
  req.url = url;
  req.headers = ctx.extra_headers;
  SetHeader(req.headers, "Content-Type", "application/json; charset=UTF-8");
  std::uint64_t gen = 0;
  if (with_auth) {
    std::lock_guard<std::mutex> lock(mu);
    if (!signed_in) return NotSignedIn();
    SetHeader(req.headers, "Guid", guid);
    if (!jar.empty()) SetHeader(req.headers, "Cookie", jar.Header());
    gen = generation;
  } else {
    RemoveHeader(req.headers, "Guid");
    RemoveHeader(req.headers, "Cookie");
  }
  if (used_generation) *used_generation = gen;
  if (body) req.body = MakeStringBody(std::move(*body));
  req.timeout = timeout;
  auto response = transport->Send(req, ctx);
  if (response && with_auth) Absorb(response->headers, gen, method);
  return response;
}

void AgentSession::Impl::Absorb(HttpHeaders const& headers, std::uint64_t gen, std::string const& method) {
  std::lock_guard<std::mutex> lock(mu);
  if (gen != generation || !signed_in) return;  // an answer from an older sign-in
  jar.Apply(headers, clock->Now());
  for (auto const& [name, value] : headers) {
    if (!HeaderNameEquals(name, "Set-GUID")) continue;
    std::string g = detail::GuidFromSetGuid(value);
    if (g.empty()) {
      logger.Warn("Huawei " + label + ": ignoring an empty Set-GUID header");
      continue;
    }
    if (g == guid) continue;
    if (std::find(retired.begin(), retired.end(), g) != retired.end()) {
      logger.Debug("Huawei " + label + ": ignoring a Set-GUID with a Guid this session already replaced");
      continue;
    }
    if (opt.guid_mode == GuidMode::kStatic) {
      if (!static_warned) {
        static_warned = true;
        logger.Warn("Huawei " + label +
                    ": the gateway sent a new Set-GUID but the session is in static Guid mode; ignoring it "
                    "(use GuidMode::kDynamic if calls start failing with 100-006/000-003)");
      }
      continue;
    }
    ReplaceGuidLocked(std::move(g));
    logger.Debug("Huawei " + label + ": Guid updated from a Set-GUID header (" + method + " answer)");
  }
}

void AgentSession::Impl::ReplaceGuidLocked(std::string g) {
  retired.push_back(guid);
  if (retired.size() > detail::kRetiredGuids) retired.pop_front();
  guid = std::move(g);
  ++stats.guid_updates;
}

Result<std::string> AgentSession::Impl::ReadJsonBody(HttpResponse& response, std::string const& what) {
  if (response.status >= 200 && response.status <= 299) return detail::ReadJsonAnswer(response, what);
  return util::ReadPrefix(response, detail::kMaxErrorBodyBytes);
}

Result<util::JsonWithSpans> AgentSession::Impl::JsonCall(CallSpec const& spec, CallContext const& ctx) {
  if (config_error) return *config_error;
  std::uint64_t used_gen = 0;
  std::string const url = root + spec.path;
  auto attempt = [&](int) -> Result<util::JsonWithSpans> {
    auto response = Send(spec.method, url, std::nullopt, spec.timeout, ctx, true, &used_gen);
    if (!response) return std::move(response).error();
    auto body = ReadJsonBody(*response, spec.what);
    if (!body) return std::move(body).error();
    return detail::ParseEnvelope(response->status, *body, response->headers, spec.what);
  };
  auto run = [&]() -> Result<util::JsonWithSpans> {
    return spec.retry ? util::RunWithRetries(Env(), ctx, true, spec.what, attempt) : attempt(1);
  };
  auto result = run();
  if (!result && spec.recover && IsSessionLost(result.error())) {
    auto recovered = Recover(used_gen, result.error(), ctx);
    if (!recovered) return std::move(recovered).error();
    result = run();
  }
  return result;
}

}  // namespace ccrec::huawei
