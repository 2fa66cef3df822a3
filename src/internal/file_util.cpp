// SPDX-License-Identifier: Apache-2.0
#include "internal/file_util.hpp"

#include "internal/crypto.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace ccrec::detail {

namespace {
Error SysError(ErrorCode code, std::string const& what) {
  return MakeError(code, what + ": " + std::strerror(errno));
}
std::function<void(std::string const&)>& FsyncObserver() {
  static std::function<void(std::string const&)> observer;
  return observer;
}
std::function<int(std::string const&)>& FsyncFault() {
  static std::function<int(std::string const&)> fault;
  return fault;
}
}  // namespace

void SetFsyncObserverForTesting(std::function<void(std::string const&)> observer) {
  FsyncObserver() = std::move(observer);
}

void SetFsyncFaultForTesting(std::function<int(std::string const&)> fault) { FsyncFault() = std::move(fault); }

int Fsync(int fd, std::string const& what) {
  if (auto const& observer = FsyncObserver()) observer(what);
  if (auto const& fault = FsyncFault()) {
    if (int const err = fault(what); err != 0) {
      errno = err;
      return -1;
    }
  }
  return ::fsync(fd);
}

Result<std::string> ReadSmallFile(std::string const& path, std::size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return MakeError(ErrorCode::kNotFound, "file not found: " + path);
    return SysError(ErrorCode::kInternal, "cannot open " + path);
  }
  std::string out;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = SysError(ErrorCode::kInternal, "cannot read " + path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      return MakeError(ErrorCode::kInvalidArgument, path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return out;
}

std::string DirName(std::string const& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<void> SyncDir(std::string const& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return SysError(ErrorCode::kInternal, "cannot open directory " + dir);
  int rc = Fsync(fd, dir);
  int const err = errno;
  ::close(fd);
  errno = err;
  if (rc != 0 && errno != EINVAL) return SysError(ErrorCode::kInternal, "cannot fsync directory " + dir);
  return {};
}

Result<void> MakeDirs(std::string const& path, bool sync_new, mode_t mode) {
  if (path.empty()) return {};
  // Fast path: the directory exists (the common case for every object after the first).
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
  std::string current;
  std::vector<std::string> created;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    current = path.substr(0, next);
    if (!current.empty()) {
      if (::mkdir(current.c_str(), mode) == 0) {
        created.push_back(current);
      } else if (errno != EEXIST) {
        return SysError(ErrorCode::kInternal, "cannot create directory " + current);
      }
    }
    pos = next + 1;
  }
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, path + " exists and is not a directory");
  }
  if (sync_new && !created.empty()) {
    // A new directory's entry lives in its parent: fsync the parent of the first one created
    // (it existed), then every created directory (each holds the entry of the next one).
    auto synced = SyncDir(DirName(created.front()));
    if (!synced) return synced;
    for (auto const& dir : created) {
      synced = SyncDir(dir);
      if (!synced) return synced;
    }
  }
  return {};
}

namespace {
constexpr char kAtomicTempMarker[] = ".tmp-";
constexpr std::size_t kAtomicTempRandomBytes = 6;  // 12 hex digits
}  // namespace

bool IsAtomicWriteTempName(std::string const& name) {
  std::size_t const marker_size = sizeof kAtomicTempMarker - 1;
  std::size_t const digits = 2 * kAtomicTempRandomBytes;
  if (name.size() <= marker_size + digits) return false;  // the final name is not empty
  std::size_t const marker = name.size() - marker_size - digits;
  if (name.compare(marker, marker_size, kAtomicTempMarker) != 0) return false;
  return name.find_first_not_of("0123456789abcdef", marker + marker_size) == std::string::npos;
}

namespace {
Result<void> WriteAtomic(std::string const& path, std::string const& data, mode_t mode, bool exact_mode) {
  std::string dir = DirName(path);
  std::string tmp = path + kAtomicTempMarker + HexEncode(RandomBytes(kAtomicTempRandomBytes));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return SysError(ErrorCode::kInternal, "cannot create " + tmp);
  if (exact_mode) ::fchmod(fd, mode);  // umask must not widen or narrow the requested mode
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = SysError(ErrorCode::kInternal, "cannot write " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    off += static_cast<std::size_t>(n);
  }
  if (Fsync(fd, tmp) != 0) {
    auto e = SysError(ErrorCode::kInternal, "cannot fsync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = SysError(ErrorCode::kInternal, "cannot rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  return SyncDir(dir);
}
}  // namespace

Result<void> WriteFileAtomic(std::string const& path, std::string const& data, mode_t mode) {
  return WriteAtomic(path, data, mode, /*exact_mode=*/true);
}

Result<void> WriteFileAtomicUnderUmask(std::string const& path, std::string const& data, mode_t mode) {
  return WriteAtomic(path, data, mode, /*exact_mode=*/false);
}

}  // namespace ccrec::detail
