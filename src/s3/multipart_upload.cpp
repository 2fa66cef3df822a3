// SPDX-License-Identifier: Apache-2.0
// S3Writer: CreateMultipartUpload, handing parts to the pool, CompleteMultipartUpload (with the
// lost-response check) and AbortMultipartUpload.

#include "s3/s3_writer.hpp"

#include <ccrec/s3/sigv4.hpp>

#include "internal/ascii.hpp"
#include "internal/crypto.hpp"
#include "s3/s3_xml.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace ccrec::s3::detail {
namespace {

// "PROBLEM; " when `doc` failed to parse, for messages about an unexpected answer.
std::string ProblemOf(Result<xml::Document> const& doc) {
  return doc ? std::string() : doc.error().message + "; ";
}

/// The ETag S3 gives an object completed from parts whose ETags (quoted) are `part_etags`, in
/// part order, when each is the MD5 of its part: hex(MD5(the parts' MD5s, binary)) + "-" + count.
/// nullopt when an ETag is not 32 hex digits.
std::optional<std::string> MultipartEtag(std::vector<std::string> const& part_etags) {
  std::string md5s;
  for (auto const& quoted : part_etags) {
    auto const hex = ::ccrec::detail::ToLowerAscii(Unquote(quoted));
    if (!IsHex(hex, 32)) return std::nullopt;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      md5s += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
  }
  return ::ccrec::detail::HexEncode(::ccrec::detail::Md5Raw(md5s)) + "-" + std::to_string(part_etags.size());
}

}  // namespace

std::map<std::string, std::string> S3Writer::MultipartMetadata() const {
  auto metadata = metadata_;
  if (expected_sha256_) metadata["sha256"] = ::ccrec::detail::ToLowerAscii(*expected_sha256_);
  return metadata;
}

Result<void> S3Writer::StartMultipart() {
  auto const& s = *state_;
  S3Call call;
  call.operation = "CreateMultipartUpload";
  call.method = "POST";
  call.key = full_key_;
  call.query = {{"uploads", ""}};
  s.AddObjectHeaders(call.headers, content_type_, MultipartMetadata());
  if (s.options.checksum != ChecksumAlgorithm::kNone) {
    call.headers.emplace_back("x-amz-checksum-algorithm", ChecksumName(s.options.checksum));
  }
  call.payload_hash = kEmptyPayloadSha256;
  auto r = s.client->Execute(call, ctx_);
  if (!r) return r.error();
  auto doc = xml::Document::Parse(r->body, "the response");
  auto id = doc ? doc->Text("UploadId") : std::nullopt;
  if (!id || id->empty()) {
    auto e = MakeError(ErrorCode::kParse, "S3 CreateMultipartUpload " + Location() +
                                              ": the response has no UploadId (" + ProblemOf(doc) +
                                              "body starts with \"" + r->body.substr(0, 120) + "\")");
    e.http_status = r->status;
    return e;
  }
  upload_id_ = *id;
  if (s.options.logger.Enabled(LogLevel::kDebug)) {
    s.options.logger.Debug("S3 multipart upload started for " + Location() + " (part size " +
                           std::to_string(base_part_size_) + " bytes)");
  }
  StartWorkers();
  // Turn the decision buffer into part 1 (or, when the threshold is above the part size,
  // carve it into several parts).
  std::string first = std::move(buf_);
  buf_ = std::string();
  auto const target = static_cast<std::size_t>(PartSizeFor(next_part_));
  if (first.size() <= target) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++buffers_total_;
    }
    cur_ = std::move(first);
    EnsureCapacity(cur_, target);
    if (cur_.size() == target) return SubmitCurrent();
    return {};
  }
  auto b = AcquireBuffer();
  if (!b) return b.error();
  cur_ = std::move(*b);
  std::size_t off = 0;
  while (first.size() - off >= PartSizeFor(next_part_)) {
    auto const n = static_cast<std::size_t>(PartSizeFor(next_part_));
    EnsureCapacity(cur_, n);
    cur_.assign(first, off, n);
    off += n;
    if (auto sr = SubmitCurrent(); !sr) return sr;  // takes a fresh cur_
  }
  cur_.assign(first, off, std::string::npos);
  return {};
}

Result<void> S3Writer::SubmitCurrent() {
  if (next_part_ > kMaxParts) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "S3 upload " + Location() + ": the object needs more than 10,000 parts of " +
                         std::to_string(base_part_size_) + " bytes; raise part_size or pass expected_size");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(PartJob{next_part_, std::move(cur_)});
  }
  cur_ = std::string();
  ++next_part_;
  cv_.notify_all();
  auto b = AcquireBuffer();
  if (!b) return b.error();
  cur_ = std::move(*b);
  return {};
}

Result<ObjectInfo> S3Writer::FinishMultipart(std::string const& sha_hex) {
  auto const& s = *state_;
  if (!cur_.empty()) {
    if (auto r = SubmitCurrent(); !r) return r.error();
  }
  cur_ = std::string();
  StopWorkers(/*drain=*/true);
  if (auto e = TakeAsyncError()) return *e;
  int const count = next_part_ - 1;
  if (static_cast<int>(parts_.size()) != count) {
    return MakeError(ErrorCode::kInternal, "S3 upload " + Location() + ": " + std::to_string(parts_.size()) +
                                               " of " + std::to_string(count) + " parts completed");
  }
  xml::Writer complete("CompleteMultipartUpload", "http://s3.amazonaws.com/doc/2006-03-01/");
  for (auto const& [number, part] : parts_) {
    auto element = complete.Root().Child("Part");
    element.Child("PartNumber", std::to_string(number));
    element.Child("ETag", part.etag);
    if (s.options.checksum != ChecksumAlgorithm::kNone) element.Child(ChecksumXmlElement(s.options.checksum), part.checksum);
  }
  std::string body = complete.ToString();
  S3Call call;
  call.operation = "CompleteMultipartUpload";
  call.method = "POST";
  call.key = full_key_;
  call.query = {{"uploadId", *upload_id_}};
  call.headers.emplace_back("Content-Type", "application/xml");
  if (put_.if_none_match) call.headers.emplace_back("If-None-Match", "*");
  call.body = body.data();
  call.body_size = body.size();
  call.payload_hash = ::ccrec::detail::Sha256Hex(body);
  call.check_error_body = true;
  auto r = s.client->Execute(call, ctx_);
  if (!r && r.error().vendor_code == "NoSuchUpload") {
    // A retried Complete whose first attempt succeeded but whose response was lost finds the
    // upload gone: accept the object if it is exactly what this writer uploaded.
    if (auto done = CompletedByEarlierAttempt(count, sha_hex)) return *done;
  }
  if (!r) return r.error();
  auto doc = xml::Document::Parse(r->body, "the response");
  // AWS answers CompleteMultipartUploadResult; moto says CompleteMultipartUploadResponse.
  if (!doc || doc->RootName().rfind("CompleteMultipartUpload", 0) != 0) {
    auto e = MakeError(ErrorCode::kParse, "S3 CompleteMultipartUpload " + Location() +
                                              ": unexpected response body (" + ProblemOf(doc) + "starts with \"" +
                                              r->body.substr(0, 120) + "\"); the object may not exist");
    e.http_status = r->status;
    return e;
  }
  // S3 names the completed object's ETag in every CompleteMultipartUploadResult (S3 API reference,
  // CompleteMultipartUpload); an answer without it does not show that the object exists.
  auto const etag = doc->Text("ETag");
  if (auto e = MissingEtag(*r, etag, "S3 CompleteMultipartUpload " + Location())) return *e;
  auto const checksum_element =
      s.options.checksum != ChecksumAlgorithm::kNone ? doc->Text(ChecksumXmlElement(s.options.checksum)) : std::nullopt;
  ObjectInfo info = Stored(sha_hex, etag, checksum_element);
  upload_id_.reset();  // completed: nothing to abort any more
  return info;
}

std::optional<ObjectInfo> S3Writer::CompletedByEarlierAttempt(int part_count, std::string const& sha_hex) {
  auto const& s = *state_;
  S3Call call;
  call.operation = "HeadObject";
  call.method = "HEAD";
  call.key = full_key_;
  call.payload_hash = kEmptyPayloadSha256;
  call.not_found_ok = true;
  auto r = s.client->Execute(call, ctx_);
  if (!r || r->status != 200) return std::nullopt;
  auto etag = Unquote(r->Header("etag").value_or(""));
  auto const suffix = "-" + std::to_string(part_count);
  if (r->Header("content-length").value_or("") != std::to_string(total_) || etag.size() <= suffix.size() ||
      etag.compare(etag.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  // Where part ETags are MD5s, the object's ETag is known exactly: an object of the same size
  // and part count that another writer completed meanwhile is not taken for this one.
  std::vector<std::string> part_etags;
  for (auto const& [number, part] : parts_) part_etags.push_back(part.etag);
  if (auto expected = s.EtagIsMd5() ? MultipartEtag(part_etags) : std::nullopt;
      expected && ::ccrec::detail::ToLowerAscii(etag) != *expected) {
    s.options.logger.Warn("S3 CompleteMultipartUpload " + Location() + ": the upload is gone and the object there (ETag " +
                          etag + ") is not the one this upload would have made (" + *expected + ")");
    return std::nullopt;
  }
  // Whatever the ETags: the object must carry the user metadata this upload sent (the engine's
  // identity of the recording among them). Where ETags are not MD5s (SSE-KMS, DSSE-KMS,
  // verify_etag off) this is what tells another writer's object of the same size from ours.
  for (auto const& [name, value] : MultipartMetadata()) {
    if (r->Header("x-amz-meta-" + name).value_or("") == value) continue;
    s.options.logger.Warn("S3 CompleteMultipartUpload " + Location() + ": the upload is gone and the object there " +
                          "(ETag " + etag + ") lacks this upload's metadata x-amz-meta-" + name +
                          ", so it is not taken for this upload");
    return std::nullopt;
  }
  s.options.logger.Info("S3 CompleteMultipartUpload " + Location() +
                        ": the upload was already completed by an earlier attempt (ETag " + etag + ")");
  ObjectInfo info;
  info.key = key_;
  info.bytes = total_;
  info.sha256_hex = sha_hex;
  info.etag = etag;
  upload_id_.reset();
  return info;
}

void S3Writer::SendAbort() {
  auto const& s = *state_;
  S3Call call;
  call.operation = "AbortMultipartUpload";
  call.method = "DELETE";
  call.key = full_key_;
  call.query = {{"uploadId", *upload_id_}};
  call.payload_hash = kEmptyPayloadSha256;
  // The caller's context may be cancelled (that is often why we abort): use a fresh one with
  // a deadline so abort still goes out but cannot hang.
  CallContext ctx;
  ctx.deadline = s.options.clock->Now() + std::chrono::minutes(2);
  ctx.extra_headers = ctx_.extra_headers;
  auto r = s.client->Execute(call, ctx);
  if (!r && r.error().vendor_code != "NoSuchUpload") {
    s.options.logger.Warn("S3 AbortMultipartUpload " + Location() + " failed: " + r.error().ToString() +
                          "; the incomplete upload keeps its parts until a bucket lifecycle rule "
                          "(AbortIncompleteMultipartUpload) removes it");
  } else if (s.options.logger.Enabled(LogLevel::kDebug)) {
    s.options.logger.Debug("S3 multipart upload aborted for " + Location());
  }
  upload_id_.reset();
}

}  // namespace ccrec::s3::detail
