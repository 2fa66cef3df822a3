// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: the compact index of the JSON Lines manifest (issue 14, item 6), its line parser and
// its file reader. The manifest keeps no parsed line in memory: per item it keeps a 128-bit digest
// of the item's identity and where the item's latest line and last "exported" line are in the file
// (offset and length, 24 bytes), and reads those lines back with pread(2) when asked.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/exporter/manifest.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ccrec::exporter::detail {

/// The first 128 bits of the SHA-256 of an item identity (source, task_id, recording_id,
/// segment_id), each field length-prefixed so that no two identities share an input. A
/// cryptographic hash, so that ids chosen by a vendor (or an attacker) cannot be made to collide;
/// the manifest still checks the identity of every line it reads back (see JsonlManifest).
struct ItemDigest {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  bool operator==(ItemDigest const& o) const noexcept { return hi == o.hi && lo == o.lo; }
};

ItemDigest DigestOf(std::string_view source, std::string_view task_id, std::string_view recording_id,
                                 std::string_view segment_id);
inline ItemDigest DigestOf(ManifestEntry const& e) {
  return DigestOf(e.source, e.task_id, e.recording_id, e.segment_id);
}

struct ItemDigestHash {
  std::size_t operator()(ItemDigest const& d) const noexcept { return static_cast<std::size_t>(d.lo); }
};

/// Where one line is in the manifest file (without its newline). length 0: no line.
struct LineRef {
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
  explicit operator bool() const noexcept { return length != 0; }
};

/// Per item: its latest line and its last "exported" line (24 bytes).
struct IndexSlot {
  std::uint64_t latest_offset = 0;
  std::uint64_t exported_offset = 0;
  std::uint32_t latest_length = 0;
  std::uint32_t exported_length = 0;
  LineRef Latest() const noexcept { return {latest_offset, latest_length}; }
  LineRef Exported() const noexcept { return {exported_offset, exported_length}; }
};

/// digest -> IndexSlot. Not thread-safe (the manifest's mutex guards it).
class ManifestIndex {
 public:
  /// Records that `line` is the item's latest line (and its last exported line when `exported`).
  void Record(ItemDigest const& item, LineRef line, bool exported);
  IndexSlot const* Find(ItemDigest const& item) const;
  std::size_t Size() const noexcept { return slots_.size(); }
  template <typename F>
  void ForEach(F&& f) const {
    for (auto const& [item, slot] : slots_) f(item, slot);
  }

 private:
  std::unordered_map<ItemDigest, IndexSlot, ItemDigestHash> slots_;
};

/// One manifest line, parsed.
struct ParsedLine {
  enum class Kind { kEntry, kHeader, kMalformed };
  Kind kind = Kind::kMalformed;
  ManifestEntry entry;       // kEntry
  std::string destination;   // kHeader
  std::string key_template;  // kHeader
};

/// Parses one line (without its newline): a header (`{"ccrec_manifest":..}`), an entry (a JSON
/// object with a known "status"), or malformed (anything else: torn, garbage, unknown status).
/// Reuses one allocator per thread, so parsing a million lines allocates little.
/// `identity_only`: fill only the identity (source, task_id, recording_id, segment_id) and status
/// of an entry, as the index needs at open.
ParsedLine ParseManifestLine(std::string_view line, bool identity_only = false);

/// Reads a file front to back in 1 MiB blocks and hands out its lines with their offsets, so a
/// manifest of any size loads in bounded memory.
class LineScanner {
 public:
  explicit LineScanner(int fd) : fd_(fd) {}
  /// The next line (without its newline; empty lines included), or nullopt at the end.
  /// kInternal when reading fails.
  Result<std::optional<std::string_view>> Next();
  /// Offset of the line Next() returned last.
  std::uint64_t LineOffset() const noexcept { return line_offset_; }
  /// True when the file's last byte is not a newline (known once Next() returned nullopt).
  bool EndsUnterminated() const noexcept { return unterminated_; }
  /// Bytes read (the file size, once Next() returned nullopt).
  std::uint64_t BytesRead() const noexcept { return read_offset_; }

 private:
  int fd_;
  std::string buffer_;          // [start_, buffer_.size()) not handed out yet
  std::size_t start_ = 0;
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  std::uint64_t read_offset_ = 0;    // file offset of the next read
  std::uint64_t line_offset_ = 0;
  bool eof_ = false;
  bool unterminated_ = false;
};

/// Reads `line` back from `fd` (pread; the file only grows, so the bytes are still there).
/// kInternal when reading fails or the file is shorter than the line.
Result<std::string> ReadLineAt(int fd, LineRef line, std::string const& path);

}  // namespace ccrec::exporter::detail
