// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the two STS query-API calls the assume-role providers make (AssumeRole,
// AssumeRoleWithWebIdentity) and the parsing of their XML answers. Not installed.
//
// Source: AWS STS API Reference, "AssumeRole", "AssumeRoleWithWebIdentity", "Common Errors"
// (https://docs.aws.amazon.com/STS/latest/APIReference/).

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/s3/credentials.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccrec::s3::detail {

/// The STS endpoint for `options` (see StsOptions::endpoint), checked: https, or http to a
/// loopback host. kInvalidArgument otherwise.
Result<std::string> StsEndpoint(StsOptions const& options);
/// The signing region for `options` (see StsOptions::region).
std::string StsRegion(StsOptions const& options);

/// One STS call: a form-encoded POST of `Action`, `Version=2011-06-15` and `params`, SigV4-signed
/// (service "sts") with `signer` when given, unsigned otherwise (AssumeRoleWithWebIdentity).
/// Transport errors and 5xx are retried at once up to `options.max_attempts`.
/// `known_secrets` (the web identity token) are masked in any server text that reaches an Error,
/// as are the signer's secret key and session token.
/// @return the `Credentials` of the answer; STS `<ErrorResponse>` as kUnauthenticated (4xx) or
///         kUnavailable (5xx) with vendor_code/request_id; kParse for a malformed answer.
Result<AwsCredentials> CallSts(StsOptions const& options, std::string const& action,
                               std::vector<std::pair<std::string, std::string>> const& params,
                               std::optional<AwsCredentials> const& signer, CallContext const& ctx,
                               std::vector<std::string> const& known_secrets = {});

/// Parses an STS answer body (exposed for tests). `what` prefixes messages.
Result<AwsCredentials> ParseStsCredentials(int status, std::string const& body, std::string const& what,
                                           std::vector<std::string_view> const& known_secrets = {});

/// "ccrec-<epoch seconds>" from the clock: a default RoleSessionName.
std::string DefaultSessionName(Clock const& clock);

}  // namespace ccrec::s3::detail
