// SPDX-License-Identifier: Apache-2.0
// Container (ECS/EKS) and EC2 instance-metadata (IMDSv2) credential providers, with caching and
// refresh before expiry.
#include <ccrec/s3/credentials.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/ascii.hpp"
#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "s3/aws_config.hpp"
#include "s3/credential_http.hpp"
#include "s3/refreshing_provider.hpp"
#include "s3/s3_error.hpp"

#include <string>

namespace ccrec::s3 {
namespace {

using SysTime = std::chrono::system_clock::time_point;
using detail::Env;
using detail::IsLoopbackHost;
using Fetched = detail::CredentialAnswer;

// Parses the JSON both endpoints return. `what` names the endpoint in messages.
Result<AwsCredentials> ParseCredentialsJson(std::string const& body, std::string const& what) {
  auto doc = ::ccrec::detail::ParseJson(body, what);
  if (!doc) return doc.error();
  if (!doc->IsObject()) return MakeError(ErrorCode::kParse, what + ": the response is not a JSON object");
  if (auto code = ::ccrec::detail::OptString(*doc, "Code"); code && *code != "Success") {
    return MakeError(ErrorCode::kUnauthenticated, what + ": the endpoint reported Code " + detail::ServerText(*code));
  }
  AwsCredentials c;
  c.access_key_id = ::ccrec::detail::OptString(*doc, "AccessKeyId").value_or("");
  c.secret_access_key = ::ccrec::detail::OptString(*doc, "SecretAccessKey").value_or("");
  c.session_token = ::ccrec::detail::OptString(*doc, "Token").value_or("");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return MakeError(ErrorCode::kParse, what + ": the response lacks AccessKeyId or SecretAccessKey");
  }
  if (auto exp = ::ccrec::detail::OptString(*doc, "Expiration")) {
    auto t = ::ccrec::detail::ParseTimeArg(*exp);
    if (!t) return MakeError(ErrorCode::kParse, what + ": malformed Expiration \"" + detail::ServerText(*exp) + "\"");
    c.expiration = *t;
  }
  return c;
}

// One small request with a short timeout; transport errors and 5xx are retried at once.
Result<Fetched> Fetch(HttpTransport& transport, HttpRequest const& request, CallContext const& ctx, int attempts,
                      std::string const& what) {
  return detail::SendCredentialRequest(
      transport, ctx, attempts, 64 * 1024, what, [&]() -> HttpRequest const& { return request; },
      [&](Fetched answer) -> Result<Fetched> {
        if (answer.status < 500) return answer;
        Error e = MakeError(ErrorCode::kUnavailable, what + ": HTTP " + std::to_string(answer.status));
        e.http_status = answer.status;
        return e;
      });
}

Error HttpError(int status, std::string const& what) {
  Error e;
  e.http_status = status;
  e.code = status == 401 || status == 403 ? ErrorCode::kUnauthenticated
           : status == 404                ? ErrorCode::kUnauthenticated
                                          : ErrorCode::kUnavailable;
  e.message = what + ": HTTP " + std::to_string(status);
  return e;
}

// A credential endpoint's provider: cached and refreshed ahead of expiry, one Refresh() at a time.
class EndpointProvider : public detail::RefreshingProvider {
 public:
  explicit EndpointProvider(CredentialsEndpointOptions o) : RefreshingProvider(o), options_(Defaults(std::move(o))) {}

 protected:
  HttpRequest MakeRequest(std::string method, std::string url) const {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.timeout = options_.timeout;
    return r;
  }

  CredentialsEndpointOptions options_;

 private:
  static CredentialsEndpointOptions Defaults(CredentialsEndpointOptions o) {
    if (!o.transport) o.transport = MakeCurlTransport();
    if (!o.clock) o.clock = MakeSystemClock();
    return o;
  }
};

class ContainerProvider final : public EndpointProvider {
 public:
  using EndpointProvider::EndpointProvider;
  std::string Describe() const override { return "container credentials endpoint"; }

 private:
  Result<AwsCredentials> Refresh(CallContext const& ctx) override {
    std::string uri = options_.container_uri;
    bool full = true;
    if (uri.empty()) uri = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (uri.empty()) {
      auto rel = Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
      if (rel.empty()) {
        return MakeError(ErrorCode::kUnauthenticated,
                         "container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI not set");
      }
      uri = "http://169.254.170.2" + (rel.front() == '/' ? rel : "/" + rel);
      full = false;
    }
    auto url = ::ccrec::detail::ParseUrl(uri);
    if (!url) return MakeError(ErrorCode::kInvalidArgument, "container credentials: malformed URI " + RedactUrl(uri));
    if (full && url->scheme == "http") {
      auto const& h = url->host;
      if (!IsLoopbackHost(h) && h != "169.254.170.2" && h != "169.254.170.23" && h != "fd00:ec2::23") {
        return MakeError(ErrorCode::kInvalidArgument,
                         "container credentials: an http URI must point to a loopback address or the ECS/EKS "
                         "endpoint (169.254.170.2, 169.254.170.23, fd00:ec2::23), got host " + h);
      }
    }
    auto req = MakeRequest("GET", uri);
    req.headers.emplace_back("Accept", "application/json");
    std::string auth = options_.container_authorization;
    if (auth.empty()) {
      auto file = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      if (!file.empty()) {
        auto text = ::ccrec::detail::ReadSmallFile(file, 16 * 1024);
        if (!text) {
          return MakeError(ErrorCode::kUnauthenticated,
                           "container credentials: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + file + ": " +
                               text.error().message);
        }
        auth = *text;
        while (!auth.empty() && (auth.back() == '\n' || auth.back() == '\r')) auth.pop_back();
      } else {
        auth = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
      }
    }
    if (auth.find_first_of("\r\n") != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "container credentials: the authorization token has a line break");
    }
    if (!auth.empty()) req.headers.emplace_back("Authorization", auth);
    std::string const what = "container credentials endpoint " + RedactUrl(uri);
    auto got = Fetch(*options_.transport, req, ctx, options_.max_attempts, what);
    if (!got) return got.error();
    if (got->status != 200) return HttpError(got->status, what);
    return ParseCredentialsJson(got->body, what);
  }
};

class ImdsProvider final : public EndpointProvider {
 public:
  using EndpointProvider::EndpointProvider;
  std::string Describe() const override { return "EC2 instance metadata (IMDSv2)"; }

 private:
  std::string Base() const {
    std::string b = options_.imds_endpoint;
    if (b.empty()) b = Env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (b.empty()) b = "http://169.254.169.254";
    while (!b.empty() && b.back() == '/') b.pop_back();
    return b;
  }

  Result<std::string> Token(CallContext const& ctx, bool force) {
    auto const now = options_.clock->Now();
    if (!force && !token_.empty() && now < token_expiry_) return token_;
    auto req = MakeRequest("PUT", Base() + "/latest/api/token");
    req.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", std::to_string(options_.imds_token_ttl.count()));
    req.body = MakeStringBody(std::string());
    // One attempt only for the first contact: a transport error means "not on EC2".
    auto got = Fetch(*options_.transport, req, ctx, 1, "IMDSv2 token (PUT " + Base() + "/latest/api/token)");
    if (!got) {
      Error e = got.error();
      e.code = ErrorCode::kUnauthenticated;  // not on EC2 (or IMDS unreachable): not a credentials source
      return e;
    }
    if (got->status != 200 || got->body.empty()) return HttpError(got->status, "IMDSv2 token");
    token_ = got->body;
    token_expiry_ = now + options_.imds_token_ttl - std::chrono::seconds(60);
    return token_;
  }

  Result<Fetched> AuthedGet(std::string const& path, CallContext const& ctx, std::string const& what) {
    for (int round = 0; round < 2; ++round) {
      auto token = Token(ctx, round > 0);
      if (!token) return token.error();
      auto req = MakeRequest("GET", Base() + path);
      req.headers.emplace_back("X-aws-ec2-metadata-token", *token);
      auto got = Fetch(*options_.transport, req, ctx, options_.max_attempts, what);
      if (!got) return got;
      if (got->status == 401 && round == 0) continue;  // token expired or revoked: get a new one
      return got;
    }
    return MakeError(ErrorCode::kUnauthenticated, what + ": HTTP 401 with a fresh IMDSv2 token");
  }

  Result<AwsCredentials> Refresh(CallContext const& ctx) override {
    if (::ccrec::detail::EqualsIgnoreCase(Env("AWS_EC2_METADATA_DISABLED"), "true")) {
      return MakeError(ErrorCode::kUnauthenticated, "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED");
    }
    std::string const list_path = "/latest/meta-data/iam/security-credentials/";
    auto roles = AuthedGet(list_path, ctx, "IMDS role list");
    if (!roles) return roles.error();
    if (roles->status == 404) {
      return MakeError(ErrorCode::kUnauthenticated, "EC2 instance metadata: no IAM role is attached to this instance");
    }
    if (roles->status != 200) return HttpError(roles->status, "IMDS role list");
    auto role = roles->body.substr(0, roles->body.find('\n'));
    while (!role.empty() && (role.back() == '\r' || role.back() == ' ')) role.pop_back();
    if (role.empty()) return MakeError(ErrorCode::kUnauthenticated, "EC2 instance metadata: empty IAM role list");
    auto what = "IMDS credentials of role " + role;
    auto got = AuthedGet(list_path + ::ccrec::detail::PercentEncode(role), ctx, what);
    if (!got) return got.error();
    if (got->status != 200) return HttpError(got->status, what);
    return ParseCredentialsJson(got->body, what);
  }

  // Guarded by RefreshingProvider's mutex (Refresh runs under it).
  std::string token_;
  SysTime token_expiry_{};
};

}  // namespace

std::shared_ptr<CredentialsProvider> MakeContainerCredentialsProvider(CredentialsEndpointOptions options) {
  return std::make_shared<ContainerProvider>(std::move(options));
}

std::shared_ptr<CredentialsProvider> MakeInstanceMetadataCredentialsProvider(CredentialsEndpointOptions options) {
  return std::make_shared<ImdsProvider>(std::move(options));
}

}  // namespace ccrec::s3
