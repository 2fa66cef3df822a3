// SPDX-License-Identifier: Apache-2.0
// SubscriptionsClient (webex/subscriptions.hpp): /v1 and /v2 /subscriptions.
#include <ccrec/webex/subscriptions.hpp>

#include <ccrec/transport/curl.hpp>
#include <ccrec/webex/errors.hpp>

#include "internal/client_runtime.hpp"
#include "internal/json.hpp"
#include "internal/retry_loop.hpp"
#include "internal/url.hpp"
#include "webex/http_util.hpp"

namespace ccrec::webex {

namespace util = ::ccrec::detail;

struct SubscriptionsClient::Impl : util::ClientRuntime {
  explicit Impl(ClientOptions o)
      : util::ClientRuntime(o, [] { return MakeCurlTransport(); }),
        tokens(std::move(o.tokens)),
        request_timeout(o.request_timeout),
        base_url(util::TrimTrailingSlashes(std::move(o.base_url))) {}
  std::shared_ptr<AccessTokenSource> tokens;
  std::chrono::milliseconds request_timeout;
  std::string base_url;

  Result<detail::BufferedResponse> Call(std::string const& method, std::string const& url,
                                        std::optional<std::string> const& body, CallContext const& ctx,
                                        std::string const& what) const {
    if (base_url.empty() || !tokens) {
      return MakeError(ErrorCode::kInvalidArgument, what + ": ClientOptions.base_url and .tokens are required");
    }
    return detail::WithAccessToken(*tokens, ctx, logger, what, {}, [&](std::string const& token) {
      // POST creates: not idempotent (a retried create could register twice).
      return util::RunWithRetries(Env(), ctx, method != "POST", what, [&](int) -> Result<detail::BufferedResponse> {
        HttpRequest request = detail::MakeApiRequest(method, url, token, body, request_timeout, ctx);
        auto response = detail::SendBuffered(*transport, request, ctx);
        if (!response) return std::move(response).error();
        if (response->status < 200 || response->status > 299) {
          return MapWebexError(response->status, response->body, response->headers, what, clock->Now());
        }
        return response;
      });
    });
  }
};

namespace {

Result<Subscription> ParseSubscription(rapidjson::Value const& v, std::string const& api_version) {
  if (!v.IsObject()) return MakeError(ErrorCode::kParse, "Webex subscription: an entry is not an object");
  Subscription s;
  auto id = util::OptString(v, "id");
  if (!id) return MakeError(ErrorCode::kParse, "Webex subscription: an entry has no id");
  s.id = *id;
  s.name = util::OptString(v, "name").value_or("");
  s.description = util::OptString(v, "description");
  s.event_types = util::StringArray(util::OptArray(v, "eventTypes"));
  s.destination_url = util::OptString(v, "destinationUrl").value_or("");
  s.status = util::OptString(v, "status").value_or("");
  s.created_time_ms = util::OptInt64(v, "createdTime");
  s.last_updated_time_ms = util::OptInt64(v, "lastUpdatedTime");
  s.resource_version = util::OptString(v, "resourceVersion");
  s.api_version = api_version;
  return s;
}

std::optional<Error> CheckVersion(std::string const& v) {
  if (v == "v1" || v == "v2") return std::nullopt;
  return MakeError(ErrorCode::kInvalidArgument, "Webex subscriptions: API version \"" + v + "\" is not v1 or v2");
}

std::string OrgQuery(std::optional<std::string> const& org_id) {
  return org_id ? "?orgId=" + util::PercentEncode(*org_id) : std::string();
}

}  // namespace

SubscriptionsClient::SubscriptionsClient(ClientOptions options) : impl_(std::make_shared<Impl const>(std::move(options))) {}

Result<Subscription> SubscriptionsClient::Create(SubscriptionRequest const& r, CallContext const& ctx) const {
  auto bad = [](std::string m) { return MakeError(ErrorCode::kInvalidArgument, "Webex subscription create: " + m); };
  if (r.destination_url.rfind("https://", 0) != 0) {
    return bad("the destination URL must be https:// (Webex delivers to HTTPS only; terminate TLS in `webex serve` "
               "with --tls-cert/--tls-key or in a reverse proxy)");
  }
  if (r.name.size() < 4 || r.name.size() > 64) return bad("the name must be 4..64 characters");
  if (r.event_types.empty() || r.event_types.size() > 32) return bad("give 1..32 event types");
  if (r.secret.size() < 32 || r.secret.size() > 256) return bad("the secret must be 32..256 characters");
  std::string const version = r.resource_version ? "v2" : "v1";
  std::string body = "{\"name\":\"" + util::JsonEscape(r.name) + "\"";
  if (r.description) body += ",\"description\":\"" + util::JsonEscape(*r.description) + "\"";
  body += ",\"eventTypes\":[";
  for (std::size_t i = 0; i < r.event_types.size(); ++i) {
    body += (i ? ",\"" : "\"") + util::JsonEscape(r.event_types[i]) + "\"";
  }
  body += "],\"destinationUrl\":\"" + util::JsonEscape(r.destination_url) + "\",\"secret\":\"" +
          util::JsonEscape(r.secret) + "\"";
  if (r.resource_version) body += ",\"resourceVersion\":\"" + util::JsonEscape(*r.resource_version) + "\"";
  if (r.org_id) body += ",\"orgId\":\"" + util::JsonEscape(*r.org_id) + "\"";
  body += "}";
  auto what = "Webex POST /" + version + "/subscriptions";
  auto response = impl_->Call("POST", impl_->base_url + "/" + version + "/subscriptions", body, ctx, what);
  if (!response) return std::move(response).error();
  auto doc = util::ParseJson(response->body, what + " response");
  if (!doc) return std::move(doc).error();
  auto const* data = doc->IsObject() ? util::OptObject(*doc, "data") : nullptr;
  if (data == nullptr) return MakeError(ErrorCode::kParse, what + " response has no data object");
  return ParseSubscription(*data, version);
}

Result<std::vector<Subscription>> SubscriptionsClient::List(std::string const& api_version,
                                                            std::optional<std::string> const& org_id,
                                                            CallContext const& ctx) const {
  if (auto e = CheckVersion(api_version)) return *e;
  auto what = "Webex GET /" + api_version + "/subscriptions";
  auto response = impl_->Call("GET", impl_->base_url + "/" + api_version + "/subscriptions" + OrgQuery(org_id),
                              std::nullopt, ctx, what);
  if (!response) return std::move(response).error();
  auto doc = util::ParseJson(response->body, what + " response");
  if (!doc) return std::move(doc).error();
  auto const* data = doc->IsObject() ? util::OptArray(*doc, "data") : nullptr;
  if (data == nullptr) return MakeError(ErrorCode::kParse, what + " response has no data array");
  std::vector<Subscription> out;
  for (auto const& v : data->GetArray()) {
    auto s = ParseSubscription(v, api_version);
    if (!s) return std::move(s).error();
    out.push_back(std::move(*s));
  }
  return out;
}

Result<void> SubscriptionsClient::Delete(std::string const& id, std::string const& api_version,
                                         std::optional<std::string> const& org_id, CallContext const& ctx) const {
  if (auto e = CheckVersion(api_version)) return *e;
  if (id.empty()) return MakeError(ErrorCode::kInvalidArgument, "Webex subscription delete: the id is empty");
  auto what = "Webex DELETE /" + api_version + "/subscriptions/" + id;
  auto response = impl_->Call("DELETE", impl_->base_url + "/" + api_version + "/subscriptions/" +
                                            util::PercentEncode(id) + OrgQuery(org_id),
                              std::nullopt, ctx, what);
  if (!response) return std::move(response).error();
  return {};
}

}  // namespace ccrec::webex
