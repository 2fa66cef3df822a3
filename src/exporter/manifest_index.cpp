// SPDX-License-Identifier: Apache-2.0
// The compact index of the JSON Lines manifest, its line parser and its file reader.
#include "exporter/manifest_index.hpp"

#include "internal/json.hpp"

#include <openssl/sha.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ccrec::exporter::detail {

namespace {
constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

/// Appends `field` to `out`, preceded by its length (8 bytes, little-endian).
void AddField(std::string& out, std::string_view field) {
  std::uint64_t n = field.size();
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>(n & 0xff));
    n >>= 8;
  }
  out.append(field.data(), field.size());
}

std::uint64_t Load64(unsigned char const* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
}  // namespace

ItemDigest DigestOf(std::string_view source, std::string_view task_id, std::string_view recording_id,
                    std::string_view segment_id) {
  thread_local std::string input;
  input.clear();
  AddField(input, source);
  AddField(input, task_id);
  AddField(input, recording_id);
  AddField(input, segment_id);
  unsigned char md[SHA256_DIGEST_LENGTH];
  ::SHA256(reinterpret_cast<unsigned char const*>(input.data()), input.size(), md);
  return ItemDigest{Load64(md), Load64(md + 8)};
}

void ManifestIndex::Record(ItemDigest const& item, LineRef line, bool exported) {
  IndexSlot& slot = slots_[item];
  slot.latest_offset = line.offset;
  slot.latest_length = line.length;
  if (exported) {
    slot.exported_offset = line.offset;
    slot.exported_length = line.length;
  }
}

IndexSlot const* ManifestIndex::Find(ItemDigest const& item) const {
  auto it = slots_.find(item);
  return it == slots_.end() ? nullptr : &it->second;
}

ParsedLine ParseManifestLine(std::string_view line, bool identity_only) {
  using ::ccrec::detail::OptInt64;
  using ::ccrec::detail::OptString;
  ParsedLine out;
  // One value pool per thread, emptied after each line: a manifest line needs a few hundred bytes
  // of it, so a million lines reuse the same block instead of allocating one each.
  alignas(8) thread_local char pool_buffer[16 * 1024];
  thread_local rapidjson::MemoryPoolAllocator<> pool(pool_buffer, sizeof pool_buffer);
  struct ClearPool {
    ~ClearPool() { pool.Clear(); }
  } clear_pool;
  rapidjson::Document doc(&pool);
  // Iterative: a garbage line nested a million deep must not exhaust the stack.
  doc.Parse<rapidjson::kParseIterativeFlag>(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) return out;
  if (doc.HasMember("ccrec_manifest")) {
    out.kind = ParsedLine::Kind::kHeader;
    out.destination = OptString(doc, "destination").value_or("");
    out.key_template = OptString(doc, "key_template").value_or("");
    return out;
  }
  auto status = ParseItemStatus(OptString(doc, "status").value_or(""));
  if (!status) return out;
  ManifestEntry& e = out.entry;
  e.source = OptString(doc, "source").value_or("");
  e.task_id = OptString(doc, "task_id").value_or("");
  e.recording_id = OptString(doc, "recording_id").value_or("");
  e.segment_id = OptString(doc, "segment_id").value_or("");
  e.status = *status;
  out.kind = ParsedLine::Kind::kEntry;
  if (identity_only) return out;
  e.key = OptString(doc, "key").value_or("");
  e.uri = OptString(doc, "uri").value_or("");
  e.bytes = static_cast<std::uint64_t>(OptInt64(doc, "bytes").value_or(0));
  e.sha256 = OptString(doc, "sha256").value_or("");
  e.error = OptString(doc, "error").value_or("");
  return out;
}

Result<std::optional<std::string_view>> LineScanner::Next() {
  for (;;) {
    auto nl = buffer_.find('\n', start_);
    if (nl != std::string::npos) {
      line_offset_ = buffer_offset_ + start_;
      std::string_view line(buffer_.data() + start_, nl - start_);
      start_ = nl + 1;
      return std::optional<std::string_view>(line);
    }
    if (eof_) {
      if (start_ >= buffer_.size()) return std::optional<std::string_view>();
      unterminated_ = true;  // a last line without its newline
      line_offset_ = buffer_offset_ + start_;
      std::string_view line(buffer_.data() + start_, buffer_.size() - start_);
      start_ = buffer_.size();
      return std::optional<std::string_view>(line);
    }
    // Keep the unfinished line, read the next block after it.
    buffer_.erase(0, start_);
    buffer_offset_ += start_;
    start_ = 0;
    std::size_t const have = buffer_.size();
    buffer_.resize(have + kBlockBytes);
    ssize_t n;
    do {
      n = ::pread(fd_, &buffer_[have], kBlockBytes, static_cast<off_t>(read_offset_));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      return MakeError(ErrorCode::kInternal, std::string("cannot read manifest: ") + std::strerror(errno));
    }
    buffer_.resize(have + static_cast<std::size_t>(n));
    read_offset_ += static_cast<std::uint64_t>(n);
    if (n == 0) eof_ = true;
  }
}

Result<std::string> ReadLineAt(int fd, LineRef line, std::string const& path) {
  std::string out(line.length, '\0');
  std::size_t off = 0;
  while (off < out.size()) {
    ssize_t n = ::pread(fd, &out[off], out.size() - off, static_cast<off_t>(line.offset + off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return MakeError(ErrorCode::kInternal, "cannot read back manifest " + path + " at byte " +
                                                 std::to_string(line.offset + off) + ": " +
                                                 (n < 0 ? std::strerror(errno) : "the file is shorter than before"));
    }
    off += static_cast<std::size_t>(n);
  }
  return out;
}

}  // namespace ccrec::exporter::detail
