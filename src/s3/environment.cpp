// SPDX-License-Identifier: Apache-2.0
// Region, endpoint and CA bundle from the environment and the shared config file
// (ResolveAwsEnvironment, S3SinkOptions::FromEnvironment).
#include <ccrec/s3/environment.hpp>
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/ascii.hpp"
#include "internal/url.hpp"
#include "s3/aws_config.hpp"

namespace ccrec {
inline namespace v1 {
namespace s3 {

Result<AwsEnvironment> ResolveAwsEnvironment(AwsEnvironmentOptions const& options) {
  AwsEnvironment out;
  out.profile = detail::ProfileName(options.profile);
  std::string const what = "AWS profile " + out.profile;
  // Only the config file carries region/endpoint_url/ca_bundle; an empty path for the
  // credentials file would fall back to the default, so point it at nothing.
  auto files = detail::ReadAwsConfigFiles("/dev/null", options.config_file, what);
  if (!files) {
    Error e = files.error();
    e.code = ErrorCode::kInvalidArgument;
    return e;
  }
  auto const section = detail::ConfigSection(*files, out.profile).value_or(detail::IniSection{});
  auto from_profile = [&](char const* key) { return detail::Value(section, key); };

  if (auto r = detail::Env("AWS_REGION"); !r.empty()) {
    out.region = r;
    out.region_source = "AWS_REGION";
  } else if (auto d = detail::Env("AWS_DEFAULT_REGION"); !d.empty()) {
    out.region = d;
    out.region_source = "AWS_DEFAULT_REGION";
  } else if (auto p = from_profile("region"); !p.empty()) {
    out.region = p;
    out.region_source = "profile " + out.profile;
  } else {
    out.region = "us-east-1";
    out.region_source = "default";
  }

  if (!::ccrec::detail::EqualsIgnoreCase(detail::Env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")) {
    if (auto s3 = detail::Env("AWS_ENDPOINT_URL_S3"); !s3.empty()) {
      out.endpoint = s3;
      out.endpoint_source = "AWS_ENDPOINT_URL_S3";
    } else if (auto any = detail::Env("AWS_ENDPOINT_URL"); !any.empty()) {
      out.endpoint = any;
      out.endpoint_source = "AWS_ENDPOINT_URL";
    } else if (auto p = from_profile("endpoint_url"); !p.empty()) {
      out.endpoint = p;
      out.endpoint_source = "profile " + out.profile;
    }
  }
  if (!out.endpoint.empty()) {
    std::string problem;
    if (!::ccrec::detail::ParseUrl(out.endpoint, &problem)) {
      return MakeError(ErrorCode::kInvalidArgument, "S3 endpoint from " + out.endpoint_source + " \"" +
                                                        RedactUrl(out.endpoint) + "\" is not an http(s) URL" +
                                                        (problem.empty() ? "" : ": " + problem));
    }
  }

  out.ca_bundle = detail::Env("AWS_CA_BUNDLE");
  if (out.ca_bundle.empty()) out.ca_bundle = from_profile("ca_bundle");
  return out;
}

Result<S3SinkOptions> S3SinkOptions::FromEnvironment(std::string const& profile) {
  AwsEnvironmentOptions eo;
  eo.profile = profile;
  auto env = ResolveAwsEnvironment(eo);
  if (!env) return env.error();
  S3SinkOptions o;
  o.region = env->region;
  o.endpoint = env->endpoint;
  o.path_style = !o.endpoint.empty() && EndpointImpliesPathStyle(o.endpoint);
  CurlOptions co;
  co.ca_file = env->ca_bundle;
  o.transport = MakeCurlTransport(co);
  DefaultCredentialsChainOptions chain;
  chain.profile.profile = profile;
  chain.endpoints.transport = o.transport;
  chain.profile.transport = o.transport;
  o.credentials = MakeDefaultCredentialsChain(chain);
  return o;
}

}  // namespace s3
}  // namespace v1
}  // namespace ccrec
