// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `MakeS3Sink`: an ObjectSink that streams objects into an S3 bucket (AWS S3 or any
/// S3-compatible endpoint: MinIO, Ceph RGW, Wasabi, GCS interoperability, moto).
///
/// Sources: Amazon S3 API Reference — PutObject, CreateMultipartUpload, UploadPart,
/// CompleteMultipartUpload, AbortMultipartUpload, HeadObject, "Error responses"; Amazon S3 User
/// Guide — "Uploading and copying objects using multipart upload", "Amazon S3 multipart upload
/// limits", "Checking object integrity". Summary: docs/reference/s3-sigv4.md.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/s3/credentials.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace ccrec::s3 {

/// 1 MiB in bytes.
inline constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
/// Smallest multipart part S3 accepts (except the last part): 5 MiB.
inline constexpr std::uint64_t kMinPartSize = 5 * kMiB;
/// Largest multipart part and largest single PutObject: 5 GiB.
inline constexpr std::uint64_t kMaxPartSize = std::uint64_t{5} << 30;
/// Most parts in one multipart upload.
inline constexpr int kMaxParts = 10000;

/// Whether request bodies are covered by the SigV4 signature.
enum class PayloadSigning {
  /// `x-amz-content-sha256` is the hex SHA-256 of the body (default; S3 verifies it).
  kSigned,
  /// `x-amz-content-sha256: UNSIGNED-PAYLOAD`. Allowed only for https endpoints, where TLS
  /// protects the body; saves one SHA-256 pass per part. The checksum (ChecksumAlgorithm) is
  /// still sent.
  kUnsigned,
};

/// The integrity checksum sent with every PutObject / UploadPart and verified by the server on
/// receipt (a mismatch is 400 BadDigest, nothing is stored).
///
/// kCrc32c and kSha256 are S3's flexible checksums ("Checking object integrity", S3 User
/// Guide): `x-amz-checksum-<alg>` + `x-amz-sdk-checksum-algorithm` on each body,
/// `x-amz-checksum-algorithm` on CreateMultipartUpload and the per-part value in
/// CompleteMultipartUpload. The server echoes the value, and the sink checks the echo. A server
/// without flexible-checksum support (older Ceph RGW, some S3-compatible stores) ignores the
/// headers and echoes nothing; the sink then logs one warning and verifies each upload's ETag
/// against the MD5 of the bytes sent instead (so corruption is still detected, after the fact).
/// For such servers kNone is the better choice: it sends Content-MD5, which every S3-compatible
/// server verifies on receipt.
enum class ChecksumAlgorithm {
  /// Content-MD5 only (RFC 1864), plus the ETag check; MD5 costs ~1.4 s of CPU per GiB.
  kNone,
  /// CRC-32C (Castagnoli), base64 of the big-endian 4 bytes. Default: hardware-accelerated
  /// (SSE4.2 / ARMv8 CRC), so it costs almost no CPU. (Current AWS SDKs also send a flexible
  /// checksum by default, CRC32.)
  kCrc32c,
  /// SHA-256, base64 of the 32 bytes (shares the hashing pass with the signed payload).
  kSha256,
};

/// Whether the store enforces `If-None-Match: *` on PutObject and CompleteMultipartUpload
/// (S3 conditional writes: 412 PreconditionFailed when the key exists), which the sink reports
/// through ObjectSink::EnforcesIfNoneMatch(). The header is sent with PutOptions::if_none_match
/// whatever this says; this only tells callers (the export engine) whether they may rely on it
/// instead of a HeadObject first. A store that silently ignores the header would let such a
/// caller overwrite an object, so only claim it for a store known to enforce it.
enum class ConditionalWrites {
  /// Enforced when the endpoint is AWS S3 (host ending in ".amazonaws.com" or
  /// ".amazonaws.com.cn", including the default endpoint; AWS enforces it since August 2024),
  /// not claimed for any other endpoint. Default.
  kAuto,
  /// The store enforces it (AWS S3; moto 5.2.1 does on both calls; check your store's
  /// documentation, e.g. recent MinIO and Cloudflare R2 document it).
  kOn,
  /// Not claimed: callers check with HeadObject first.
  kOff,
};

/// Options of MakeS3Sink(). Only `bucket` is required; every other field has a production default.
struct CCREC_EXPORT S3SinkOptions {
  /// Bucket name. Required.
  std::string bucket;
  /// Prepended verbatim to every key ("recordings/" + "2026/a.wav"). Default empty.
  std::string prefix;
  /// Region of the SigV4 credential scope. Default "us-east-1". When S3 reports that the bucket
  /// lives elsewhere, the sink switches to the bucket's region (see MakeS3Sink()).
  std::string region = "us-east-1";
  /// Endpoint URL, "scheme://host[:port][/base-path]". Default (empty):
  /// "https://s3.<region>.amazonaws.com".
  std::string endpoint;
  /// Path-style addressing ("https://host/bucket/key") instead of virtual-hosted
  /// ("https://bucket.host/key"). Default false. Always used for IP-literal and localhost
  /// endpoints (virtual-hosted cannot work there); most self-hosted servers need it too. See
  /// EndpointImpliesPathStyle().
  bool path_style = false;
  /// HTTP transport. Default (null): MakeCurlTransport().
  std::shared_ptr<HttpTransport> transport;
  /// Credentials. Default (null): MakeDefaultCredentialsChain() using this sink's transport,
  /// clock and logger (environment, profile files, container endpoint, IMDSv2).
  std::shared_ptr<CredentialsProvider> credentials;
  /// Retry policy for every request (each part is retried on its own). Default RetryPolicy{}.
  RetryPolicy retry;
  /// Seed of the backoff jitter PRNG, passed to Backoff. Default 0.
  std::uint64_t retry_seed = 0;
  /// Wall clock for signing. Default (null): MakeSystemClock().
  std::shared_ptr<Clock> clock;
  /// Sleeps between retries. Default (null): MakeRealSleeper().
  std::shared_ptr<Sleeper> sleeper;
  /// Receives debug lines per request (URLs redacted, no headers) and warnings. Default: silent.
  Logger logger;
  /// Multipart part size in bytes, kMinPartSize..kMaxPartSize. Default 8 MiB. Grown
  /// automatically to stay within kMaxParts: from PutOptions::expected_size when known,
  /// otherwise doubled after every 2,000 parts.
  std::uint64_t part_size = 8 * kMiB;
  /// Objects of at most this many bytes are sent with one PutObject; larger ones use a
  /// multipart upload. 1..kMaxPartSize. The writer buffers up to this much before deciding.
  /// Default 8 MiB.
  std::uint64_t multipart_threshold = 8 * kMiB;
  /// Part buffers per writer, 1..64: up to this many parts are uploading at once while the
  /// caller's Write() fills the next free buffer (Write() blocks while all are busy). Default 4.
  ///
  /// Memory per writer (buffers are allocated exactly, never doubled):
  /// - before the single-vs-multipart decision: up to `multipart_threshold` bytes;
  /// - during a multipart upload: at most `part_size × max_in_flight_parts` (default
  ///   8 MiB × 4 = 32 MiB), plus the threshold buffer while it is being split into parts when
  ///   `multipart_threshold > part_size`;
  /// - with an unknown length the part size doubles after every 2,000 parts (so after 16 GiB at
  ///   the defaults), and the bound with it;
  /// plus a few KiB of bookkeeping, and one hashing pass per part in the upload threads.
  std::size_t max_in_flight_parts = 4;
  /// Default PayloadSigning::kSigned.
  PayloadSigning payload_signing = PayloadSigning::kSigned;
  /// Integrity checksum of every body. Default ChecksumAlgorithm::kCrc32c; use kNone
  /// (Content-MD5) for S3-compatible servers without flexible-checksum support.
  ChecksumAlgorithm checksum = ChecksumAlgorithm::kCrc32c;
  /// Check each PutObject / UploadPart ETag against the MD5 of what was sent, when the server
  /// returns a 32-hex-digit ETag (skipped with SSE-KMS and DSSE-KMS, whose ETags are not MD5s):
  /// always with kNone, and with a flexible checksum only when the server did not echo it.
  /// Default true.
  bool verify_etag = true;
  /// Server-side encryption: "" (bucket default), "AES256" (SSE-S3), "aws:kms" (SSE-KMS) or
  /// "aws:kms:dsse" (DSSE-KMS, dual-layer).
  std::string server_side_encryption;
  /// KMS key id, alias or ARN for "aws:kms" and "aws:kms:dsse", sent as
  /// `x-amz-server-side-encryption-aws-kms-key-id`; empty = the account's default aws/s3 key.
  std::string sse_kms_key_id;
  /// Storage class, e.g. "STANDARD_IA", "GLACIER_IR", "INTELLIGENT_TIERING". Default: bucket default.
  std::string storage_class;
  /// Object tags (`x-amz-tagging`), added to every object. Default none.
  std::map<std::string, std::string> tags;
  /// Whether the store enforces `If-None-Match: *` (see ConditionalWrites). Default kAuto.
  ConditionalWrites conditional_writes = ConditionalWrites::kAuto;
  /// Total time one attempt of a control call — CreateMultipartUpload, AbortMultipartUpload,
  /// HeadObject — may take (connect, request, status, headers and body) before it fails with
  /// kDeadlineExceeded (not retried). Bounds a server that trickles its answer, which the
  /// transport's low-speed floor (1 byte/s) never catches. Default 60 s: these calls carry a few
  /// KB at most; the AWS SDKs set no total timeout by default (only per-read socket timeouts,
  /// e.g. botocore's 60 s read_timeout, which a trickle defeats), so 60 s matches their read
  /// timeout as a whole-call bound. 0 = none (the transport's CurlOptions::total_timeout
  /// applies). PutObject and UploadPart carry object data: they get no total timeout and keep
  /// the transport's low-speed floor only.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
  /// Total time of one CompleteMultipartUpload attempt. S3 may take several minutes to assemble
  /// the parts and, while it does, keeps the connection open by sending whitespace after a 200
  /// status (AWS S3 API reference, CompleteMultipartUpload) — a legitimate trickle — so this call
  /// gets its own, longer bound. Default 10 min; 0 = none.
  std::chrono::milliseconds complete_multipart_timeout{std::chrono::minutes(10)};

  /// Options configured the way the AWS CLI and ccrec-export are, for a service embedding ccrec:
  /// `region` and `endpoint` from ResolveAwsEnvironment() (`AWS_REGION`, `AWS_DEFAULT_REGION`,
  /// the profile's `region`; `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the profile's
  /// `endpoint_url`), `path_style` when the endpoint implies it, a `transport` built by
  /// MakeCurlTransport() that also trusts `AWS_CA_BUNDLE` (or the profile's `ca_bundle`), and
  /// `credentials` = MakeDefaultCredentialsChain() for `profile` over that transport. `bucket` is
  /// left empty: set it (and anything else) before MakeS3Sink().
  /// @param profile the profile (default: `AWS_PROFILE`, else "default").
  /// @return the options, or the error of ResolveAwsEnvironment().
  /// @par Thread safety
  /// As ResolveAwsEnvironment().
  static Result<S3SinkOptions> FromEnvironment(std::string const& profile = {});
};

/// True when `endpoint`'s host is an IP literal or "localhost" — where virtual-hosted
/// addressing cannot work, so callers (the CLI) should set S3SinkOptions::path_style.
CCREC_EXPORT bool EndpointImpliesPathStyle(std::string_view endpoint);

/// Creates the S3 sink.
///
/// Writers (ObjectSink::Open) buffer up to one part per in-flight slot. An object that ends
/// within `multipart_threshold` bytes is sent with one PutObject (the checksum, signed SHA-256
/// payload, `x-amz-meta-sha256` = SHA-256 of the object). Larger objects use
/// CreateMultipartUpload, UploadPart (each part retried on its own from its buffer) and
/// CompleteMultipartUpload (whose body is checked for `<Error>` even on HTTP 200); any failure,
/// Abort() or destroying an unfinished writer sends AbortMultipartUpload, so nothing appears
/// under the key unless Finish() succeeded. Finish() returns bytes, the SHA-256 of the whole
/// object and the ETag. If a retried CompleteMultipartUpload answers NoSuchUpload because an
/// earlier attempt succeeded but its response was lost, the object is accepted after a
/// HeadObject shows the same size and part count. Stat() is HeadObject: every `x-amz-meta-NAME`
/// response header becomes ObjectInfo::metadata["name"], and sha256 comes from
/// `x-amz-meta-sha256` when present. PutOptions::metadata is sent as `x-amz-meta-*` on PutObject
/// and CreateMultipartUpload alike (Amazon S3 User Guide, "Working with object metadata": at most
/// 2 KB of user metadata per object). Uri() and Describe() are "s3://BUCKET/PREFIXKEY".
/// PutOptions::if_none_match sends `If-None-Match: *` on PutObject and CompleteMultipartUpload;
/// EnforcesIfNoneMatch() answers as S3SinkOptions::conditional_writes says.
///
/// Errors: S3 XML error bodies become Error with vendor_code = the S3 Code, request_id =
/// x-amz-request-id and a message naming the bucket/key and what to do. 500/502/503/504,
/// SlowDown, RequestTimeout and transport errors are retried; SignatureDoesNotMatch,
/// InvalidAccessKeyId, AccessDenied, NoSuchBucket and other 4xx are not. RequestTimeTooSkewed
/// is handled once per request by re-signing with the server's clock offset (warning logged).
/// A wrong region is followed once per request: a 301 PermanentRedirect or 400
/// AuthorizationHeaderMalformed carrying `x-amz-bucket-region` is re-signed for that region (and,
/// with the default AWS endpoint, sent to `s3.<that region>.amazonaws.com`) and resent at once;
/// the sink keeps the region for every later request (one warning logged). A second redirect, or
/// one without the header, is returned as the error (Amazon S3 API Reference, "Error responses";
/// S3 User Guide, "Making requests": x-amz-bucket-region).
///
/// @return the sink, or kInvalidArgument for bad options (no bucket, malformed endpoint,
///         part size outside 5 MiB..5 GiB, threshold outside 1..5 GiB, in-flight outside
///         1..64, UNSIGNED-PAYLOAD over http, unknown server_side_encryption).
/// @par Thread safety
/// The sink is thread-safe; each writer is used by one thread (it runs its own part-upload
/// threads internally).
CCREC_EXPORT Result<std::shared_ptr<ObjectSink>> MakeS3Sink(S3SinkOptions options);

}  // namespace ccrec::s3
