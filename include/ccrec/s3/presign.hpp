// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// Presigned S3 URLs for objects (like `aws s3 presign`), and `s3://bucket/key` parsing — what
/// `ccrec-export s3-presign` calls.
///
/// Source: Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS
/// Signature Version 4)"; Amazon S3 User Guide, "Sharing objects with presigned URLs".

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/s3/credentials.hpp>
#include <ccrec/s3/sigv4.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace ccrec::s3 {

/// A bucket and a key, as in "s3://bucket/key".
struct CCREC_EXPORT S3Uri {
  std::string bucket;
  /// The key, verbatim (may be empty for "s3://bucket" or "s3://bucket/").
  std::string key;
};

/// Parses "s3://BUCKET[/KEY]". The key is taken verbatim (not percent-decoded).
/// @return the parts, or kInvalidArgument when the scheme is not "s3://" or the bucket is empty.
CCREC_EXPORT Result<S3Uri> ParseS3Uri(std::string_view uri);

/// Options of PresignS3Object().
struct CCREC_EXPORT S3PresignOptions {
  /// Default "us-east-1".
  std::string region = "us-east-1";
  /// Default (empty): "https://s3.<region>.amazonaws.com".
  std::string endpoint;
  /// Path-style URL ("https://host/bucket/key"); forced for IP/localhost endpoints. Default false.
  bool path_style = false;
  /// "GET" (download, default) or "PUT" (upload).
  std::string method = "GET";
  /// Validity, 1 s .. 604800 s (7 days). Default 3600 s. With temporary credentials the URL
  /// stops working when they expire (PresignedUrl::expires_at says when).
  std::chrono::seconds expires{3600};
  /// PUT only: a Content-Type that is signed; the uploader must send exactly this header.
  /// Default empty (not signed; S3 stores what the uploader sends).
  std::string content_type;
  /// Default (null): MakeDefaultCredentialsChain().
  std::shared_ptr<CredentialsProvider> credentials;
  /// Signing time source. Default (null): MakeSystemClock().
  std::shared_ptr<Clock> clock;
};

/// Makes a presigned URL for `key` in `bucket` (the key is used verbatim, encoded once per
/// segment like every S3 request). No network traffic besides what the credentials provider
/// needs.
/// @return the URL (log it only through RedactUrl()), or kInvalidArgument (empty bucket or key,
///         method other than GET/PUT, expiry out of range, malformed endpoint), or the
///         credentials provider's error.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT Result<PresignedUrl> PresignS3Object(std::string const& bucket, std::string const& key,
                                                  S3PresignOptions const& options, CallContext const& ctx = {});

}  // namespace ccrec::s3
