// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// AWS credentials and the providers that supply them to the S3 sink and the SigV4 signer.
///
/// Source: AWS SDKs and Tools Reference Guide, "Standardized credential providers"
/// (https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html).

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {
namespace s3 {

/// An AWS access key pair, optionally temporary (with a session token and an expiry).
///
/// Never log or print these values: ccrec's own messages name only where credentials came from.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT AwsCredentials {
  /// Access key id, e.g. "AKIAIOSFODNN7EXAMPLE". Required.
  std::string access_key_id;
  /// Secret access key. Required.
  std::string secret_access_key;
  /// Session token of temporary credentials (STS, container, instance role); empty for
  /// long-term keys. Sent as `x-amz-security-token` (signed).
  std::string session_token;
  /// When temporary credentials stop working (UTC); nullopt = they do not expire.
  std::optional<std::chrono::system_clock::time_point> expiration;
};

/// Supplies credentials, caching and refreshing them as it sees fit.
///
/// @par Thread safety
/// Implementations must make Get() safe to call concurrently from many threads.
class CCREC_EXPORT CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  /// Returns credentials valid for at least the next few minutes.
  /// @return the credentials, or kUnauthenticated when none can be found (the message says
  ///         which sources were tried and what to set), or the error of a credential endpoint.
  virtual Result<AwsCredentials> Get(CallContext const& ctx = {}) = 0;
  /// Where the credentials come from, for messages ("environment", "static", "profile default").
  /// Never contains a secret. Default "custom".
  virtual std::string Describe() const { return "custom"; }
};

/// A provider that always returns `credentials`.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeStaticCredentialsProvider(AwsCredentials credentials);

/// A provider reading `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional
/// `AWS_SESSION_TOKEN` (or the legacy `AWS_SECURITY_TOKEN`) on every Get(), so changes to the
/// environment are seen. Get() fails with kUnauthenticated naming the missing variable.
/// @par Thread safety
/// Thread-safe (reading the environment while another thread calls setenv() is not).
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeEnvCredentialsProvider();

/// Where MakeProfileCredentialsProvider() looks.
struct CCREC_EXPORT ProfileCredentialsOptions {
  /// Profile name. Default (empty): `AWS_PROFILE`, else "default".
  std::string profile;
  /// Shared credentials file. Default (empty): `AWS_SHARED_CREDENTIALS_FILE`, else
  /// "$HOME/.aws/credentials".
  std::string credentials_file;
  /// Shared config file. Default (empty): `AWS_CONFIG_FILE`, else "$HOME/.aws/config".
  std::string config_file;
};

/// A provider reading static keys (`aws_access_key_id`, `aws_secret_access_key`, optional
/// `aws_session_token`) of one profile from the shared credentials file (`[name]`) and, when not
/// found there, the shared config file (`[profile name]`, or `[default]`). The files are read on
/// the first Get() and again after a failed Get(); a successful result is kept.
///
/// Not supported (Get() fails with kUnauthenticated saying so): `role_arn`/`source_profile`
/// (assume role), `credential_process`, `sso_*`, `web_identity_token_file`.
///
/// Source: AWS SDKs and Tools Reference Guide, "Shared config and credentials files".
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeProfileCredentialsProvider(
    ProfileCredentialsOptions options = {});

/// Options of the credential endpoints (container and instance metadata).
struct CCREC_EXPORT CredentialsEndpointOptions {
  /// HTTP transport for the endpoint. Default (null): MakeCurlTransport().
  std::shared_ptr<HttpTransport> transport;
  /// Clock deciding when credentials need refreshing. Default (null): MakeSystemClock().
  std::shared_ptr<Clock> clock;
  /// Credentials are refreshed this long before their Expiration. Default 5 min.
  std::chrono::seconds refresh_before_expiry{300};
  /// Per-request timeout. Default 2 s (the endpoints are link-local and answer quickly).
  std::chrono::milliseconds timeout{2000};
  /// Attempts per refresh (transport errors and 5xx are retried at once). Default 3.
  int max_attempts = 3;
  /// Warnings when a refresh fails but cached credentials are still valid. Default: silent.
  Logger logger;

  /// Container endpoint only. Default (empty): `AWS_CONTAINER_CREDENTIALS_FULL_URI`, else
  /// "http://169.254.170.2" + `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`. A full URI must be https,
  /// or http to a loopback address or the ECS/EKS link-local hosts (169.254.170.2,
  /// 169.254.170.23, fd00:ec2::23).
  std::string container_uri;
  /// Container endpoint only. `Authorization` header value. Default (empty): the content of the
  /// file named by `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (re-read on each refresh), else
  /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
  std::string container_authorization;

  /// Instance metadata only. Base URL. Default (empty): `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else
  /// "http://169.254.169.254".
  std::string imds_endpoint;
  /// Instance metadata only. IMDSv2 session token lifetime. Default 6 h.
  std::chrono::seconds imds_token_ttl{21600};
};

/// Temporary credentials from the ECS/EKS container credentials endpoint (GET, JSON with
/// AccessKeyId, SecretAccessKey, Token, Expiration), cached and refreshed
/// `refresh_before_expiry` before they expire (single-flight: one refresh at a time).
/// Get() fails with kUnauthenticated when no container URI is configured, kInvalidArgument for
/// a disallowed full URI, or the endpoint's error; a failed refresh returns the cached
/// credentials while they are still valid.
///
/// Source: AWS SDKs and Tools Reference Guide, "Container credential provider".
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeContainerCredentialsProvider(
    CredentialsEndpointOptions options = {});

/// Temporary credentials of the EC2 instance role through IMDSv2 only (PUT /latest/api/token,
/// then GET /latest/meta-data/iam/security-credentials/ and .../<role>), cached and refreshed
/// like MakeContainerCredentialsProvider(). Disabled (kUnauthenticated) when
/// `AWS_EC2_METADATA_DISABLED=true`. IMDSv1 is never used.
///
/// Source: AWS SDKs and Tools Reference Guide, "IMDS credential provider"; Amazon EC2 User
/// Guide, "Use the Instance Metadata Service to access instance metadata" (IMDSv2).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeInstanceMetadataCredentialsProvider(
    CredentialsEndpointOptions options = {});

/// Options of MakeDefaultCredentialsChain().
struct CCREC_EXPORT DefaultCredentialsChainOptions {
  ProfileCredentialsOptions profile;
  CredentialsEndpointOptions endpoints;
};

/// The chain AWS users expect, first match wins: environment variables, then the shared
/// credentials/config files (profile), then the container endpoint (only when its variables are
/// set), then instance metadata (IMDSv2). The provider that answered is asked first next time.
/// An explicit `AWS_PROFILE` that cannot be resolved is an error (not skipped).
/// Get() fails with kUnauthenticated listing why each source did not apply.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeDefaultCredentialsChain(
    DefaultCredentialsChainOptions options = {});

}  // namespace s3
}  // namespace v1
}  // namespace ccrec
