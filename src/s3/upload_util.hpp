// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::s3: what the S3 sink's writer and its single PUT, multipart upload and part
// pool share: the sink's state, body digests, checksum names, upload verification. Not installed.

#include <ccrec/core/http.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/s3/s3_sink.hpp>

#include "internal/url.hpp"
#include "s3/s3_request.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ccrec::s3::detail {

/// True when `s` is exactly `n` hex digits (either case).
bool IsHex(std::string_view s, std::size_t n);

/// `s` without one pair of surrounding double quotes (an ETag as sent).
std::string Unquote(std::string s);

/// Grows `s` to hold at least `capacity` bytes with an exact allocation (std::string::reserve
/// may double the old capacity instead, which would break the documented memory bound).
void EnsureCapacity(std::string& s, std::size_t capacity);

/// The algorithm's name as S3 spells it (x-amz-sdk-checksum-algorithm), "" for kNone.
char const* ChecksumName(ChecksumAlgorithm a);
/// The x-amz-checksum-<alg> header, "" for kNone.
char const* ChecksumHeader(ChecksumAlgorithm a);
/// The <Checksum...> element of CompleteMultipartUpload, "" for kNone.
char const* ChecksumXmlElement(ChecksumAlgorithm a);
/// The prefix of ObjectInfo::checksum ("sha256:", "crc32c:"), "" for kNone.
char const* ChecksumPrefix(ChecksumAlgorithm a);

// Hashes of one request body.
struct BodyDigests {
  std::string md5_raw;     // only in Content-MD5 mode (ChecksumAlgorithm::kNone)
  std::string sha256_hex;  // empty with UNSIGNED-PAYLOAD unless the checksum needs it
  std::string checksum_b64;
};

/// The digests of one body: MD5 in Content-MD5 mode, SHA-256 when `want_sha256` or the checksum
/// needs it, and the checksum in base64.
BodyDigests Digest(char const* data, std::size_t size, bool want_sha256, ChecksumAlgorithm checksum);

// Shared, immutable-after-construction state of one sink.
struct SinkState {
  S3SinkOptions options;
  std::shared_ptr<S3Client> client;
  // Set once the endpoint answered an upload without echoing the flexible checksum (warned once).
  mutable std::atomic<bool> checksum_not_echoed{false};

  std::string Location(std::string const& full_key) const { return "s3://" + options.bucket + "/" + full_key; }

  // Headers common to PutObject and CreateMultipartUpload.
  void AddObjectHeaders(HttpHeaders& h, std::string const& content_type,
                        std::map<std::string, std::string> const& metadata) const {
    h.emplace_back("Content-Type", content_type);
    for (auto const& [k, v] : metadata) h.emplace_back("x-amz-meta-" + k, v);
    if (!options.server_side_encryption.empty()) {
      h.emplace_back("x-amz-server-side-encryption", options.server_side_encryption);
      if (IsKms() && !options.sse_kms_key_id.empty()) {
        h.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", options.sse_kms_key_id);
      }
    }
    if (!options.storage_class.empty()) h.emplace_back("x-amz-storage-class", options.storage_class);
    if (!options.tags.empty()) {
      ::ccrec::detail::QueryParams tags(options.tags.begin(), options.tags.end());
      h.emplace_back("x-amz-tagging", ::ccrec::detail::BuildQuery(tags));
    }
  }

  // SSE-KMS ("aws:kms") or DSSE-KMS ("aws:kms:dsse"): the KMS key id applies and ETags are not
  // MD5s of the data (AWS S3 API reference, PutObject and Object: ETag).
  bool IsKms() const { return options.server_side_encryption.rfind("aws:kms", 0) == 0; }
  bool EtagIsMd5() const { return options.verify_etag && !IsKms(); }
};

/// A kIntegrity error for response `r` (status and request id kept).
Error IntegrityError(S3Response const& r, std::string message);

/// Checks a PutObject/UploadPart response against what was sent (`data`, `size`: the body).
///
/// With a flexible checksum the server echoes `x-amz-checksum-<alg>`, which must equal what was
/// sent. A server that does not echo it (no flexible-checksum support, so it verified nothing on
/// receipt) is checked after the fact instead: its ETag must be the MD5 of the body, computed only
/// now. In Content-MD5 mode the server verified the MD5 on receipt and the ETag is compared too.
std::optional<Error> VerifyUpload(SinkState const& s, S3Response const& r, BodyDigests const& d, char const* data,
                                  std::size_t size, std::string const& what);

/// kParse (status and request id of `r` kept) when `etag` (the ETag a 2xx PutObject, UploadPart or
/// CompleteMultipartUpload answer carries, quoted or not) is absent or empty: every S3 success
/// names the ETag, so an answer without one is not taken as proof that anything was stored.
/// `what` names the call ("S3 PutObject s3://b/k").
std::optional<Error> MissingEtag(S3Response const& r, std::optional<std::string> const& etag, std::string const& what);

/// Content-MD5 or the flexible checksum headers of one body.
void AddBodyHeaders(SinkState const& s, HttpHeaders& h, BodyDigests const& d);

/// x-amz-content-sha256 of one body: its SHA-256, or UNSIGNED-PAYLOAD.
std::string PayloadHash(SinkState const& s, BodyDigests const& d);

}  // namespace ccrec::s3::detail
