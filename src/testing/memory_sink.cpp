// SPDX-License-Identifier: Apache-2.0
#include <ccrec/testing/memory_sink.hpp>

#include "internal/crypto.hpp"

namespace ccrec::testing {

class MemoryWriter : public ObjectWriter {
 public:
  MemoryWriter(MemorySink* sink, std::string key, PutOptions options)
      : sink_(sink), key_(std::move(key)), options_(std::move(options)) {}
  ~MemoryWriter() override { Abort(); }

  Result<void> Write(char const* data, std::size_t size) override {
    if (done_) return MakeError(ErrorCode::kInternal, "write after Finish/Abort on " + key_);
    if (auto e = sink_->NextWriteFailure()) {
      Abort();
      return *e;
    }
    data_.append(data, size);
    return {};
  }

  Result<ObjectInfo> Finish() override {
    if (done_) return MakeError(ErrorCode::kInternal, "Finish after Finish/Abort on " + key_);
    if (options_.expected_size && *options_.expected_size != data_.size()) {
      Abort();
      return MakeError(ErrorCode::kIntegrity, "object " + key_ + ": expected " + std::to_string(*options_.expected_size) +
                                                  " bytes, got " + std::to_string(data_.size()));
    }
    ObjectInfo info;
    info.key = key_;
    info.bytes = data_.size();
    info.sha256_hex = detail::Sha256Hex(data_);
    // The existence check and the insert happen under one lock, so that of two writers racing
    // with if_none_match exactly one wins (as with S3's If-None-Match: *).
    if (!sink_->Commit(key_, MemorySink::Object{std::move(data_), options_}, options_.if_none_match)) {
      Abort();
      Error e = MakeError(ErrorCode::kInvalidArgument, "object " + key_ + " already exists");
      e.vendor_code = "PreconditionFailed";
      return e;
    }
    done_ = true;
    data_.clear();
    return info;
  }

  void Abort() noexcept override {
    if (done_) return;
    done_ = true;
    data_.clear();
    sink_->NoteAbort();
  }

 private:
  MemorySink* sink_;
  std::string key_;
  PutOptions options_;
  std::string data_;
  bool done_ = false;
};

Result<std::unique_ptr<ObjectWriter>> MemorySink::Open(std::string const& key, PutOptions const& options,
                                                       CallContext const&) {
  if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid object key \"" + key + "\"");
  }
  return std::unique_ptr<ObjectWriter>(std::make_unique<MemoryWriter>(this, key, options));
}

Result<std::optional<ObjectInfo>> MemorySink::Stat(std::string const& key, CallContext const&) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::optional<ObjectInfo>{};
  ObjectInfo info;
  info.key = key;
  info.bytes = it->second.data.size();
  info.sha256_hex = detail::Sha256Hex(it->second.data);
  info.metadata = it->second.options.metadata;
  return std::optional<ObjectInfo>(info);
}

std::string MemorySink::Describe(std::string const& key) const { return "memory://" + key; }

std::map<std::string, MemorySink::Object> MemorySink::Objects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_;
}

std::optional<std::string> MemorySink::Get(std::string const& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.data;
}

bool MemorySink::EnforcesIfNoneMatch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return enforces_if_none_match_ && !ignores_if_none_match_;
}

void MemorySink::SetEnforcesIfNoneMatch(bool enforces) {
  std::lock_guard<std::mutex> lock(mu_);
  enforces_if_none_match_ = enforces;
}

void MemorySink::SetIgnoresIfNoneMatch(bool ignores) {
  std::lock_guard<std::mutex> lock(mu_);
  ignores_if_none_match_ = ignores;
}

std::size_t MemorySink::AbortCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return aborts_;
}

void MemorySink::FailWriteAfter(std::size_t writes, Error error) {
  std::lock_guard<std::mutex> lock(mu_);
  writes_until_failure_ = writes == 0 ? 1 : writes;  // 0 means the next write, like 1
  write_failure_ = std::move(error);
}

bool MemorySink::Commit(std::string const& key, Object object, bool if_absent) {
  std::lock_guard<std::mutex> lock(mu_);
  if (if_absent && !ignores_if_none_match_ && objects_.count(key) != 0) return false;
  objects_[key] = std::move(object);
  return true;
}

void MemorySink::NoteAbort() {
  std::lock_guard<std::mutex> lock(mu_);
  ++aborts_;
}

std::optional<Error> MemorySink::NextWriteFailure() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!write_failure_) return std::nullopt;
  if (--writes_until_failure_ > 0) return std::nullopt;
  auto e = std::move(write_failure_);
  write_failure_.reset();
  return e;
}

}  // namespace ccrec::testing
