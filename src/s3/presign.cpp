// SPDX-License-Identifier: Apache-2.0
// Presigned object URLs and s3:// URI parsing.
#include <ccrec/s3/presign.hpp>

#include "s3/s3_request.hpp"

namespace ccrec::s3 {

Result<S3Uri> ParseS3Uri(std::string_view uri) {
  constexpr std::string_view kScheme = "s3://";
  if (uri.substr(0, kScheme.size()) != kScheme) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "\"" + std::string(uri) + "\" is not an S3 URI; expected s3://BUCKET/KEY");
  }
  auto rest = uri.substr(kScheme.size());
  auto slash = rest.find('/');
  S3Uri out;
  out.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.key = std::string(rest.substr(slash + 1));
  if (out.bucket.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "\"" + std::string(uri) + "\" has no bucket; expected s3://BUCKET/KEY");
  }
  return out;
}

Result<PresignedUrl> PresignS3Object(std::string const& bucket, std::string const& key, S3PresignOptions const& options,
                                     CallContext const& ctx) {
  if (bucket.empty() || key.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "S3 presign: bucket and key must not be empty");
  }
  if (options.method != "GET" && options.method != "PUT") {
    return MakeError(ErrorCode::kInvalidArgument,
                     "S3 presign: method must be GET or PUT, got \"" + options.method + "\"");
  }
  detail::S3ClientOptions co;
  co.bucket = bucket;
  co.region = options.region.empty() ? "us-east-1" : options.region;
  co.endpoint = options.endpoint.empty() ? "https://s3." + co.region + ".amazonaws.com" : options.endpoint;
  co.path_style = options.path_style;
  co.clock = options.clock ? options.clock : MakeSystemClock();
  if (options.credentials) {
    co.credentials = options.credentials;
  } else {
    DefaultCredentialsChainOptions chain;
    chain.endpoints.clock = co.clock;
    co.credentials = MakeDefaultCredentialsChain(chain);
  }
  auto client = detail::S3Client::Make(std::move(co));
  if (!client) return client.error();
  HttpHeaders headers;
  if (options.method == "PUT" && !options.content_type.empty()) headers.emplace_back("Content-Type", options.content_type);
  auto url = (*client)->Presign(options.method, key, options.expires, headers, ctx);
  if (!url) {
    Error e = url.error();
    e.message = "S3 presign " + options.method + " s3://" + bucket + "/" + key + ": " + e.message;
    return e;
  }
  return url;
}

}  // namespace ccrec::s3
