// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: S3Client — addressing (path-style / virtual-hosted), SigV4 signing, sending with
// retries and clock-skew correction, and error mapping for one S3 request. Shared by the sink,
// the presign API and the integration tests. Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/s3/credentials.hpp>
#include <ccrec/s3/sigv4.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccrec::s3::detail {

struct S3ClientOptions {
  std::string bucket;
  std::string region = "us-east-1";
  std::string endpoint;  // required here (no default)
  bool path_style = false;
  std::shared_ptr<HttpTransport> transport;             // required
  std::shared_ptr<CredentialsProvider> credentials;     // required
  RetryPolicy retry;
  std::uint64_t retry_seed = 0;
  std::shared_ptr<Clock> clock;      // required
  std::shared_ptr<Sleeper> sleeper;  // required
  Logger logger;
  // Per-attempt total timeouts (0 = none): every call but PutObject/UploadPart (object data, which
  // keeps only the transport's low-speed floor) and CompleteMultipartUpload gets control_timeout.
  std::chrono::milliseconds control_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds complete_timeout{std::chrono::minutes(10)};
  // The endpoint is the AWS default "https://s3.<region>.amazonaws.com": when S3 reports another
  // bucket region (x-amz-bucket-region), the host follows the region, not only the signature.
  bool endpoint_follows_region = false;
};

/// One S3 API call.
struct S3Call {
  std::string operation;  // S3 API name, for messages: "PutObject"
  std::string detail;     // extra text for messages: "part 3"
  std::string method = "GET";
  std::string key;  // full object key (prefix included); empty = the bucket itself
  std::vector<std::pair<std::string, std::string>> query;  // unencoded
  HttpHeaders headers;                                      // all signed
  char const* body = nullptr;                               // caller-owned, outlives the call
  std::size_t body_size = 0;
  std::string payload_hash;  // hex SHA-256 or UNSIGNED-PAYLOAD; empty = empty body
  bool idempotent = true;
  bool not_found_ok = false;      // 404 is returned as a response, not an error
  bool check_error_body = false;  // a 2xx whose body is <Error> is an error (CompleteMultipartUpload)
};

struct S3Response {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  std::optional<std::string> Header(std::string_view name) const { return FindHeader(headers, name); }
};

/// Where a request for a key goes.
struct S3Target {
  std::string scheme;    // "https"
  std::string host;      // host[:port] as sent (default port omitted)
  std::string raw_path;  // unencoded: "/bucket/key" or "/key"
};

class S3Client {
 public:
  static Result<std::shared_ptr<S3Client>> Make(S3ClientOptions options);

  /// Signs and sends `call` with retries; reads the (small) response body.
  Result<S3Response> Execute(S3Call const& call, CallContext const& ctx) const;
  /// Signs and sends `call` once (no retries) and returns the streaming response for any status.
  Result<HttpResponse> SendStreaming(S3Call const& call, CallContext const& ctx) const;
  /// Presigned URL for `method` on `key`.
  Result<PresignedUrl> Presign(std::string const& method, std::string const& key, std::chrono::seconds expires,
                               HttpHeaders const& signed_headers, CallContext const& ctx) const;

  S3Target Target(std::string const& key) const;
  /// The signing region: S3ClientOptions::region until S3 reported the bucket's own region
  /// (x-amz-bucket-region on a 301 or 400), then that one, for every later request.
  std::string Region() const;
  std::string Location(std::string const& key) const { return "s3://" + options_.bucket + "/" + key; }
  /// The clock corrected by the skew learnt from RequestTimeTooSkewed.
  std::chrono::system_clock::time_point Now() const;
  bool IsHttps() const { return scheme_ == "https"; }
  S3ClientOptions const& options() const { return options_; }
  std::chrono::milliseconds Skew() const { return std::chrono::milliseconds(skew_ms_.load()); }

 private:
  explicit S3Client(S3ClientOptions options);
  struct Prepared {
    HttpRequest request;
    std::string url_for_log;
    /// The signing secret and session token, masked if a server echoes them into an error.
    std::string secret_access_key;
    std::string session_token;
    std::string region;  // the region it was signed for
  };
  Result<Prepared> Prepare(S3Call const& call, CallContext const& ctx) const;
  bool LearnSkew(S3Response const& response) const;
  /// Adopts the bucket region a 301 PermanentRedirect / 400 AuthorizationHeaderMalformed reports
  /// in x-amz-bucket-region when it differs from `signed_region`; true = re-sign and resend.
  bool LearnRegion(S3Response const& response, std::string const& signed_region, std::string const& what) const;
  S3Target TargetFor(std::string const& key, std::string const& host) const;

  S3ClientOptions options_;
  std::unique_ptr<Backoff> backoff_;
  std::string scheme_;
  mutable std::mutex addressing_mu_;  // guards region_ and host_ (learnt from S3 at run time)
  mutable std::string region_;
  mutable std::string host_;  // endpoint host[:port], default port omitted
  std::string base_path_;  // unencoded endpoint path without trailing '/', "" for none
  mutable std::atomic<std::int64_t> skew_ms_{0};
};

}  // namespace ccrec::s3::detail
