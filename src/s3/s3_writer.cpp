// SPDX-License-Identifier: Apache-2.0
// S3Writer: buffering, the single-vs-multipart decision, Finish and Abort (see s3_writer.hpp).

#include "s3/s3_writer.hpp"

#include "internal/ascii.hpp"
#include "internal/retry_loop.hpp"

#include <algorithm>

namespace ccrec::s3::detail {

namespace {
constexpr int kPartsPerSizeStep = 2000;  // unknown length: part size doubles after this many parts
}  // namespace

S3Writer::S3Writer(std::shared_ptr<SinkState const> state, std::string key, std::string full_key, PutOptions options,
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

S3Writer::~S3Writer() { Abort(); }

Result<void> S3Writer::Write(char const* data, std::size_t size) {
  if (auto e = CheckWritable()) return *e;
  if (size == 0) return {};
  if (auto e = ::ccrec::detail::CheckContext(ctx_, state_->options.clock->Now())) return Fail(*e);
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

ObjectInfo S3Writer::Stored(std::string const& sha_hex, std::optional<std::string> const& etag,
                            std::optional<std::string> const& checksum) const {
  ObjectInfo info;
  info.key = key_;
  info.bytes = total_;
  info.sha256_hex = sha_hex;
  if (etag) info.etag = Unquote(*etag);
  auto const algorithm = state_->options.checksum;
  if (algorithm != ChecksumAlgorithm::kNone && checksum) info.checksum = ChecksumPrefix(algorithm) + *checksum;
  return info;
}

Result<ObjectInfo> S3Writer::Finish() {
  if (auto e = CheckWritable()) return *e;
  if (auto e = ::ccrec::detail::CheckContext(ctx_, state_->options.clock->Now())) return Fail(*e);
  if (put_.expected_size && total_ != *put_.expected_size) {
    return Fail(MakeError(ErrorCode::kIntegrity, "S3 upload " + Location() + ": " + std::to_string(total_) +
                                                     " bytes written but the expected size was " +
                                                     std::to_string(*put_.expected_size)));
  }
  auto const sha_hex = sha_.FinalHex();
  if (expected_sha256_ && ::ccrec::detail::ToLowerAscii(*expected_sha256_) != sha_hex) {
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

void S3Writer::Abort() noexcept {
  if (state_flag_ == State::kFinished || state_flag_ == State::kAborted) return;
  try {
    StopWorkers(/*drain=*/false);
    if (upload_id_) SendAbort();
  } catch (...) {
    // Abort is best effort and must not throw; the bucket lifecycle rule cleans up leftovers.
  }
  if (state_flag_ == State::kOpen) state_flag_ = State::kAborted;
}

std::optional<Error> S3Writer::CheckWritable() const {
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

Error S3Writer::Fail(Error e) {
  if (state_flag_ == State::kOpen) {
    Abort();
    state_flag_ = State::kFailed;
    error_ = e;
  }
  return e;
}

std::uint64_t S3Writer::PartSizeFor(int part_number) const {
  if (fixed_part_size_) return base_part_size_;
  auto const step = static_cast<unsigned>((part_number - 1) / kPartsPerSizeStep);
  std::uint64_t size = base_part_size_;
  for (unsigned i = 0; i < step && size < kMaxPartSize; ++i) size *= 2;
  return std::min(size, kMaxPartSize);
}

}  // namespace ccrec::s3::detail
