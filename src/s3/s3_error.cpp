// SPDX-License-Identifier: Apache-2.0
// S3 response → Error mapping (the one place that judges S3 statuses and error codes).
#include "s3/s3_error.hpp"

#include <ccrec/core/log.hpp>

#include "internal/time_util.hpp"
#include "s3/s3_xml.hpp"

#include <utility>

namespace ccrec::s3::detail {
namespace {

struct CodeInfo {
  ErrorCode code;
  char const* advice;
};

// Classification and advice for the S3 error codes ccrec meets in practice
// (Amazon S3 API Reference, "Error responses" → "List of error codes").
std::optional<CodeInfo> Lookup(std::string_view code) {
  static const std::pair<std::string_view, CodeInfo> kTable[] = {
      {"SignatureDoesNotMatch",
       {ErrorCode::kUnauthenticated,
        "the request signature was rejected: check the secret access key (AWS_SECRET_ACCESS_KEY), "
        "the region and the endpoint"}},
      {"InvalidAccessKeyId",
       {ErrorCode::kUnauthenticated,
        "the access key id is not known to this endpoint: check AWS_ACCESS_KEY_ID and the endpoint"}},
      {"ExpiredToken", {ErrorCode::kUnauthenticated, "the session token has expired: refresh the temporary credentials"}},
      {"TokenRefreshRequired",
       {ErrorCode::kUnauthenticated, "the session token must be refreshed: refresh the temporary credentials"}},
      {"InvalidToken", {ErrorCode::kUnauthenticated, "the session token is malformed or invalid: check AWS_SESSION_TOKEN"}},
      {"InvalidSecurity", {ErrorCode::kUnauthenticated, "the security credentials are invalid"}},
      {"RequestTimeTooSkewed",
       {ErrorCode::kUnauthenticated,
        "the local clock differs from the server's by more than 15 minutes: synchronise the system clock (NTP)"}},
      {"AuthorizationHeaderMalformed",
       {ErrorCode::kInvalidArgument,
        "the Authorization header was rejected, usually because the region is wrong: set the bucket's region"}},
      {"AccessDenied",
       {ErrorCode::kPermissionDenied,
        "the credentials are not allowed to do this: grant the identity s3:PutObject, s3:AbortMultipartUpload "
        "and s3:GetObject on the bucket and prefix, s3:ListBucket on the bucket (and kms:GenerateDataKey, "
        "kms:Decrypt for SSE-KMS); see docs/s3.md, Permissions"}},
      {"AllAccessDisabled", {ErrorCode::kPermissionDenied, "all access to this bucket has been disabled"}},
      {"AccountProblem", {ErrorCode::kPermissionDenied, "the AWS account has a problem: contact AWS support"}},
      {"KMS.AccessDeniedException",
       {ErrorCode::kPermissionDenied, "the identity may not use the SSE-KMS key: grant kms:GenerateDataKey"}},
      {"KMS.NotFoundException", {ErrorCode::kInvalidArgument, "the SSE-KMS key does not exist: check the key id"}},
      {"KMS.DisabledException", {ErrorCode::kInvalidArgument, "the SSE-KMS key is disabled"}},
      {"NoSuchBucket",
       {ErrorCode::kNotFound, "the bucket does not exist (in this account/endpoint): create it or fix the bucket name"}},
      {"NoSuchKey", {ErrorCode::kNotFound, "the object does not exist"}},
      {"NoSuchUpload",
       {ErrorCode::kNotFound, "the multipart upload no longer exists (aborted or completed): upload the object again"}},
      {"PermanentRedirect",
       {ErrorCode::kInvalidArgument, "the bucket must be addressed through another endpoint or region: set the "
                                     "bucket's region/endpoint"}},
      {"TemporaryRedirect", {ErrorCode::kUnavailable, "the bucket is being redirected temporarily"}},
      {"IllegalLocationConstraintException",
       {ErrorCode::kInvalidArgument, "the bucket is in another region: set the bucket's region"}},
      {"InvalidBucketName", {ErrorCode::kInvalidArgument, "the bucket name is not valid"}},
      {"KeyTooLongError", {ErrorCode::kInvalidArgument, "the key is longer than 1024 bytes"}},
      {"EntityTooSmall",
       {ErrorCode::kInvalidArgument, "a multipart part other than the last was smaller than 5 MiB"}},
      {"EntityTooLarge", {ErrorCode::kInvalidArgument, "the object or part exceeds the maximum size"}},
      {"InvalidPart", {ErrorCode::kInvalidArgument, "a listed part was not found or its ETag did not match"}},
      {"InvalidPartOrder", {ErrorCode::kInvalidArgument, "the part list was not in ascending order"}},
      {"MalformedXML", {ErrorCode::kInvalidArgument, "the request XML was rejected"}},
      {"InvalidArgument", {ErrorCode::kInvalidArgument, "an argument was rejected"}},
      {"InvalidRequest", {ErrorCode::kInvalidArgument, "the request was rejected"}},
      {"InvalidStorageClass", {ErrorCode::kInvalidArgument, "the storage class is not valid: check the storage class"}},
      {"NotImplemented", {ErrorCode::kInvalidArgument, "the endpoint does not implement this feature"}},
      {"PreconditionFailed",
       {ErrorCode::kInvalidArgument, "the object already exists and overwriting was not allowed (If-None-Match)"}},
      {"ConditionalRequestConflict",
       {ErrorCode::kUnavailable, "a concurrent conditional write to the same key is in progress"}},
      {"BadDigest", {ErrorCode::kIntegrity, "the body did not match its Content-MD5 or checksum (corrupted in transit)"}},
      {"InvalidDigest", {ErrorCode::kIntegrity, "the Content-MD5 or checksum header was malformed"}},
      {"XAmzContentSHA256Mismatch",
       {ErrorCode::kIntegrity, "the body did not match its x-amz-content-sha256 (corrupted in transit)"}},
      {"IncompleteBody", {ErrorCode::kIntegrity, "fewer bytes arrived than Content-Length announced"}},
      {"SlowDown", {ErrorCode::kRateLimited, "S3 asked to reduce the request rate"}},
      {"ServiceUnavailable", {ErrorCode::kUnavailable, "S3 was temporarily unavailable"}},
      {"InternalError", {ErrorCode::kUnavailable, "S3 had an internal error"}},
      {"RequestTimeout",
       {ErrorCode::kUnavailable, "the connection was idle too long while sending the body (slow upstream)"}},
      {"OperationAborted", {ErrorCode::kUnavailable, "a conflicting operation is in progress on the bucket"}},
  };
  for (auto const& [name, info] : kTable) {
    if (name == code) return info;
  }
  return std::nullopt;
}

ErrorCode FromStatus(int status) {
  switch (status) {
    case 400: return ErrorCode::kInvalidArgument;
    case 401: return ErrorCode::kUnauthenticated;
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 408: return ErrorCode::kDeadlineExceeded;
    case 409: return ErrorCode::kInvalidArgument;
    case 412: return ErrorCode::kInvalidArgument;
    case 429: return ErrorCode::kRateLimited;
    case 500:
    case 502:
    case 503:
    case 504: return ErrorCode::kUnavailable;
    default: break;
  }
  if (status >= 500) return ErrorCode::kInternal;
  if (status >= 400) return ErrorCode::kInvalidArgument;
  return ErrorCode::kParse;
}

}  // namespace

std::string ServerText(std::string_view text, std::vector<std::string_view> const& known_secrets) {
  std::string scrubbed(text);
  for (auto secret : known_secrets) {
    if (secret.size() < 8) continue;
    for (auto at = scrubbed.find(secret); at != std::string::npos; at = scrubbed.find(secret, at + 3)) {
      scrubbed.replace(at, secret.size(), "***");
    }
  }
  std::string redacted = RedactSecrets(scrubbed);
  if (redacted.size() > kMaxServerTextBytes) redacted = redacted.substr(0, kMaxServerTextBytes) + "...";
  return EscapeControlCharacters(redacted);
}

bool IsErrorDocument(std::string_view body) {
  auto doc = xml::Document::Parse(body, "S3 response body");
  return doc && doc->RootName() == "Error";
}

Error MapS3Error(int status, HttpHeaders const& headers, std::string_view body, std::string_view operation,
                 std::string_view location, std::chrono::system_clock::time_point now,
                 std::vector<std::string_view> const& known_secrets) {
  // Everything the server wrote passes through ServerText before it reaches the Error.
  auto safe = [&known_secrets](std::optional<std::string> const& text) {
    return text ? ServerText(*text, known_secrets) : std::string();
  };
  Error e;
  e.http_status = status;
  std::string s3_message;
  auto doc = xml::Document::Parse(body, "S3 error body");
  bool const error_document = doc && doc->RootName() == "Error";
  if (error_document) {
    e.vendor_code = safe(doc->Text("Code"));
    s3_message = safe(doc->Text("Message"));
    e.request_id = safe(doc->Text("RequestId"));
  }
  if (e.request_id.empty()) e.request_id = safe(FindHeader(headers, "x-amz-request-id"));
  if (e.vendor_code.empty() && status == 412) e.vendor_code = "PreconditionFailed";
  // S3 Express / some gateways put the code in a header for bodiless (HEAD) responses.
  if (e.vendor_code.empty()) e.vendor_code = safe(FindHeader(headers, "x-amz-error-code"));
  if (s3_message.empty()) s3_message = safe(FindHeader(headers, "x-amz-error-message"));

  std::string advice;
  if (auto info = e.vendor_code.empty() ? std::nullopt : Lookup(e.vendor_code)) {
    e.code = info->code;
    advice = info->advice;
  } else {
    e.code = FromStatus(status);
    if (e.vendor_code.empty()) {
      switch (status) {
        case 403:
          advice = "access was refused (a HEAD response carries no error body: the secret, the key id or the "
                   "permissions may be wrong; AWS also answers 403 for a missing object when the identity lacks "
                   "s3:ListBucket on the bucket, see docs/s3.md, Permissions)";
          break;
        case 404: advice = "not found (the bucket or the object does not exist)"; break;
        case 301:
        case 307: advice = "the bucket must be addressed through another endpoint or region"; break;
        default: break;
      }
    }
  }
  if (e.vendor_code == "AuthorizationHeaderMalformed" || e.vendor_code == "PermanentRedirect") {
    if (auto region = error_document ? doc->Text("Region") : std::nullopt) {
      advice += " (the server expects region " + safe(region) + ")";
    }
    if (auto ep = error_document ? doc->Text("Endpoint") : std::nullopt) advice += " (endpoint " + safe(ep) + ")";
    if (auto hr = FindHeader(headers, "x-amz-bucket-region")) advice += " (bucket region " + safe(hr) + ")";
  }
  if (auto ra = FindHeader(headers, "retry-after")) e.retry_after = ::ccrec::detail::ParseRetryAfter(*ra, now);

  std::string msg = "S3 " + std::string(operation) + " " + std::string(location) + " failed: HTTP " +
                    std::to_string(status);
  if (!e.vendor_code.empty()) msg += " " + e.vendor_code;
  if (!s3_message.empty()) msg += " (\"" + s3_message + "\")";
  if (!advice.empty()) msg += ": " + advice;
  e.message = std::move(msg);
  return e;
}

}  // namespace ccrec::s3::detail
