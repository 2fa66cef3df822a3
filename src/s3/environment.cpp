// SPDX-License-Identifier: Apache-2.0
// Region, endpoint and CA bundle from the environment and the shared config file
// (ResolveAwsEnvironment, S3SinkOptions::FromEnvironment).
#include <ccrec/s3/environment.hpp>
#include <ccrec/s3/s3_sink.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/ascii.hpp"
#include "internal/url.hpp"
#include "s3/aws_config.hpp"

#include <initializer_list>

namespace ccrec::s3 {

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

  // The first set of: the variables named, then the profile's `key`; value and where it came from.
  auto first = [&](std::string& value, std::string& source, std::initializer_list<char const*> variables,
                   char const* key) {
    for (char const* name : variables) {
      if (auto v = detail::Env(name); !v.empty()) {
        value = v;
        source = name;
        return;
      }
    }
    if (auto p = from_profile(key); !p.empty()) {
      value = p;
      source = "profile " + out.profile;
    }
  };
  first(out.region, out.region_source, {"AWS_REGION", "AWS_DEFAULT_REGION"}, "region");
  if (out.region.empty()) {
    out.region = "us-east-1";
    out.region_source = "default";
  }

  if (!::ccrec::detail::EqualsIgnoreCase(detail::Env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")) {
    first(out.endpoint, out.endpoint_source, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}, "endpoint_url");
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

}  // namespace ccrec::s3
