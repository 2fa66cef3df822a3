// SPDX-License-Identifier: Apache-2.0
// The JSON Lines manifest (Manifest::Open()).
#include "exporter/jsonl_manifest.hpp"

#include <ccrec/core/log.hpp>

#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace ccrec {
inline namespace v1 {
namespace exporter {
namespace detail {

Result<std::shared_ptr<Manifest>> JsonlManifest::Open(std::string const& path, ManifestOptions const& options) {
  if ((options.file_mode & ~std::uint32_t{0777}) != 0) {
    char mode[16];
    std::snprintf(mode, sizeof mode, "0%o", static_cast<unsigned>(options.file_mode));
    return MakeError(ErrorCode::kInvalidArgument, "manifest " + path + ": file_mode " + mode +
                                                      " has bits beyond 0777 (setuid, setgid or sticky are not allowed)");
  }
  std::shared_ptr<JsonlManifest> m(new JsonlManifest());
  m->path_ = path;
  // Open and lock first, so that the lines read below are not being appended to by another run.
  // A new manifest gets file_mode & ~umask (the kernel applies the umask; no chmod).
  bool const existed = ::access(path.c_str(), F_OK) == 0;
  m->fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, static_cast<mode_t>(options.file_mode));
  if (m->fd_ < 0) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot open manifest " + path + " for appending: " +
                                                      std::strerror(errno));
  }
  if (options.lock && ::flock(m->fd_, LOCK_EX | LOCK_NB) != 0) {
    int const err = errno;
    Error e = MakeError(ErrorCode::kInvalidArgument,
                        err == EWOULDBLOCK
                            ? "manifest " + path + " is in use by another run (it holds the manifest's lock); wait "
                                                   "for that run to end, or give this run a manifest of its own"
                            : "cannot lock manifest " + path + ": " + std::strerror(err));
    if (err == EWOULDBLOCK) e.vendor_code = kManifestInUse;
    return e;
  }
  auto text = ::ccrec::detail::ReadSmallFile(path, std::size_t{4} << 30);
  if (text) {
    std::size_t pos = 0;
    while (pos < text->size()) {
      auto nl = text->find('\n', pos);
      if (nl == std::string::npos) nl = text->size();
      std::string_view line(text->data() + pos, nl - pos);
      pos = nl + 1;
      if (line.empty()) continue;
      // A last line without '\n' is a torn write unless it is a whole JSON object (JSON Lines
      // allows the final newline to be missing; a torn Append can only parse if it lost nothing
      // but the newline, since the object's closing brace is the last byte before it).
      auto doc = ::ccrec::detail::ParseJson(line, "manifest line");
      if (!doc || !doc->IsObject()) {
        ++m->malformed_lines_;
        continue;
      }
      if (doc->HasMember("ccrec_manifest")) {
        auto dest = ::ccrec::detail::OptString(*doc, "destination").value_or("");
        auto tmpl = ::ccrec::detail::OptString(*doc, "key_template").value_or("");
        if (!m->destination_) {
          m->destination_ = dest;
          m->key_template_ = tmpl;
        } else if (*m->destination_ != dest || *m->key_template_ != tmpl) {
          m->conflicting_headers_ = true;
        }
        continue;
      }
      ManifestEntry e;
      e.source = ::ccrec::detail::OptString(*doc, "source").value_or("");
      e.task_id = ::ccrec::detail::OptString(*doc, "task_id").value_or("");
      e.recording_id = ::ccrec::detail::OptString(*doc, "recording_id").value_or("");
      e.segment_id = ::ccrec::detail::OptString(*doc, "segment_id").value_or("");
      e.key = ::ccrec::detail::OptString(*doc, "key").value_or("");
      e.uri = ::ccrec::detail::OptString(*doc, "uri").value_or("");
      e.bytes = static_cast<std::uint64_t>(::ccrec::detail::OptInt64(*doc, "bytes").value_or(0));
      e.sha256 = ::ccrec::detail::OptString(*doc, "sha256").value_or("");
      e.error = ::ccrec::detail::OptString(*doc, "error").value_or("");
      auto status = ParseItemStatus(::ccrec::detail::OptString(*doc, "status").value_or(""));
      if (!status) {
        ++m->malformed_lines_;
        continue;
      }
      e.status = *status;
      ItemKey item{e.source, e.task_id, e.recording_id, e.segment_id};
      if (e.status == ItemStatus::kExported) m->last_exported_[item] = e;
      m->latest_[item] = std::move(e);
    }
  } else if (text.error().code != ErrorCode::kNotFound) {
    return MakeError(ErrorCode::kInvalidArgument, "cannot read manifest: " + text.error().message);
  }
  if (!existed) {  // created: its directory entry must survive a crash like its lines
    auto synced = ::ccrec::detail::SyncDir(::ccrec::detail::DirName(path));
    if (!synced) return MakeError(ErrorCode::kInvalidArgument, "manifest " + path + ": " + synced.error().message);
  }
  m->last_sync_ = std::chrono::steady_clock::now();
  // A torn last line (crash mid-write) must not glue onto the next entry.
  if (text && !text->empty() && text->back() != '\n') {
    if (::write(m->fd_, "\n", 1) != 1) {
      return MakeError(ErrorCode::kInvalidArgument, "cannot write manifest " + path + ": " + std::strerror(errno));
    }
  }
  return std::shared_ptr<Manifest>(std::move(m));
}

JsonlManifest::~JsonlManifest() {
  if (fd_ >= 0) {
    if (unsynced_lines_ > 0) ::ccrec::detail::Fsync(fd_, path_);
    ::close(fd_);
  }
}

Result<void> JsonlManifest::WriteLine(std::string const& line) {
  std::size_t off = 0;
  while (fd_ >= 0 && off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kInternal, "cannot append to manifest " + path_ + ": " + std::strerror(errno));
    }
    off += static_cast<std::size_t>(n);
  }
  return {};
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
  if (auto written = WriteLine(line); !written) return written;
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
  if (fd_ >= 0) {
    std::size_t off = 0;
    while (off < line.size()) {
      ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return MakeError(ErrorCode::kInternal, "cannot append to manifest " + path_ + ": " + std::strerror(errno));
      }
      off += static_cast<std::size_t>(n);
    }
    // Group commit (see the class comment): fsync every kSyncEveryLines lines or kSyncEvery.
    ++unsynced_lines_;
    auto const now = std::chrono::steady_clock::now();
    if (unsynced_lines_ >= kSyncEveryLines || now - last_sync_ >= kSyncEvery) {
      auto synced = SyncLocked();
      if (!synced) return synced;
    }
  }
  // Null() records nothing, in memory either (its Latest() always returns nullopt).
  if (fd_ >= 0) latest_[ItemKey{entry.source, entry.task_id, entry.recording_id, entry.segment_id}] = entry;
  if (fd_ >= 0 && entry.status == ItemStatus::kExported) {
    last_exported_[ItemKey{entry.source, entry.task_id, entry.recording_id, entry.segment_id}] = entry;
  }
  return {};
}

std::optional<ManifestEntry> JsonlManifest::Latest(std::string const& source, std::string const& task_id,
                                              std::string const& recording_id, std::string const& segment_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = latest_.find(ItemKey{source, task_id, recording_id, segment_id});
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

std::optional<ManifestEntry> JsonlManifest::LastExported(std::string const& source, std::string const& task_id,
                                                    std::string const& recording_id,
                                                    std::string const& segment_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = last_exported_.find(ItemKey{source, task_id, recording_id, segment_id});
  if (it == last_exported_.end()) return std::nullopt;
  return it->second;
}

std::vector<ManifestEntry> JsonlManifest::Entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ManifestEntry> out;
  out.reserve(latest_.size());
  for (auto const& [item, entry] : latest_) out.push_back(entry);
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

}  // namespace detail
}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
