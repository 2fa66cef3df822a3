// SPDX-License-Identifier: Apache-2.0
// STS-backed credential providers: web identity (AssumeRoleWithWebIdentity) and assume role.
#include <ccrec/s3/credentials.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/file_util.hpp"
#include "s3/aws_config.hpp"
#include "s3/refreshing_provider.hpp"
#include "s3/sts.hpp"

namespace ccrec::s3 {
namespace {

StsOptions StsDefaults(StsOptions o) {
  if (!o.transport) o.transport = MakeCurlTransport();
  if (!o.clock) o.clock = MakeSystemClock();
  return o;
}

/// A provider whose credentials come from STS (`Options` has an StsOptions `sts`): cached and
/// refreshed ahead of expiry, one Refresh() at a time (detail::RefreshingProvider).
template <class Options>
class StsProvider : public detail::RefreshingProvider {
 public:
  explicit StsProvider(Options o)
      : RefreshingProvider(o.sts), options_(std::move(o)), sts_(StsDefaults(options_.sts)) {}

 protected:
  Options const options_;
  StsOptions const sts_;
};

class WebIdentityProvider final : public StsProvider<WebIdentityCredentialsOptions> {
 public:
  using StsProvider::StsProvider;
  std::string Describe() const override { return "web identity (" + RoleArn() + ")"; }

 private:
  std::string RoleArn() const { return !options_.role_arn.empty() ? options_.role_arn : detail::Env("AWS_ROLE_ARN"); }

  Result<AwsCredentials> Refresh(CallContext const& ctx) override {
    auto const file = !options_.token_file.empty() ? options_.token_file : detail::Env("AWS_WEB_IDENTITY_TOKEN_FILE");
    auto const role = RoleArn();
    if (file.empty() || role.empty()) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "web identity credentials: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must both be set");
    }
    auto token = ::ccrec::detail::ReadSmallFile(file, 64 * 1024);
    if (!token) {
      return MakeError(ErrorCode::kUnauthenticated,
                       "web identity credentials: cannot read the token file " + file + ": " + token.error().message);
    }
    std::string t = *token;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (t.empty()) {
      return MakeError(ErrorCode::kUnauthenticated, "web identity credentials: the token file " + file + " is empty");
    }
    std::string session = options_.role_session_name;
    if (session.empty()) session = detail::Env("AWS_ROLE_SESSION_NAME");
    if (session.empty()) session = detail::DefaultSessionName(*sts_.clock);
    return detail::CallSts(sts_, "AssumeRoleWithWebIdentity",
                           {{"RoleArn", role}, {"RoleSessionName", session}, {"WebIdentityToken", t}}, std::nullopt,
                           ctx, {t});
  }
};

class AssumeRoleProvider final : public StsProvider<AssumeRoleCredentialsOptions> {
 public:
  using StsProvider::StsProvider;
  std::string Describe() const override {
    return "assume role " + options_.role_arn + (options_.source ? " from " + options_.source->Describe() : "");
  }

 private:
  Result<AwsCredentials> Refresh(CallContext const& ctx) override {
    if (!options_.source || options_.role_arn.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "assume role: the source credentials and role ARN are required");
    }
    auto source = options_.source->Get(ctx);
    if (!source) {
      Error e = source.error();
      e.message = "assume role " + options_.role_arn + ": the source credentials (" + options_.source->Describe() +
                  "): " + e.message;
      return e;
    }
    std::vector<std::pair<std::string, std::string>> params{
        {"RoleArn", options_.role_arn},
        {"RoleSessionName",
         options_.role_session_name.empty() ? detail::DefaultSessionName(*sts_.clock) : options_.role_session_name}};
    if (!options_.external_id.empty()) params.emplace_back("ExternalId", options_.external_id);
    if (options_.duration.count() > 0) params.emplace_back("DurationSeconds", std::to_string(options_.duration.count()));
    return detail::CallSts(sts_, "AssumeRole", params, *source, ctx);
  }
};

}  // namespace

std::shared_ptr<CredentialsProvider> MakeWebIdentityCredentialsProvider(WebIdentityCredentialsOptions options) {
  return std::make_shared<WebIdentityProvider>(std::move(options));
}

std::shared_ptr<CredentialsProvider> MakeAssumeRoleCredentialsProvider(AssumeRoleCredentialsOptions options) {
  return std::make_shared<AssumeRoleProvider>(std::move(options));
}

}  // namespace ccrec::s3
