// SPDX-License-Identifier: Apache-2.0
// CompactManifest() (include/ccrec/exporter/manifest_compact.hpp).
#include <ccrec/exporter/manifest_compact.hpp>

#include "exporter/jsonl_manifest.hpp"
#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace ccrec::exporter {
namespace detail {

namespace {
/// Writes `data` whole to `fd`.
bool WriteAll(int fd, std::string const& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}
}  // namespace

Result<ManifestCompaction> JsonlManifest::Compact(ManifestCompactOptions const& options) {
  std::lock_guard<std::mutex> lock(mu_);
  if (conflicting_headers_) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "manifest " + path_ + " has headers of several destinations or key templates; it cannot be "
                                           "compacted (split it by destination by hand)");
  }
  if (lines_ == 0 && malformed_lines_ > 0) {
    // A SQLite manifest (one row per item, nothing to compact) or another file: never rewrite it.
    return MakeError(ErrorCode::kInvalidArgument,
                     "manifest " + path_ + " has no JSON Lines manifest line (" + std::to_string(malformed_lines_) +
                         " unreadable lines); it is not a JSON Lines manifest (a SQLite manifest needs no "
                         "compaction) and is left alone");
  }
  ManifestCompaction out;
  out.lines_before = lines_;
  out.malformed_dropped = malformed_lines_;
  out.bytes_before = end_offset_;
  out.items = index_.Size();
  // Per item its latest line and, when another, its last exported line; in file order, so that
  // loading the result gives every item the same latest and last exported line.
  std::vector<LineRef> keep;
  keep.reserve(index_.Size() + index_.Size() / 8);
  index_.ForEach([&](ItemDigest const&, IndexSlot const& slot) {
    keep.push_back(slot.Latest());
    if (slot.Exported() && slot.exported_offset != slot.latest_offset) keep.push_back(slot.Exported());
  });
  std::sort(keep.begin(), keep.end(), [](LineRef a, LineRef b) { return a.offset < b.offset; });

  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    return MakeError(ErrorCode::kInternal, "cannot stat manifest " + path_ + ": " + std::strerror(errno));
  }
  std::string const tmp = path_ + ".compact.tmp";
  ::unlink(tmp.c_str());  // left by a compaction that crashed
  int const fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777);
  if (fd < 0) {
    return MakeError(ErrorCode::kInternal, "cannot create " + tmp + ": " + std::strerror(errno));
  }
  auto fail = [&](std::string const& what) -> Error {
    int const err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return MakeError(ErrorCode::kInternal, "cannot compact manifest " + path_ + ": " + what +
                                               (err != 0 ? std::string(": ") + std::strerror(err) : ""));
  };
  // The manifest's own mode, whatever the umask.
  if (::fchmod(fd, st.st_mode & 0777) != 0) return fail("chmod " + tmp);
  std::string buffer;
  if (destination_) {
    buffer = "{\"ccrec_manifest\":1,\"destination\":\"" + ::ccrec::detail::JsonEscape(*destination_) +
             "\",\"key_template\":\"" + ::ccrec::detail::JsonEscape(*key_template_) + "\",\"time\":\"" +
             ::ccrec::detail::FormatIso8601(std::chrono::system_clock::now()) + "\",\"compacted_from_lines\":" +
             std::to_string(lines_) + "}\n";
    ++out.lines_after;
  }
  for (LineRef line : keep) {
    errno = 0;
    auto text = ReadLineAt(fd_, line, path_);
    if (!text) return fail(text.error().message);
    buffer += *text;
    buffer += '\n';
    ++out.lines_after;
    if (buffer.size() >= (std::size_t{1} << 20)) {
      errno = 0;
      if (!WriteAll(fd, buffer)) return fail("write " + tmp);
      out.bytes_after += buffer.size();
      buffer.clear();
    }
  }
  errno = 0;
  if (!WriteAll(fd, buffer)) return fail("write " + tmp);
  out.bytes_after += buffer.size();
  if (::ccrec::detail::Fsync(fd, tmp) != 0) return fail("fsync " + tmp);
  if (options.keep_backup) {
    out.backup_path = path_ + ".1";
    ::unlink(out.backup_path.c_str());
    errno = 0;
    if (::link(path_.c_str(), out.backup_path.c_str()) != 0) return fail("keep the old manifest as " + out.backup_path);
  }
  errno = 0;
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return fail("rename " + tmp + " over " + path_);
  ::close(fd);
  auto synced = ::ccrec::detail::SyncDir(::ccrec::detail::DirName(path_));
  if (!synced) return MakeError(ErrorCode::kInternal, "manifest " + path_ + ": " + synced.error().message);
  return out;
}

}  // namespace detail

Result<ManifestCompaction> CompactManifest(std::string const& path, ManifestCompactOptions const& options) {
  if (::access(path.c_str(), F_OK) != 0) {
    return MakeError(ErrorCode::kNotFound, "manifest " + path + " does not exist: " + std::strerror(errno));
  }
  auto m = detail::JsonlManifest::OpenJsonl(path, ManifestOptions{}, /*end_last_line=*/false);
  if (!m) return m.error();
  return (*m)->Compact(options);
}

}  // namespace ccrec::exporter
