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
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace ccrec::s3 {

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

/// How a provider keeps temporary credentials fresh: the settings every caching provider takes.
/// It is the public base of ProfileCredentialsOptions, CredentialsEndpointOptions,
/// ProcessCredentialsOptions and StsOptions: set its fields as theirs (`options.clock = ...`).
///
/// Temporary credentials (those with an Expiration) are cached and refreshed
/// `refresh_before_expiry` before they expire, one refresh at a time however many threads ask; a
/// failed refresh returns the cached credentials while they are still valid, with a warning.
///
/// @par Thread safety
/// A plain value type. The objects it points to are shared by the provider built from it.
struct CCREC_EXPORT CredentialsRefreshOptions {
  /// Clock deciding when cached credentials need refreshing, and the signing time of STS
  /// AssumeRole calls. Default (null): MakeSystemClock().
  std::shared_ptr<Clock> clock;
  /// Temporary credentials are refreshed this long before their Expiration. Default 5 min.
  std::chrono::seconds refresh_before_expiry{300};
  /// Warnings when a refresh fails but the cached credentials are still valid. Default: silent.
  Logger logger;
};

/// Where MakeProfileCredentialsProvider() looks, and how the temporary credentials of its sources
/// (STS, `credential_process` with an Expiration) are refreshed (CredentialsRefreshOptions).
struct CCREC_EXPORT ProfileCredentialsOptions : CredentialsRefreshOptions {
  /// Profile name. Default (empty): `AWS_PROFILE`, else "default".
  std::string profile;
  /// Shared credentials file. Default (empty): `AWS_SHARED_CREDENTIALS_FILE`, else
  /// "$HOME/.aws/credentials".
  std::string credentials_file;
  /// Shared config file. Default (empty): `AWS_CONFIG_FILE`, else "$HOME/.aws/config".
  std::string config_file;
  /// Transport of the STS calls that `role_arn` profiles make. Default (null):
  /// MakeCurlTransport() (TLS verification on).
  std::shared_ptr<HttpTransport> transport;
  /// Longest a `credential_process` may run before it is killed (SIGKILL) and Get() fails with
  /// kDeadlineExceeded. Default 60 s.
  std::chrono::milliseconds process_timeout{std::chrono::seconds(60)};
};

/// A provider for one profile of the shared credentials file (`[name]`) and config file
/// (`[profile name]`, or `[default]`); a key in the credentials file wins over the same key in
/// the config file. The files are read on the first Get() and again after a failed Get(); the
/// credential source they name is kept and asked on every later Get(). The profile's source, in
/// this order (as the AWS CLI resolves it):
/// - `role_arn` + `source_profile`: STS AssumeRole signed with the source profile's credentials
///   (which may itself be any of these, up to 5 profiles deep; a cycle is an error), with the
///   profile's `role_session_name`, `external_id` and `duration_seconds`
///   (MakeAssumeRoleCredentialsProvider());
/// - `role_arn` + `web_identity_token_file`: STS AssumeRoleWithWebIdentity
///   (MakeWebIdentityCredentialsProvider());
/// - static keys `aws_access_key_id`, `aws_secret_access_key`, optional `aws_session_token`;
/// - `credential_process` (MakeProcessCredentialsProvider()). This also covers IAM Identity
///   Center (SSO): `credential_process = aws configure export-credentials --profile SSO_PROFILE
///   --format process`.
///
/// The STS endpoint and region come from the profile (`region`, `sts_regional_endpoints` is
/// ignored: always regional) and the environment as MakeAssumeRoleCredentialsProvider()
/// documents. Not supported (Get() fails with kUnauthenticated saying so and suggesting
/// credential_process): `credential_source` and `sso_*` without `credential_process`.
///
/// Source: AWS SDKs and Tools Reference Guide, "Shared config and credentials files",
/// "Assume role credential provider", "Process credential provider".
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeProfileCredentialsProvider(
    ProfileCredentialsOptions options = {});

/// Options of the credential endpoints (container and instance metadata); the refresh settings
/// are CredentialsRefreshOptions'.
struct CCREC_EXPORT CredentialsEndpointOptions : CredentialsRefreshOptions {
  /// HTTP transport for the endpoint. Default (null): MakeCurlTransport().
  std::shared_ptr<HttpTransport> transport;
  /// Per-request timeout. Default 2 s (the endpoints are link-local and answer quickly).
  std::chrono::milliseconds timeout{2000};
  /// Attempts per refresh (transport errors and 5xx are retried at once). Default 3.
  int max_attempts = 3;

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

/// Options of MakeProcessCredentialsProvider(); the refresh settings (of credentials with an
/// Expiration) are CredentialsRefreshOptions'.
struct CCREC_EXPORT ProcessCredentialsOptions : CredentialsRefreshOptions {
  /// The command line, split into arguments as the AWS CLI does (POSIX shell words, no shell):
  /// whitespace separates words; '...' keeps everything literally; "..." keeps everything but
  /// `\"`, `\\`, `\$` and `` \` `` escapes; a backslash outside quotes escapes the next
  /// character. No variables, globbing, pipes or redirections. The first word is looked up in
  /// `PATH`. Required.
  std::string command;
  /// The process is killed (SIGKILL) when it runs longer. Default 60 s.
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  /// Most bytes read from its standard output; more is an error. Default 64 KiB.
  std::size_t max_output_bytes = 64 * 1024;
};

/// Credentials printed by an external program (`credential_process`), which covers IAM Identity
/// Center (SSO) through `aws configure export-credentials --format process` and any custom
/// credential broker.
///
/// The program runs without a shell (see ProcessCredentialsOptions::command), with standard
/// input from /dev/null and the caller's standard error (so its prompts and diagnostics reach
/// the user; ccrec never reads, logs or returns what it writes there). Its standard output must
/// be one JSON object: `Version` (the number 1), `AccessKeyId`, `SecretAccessKey`, optional
/// `SessionToken` and optional `Expiration` (ISO-8601 UTC). Credentials without Expiration are
/// kept for the life of the provider; with one, they are refreshed `refresh_before_expiry`
/// ahead (single-flight), and a failed refresh returns the cached ones while still valid.
///
/// Errors of Get(): kInvalidArgument for an empty or unbalanced command; kUnauthenticated when
/// the program cannot be started or exits non-zero (the message has its exit status, never its
/// output); kDeadlineExceeded after `timeout`; kParse for output that is not the JSON above
/// (the message names the field, never a value) or longer than `max_output_bytes`; kCancelled.
///
/// Source: AWS SDKs and Tools Reference Guide, "Process credential provider"
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeProcessCredentialsProvider(ProcessCredentialsOptions options);

/// Where and how the STS calls of the assume-role providers are made; the refresh settings are
/// CredentialsRefreshOptions' (its clock also gives the signing time).
struct CCREC_EXPORT StsOptions : CredentialsRefreshOptions {
  /// STS endpoint URL. Default (empty): `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else
  /// "https://sts.<region>.amazonaws.com". Must be https, or http to a loopback address
  /// (tests, local emulators); anything else is kInvalidArgument from Get().
  std::string endpoint;
  /// Region of the regional endpoint and of the AssumeRole signature. Default (empty):
  /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else "us-east-1".
  std::string region;
  /// HTTP transport. Default (null): MakeCurlTransport() (TLS verification on).
  std::shared_ptr<HttpTransport> transport;
  /// Per-request timeout. Default 10 s.
  std::chrono::milliseconds timeout{10000};
  /// Attempts per refresh (transport errors and 5xx are retried at once). Default 3.
  int max_attempts = 3;
};

/// Options of MakeWebIdentityCredentialsProvider().
struct CCREC_EXPORT WebIdentityCredentialsOptions {
  /// File holding the OIDC token (re-read on every refresh: Kubernetes rotates it). Default
  /// (empty): `AWS_WEB_IDENTITY_TOKEN_FILE`.
  std::string token_file;
  /// Role to assume. Default (empty): `AWS_ROLE_ARN`.
  std::string role_arn;
  /// Session name. Default (empty): `AWS_ROLE_SESSION_NAME`, else "ccrec-<epoch seconds>".
  std::string role_session_name;
  StsOptions sts;
};

/// Temporary credentials from STS AssumeRoleWithWebIdentity (an unsigned POST of `Action`,
/// `Version=2011-06-15`, `RoleArn`, `RoleSessionName`, `WebIdentityToken`), as Kubernetes service
/// accounts use them (EKS IRSA: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`). Cached and
/// refreshed `refresh_before_expiry` before they expire (single-flight); a failed refresh returns
/// the cached credentials while they are still valid.
///
/// Errors of Get(): kUnauthenticated when the token file or role ARN is not configured or the
/// file cannot be read, or STS refuses (vendor_code = the STS error Code, e.g.
/// InvalidIdentityToken, AccessDenied; request_id = its RequestId); kInvalidArgument for a
/// disallowed endpoint; kParse for a malformed STS answer; the transport's error otherwise.
///
/// Source: AWS STS API Reference, "AssumeRoleWithWebIdentity"
/// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeWebIdentityCredentialsProvider(
    WebIdentityCredentialsOptions options = {});

/// Options of MakeAssumeRoleCredentialsProvider().
struct CCREC_EXPORT AssumeRoleCredentialsOptions {
  /// Credentials that sign the AssumeRole call. Required.
  std::shared_ptr<CredentialsProvider> source;
  /// Role to assume. Required.
  std::string role_arn;
  /// Session name. Default (empty): "ccrec-<epoch seconds>".
  std::string role_session_name;
  /// `ExternalId`, when the role's trust policy requires one. Default: not sent.
  std::string external_id;
  /// `DurationSeconds` (900..43200). Default 0: not sent (STS's default, 1 h).
  std::chrono::seconds duration{0};
  StsOptions sts;
};

/// Temporary credentials from STS AssumeRole (a POST of `Action=AssumeRole`,
/// `Version=2011-06-15`, `RoleArn`, `RoleSessionName`, optional `ExternalId`/`DurationSeconds`,
/// SigV4-signed for service "sts" with the `source` credentials). Cached and refreshed like
/// MakeWebIdentityCredentialsProvider(); errors likewise, plus the source's error.
///
/// Source: AWS STS API Reference, "AssumeRole"
/// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeAssumeRoleCredentialsProvider(
    AssumeRoleCredentialsOptions options);

/// Options of MakeDefaultCredentialsChain().
struct CCREC_EXPORT DefaultCredentialsChainOptions {
  ProfileCredentialsOptions profile;
  CredentialsEndpointOptions endpoints;
};

/// The chain AWS users expect, first match wins: environment variables, then the shared
/// credentials/config files (profile, with every source MakeProfileCredentialsProvider()
/// supports), then web identity (only when `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` are
/// set), then the container endpoint (only when its variables are set), then instance metadata
/// (IMDSv2). The profile's and web identity's STS calls use `endpoints.transport`, `clock` and
/// `logger` unless `profile` sets its own. The provider that answered is asked first next time.
/// An explicit `AWS_PROFILE` that cannot be resolved is an error (not skipped).
/// Get() fails with kUnauthenticated listing why each source did not apply.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT std::shared_ptr<CredentialsProvider> MakeDefaultCredentialsChain(
    DefaultCredentialsChainOptions options = {});

}  // namespace ccrec::s3
