// S3 sink: PutObject / multipart upload with parallel parts, HeadObject, S3 error mapping.
#include <ccrec/s3/s3_sink.hpp>

#include <ccrec/s3/sigv4.hpp>
#include <ccrec/transport/curl.hpp>

#include "internal/crypto.hpp"
#include "internal/retry_loop.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "internal/xml.hpp"
#include "s3/s3_error.hpp"
#include "s3/s3_head.hpp"
#include "s3/s3_request.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace s3 {
namespace {

using impl::S3Call;
using impl::S3Client;
using impl::S3Response;

constexpr std::size_t kMaxKeyBytes = 1024;
constexpr int kPartsPerSizeStep = 2000;  // unknown length: part size doubles after this many parts

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

// Grows `s` to hold at least `capacity` bytes with an exact allocation (std::string::reserve
// may double the old capacity instead, which would break the documented memory bound).
void EnsureCapacity(std::string& s, std::size_t capacity) {
  if (s.capacity() >= capacity) return;
  std::string grown;
  grown.reserve(capacity);
  grown.append(s);
  s.swap(grown);
}

std::string ToLowerAscii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Base64Crc32c(std::uint32_t crc) {
  char raw[4] = {static_cast<char>((crc >> 24) & 0xFF), static_cast<char>((crc >> 16) & 0xFF),
                 static_cast<char>((crc >> 8) & 0xFF), static_cast<char>(crc & 0xFF)};
  return internal::Base64Encode(std::string_view(raw, 4));
}

char const* ChecksumName(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32c: return "CRC32C";
    case ChecksumAlgorithm::kSha256: return "SHA256";
    case ChecksumAlgorithm::kNone: break;
  }
  return "";
}

char const* ChecksumHeader(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32c: return "x-amz-checksum-crc32c";
    case ChecksumAlgorithm::kSha256: return "x-amz-checksum-sha256";
    case ChecksumAlgorithm::kNone: break;
  }
  return "";
}

char const* ChecksumXmlElement(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32c: return "ChecksumCRC32C";
    case ChecksumAlgorithm::kSha256: return "ChecksumSHA256";
    case ChecksumAlgorithm::kNone: break;
  }
  return "";
}

char const* ChecksumPrefix(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::kCrc32c: return "crc32c:";
    case ChecksumAlgorithm::kSha256: return "sha256:";
    case ChecksumAlgorithm::kNone: break;
  }
  return "";
}

// Hashes of one request body.
struct BodyDigests {
  std::string md5_raw;     // only in Content-MD5 mode (ChecksumAlgorithm::kNone)
  std::string sha256_hex;  // empty with UNSIGNED-PAYLOAD unless the checksum needs it
  std::string checksum_b64;
};

BodyDigests Digest(char const* data, std::size_t size, bool want_sha256, ChecksumAlgorithm checksum) {
  BodyDigests d;
  std::string_view view(data ? data : "", size);
  if (checksum == ChecksumAlgorithm::kNone) d.md5_raw = internal::Md5Raw(view);
  std::string sha_raw;
  if (want_sha256 || checksum == ChecksumAlgorithm::kSha256) {
    sha_raw = internal::Sha256Raw(view);
    if (want_sha256) d.sha256_hex = internal::HexEncode(sha_raw);
  }
  if (checksum == ChecksumAlgorithm::kSha256) d.checksum_b64 = internal::Base64Encode(sha_raw);
  if (checksum == ChecksumAlgorithm::kCrc32c) d.checksum_b64 = Base64Crc32c(internal::Crc32c(0, data, size));
  return d;
}

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
      if (options.server_side_encryption == "aws:kms" && !options.sse_kms_key_id.empty()) {
        h.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", options.sse_kms_key_id);
      }
    }
    if (!options.storage_class.empty()) h.emplace_back("x-amz-storage-class", options.storage_class);
    if (!options.tags.empty()) {
      internal::QueryParams tags(options.tags.begin(), options.tags.end());
      h.emplace_back("x-amz-tagging", internal::BuildQuery(tags));
    }
  }

  bool EtagIsMd5() const { return options.verify_etag && options.server_side_encryption != "aws:kms"; }
};

Error IntegrityError(S3Response const& r, std::string message) {
  auto e = MakeError(ErrorCode::kIntegrity, std::move(message));
  e.http_status = r.status;
  e.request_id = r.Header("x-amz-request-id").value_or("");
  return e;
}

// Checks a PutObject/UploadPart response against what was sent (`data`, `size`: the body).
//
// With a flexible checksum the server echoes `x-amz-checksum-<alg>`, which must equal what was
// sent. A server that does not echo it (no flexible-checksum support, so it verified nothing on
// receipt) is checked after the fact instead: its ETag must be the MD5 of the body, computed only
// now. In Content-MD5 mode the server verified the MD5 on receipt and the ETag is compared too.
std::optional<Error> VerifyUpload(SinkState const& s, S3Response const& r, BodyDigests const& d,
                                  char const* data, std::size_t size, std::string const& what) {
  auto etag = Unquote(r.Header("etag").value_or(""));
  std::string md5_raw = d.md5_raw;
  if (s.options.checksum != ChecksumAlgorithm::kNone) {
    auto const name = std::string(ChecksumName(s.options.checksum));
    if (auto echoed = r.Header(ChecksumHeader(s.options.checksum))) {
      if (*echoed != d.checksum_b64) {
        return IntegrityError(r, what + ": the server computed " + name + " " + *echoed + " but " +
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
    md5_raw = internal::Md5Raw(std::string_view(data ? data : "", size));
  }
  if (s.EtagIsMd5() && IsHex(etag, 32) && ToLowerAscii(etag) != internal::HexEncode(md5_raw)) {
    return IntegrityError(r, what + ": the server's ETag " + etag + " is not the MD5 of the bytes sent (" +
                                 internal::HexEncode(md5_raw) +
                                 "); the data may have been corrupted. If this endpoint does not use MD5 "
                                 "ETags, set verify_etag = false");
  }
  return std::nullopt;
}

void AddBodyHeaders(SinkState const& s, HttpHeaders& h, BodyDigests const& d) {
  if (s.options.checksum == ChecksumAlgorithm::kNone) {
    h.emplace_back("Content-MD5", internal::Base64Encode(d.md5_raw));
  } else {
    h.emplace_back("x-amz-sdk-checksum-algorithm", ChecksumName(s.options.checksum));
    h.emplace_back(ChecksumHeader(s.options.checksum), d.checksum_b64);
  }
}

std::string PayloadHash(SinkState const& s, BodyDigests const& d) {
  return s.options.payload_signing == PayloadSigning::kUnsigned ? std::string(kUnsignedPayload) : d.sha256_hex;
}

class S3Writer final : public ObjectWriter {
 public:
  S3Writer(std::shared_ptr<SinkState const> state, std::string key, std::string full_key, PutOptions options,
           std::map<std::string, std::string> metadata, std::optional<std::string> expected_sha256,
           CallContext ctx)
      : state_(std::move(state)),
        key_(std::move(key)),
        full_key_(std::move(full_key)),
        put_(std::move(options)),
        metadata_(std::move(metadata)),
        expected_sha256_(std::move(expected_sha256)),
        ctx_(std::move(ctx)) {
    auto const& o = state_->options;
    threshold_ = o.multipart_threshold;
    base_part_size_ = o.part_size;
    if (put_.expected_size) {
      fixed_part_size_ = true;
      auto const need = (*put_.expected_size + kMaxParts - 1) / kMaxParts;
      if (need > base_part_size_) base_part_size_ = (need + kMiB - 1) / kMiB * kMiB;
      base_part_size_ = std::min(base_part_size_, kMaxPartSize);
      EnsureCapacity(buf_, static_cast<std::size_t>(std::min<std::uint64_t>(*put_.expected_size, threshold_)));
    }
    content_type_ = put_.content_type.empty() ? ContentTypeForKey(key_) : put_.content_type;
  }

  ~S3Writer() override { Abort(); }

  Result<void> Write(char const* data, std::size_t size) override {
    if (auto e = CheckWritable()) return *e;
    if (size == 0) return {};
    if (auto e = internal::CheckContext(ctx_, state_->options.clock->Now())) return Fail(*e);
    if (auto e = TakeAsyncError()) return Fail(*e);
    if (put_.expected_size && total_ + size > *put_.expected_size) {
      return Fail(MakeError(ErrorCode::kIntegrity, "S3 upload " + Location() + ": more bytes written (" +
                                                       std::to_string(total_ + size) + ") than the expected size " +
                                                       std::to_string(*put_.expected_size)));
    }
    sha_.Update(data, size);
    total_ += size;
    while (size > 0) {
      if (!upload_id_) {
        auto const room = static_cast<std::size_t>(threshold_ - buf_.size());
        auto const n = std::min(size, room);
        if (buf_.size() + n > buf_.capacity()) {
          // Grow geometrically but never beyond the threshold.
          auto const want = std::max({buf_.size() + n, buf_.capacity() * 2, std::size_t{64} << 10});
          EnsureCapacity(buf_, static_cast<std::size_t>(std::min<std::uint64_t>(want, threshold_)));
        }
        if (size <= room) {
          buf_.append(data, size);
          return {};
        }
        buf_.append(data, room);
        data += room;
        size -= room;
        if (auto r = StartMultipart(); !r) return Fail(r.error());
        continue;
      }
      auto const target = static_cast<std::size_t>(PartSizeFor(next_part_));
      auto const n = std::min(size, target - cur_.size());
      EnsureCapacity(cur_, target);
      cur_.append(data, n);
      data += n;
      size -= n;
      if (cur_.size() == target) {
        if (auto r = SubmitCurrent(); !r) return Fail(r.error());
      }
    }
    return {};
  }

  Result<ObjectInfo> Finish() override {
    if (auto e = CheckWritable()) return *e;
    if (auto e = internal::CheckContext(ctx_, state_->options.clock->Now())) return Fail(*e);
    if (put_.expected_size && total_ != *put_.expected_size) {
      return Fail(MakeError(ErrorCode::kIntegrity, "S3 upload " + Location() + ": " + std::to_string(total_) +
                                                       " bytes written but the expected size was " +
                                                       std::to_string(*put_.expected_size)));
    }
    auto const sha_hex = sha_.FinalHex();
    if (expected_sha256_ && ToLowerAscii(*expected_sha256_) != sha_hex) {
      return Fail(MakeError(ErrorCode::kIntegrity, "S3 upload " + Location() +
                                                       ": the content's SHA-256 " + sha_hex +
                                                       " differs from the sha256 metadata given by the caller " +
                                                       *expected_sha256_));
    }
    Result<ObjectInfo> r = upload_id_ ? FinishMultipart(sha_hex) : PutObject(sha_hex);
    if (!r) return Fail(r.error());
    state_flag_ = State::kFinished;
    return r;
  }

  void Abort() noexcept override {
    if (state_flag_ == State::kFinished || state_flag_ == State::kAborted) return;
    try {
      StopWorkers(/*drain=*/false);
      if (upload_id_) SendAbort();
    } catch (...) {
      // Abort is best effort and must not throw; the bucket lifecycle rule cleans up leftovers.
    }
    if (state_flag_ == State::kOpen) state_flag_ = State::kAborted;
  }

 private:
  enum class State { kOpen, kFinished, kAborted, kFailed };

  struct PartJob {
    int number = 0;
    std::string data;
  };
  struct PartDone {
    std::string etag;      // as returned, with quotes
    std::string checksum;  // base64, when a checksum algorithm is used
  };

  std::string Location() const { return state_->Location(full_key_); }

  std::optional<Error> CheckWritable() const {
    switch (state_flag_) {
      case State::kOpen: return std::nullopt;
      case State::kFinished:
        return MakeError(ErrorCode::kInternal, "S3 upload " + Location() + ": the writer is already finished");
      case State::kAborted:
        return MakeError(ErrorCode::kCancelled, "S3 upload " + Location() + ": the writer was aborted");
      case State::kFailed: return error_;
    }
    return error_;
  }

  Error Fail(Error e) {
    if (state_flag_ == State::kOpen) {
      Abort();
      state_flag_ = State::kFailed;
      error_ = e;
    }
    return e;
  }

  std::uint64_t PartSizeFor(int part_number) const {
    if (fixed_part_size_) return base_part_size_;
    auto const step = static_cast<unsigned>((part_number - 1) / kPartsPerSizeStep);
    std::uint64_t size = base_part_size_;
    for (unsigned i = 0; i < step && size < kMaxPartSize; ++i) size *= 2;
    return std::min(size, kMaxPartSize);
  }

  // ---- single PutObject ---------------------------------------------------------------------

  Result<ObjectInfo> PutObject(std::string const& sha_hex) {
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
    ObjectInfo info;
    info.key = key_;
    info.bytes = total_;
    info.sha256_hex = sha_hex;
    if (auto etag = r->Header("etag")) info.etag = Unquote(*etag);
    if (s.options.checksum != ChecksumAlgorithm::kNone) {
      info.checksum = ChecksumPrefix(s.options.checksum) + r->Header(ChecksumHeader(s.options.checksum)).value_or(d.checksum_b64);
    }
    buf_.clear();
    buf_.shrink_to_fit();
    return info;
  }

  // ---- multipart ----------------------------------------------------------------------------

  Result<void> StartMultipart() {
    auto const& s = *state_;
    S3Call call;
    call.operation = "CreateMultipartUpload";
    call.method = "POST";
    call.key = full_key_;
    call.query = {{"uploads", ""}};
    auto metadata = metadata_;
    if (expected_sha256_) metadata["sha256"] = ToLowerAscii(*expected_sha256_);
    s.AddObjectHeaders(call.headers, content_type_, metadata);
    if (s.options.checksum != ChecksumAlgorithm::kNone) {
      call.headers.emplace_back("x-amz-checksum-algorithm", ChecksumName(s.options.checksum));
    }
    call.payload_hash = kEmptyPayloadSha256;
    auto r = s.client->Execute(call, ctx_);
    if (!r) return r.error();
    auto id = internal::xml::FindText(r->body, "UploadId");
    if (!id || id->empty()) {
      auto e = MakeError(ErrorCode::kParse, "S3 CreateMultipartUpload " + Location() +
                                                ": the response has no UploadId (body starts with \"" +
                                                r->body.substr(0, 120) + "\")");
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

  // Hands `cur_` to the part workers and takes a fresh buffer.
  Result<void> SubmitCurrent() {
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

  // Waits until a part buffer is free (at most max_in_flight_parts exist, the one being filled
  // included), or an upload failed.
  Result<std::string> AcquireBuffer() {
    std::unique_lock<std::mutex> lock(mu_);
    auto const max = state_->options.max_in_flight_parts;
    cv_.wait(lock, [&] { return async_error_ || !free_.empty() || buffers_total_ < max; });
    if (async_error_) return *async_error_;
    if (!free_.empty()) {
      auto b = std::move(free_.back());
      free_.pop_back();
      b.clear();
      return b;
    }
    ++buffers_total_;
    lock.unlock();
    std::string b;
    EnsureCapacity(b, static_cast<std::size_t>(PartSizeFor(next_part_)));
    return b;
  }

  std::optional<Error> TakeAsyncError() {
    std::lock_guard<std::mutex> lock(mu_);
    return async_error_;
  }

  void StartWorkers() {
    auto const n = state_->options.max_in_flight_parts;
    for (std::size_t i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  }

  void WorkerLoop() {
    while (true) {
      PartJob job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stop_ and nothing left
        job = std::move(queue_.front());
        queue_.pop_front();
        if (async_error_ || cancel_) {
          free_.push_back(std::move(job.data));
          cv_.notify_all();
          continue;
        }
        ++in_progress_;
      }
      auto done = UploadPart(job);
      {
        std::lock_guard<std::mutex> lock(mu_);
        --in_progress_;
        if (done) {
          parts_[job.number] = std::move(*done);
        } else if (!async_error_) {
          async_error_ = done.error();
        }
        free_.push_back(std::move(job.data));
      }
      cv_.notify_all();
    }
  }

  Result<PartDone> UploadPart(PartJob const& job) {
    auto const& s = *state_;
    bool const signed_payload = s.options.payload_signing == PayloadSigning::kSigned;
    auto d = Digest(job.data.data(), job.data.size(), signed_payload, s.options.checksum);
    S3Call call;
    call.operation = "UploadPart";
    call.detail = "part " + std::to_string(job.number);
    call.method = "PUT";
    call.key = full_key_;
    call.query = {{"partNumber", std::to_string(job.number)}, {"uploadId", *upload_id_}};
    AddBodyHeaders(s, call.headers, d);
    call.body = job.data.data();
    call.body_size = job.data.size();
    call.payload_hash = PayloadHash(s, d);
    auto r = s.client->Execute(call, ctx_);
    if (!r) return r.error();
    if (auto e = VerifyUpload(s, *r, d, job.data.data(), job.data.size(),
                              "S3 UploadPart " + Location() + " part " + std::to_string(job.number))) {
      return *e;
    }
    auto etag = r->Header("etag");
    if (!etag || etag->empty()) {
      auto e = MakeError(ErrorCode::kParse, "S3 UploadPart " + Location() + " part " + std::to_string(job.number) +
                                                ": the response has no ETag header");
      e.http_status = r->status;
      return e;
    }
    PartDone done;
    done.etag = *etag;
    if (s.options.checksum != ChecksumAlgorithm::kNone) {
      done.checksum = r->Header(ChecksumHeader(s.options.checksum)).value_or(d.checksum_b64);
    }
    return done;
  }

  // drain=true: let queued parts upload; false: drop them. Joins the workers either way.
  void StopWorkers(bool drain) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!drain) {
        cancel_ = true;
        for (auto& j : queue_) free_.push_back(std::move(j.data));
        queue_.clear();
      }
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
    workers_.clear();
  }

  Result<ObjectInfo> FinishMultipart(std::string const& sha_hex) {
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
    std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    for (auto const& [number, part] : parts_) {
      body += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + internal::xml::Escape(part.etag) +
              "</ETag>";
      if (s.options.checksum != ChecksumAlgorithm::kNone) {
        body += std::string("<") + ChecksumXmlElement(s.options.checksum) + ">" + internal::xml::Escape(part.checksum) +
                "</" + ChecksumXmlElement(s.options.checksum) + ">";
      }
      body += "</Part>";
    }
    body += "</CompleteMultipartUpload>";
    S3Call call;
    call.operation = "CompleteMultipartUpload";
    call.method = "POST";
    call.key = full_key_;
    call.query = {{"uploadId", *upload_id_}};
    call.headers.emplace_back("Content-Type", "application/xml");
    if (put_.if_none_match) call.headers.emplace_back("If-None-Match", "*");
    call.body = body.data();
    call.body_size = body.size();
    call.payload_hash = internal::Sha256Hex(body);
    call.check_error_body = true;
    auto r = s.client->Execute(call, ctx_);
    if (!r && r.error().vendor_code == "NoSuchUpload") {
      // A retried Complete whose first attempt succeeded but whose response was lost finds the
      // upload gone: accept the object if it is exactly what this writer uploaded.
      if (auto done = CompletedByEarlierAttempt(count, sha_hex)) return *done;
    }
    if (!r) return r.error();
    auto root = internal::xml::RootName(r->body);
    // AWS answers CompleteMultipartUploadResult; moto says CompleteMultipartUploadResponse.
    if (!root || root->rfind("CompleteMultipartUpload", 0) != 0) {
      auto e = MakeError(ErrorCode::kParse, "S3 CompleteMultipartUpload " + Location() +
                                                ": unexpected response body (starts with \"" +
                                                r->body.substr(0, 120) + "\"); the object may not exist");
      e.http_status = r->status;
      return e;
    }
    ObjectInfo info;
    info.key = key_;
    info.bytes = total_;
    info.sha256_hex = sha_hex;
    if (auto etag = internal::xml::FindText(r->body, "ETag")) info.etag = Unquote(*etag);
    if (s.options.checksum != ChecksumAlgorithm::kNone) {
      if (auto c = internal::xml::FindText(r->body, ChecksumXmlElement(s.options.checksum))) {
        info.checksum = ChecksumPrefix(s.options.checksum) + *c;
      }
    }
    upload_id_.reset();  // completed: nothing to abort any more
    return info;
  }

  std::optional<ObjectInfo> CompletedByEarlierAttempt(int part_count, std::string const& sha_hex) {
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

  void SendAbort() {
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

  std::shared_ptr<SinkState const> state_;
  std::string key_;
  std::string full_key_;
  PutOptions put_;
  std::map<std::string, std::string> metadata_;
  std::optional<std::string> expected_sha256_;
  CallContext ctx_;
  std::string content_type_;
  std::uint64_t threshold_ = 0;
  std::uint64_t base_part_size_ = 0;
  bool fixed_part_size_ = false;

  State state_flag_ = State::kOpen;
  Error error_;
  internal::Hasher sha_;
  std::uint64_t total_ = 0;
  std::string buf_;  // before the single-vs-multipart decision
  std::string cur_;  // multipart: the part being filled
  std::optional<std::string> upload_id_;
  int next_part_ = 1;

  // Shared with the part workers, under mu_.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PartJob> queue_;
  std::vector<std::string> free_;
  std::size_t buffers_total_ = 0;
  int in_progress_ = 0;
  bool stop_ = false;
  bool cancel_ = false;
  std::optional<Error> async_error_;
  std::map<int, PartDone> parts_;
  std::vector<std::thread> workers_;
};

class S3Sink final : public ObjectSink {
 public:
  explicit S3Sink(std::shared_ptr<SinkState const> state) : state_(std::move(state)) {}

  Result<std::unique_ptr<ObjectWriter>> Open(std::string const& key, PutOptions const& options,
                                             CallContext const& ctx) override {
    if (auto e = ValidateKey(key)) return *e;
    if (auto e = internal::CheckContext(ctx, state_->options.clock->Now())) return *e;
    auto full_key = state_->options.prefix + key;
    if (full_key.size() > kMaxKeyBytes) {
      return MakeError(ErrorCode::kInvalidArgument, "S3 key " + Describe(key) + " is longer than 1024 bytes");
    }
    std::map<std::string, std::string> metadata;
    std::optional<std::string> expected_sha256;
    for (auto const& [k, v] : options.metadata) {
      auto lk = ToLowerAscii(k);
      bool ok = !lk.empty() && std::all_of(lk.begin(), lk.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      });
      if (!ok) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "S3 metadata key \"" + k + "\" for " + Describe(key) +
                             " must be non-empty lower-case ASCII letters, digits, '-', '_' or '.'");
      }
      if (v.find_first_of("\r\n") != std::string::npos || v.find('\0') != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "S3 metadata value of \"" + k + "\" for " + Describe(key) + " contains a line break");
      }
      if (lk == "sha256") {
        if (!IsHex(v, 64)) {
          return MakeError(ErrorCode::kInvalidArgument, "S3 metadata sha256 for " + Describe(key) +
                                                            " must be 64 hex digits (it is checked on Finish)");
        }
        expected_sha256 = v;
        continue;
      }
      metadata[lk] = v;
    }
    if (options.expected_size && *options.expected_size > kMaxPartSize * kMaxParts) {
      return MakeError(ErrorCode::kInvalidArgument, "S3 object " + Describe(key) + " of " +
                                                        std::to_string(*options.expected_size) +
                                                        " bytes exceeds 10,000 parts of 5 GiB");
    }
    return std::unique_ptr<ObjectWriter>(std::make_unique<S3Writer>(state_, key, std::move(full_key), options,
                                                                    std::move(metadata), std::move(expected_sha256),
                                                                    ctx));
  }

  Result<std::optional<ObjectInfo>> Stat(std::string const& key, CallContext const& ctx) override {
    if (auto e = ValidateKey(key)) return *e;
    S3Call call;
    call.operation = "HeadObject";
    call.method = "HEAD";
    call.key = state_->options.prefix + key;
    call.payload_hash = kEmptyPayloadSha256;
    call.not_found_ok = true;
    if (state_->options.checksum != ChecksumAlgorithm::kNone) call.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
    auto r = state_->client->Execute(call, ctx);
    if (!r) return r.error();
    if (r->status == 404) return std::optional<ObjectInfo>();
    auto const alg = state_->options.checksum;
    auto info = impl::ObjectInfoFromHead(*r, key, Describe(key), ChecksumHeader(alg), ChecksumPrefix(alg));
    if (!info) return info.error();
    return std::optional<ObjectInfo>(std::move(*info));
  }

  std::string Describe(std::string const& key) const override {
    return "s3://" + state_->options.bucket + "/" + state_->options.prefix + key;
  }

 private:
  std::optional<Error> ValidateKey(std::string const& key) const {
    if (key.empty()) return MakeError(ErrorCode::kInvalidArgument, "S3 key must not be empty");
    if (key.find('\0') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument, "S3 key " + Describe(key) + " contains a NUL byte");
    }
    std::size_t start = 0;
    while (start <= key.size()) {
      auto pos = key.find('/', start);
      auto seg = key.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
      if (seg == "." || seg == "..") {
        return MakeError(ErrorCode::kInvalidArgument,
                         "S3 key " + Describe(key) + " contains a '.' or '..' segment; use a sanitized key");
      }
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    return std::nullopt;
  }

  std::shared_ptr<SinkState const> state_;
};

}  // namespace

bool EndpointImpliesPathStyle(std::string_view endpoint) {
  auto u = internal::ParseUrl(endpoint);
  return u && internal::IsIpOrLocalhost(u->host);
}

Result<std::shared_ptr<ObjectSink>> MakeS3Sink(S3SinkOptions options) {
  auto bad = [](std::string m) { return MakeError(ErrorCode::kInvalidArgument, "S3 sink: " + std::move(m)); };
  if (options.bucket.empty()) return bad("the bucket name is required");
  if (options.bucket.find('/') != std::string::npos) return bad("the bucket name must not contain '/'");
  if (options.region.empty()) options.region = "us-east-1";
  if (options.endpoint.empty()) options.endpoint = "https://s3." + options.region + ".amazonaws.com";
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
    return bad("part_size must be between 5 MiB and 5 GiB, got " + std::to_string(options.part_size));
  }
  if (options.multipart_threshold < 1 || options.multipart_threshold > kMaxPartSize) {
    return bad("multipart_threshold must be between 1 byte and 5 GiB, got " +
               std::to_string(options.multipart_threshold));
  }
  if (options.max_in_flight_parts < 1 || options.max_in_flight_parts > 64) {
    return bad("max_in_flight_parts must be between 1 and 64, got " + std::to_string(options.max_in_flight_parts));
  }
  auto const& sse = options.server_side_encryption;
  if (!sse.empty() && sse != "AES256" && sse != "aws:kms" && sse != "aws:kms:dsse") {
    return bad("server_side_encryption must be empty, AES256, aws:kms or aws:kms:dsse, got \"" + sse + "\"");
  }
  if (!options.sse_kms_key_id.empty() && sse.rfind("aws:kms", 0) != 0) {
    return bad("sse_kms_key_id needs server_side_encryption = aws:kms");
  }
  for (auto const& [k, v] : options.tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256) return bad("tag keys must be 1..128 and values 0..256 characters");
  }
  if (options.tags.size() > 10) return bad("at most 10 tags per object");
  if (!options.transport) options.transport = MakeCurlTransport();
  if (!options.clock) options.clock = MakeSystemClock();
  if (!options.credentials) {
    DefaultCredentialsChainOptions chain;
    chain.endpoints.transport = options.transport;
    chain.endpoints.clock = options.clock;
    chain.endpoints.logger = options.logger;
    options.credentials = MakeDefaultCredentialsChain(chain);
  }
  if (!options.sleeper) options.sleeper = MakeRealSleeper();

  auto client = impl::S3Client::Make(impl::S3ClientOptions{options.bucket, options.region,
      options.endpoint, options.path_style, options.transport, options.credentials, options.retry, options.retry_seed,
      options.clock, options.sleeper, options.logger, options.request_timeout, options.complete_multipart_timeout});
  if (!client) return client.error();
  if (options.payload_signing == PayloadSigning::kUnsigned && !(*client)->IsHttps()) {
    return bad("UNSIGNED-PAYLOAD is only allowed for https endpoints (the body would be unprotected); "
               "endpoint is " + options.endpoint);
  }
  auto state = std::make_shared<SinkState>();
  state->options = std::move(options);
  state->client = std::move(*client);
  return std::shared_ptr<ObjectSink>(std::make_shared<S3Sink>(std::move(state)));
}

}  // namespace s3
}  // namespace v1
}  // namespace ccrec
