// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `ResolveAwsEnvironment`: the region, endpoint and CA bundle an AWS SDK would use, from the
/// environment and the shared config file — so a service embedding ccrec behaves like the AWS CLI
/// and like ccrec-export. S3SinkOptions::FromEnvironment() builds on it.
///
/// Sources: AWS SDKs and Tools Reference Guide, "AWS Region"
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html), "Service-specific
/// endpoints" (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html),
/// "General configuration settings" (`ca_bundle`,
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-gen-config.html).

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <string>

namespace ccrec::s3 {

/// Where ResolveAwsEnvironment() looks.
struct CCREC_EXPORT AwsEnvironmentOptions {
  /// Profile whose `region`, `endpoint_url` and `ca_bundle` apply. Default (empty):
  /// `AWS_PROFILE`, else "default".
  std::string profile;
  /// Shared config file. Default (empty): `AWS_CONFIG_FILE`, else "$HOME/.aws/config".
  std::string config_file;
};

/// The resolved settings. Nothing here is secret.
struct CCREC_EXPORT AwsEnvironment {
  /// The profile that was consulted ("default" when none was named).
  std::string profile;
  /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region`, else "us-east-1".
  std::string region;
  /// Where `region` came from: "AWS_REGION", "AWS_DEFAULT_REGION", "profile NAME" or "default".
  std::string region_source;
  /// S3 endpoint URL: `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else the profile's
  /// `endpoint_url`; empty = the AWS regional endpoint. Ignored (empty) when
  /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is "true".
  std::string endpoint;
  /// Where `endpoint` came from ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "profile NAME"), or "".
  std::string endpoint_source;
  /// Extra PEM CA bundle: `AWS_CA_BUNDLE`, else the profile's `ca_bundle`; empty = none. Give it
  /// to CurlOptions::ca_file (it is added to the system trust store, TLS verification stays on).
  std::string ca_bundle;
};

/// Resolves region, S3 endpoint and CA bundle the way the AWS SDKs do (environment first, then
/// the profile in the shared config file).
/// @return the settings; kInvalidArgument when the endpoint is not an http(s) URL (the message
///         names the variable or profile it came from) or the config file cannot be read (a
///         missing file is fine). An explicitly named profile that is absent from the config file
///         is not an error here (its credentials may live in the credentials file).
/// @par Thread safety
/// Thread-safe (reading the environment while another thread calls setenv() is not).
CCREC_EXPORT Result<AwsEnvironment> ResolveAwsEnvironment(AwsEnvironmentOptions const& options = {});

}  // namespace ccrec::s3
