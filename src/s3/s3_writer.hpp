// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal to ccrec::s3: S3Writer, the ObjectWriter of the S3 sink. Bytes are buffered up to the
// multipart threshold; a smaller object goes up as one PutObject (single_put.cpp), a larger one
// as a multipart upload (multipart_upload.cpp) whose parts a pool of worker threads sends
// (part_pool.cpp). Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>

#include "internal/crypto.hpp"
#include "s3/upload_util.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ccrec::s3::detail {

/// Streams one object to S3.
///
/// @par Thread safety
/// One thread, like every ObjectWriter; the part workers it starts share only the fields under mu_.
class S3Writer final : public ObjectWriter {
 public:
  S3Writer(std::shared_ptr<SinkState const> state, std::string key, std::string full_key, PutOptions options,
           std::map<std::string, std::string> metadata, std::optional<std::string> expected_sha256,
           CallContext ctx);
  ~S3Writer() override;

  Result<void> Write(char const* data, std::size_t size) override;
  Result<ObjectInfo> Finish() override;
  void Abort() noexcept override;

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
  std::optional<Error> CheckWritable() const;
  Error Fail(Error e);
  std::uint64_t PartSizeFor(int part_number) const;
  // What this writer stored: key, size and `sha_hex`, the ETag S3 answered (unquoted) and, when a
  // checksum algorithm is configured, `checksum` (base64) with the algorithm's prefix.
  ObjectInfo Stored(std::string const& sha_hex, std::optional<std::string> const& etag,
                    std::optional<std::string> const& checksum) const;

  // ---- single PutObject (single_put.cpp) ------------------------------------------------------
  Result<ObjectInfo> PutObject(std::string const& sha_hex);

  // ---- multipart (multipart_upload.cpp) -------------------------------------------------------
  Result<void> StartMultipart();
  // The user metadata a multipart upload sends: metadata_, plus sha256 when it is known up front.
  std::map<std::string, std::string> MultipartMetadata() const;
  // Hands `cur_` to the part workers and takes a fresh buffer.
  Result<void> SubmitCurrent();
  Result<ObjectInfo> FinishMultipart(std::string const& sha_hex);
  std::optional<ObjectInfo> CompletedByEarlierAttempt(int part_count, std::string const& sha_hex);
  void SendAbort();

  // ---- part pool (part_pool.cpp) --------------------------------------------------------------
  // Waits until a part buffer is free (at most max_in_flight_parts exist, the one being filled
  // included), or an upload failed.
  Result<std::string> AcquireBuffer();
  std::optional<Error> TakeAsyncError();
  void StartWorkers();
  void WorkerLoop();
  Result<PartDone> UploadPart(PartJob const& job);
  // drain=true: let queued parts upload; false: drop them. Joins the workers either way.
  void StopWorkers(bool drain);

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
  ::ccrec::detail::Hasher sha_;
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

}  // namespace ccrec::s3::detail
