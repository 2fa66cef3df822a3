// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the S3 sink's writer, single PUT, multipart upload and part pool.

#include "s3/upload_util.hpp"

#include <ccrec/s3/sigv4.hpp>

#include "internal/ascii.hpp"
#include "internal/crypto.hpp"
#include "s3/s3_error.hpp"

#include <algorithm>

namespace ccrec::s3::detail {

namespace {

std::string Base64Crc32c(std::uint32_t crc) {
  char raw[4] = {static_cast<char>((crc >> 24) & 0xFF), static_cast<char>((crc >> 16) & 0xFF),
                 static_cast<char>((crc >> 8) & 0xFF), static_cast<char>(crc & 0xFF)};
  return ::ccrec::detail::Base64Encode(std::string_view(raw, 4));
}

}  // namespace

bool IsHex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

void EnsureCapacity(std::string& s, std::size_t capacity) {
  if (s.capacity() >= capacity) return;
  std::string grown;
  grown.reserve(capacity);
  grown.append(s);
  s.swap(grown);
}

namespace {

// How S3 spells each checksum algorithm; all empty for kNone.
struct ChecksumSpelling {
  char const* name;         // x-amz-sdk-checksum-algorithm value
  char const* header;       // the object/part header carrying the value
  char const* xml_element;  // its element in CompleteMultipartUpload
  char const* prefix;       // prefix of ObjectInfo::checksum
};

ChecksumSpelling const& Spelling(ChecksumAlgorithm a) {
  static constexpr ChecksumSpelling kCrc32c{"CRC32C", "x-amz-checksum-crc32c", "ChecksumCRC32C", "crc32c:"};
  static constexpr ChecksumSpelling kSha256{"SHA256", "x-amz-checksum-sha256", "ChecksumSHA256", "sha256:"};
  static constexpr ChecksumSpelling kNone{"", "", "", ""};
  switch (a) {
    case ChecksumAlgorithm::kCrc32c: return kCrc32c;
    case ChecksumAlgorithm::kSha256: return kSha256;
    case ChecksumAlgorithm::kNone: break;
  }
  return kNone;
}

}  // namespace

char const* ChecksumName(ChecksumAlgorithm a) { return Spelling(a).name; }
char const* ChecksumHeader(ChecksumAlgorithm a) { return Spelling(a).header; }
char const* ChecksumXmlElement(ChecksumAlgorithm a) { return Spelling(a).xml_element; }
char const* ChecksumPrefix(ChecksumAlgorithm a) { return Spelling(a).prefix; }

BodyDigests Digest(char const* data, std::size_t size, bool want_sha256, ChecksumAlgorithm checksum) {
  BodyDigests d;
  std::string_view view(data ? data : "", size);
  if (checksum == ChecksumAlgorithm::kNone) d.md5_raw = ::ccrec::detail::Md5Raw(view);
  std::string sha_raw;
  if (want_sha256 || checksum == ChecksumAlgorithm::kSha256) {
    sha_raw = ::ccrec::detail::Sha256Raw(view);
    if (want_sha256) d.sha256_hex = ::ccrec::detail::HexEncode(sha_raw);
  }
  if (checksum == ChecksumAlgorithm::kSha256) d.checksum_b64 = ::ccrec::detail::Base64Encode(sha_raw);
  if (checksum == ChecksumAlgorithm::kCrc32c) d.checksum_b64 = Base64Crc32c(::ccrec::detail::Crc32c(0, data, size));
  return d;
}


Error IntegrityError(S3Response const& r, std::string message) {
  auto e = MakeError(ErrorCode::kIntegrity, std::move(message));
  e.http_status = r.status;
  e.request_id = detail::ServerText(r.Header("x-amz-request-id").value_or(""));
  return e;
}

std::optional<Error> VerifyUpload(SinkState const& s, S3Response const& r, BodyDigests const& d,
                                  char const* data, std::size_t size, std::string const& what) {
  auto etag = Unquote(r.Header("etag").value_or(""));
  std::string md5_raw = d.md5_raw;
  if (s.options.checksum != ChecksumAlgorithm::kNone) {
    auto const name = std::string(ChecksumName(s.options.checksum));
    if (auto echoed = r.Header(ChecksumHeader(s.options.checksum))) {
      if (*echoed != d.checksum_b64) {
        return IntegrityError(r, what + ": the server computed " + name + " " + detail::ServerText(*echoed) + " but " +
                                     d.checksum_b64 + " was sent; the data was corrupted in transit");
      }
      return std::nullopt;
    }
    if (!s.checksum_not_echoed.exchange(true)) {
      s.options.logger.Warn("S3 endpoint " + (s.options.endpoint.empty() ? std::string("(AWS)") : s.options.endpoint) +
                            " did not return " +
                            std::string(ChecksumHeader(s.options.checksum)) +
                            ", so it may not support flexible checksums and did not verify " + name +
                            "; uploads are verified by their MD5 ETags instead. Set checksum = kNone "
                            "(ccrec-export --s3-checksum md5) to send Content-MD5, which such servers verify");
    }
    if (!s.EtagIsMd5() || !IsHex(etag, 32)) return std::nullopt;
    md5_raw = ::ccrec::detail::Md5Raw(std::string_view(data ? data : "", size));
  }
  if (s.EtagIsMd5() && IsHex(etag, 32) && ::ccrec::detail::ToLowerAscii(etag) != ::ccrec::detail::HexEncode(md5_raw)) {
    return IntegrityError(r, what + ": the server's ETag " + etag + " is not the MD5 of the bytes sent (" +
                                 ::ccrec::detail::HexEncode(md5_raw) +
                                 "); the data may have been corrupted. If this endpoint does not use MD5 "
                                 "ETags, set verify_etag = false");
  }
  return std::nullopt;
}

std::optional<Error> MissingEtag(S3Response const& r, std::optional<std::string> const& etag, std::string const& what) {
  if (etag && !Unquote(*etag).empty()) return std::nullopt;
  auto e = MakeError(ErrorCode::kParse, what + ": the answer (HTTP " + std::to_string(r.status) +
                                            ") has no ETag, which every S3 success carries, so nothing shows that the "
                                            "object was stored; is the endpoint an S3 service (not a proxy or a web "
                                            "server)?");
  e.http_status = r.status;
  e.request_id = detail::ServerText(r.Header("x-amz-request-id").value_or(""));
  return e;
}

void AddBodyHeaders(SinkState const& s, HttpHeaders& h, BodyDigests const& d) {
  if (s.options.checksum == ChecksumAlgorithm::kNone) {
    h.emplace_back("Content-MD5", ::ccrec::detail::Base64Encode(d.md5_raw));
  } else {
    h.emplace_back("x-amz-sdk-checksum-algorithm", ChecksumName(s.options.checksum));
    h.emplace_back(ChecksumHeader(s.options.checksum), d.checksum_b64);
  }
}

std::string PayloadHash(SinkState const& s, BodyDigests const& d) {
  return s.options.payload_signing == PayloadSigning::kUnsigned ? std::string(kUnsignedPayload) : d.sha256_hex;
}

}  // namespace ccrec::s3::detail
