// SPDX-License-Identifier: Apache-2.0
// S3Writer: the part pool: at most max_in_flight_parts part buffers, worker threads that upload
// queued parts, and the first error they meet.

#include "s3/s3_writer.hpp"

namespace ccrec::s3::detail {

Result<std::string> S3Writer::AcquireBuffer() {
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

std::optional<Error> S3Writer::TakeAsyncError() {
  std::lock_guard<std::mutex> lock(mu_);
  return async_error_;
}

void S3Writer::StartWorkers() {
  auto const n = state_->options.max_in_flight_parts;
  for (std::size_t i = 0; i < n; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void S3Writer::WorkerLoop() {
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

Result<S3Writer::PartDone> S3Writer::UploadPart(PartJob const& job) {
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
  if (auto e = MissingEtag(*r, etag, "S3 UploadPart " + Location() + " part " + std::to_string(job.number))) return *e;
  PartDone done;
  done.etag = *etag;
  if (s.options.checksum != ChecksumAlgorithm::kNone) {
    done.checksum = r->Header(ChecksumHeader(s.options.checksum)).value_or(d.checksum_b64);
  }
  return done;
}

void S3Writer::StopWorkers(bool drain) {
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

}  // namespace ccrec::s3::detail
