// SPDX-License-Identifier: Apache-2.0
// S3Writer: an object below the multipart threshold goes up as one PutObject.

#include "s3/s3_writer.hpp"

#include "s3/s3_request.hpp"

namespace ccrec::s3::detail {

Result<ObjectInfo> S3Writer::PutObject(std::string const& sha_hex) {
  auto const& s = *state_;
  auto d = Digest(buf_.data(), buf_.size(), false, s.options.checksum);
  d.sha256_hex = sha_hex;  // the buffer is the whole object
  S3Call call;
  call.operation = "PutObject";
  call.method = "PUT";
  call.key = full_key_;
  auto metadata = metadata_;
  metadata["sha256"] = sha_hex;
  s.AddObjectHeaders(call.headers, content_type_, metadata);
  AddBodyHeaders(s, call.headers, d);
  if (put_.if_none_match) call.headers.emplace_back("If-None-Match", "*");
  call.body = buf_.data();
  call.body_size = buf_.size();
  call.payload_hash = PayloadHash(s, d);
  auto r = s.client->Execute(call, ctx_);
  if (!r) return r.error();
  if (auto e = VerifyUpload(s, *r, d, buf_.data(), buf_.size(), "S3 PutObject " + Location())) return *e;
  // Every PutObject success carries the object's ETag (S3 API reference, PutObject). A 2xx without
  // one is not S3's answer (a proxy, a web server at the endpoint) and proves nothing was stored.
  if (auto e = MissingEtag(*r, r->Header("etag"), "S3 PutObject " + Location())) return *e;
  auto const checksum = s.options.checksum != ChecksumAlgorithm::kNone
                            ? r->Header(ChecksumHeader(s.options.checksum)).value_or(d.checksum_b64)
                            : std::string();
  ObjectInfo info = Stored(sha_hex, r->Header("etag"), checksum);
  buf_.clear();
  buf_.shrink_to_fit();
  return info;
}

}  // namespace ccrec::s3::detail
