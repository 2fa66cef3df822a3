// SPDX-License-Identifier: Apache-2.0
// The JSON Lines manifest (Manifest::Open()).
#include "exporter/jsonl_manifest.hpp"

#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <tuple>

namespace ccrec::exporter::detail {

namespace {
std::function<void(std::string const&)>& OpenHook() {
  static std::function<void(std::string const&)> hook;
  return hook;
}
bool SameItem(ManifestEntry const& a, ManifestEntry const& b) {
  return a.source == b.source && a.task_id == b.task_id && a.recording_id == b.recording_id &&
         a.segment_id == b.segment_id;
}
ManifestEntry ItemOf(std::string const& source, std::string const& task_id, std::string const& recording_id,
                     std::string const& segment_id) {
  ManifestEntry e;
  e.source = source;
  e.task_id = task_id;
  e.recording_id = recording_id;
  e.segment_id = segment_id;
  return e;
}
}  // namespace

void SetOpenHookForTesting(std::function<void(std::string const& path)> hook) { OpenHook() = std::move(hook); }

Result<std::shared_ptr<Manifest>> JsonlManifest::Open(std::string const& path, ManifestOptions const& options) {
  auto m = OpenJsonl(path, options);
  if (!m) return m.error();
  return std::shared_ptr<Manifest>(std::move(*m));
}

Result<std::shared_ptr<JsonlManifest>> JsonlManifest::OpenJsonl(std::string const& path,
                                                                ManifestOptions const& options, bool end_last_line) {
  if ((options.file_mode & ~std::uint32_t{0777}) != 0) {
    char mode[16];
    std::snprintf(mode, sizeof mode, "0%o", static_cast<unsigned>(options.file_mode));
    return MakeError(ErrorCode::kInvalidArgument, "manifest " + path + ": file_mode " + mode +
                                                      " has bits beyond 0777 (setuid, setgid or sticky are not allowed)");
  }
  std::shared_ptr<JsonlManifest> m(new JsonlManifest());
  m->path_ = path;
  // Open and lock first, so that the lines read below are not being appended to by another run.
  // A new manifest gets file_mode & ~umask (the kernel applies the umask; no chmod). Read and
  // append: lookups read their line back (pread), appends go to the end (O_APPEND).
  // CompactManifest() renames a new file over `path` and then releases its lock on the old one:
  // a descriptor opened before that rename and locked after it holds a file that is no longer the
  // manifest, and whatever it appended would be lost. So, once locked, the descriptor must still
  // be the file at `path` (same device and inode); if not, open again.
  constexpr int kMaxOpenAttempts = 8;
  bool existed = false;
  for (int attempt = 1;; ++attempt) {
    existed = ::access(path.c_str(), F_OK) == 0;
    m->fd_ = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, static_cast<mode_t>(options.file_mode));
    if (m->fd_ < 0) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot open manifest " + path + " for appending: " +
                                                        std::strerror(errno));
    }
    if (auto const& hook = OpenHook()) hook(path);
    if (!options.lock) break;
    if (::flock(m->fd_, LOCK_EX | LOCK_NB) != 0) {
      int const err = errno;
      Error e = MakeError(ErrorCode::kInvalidArgument,
                          err == EWOULDBLOCK
                              ? "manifest " + path + " is in use by another run (it holds the manifest's lock); wait "
                                                     "for that run to end, or give this run a manifest of its own"
                              : "cannot lock manifest " + path + ": " + std::strerror(err));
      if (err == EWOULDBLOCK) e.vendor_code = kManifestInUse;
      return e;
    }
    struct stat locked {}, named {};
    if (::fstat(m->fd_, &locked) != 0) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot stat manifest " + path + ": " + std::strerror(errno));
    }
    if (::stat(path.c_str(), &named) == 0 && named.st_dev == locked.st_dev && named.st_ino == locked.st_ino) break;
    ::close(m->fd_);  // replaced (compacted) or removed since it was opened
    m->fd_ = -1;
    if (attempt == kMaxOpenAttempts) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "manifest " + path + " was replaced or removed while it was being opened, " +
                           std::to_string(kMaxOpenAttempts) +
                           " times in a row; is something rewriting it in a loop? (try again when it is not)");
    }
  }
  // One streaming pass: per item, where its latest and last exported lines are (no line is kept).
  LineScanner scan(m->fd_);
  for (;;) {
    auto next = scan.Next();
    if (!next) return MakeError(ErrorCode::kInvalidArgument, "manifest " + path + ": " + next.error().message);
    if (!*next) break;
    std::string_view const line = **next;
    if (line.empty()) continue;
    // A last line without '\n' is a torn write unless it is a whole JSON object (JSON Lines
    // allows the final newline to be missing; a torn Append can only parse if it lost nothing
    // but the newline, since the object's closing brace is the last byte before it).
    ParsedLine parsed = line.size() > std::numeric_limits<std::uint32_t>::max() ? ParsedLine{}
                                                                                  : ParseManifestLine(line, /*identity_only=*/true);
    switch (parsed.kind) {
      case ParsedLine::Kind::kMalformed:
        ++m->malformed_lines_;
        break;
      case ParsedLine::Kind::kHeader:
        ++m->lines_;
        if (!m->destination_) {
          m->destination_ = std::move(parsed.destination);
          m->key_template_ = std::move(parsed.key_template);
        } else if (*m->destination_ != parsed.destination || *m->key_template_ != parsed.key_template) {
          m->conflicting_headers_ = true;
        }
        break;
      case ParsedLine::Kind::kEntry:
        ++m->lines_;
        m->index_.Record(DigestOf(parsed.entry), LineRef{scan.LineOffset(), static_cast<std::uint32_t>(line.size())},
                         parsed.entry.status == ItemStatus::kExported);
        break;
    }
  }
  m->end_offset_ = scan.BytesRead();
  if (!existed) {  // created: its directory entry must survive a crash like its lines
    auto synced = ::ccrec::detail::SyncDir(::ccrec::detail::DirName(path));
    if (!synced) return MakeError(ErrorCode::kInvalidArgument, "manifest " + path + ": " + synced.error().message);
  }
  m->last_sync_ = std::chrono::steady_clock::now();
  // A torn last line (crash mid-write) must not glue onto the next entry.
  if (scan.EndsUnterminated() && end_last_line) {
    if (::write(m->fd_, "\n", 1) != 1) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot write manifest " + path + ": " + std::strerror(errno));
    }
    ++m->end_offset_;
  }
  return m;
}

JsonlManifest::~JsonlManifest() {
  if (fd_ >= 0) {
    if (unsynced_lines_ > 0) ::ccrec::detail::Fsync(fd_, path_);
    ::close(fd_);
  }
}

Result<std::uint64_t> JsonlManifest::WriteLine(std::string const& line) {
  if (fd_ < 0) return end_offset_;
  if (torn_) {  // an earlier line was torn and could not be cut off: this one must not glue onto it
    if (::write(fd_, "\n", 1) != 1) {
      return MakeError(ErrorCode::kInternal, "cannot append to manifest " + path_ + ": " + std::strerror(errno));
    }
    ++end_offset_;
    torn_ = false;
  }
  std::uint64_t const start = end_offset_;
  std::size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int const err = errno;
      DropTornLine(line.size());
      return MakeError(ErrorCode::kInternal, "cannot append to manifest " + path_ + ": " + std::strerror(err));
    }
    off += static_cast<std::size_t>(n);
  }
  end_offset_ += line.size();
  ++lines_;
  return start;
}

void JsonlManifest::DropTornLine(std::size_t line_size) {
  // Part of the line may have reached the file (ENOSPC, EFBIG after a short write). Under the
  // lock, the bytes past end_offset_ can only be that part: cut them off. Anything else (the
  // size cannot be read, the truncation fails, the file is not as expected) ends the fragment
  // with a newline before the next line instead; an empty or malformed line is skipped by readers.
  struct stat st {};
  if (::fstat(fd_, &st) == 0) {
    auto const size = static_cast<std::uint64_t>(st.st_size);
    if (size == end_offset_) return;  // nothing reached the file
    bool const only_this_line = size > end_offset_ && size - end_offset_ <= line_size;
    if (only_this_line && ::ftruncate(fd_, static_cast<off_t>(end_offset_)) == 0) return;
    end_offset_ = size;
  }
  torn_ = true;
}

Result<void> JsonlManifest::CheckDestination(std::string const& destination_uri, std::string const& key_template) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0 || !destination_) return {};
  auto const what = "manifest " + path_ + " ";
  if (conflicting_headers_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     what + "has headers of several destinations or key templates; use a new manifest file");
  }
  if (*destination_ == destination_uri && *key_template_ == key_template) return {};
  return MakeError(ErrorCode::kInvalidArgument,
                   what + "belongs to destination " + *destination_ + " with key template \"" + *key_template_ +
                       "\", but this run writes to " + destination_uri + " with key template \"" + key_template +
                       "\"; its lines say nothing about this destination. Use a new --manifest file for a new "
                       "destination or key template, or the original --dest and --key-template");
}

Result<void> JsonlManifest::Bind(std::string const& destination_uri, std::string const& key_template) {
  if (auto checked = CheckDestination(destination_uri, key_template); !checked) return checked;
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0 || destination_) return {};
  std::string line = "{\"ccrec_manifest\":1,\"destination\":\"" + ::ccrec::detail::JsonEscape(destination_uri) +
                     "\",\"key_template\":\"" + ::ccrec::detail::JsonEscape(key_template) + "\",\"time\":\"" +
                     ::ccrec::detail::FormatIso8601(std::chrono::system_clock::now()) + "\"}\n";
  if (auto written = WriteLine(line); !written) return std::move(written).error();
  destination_ = destination_uri;
  key_template_ = key_template;
  return {};
}

std::optional<std::string> JsonlManifest::Destination() const {
  std::lock_guard<std::mutex> lock(mu_);
  return destination_;
}

std::optional<std::string> JsonlManifest::KeyTemplate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return key_template_;
}

Result<void> JsonlManifest::Append(ManifestEntry const& entry) {
  std::string line = Manifest::ToJsonLine(entry) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return {};
  auto const offset = WriteLine(line);
  if (!offset) return offset.error();
  index_.Record(DigestOf(entry), LineRef{*offset, static_cast<std::uint32_t>(line.size() - 1)},
                entry.status == ItemStatus::kExported);
  // Group commit (see the class comment): fsync every kSyncEveryLines lines or kSyncEvery.
  ++unsynced_lines_;
  auto const now = std::chrono::steady_clock::now();
  if (unsynced_lines_ >= kSyncEveryLines || now - last_sync_ >= kSyncEvery) return SyncLocked();
  return {};
}

std::optional<ManifestEntry> JsonlManifest::ScanFor(ManifestEntry const& item, bool exported_only) const {
  std::optional<ManifestEntry> found;
  LineScanner scan(fd_);
  for (;;) {
    auto next = scan.Next();
    if (!next || !*next) break;
    ParsedLine parsed = ParseManifestLine(**next);
    if (parsed.kind != ParsedLine::Kind::kEntry || !SameItem(parsed.entry, item)) continue;
    if (exported_only && parsed.entry.status != ItemStatus::kExported) continue;
    found = std::move(parsed.entry);
  }
  return found;
}

std::optional<ManifestEntry> JsonlManifest::ReadItem(LineRef line, ManifestEntry const& item,
                                                     bool exported_only) const {
  if (auto text = ReadLineAt(fd_, line, path_)) {
    ParsedLine parsed = ParseManifestLine(*text);
    if (parsed.kind == ParsedLine::Kind::kEntry && SameItem(parsed.entry, item)) return std::move(parsed.entry);
  }
  // Not this item's line: two identities with one 128-bit digest (never seen; SHA-256), or a file
  // changed behind the lock. The whole file still has the answer.
  return ScanFor(item, exported_only);
}

std::optional<ManifestEntry> JsonlManifest::Latest(std::string const& source, std::string const& task_id,
                                                   std::string const& recording_id,
                                                   std::string const& segment_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  IndexSlot const* slot = index_.Find(DigestOf(source, task_id, recording_id, segment_id));
  if (slot == nullptr) return std::nullopt;
  return ReadItem(slot->Latest(), ItemOf(source, task_id, recording_id, segment_id), false);
}

std::optional<ManifestEntry> JsonlManifest::LastExported(std::string const& source, std::string const& task_id,
                                                         std::string const& recording_id,
                                                         std::string const& segment_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  IndexSlot const* slot = index_.Find(DigestOf(source, task_id, recording_id, segment_id));
  if (slot == nullptr || !slot->Exported()) return std::nullopt;
  return ReadItem(slot->Exported(), ItemOf(source, task_id, recording_id, segment_id), true);
}

std::vector<ManifestEntry> JsonlManifest::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LineRef> lines;
  lines.reserve(index_.Size());
  index_.ForEach([&](ItemDigest const&, IndexSlot const& slot) { lines.push_back(slot.Latest()); });
  // Read in file order (sequential I/O), then order by identity as the contract says.
  std::sort(lines.begin(), lines.end(), [](LineRef a, LineRef b) { return a.offset < b.offset; });
  std::vector<ManifestEntry> out;
  out.reserve(lines.size());
  for (LineRef line : lines) {
    auto text = ReadLineAt(fd_, line, path_);
    if (!text) continue;
    ParsedLine parsed = ParseManifestLine(*text);
    if (parsed.kind == ParsedLine::Kind::kEntry) out.push_back(std::move(parsed.entry));
  }
  auto identity = [](ManifestEntry const& e) { return std::tie(e.source, e.task_id, e.recording_id, e.segment_id); };
  std::sort(out.begin(), out.end(),
            [&](ManifestEntry const& a, ManifestEntry const& b) { return identity(a) < identity(b); });
  return out;
}

Result<void> JsonlManifest::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  return SyncLocked();
}

Result<void> JsonlManifest::SyncLocked() {
  if (fd_ < 0) return {};
  if (::ccrec::detail::Fsync(fd_, path_) != 0) {
    return MakeError(ErrorCode::kInternal, "cannot fsync manifest " + path_ + ": " + std::strerror(errno));
  }
  unsynced_lines_ = 0;
  last_sync_ = std::chrono::steady_clock::now();
  return {};
}

}  // namespace ccrec::exporter::detail
