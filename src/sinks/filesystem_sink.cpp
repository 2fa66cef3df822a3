// SPDX-License-Identifier: Apache-2.0
#include <ccrec/sinks/filesystem_sink.hpp>

#include "internal/crypto.hpp"
#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/url.hpp"
#include "sinks/filesystem_sink_crash.hpp"
#include "sinks/meta_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <unordered_set>

namespace ccrec {
inline namespace v1 {

namespace {

Error SysError(ErrorCode code, std::string const& what) { return MakeError(code, what + ": " + std::strerror(errno)); }

std::string OctalMode(std::uint32_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "0%o", static_cast<unsigned>(mode));
  return text;
}

/// User metadata lives in a mirror tree: ROOT/.ccrec-meta/KEY holds the metadata document of
/// the object ROOT/KEY (MetaFileDocument(): size, SHA-256, the tie to its file, user metadata).
/// Plain files, so it works on any file system (no extended attributes).
constexpr char kMetaDir[] = ".ccrec-meta";

std::string MetaPath(std::string const& root, std::string const& key) { return root + "/" + kMetaDir + "/" + key; }

std::function<bool(detail::FilesystemCrashPoint, std::string const&)>& CrashHook() {
  static std::function<bool(detail::FilesystemCrashPoint, std::string const&)> hook;
  return hook;
}

/// Whether the test hook simulates a crash at `point` of writing `key`.
bool CrashAt(detail::FilesystemCrashPoint point, std::string const& key) {
  auto const& hook = CrashHook();
  return hook && hook(point, key);
}

/// Marks the sink's temporary files: `.<final>.ccrec-tmp-…` (see IsStaleTemp()).
constexpr char kTempMarker[] = ".ccrec-tmp-";

std::optional<std::string> ValidateKey(std::string const& key) {
  if (key.empty()) return "object key is empty";
  if (key.front() == '/') return "object key \"" + key + "\" is absolute";
  if (key.find('\0') != std::string::npos) return "object key contains a NUL byte";
  if (key.find('\\') != std::string::npos) return "object key \"" + key + "\" contains a backslash";
  std::size_t pos = 0;
  while (pos <= key.size()) {
    auto slash = key.find('/', pos);
    if (slash == std::string::npos) slash = key.size();
    auto segment = key.substr(pos, slash - pos);
    if (segment.empty() || segment == "." || segment == "..") {
      return "object key \"" + key + "\" has an empty, \".\" or \"..\" segment";
    }
    if (pos == 0 && segment == kMetaDir) return "object key \"" + key + "\" is inside the metadata directory";
    // A file named like the sink's own temporary files would be taken for one a crashed writer
    // left behind and removed by the stale-temporary sweep of a later sink (RemoveStaleTemps()).
    if (segment.front() == '.' && segment.find(kTempMarker, 1) != std::string::npos) {
      return "object key \"" + key + "\" has a segment named like the sink's temporary files (\"." +
             "<name>" + kTempMarker + "...\")";
    }
    pos = slash + 1;
  }
  return std::nullopt;
}

/// 8 hex digits naming this host in temporary file names, so that a process id is only ever
/// checked on the host it belongs to (the destination may be shared over NFS).
std::string const& HostTag() {
  static std::string const tag = [] {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return std::string("00000000");
    return detail::Sha256Hex(std::string(name)).substr(0, 8);
  }();
  return tag;
}

bool IsHex(std::string const& s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

/// Whether the file `st` describes was last modified more than `max_age` ago (never, for zero).
bool IsOlderThan(struct stat const& st, std::chrono::seconds max_age) {
  auto const age = std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(st.st_mtime);
  return max_age.count() > 0 && age > max_age;
}

/// Whether `name` (an entry of a destination directory) is a temporary file a writer that is
/// gone left behind. Names: `.<final>.ccrec-tmp-<host>-<pid>-<random>` (this version) or
/// `.<final>.ccrec-tmp-<random>` (earlier versions: no owner recorded, judged by age only).
bool IsStaleTemp(std::string const& name, struct stat const& st, std::chrono::seconds max_age) {
  if (name.empty() || name.front() != '.') return false;
  auto marker = name.rfind(kTempMarker);
  if (marker == std::string::npos || marker == 0) return false;
  std::string tail = name.substr(marker + sizeof kTempMarker - 1);
  bool const old = IsOlderThan(st, max_age);
  auto dash1 = tail.find('-');
  auto dash2 = dash1 == std::string::npos ? std::string::npos : tail.find('-', dash1 + 1);
  if (dash2 == std::string::npos) return IsHex(tail) && old;  // no owner recorded
  std::string host = tail.substr(0, dash1);
  std::string pid_text = tail.substr(dash1 + 1, dash2 - dash1 - 1);
  if (!IsHex(host) || !IsHex(tail.substr(dash2 + 1)) || pid_text.empty() || pid_text.size() > 9 ||
      pid_text.find_first_not_of("0123456789") != std::string::npos) {
    return false;  // not one of ours
  }
  auto const pid = static_cast<pid_t>(std::stol(pid_text));
  if (host == HostTag() && pid != ::getpid() && pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) return true;
  return old;
}

class FileWriter : public ObjectWriter {
 public:
  FileWriter(std::string final_path, std::string temp_path, int fd, PutOptions options, bool fsync, std::string key,
             std::string meta_path, mode_t file_mode, mode_t dir_mode)
      : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), fd_(fd), options_(std::move(options)),
        fsync_(fsync), key_(std::move(key)), meta_path_(std::move(meta_path)), file_mode_(file_mode),
        dir_mode_(dir_mode) {}
  ~FileWriter() override { Abort(); }

  Result<void> Write(char const* data, std::size_t size) override {
    if (fd_ < 0) return MakeError(ErrorCode::kInternal, "write to a finished or aborted writer for " + key_);
    std::size_t off = 0;
    while (off < size) {
      ssize_t n = ::write(fd_, data + off, size - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        auto e = SysError(ErrorCode::kInternal, "cannot write " + final_path_);
        Abort();
        return e;
      }
      off += static_cast<std::size_t>(n);
    }
    hasher_.Update(data, size);
    bytes_ += size;
    return {};
  }

  Result<ObjectInfo> Finish() override {
    if (fd_ < 0) return MakeError(ErrorCode::kInternal, "Finish on a finished or aborted writer for " + key_);
    if (options_.expected_size && *options_.expected_size != bytes_) {
      auto e = MakeError(ErrorCode::kIntegrity, key_ + ": expected " + std::to_string(*options_.expected_size) +
                                                    " bytes, received " + std::to_string(bytes_));
      Abort();
      return e;
    }
    if (fsync_ && detail::Fsync(fd_, temp_path_) != 0) {
      auto e = SysError(ErrorCode::kInternal, "cannot fsync " + temp_path_);
      Abort();
      return e;
    }
    // The file's identity, so that a rollback after publishing removes this file and no other.
    struct stat own {};
    if (::fstat(fd_, &own) != 0) {
      auto e = SysError(ErrorCode::kInternal, "cannot stat " + temp_path_);
      Abort();
      return e;
    }
    if (::close(fd_) != 0) {
      fd_ = -1;
      auto e = SysError(ErrorCode::kInternal, "cannot close " + temp_path_);
      ::unlink(temp_path_.c_str());
      return e;
    }
    fd_ = -1;
    auto const sha = hasher_.FinalHex();
    // The metadata's tie to this file, taken after close(): on a network file system the close
    // may still set the modification time.
    struct stat tied = own;
    if (struct stat closed {}; ::lstat(temp_path_.c_str(), &closed) == 0 && closed.st_dev == own.st_dev &&
                               closed.st_ino == own.st_ino) {
      tied = closed;
    }
    auto exists = [&] {
      Error e = MakeError(ErrorCode::kInvalidArgument, final_path_ + " already exists (don't-overwrite is set)");
      e.vendor_code = "PreconditionFailed";
      return e;
    };
    // Don't-overwrite: an object already at the name is refused before its metadata file is
    // touched (link() below still refuses one that appears meanwhile).
    if (struct stat st {}; options_.if_none_match && ::lstat(final_path_.c_str(), &st) == 0) {
      ::unlink(temp_path_.c_str());
      return exists();
    }
    // The metadata precedes the object and is tied to this very file (ReadMetaFile()): a crash at
    // any point leaves no object, or the object with its metadata, never an object without it;
    // and a metadata file never passes for that of another file.
    std::string meta;
    if (auto staged = StageMetadata(detail::TieOf(tied), sha, meta); !staged) {
      ::unlink(temp_path_.c_str());
      return std::move(staged).error();
    }
    if (CrashAt(detail::FilesystemCrashPoint::kMetadataWritten, key_)) return SimulatedCrash();
    bool linked = false;
    if (options_.if_none_match) {
      // link() fails with EEXIST instead of replacing: the don't-overwrite semantics.
      if (::link(temp_path_.c_str(), final_path_.c_str()) == 0) {
        linked = true;
      } else if (int const err = errno; err != EPERM && err != ENOTSUP && err != EOPNOTSUPP && err != EMLINK) {
        errno = err;
        return NotPublished(err == EEXIST ? exists() : SysError(ErrorCode::kInternal, "cannot create " + final_path_),
                            meta);
      } else if (struct stat st {}; ::lstat(final_path_.c_str(), &st) == 0) {  // no hard links here (FAT,
        return NotPublished(exists(), meta);  // some network file systems): check, then rename
      } else if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
        return NotPublished(SysError(ErrorCode::kInternal, "cannot rename " + temp_path_ + " to " + final_path_), meta);
      }
    } else if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      return NotPublished(SysError(ErrorCode::kInternal, "cannot rename " + temp_path_ + " to " + final_path_), meta);
    }
    if (CrashAt(detail::FilesystemCrashPoint::kPublished, key_)) return SimulatedCrash();
    if (linked) ::unlink(temp_path_.c_str());
    // Published. From here on a failure takes the object back (Unpublish), so that the failed
    // item leaves nothing that would block its retry.
    if (fsync_) {
      auto synced = detail::SyncDir(detail::DirName(final_path_));
      if (!synced) return Unpublish(std::move(synced).error(), own, meta);
    }
    ObjectInfo info;
    info.key = key_;
    info.bytes = bytes_;
    info.sha256_hex = sha;
    return info;
  }

  void Abort() noexcept override {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
  }

 private:
  /// Writes the metadata file before the object is published: the document of PutOptions::metadata
  /// tied to this writer's file (`meta` is set to it), or, for an object without metadata, the
  /// removal of a stale metadata file (of the object this one replaces, or of one removed by
  /// hand), so that it never describes this object. Durable before the publish when fsync is on.
  Result<void> StageMetadata(detail::FileTie const& tie, std::string const& sha, std::string& meta) {
    if (options_.metadata.empty()) {
      if (::unlink(meta_path_.c_str()) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return {};
        return SysError(ErrorCode::kInternal, "cannot remove the stale metadata " + meta_path_);
      }
      return fsync_ ? detail::SyncDir(detail::DirName(meta_path_)) : Result<void>{};
    }
    auto made = detail::MakeDirs(detail::DirName(meta_path_), fsync_, dir_mode_);
    if (!made) return made;
    std::string document = detail::MetaFileDocument(tie, sha, options_.metadata);
    auto written = detail::WriteFileAtomicUnderUmask(meta_path_, document, file_mode_);
    if (!written) {
      RemoveOwnMetadata(document);  // renamed into place before its directory fsync failed
      return written;
    }
    meta = std::move(document);
    return {};
  }

  /// Removes the metadata file if it still holds `meta` (the document this writer wrote), never
  /// one that another writer wrote since. Best effort: a metadata file whose object is not there
  /// is never read, and its tie keeps it from describing any other file.
  void RemoveOwnMetadata(std::string const& meta) {
    if (meta.empty()) return;
    auto text = detail::ReadSmallFile(meta_path_, meta.size());
    if (text && *text == meta) ::unlink(meta_path_.c_str());
  }

  /// The publish failed: nothing of this writer is at the final name. Removes the temporary file,
  /// and the metadata file when no object is at the name either (with an object there, e.g. one
  /// another writer linked first, it is left alone: it may be that writer's, and if it is this
  /// writer's its tie keeps it from describing that object). Returns `e`.
  Error NotPublished(Error e, std::string const& meta) {
    ::unlink(temp_path_.c_str());
    if (struct stat st {}; ::lstat(final_path_.c_str(), &st) != 0 && errno == ENOENT) RemoveOwnMetadata(meta);
    return e;
  }

  /// The test hook stopped Finish() (SetFilesystemCrashForTesting()): nothing is cleaned up.
  Error SimulatedCrash() const { return MakeError(ErrorCode::kInternal, "simulated crash in Finish() of " + key_); }

  /// Finish() failed after the object was published (renamed or linked into place): removes
  /// what this writer put there, so that no object blocks the retry. In reverse order of
  /// writing, keeping "the metadata precedes the object" for a crash in between: first the
  /// object if the file at its name is still `own` (never a file that another writer or another
  /// tool put there since), then the metadata file if it still holds `meta`. With overwrite, the
  /// object this one replaced is gone either way. An object that cannot be removed keeps its
  /// metadata (a retry takes it for this object). Returns `e`, its message telling what was
  /// removed or what was left behind.
  Error Unpublish(Error e, struct stat const& own, std::string const& meta) {
    struct stat now {};
    if (::lstat(final_path_.c_str(), &now) != 0 || now.st_dev != own.st_dev || now.st_ino != own.st_ino) {
      RemoveOwnMetadata(meta);  // describes no file at the name any more
      return e;                 // replaced or removed since: not this writer's file any more
    }
    if (::unlink(final_path_.c_str()) != 0) {
      int const err = errno;
      e.message += "; " + final_path_ + " could not be removed again (" + std::strerror(err) +
                   "); it stays, with its metadata";
      return e;
    }
    if (fsync_) (void)detail::SyncDir(detail::DirName(final_path_));  // best effort: the removal is durable
    RemoveOwnMetadata(meta);
    e.message += " (" + final_path_ + " was removed again, so that a retry writes it anew)";
    return e;
  }

  std::string final_path_;
  std::string temp_path_;
  int fd_;
  PutOptions options_;
  bool fsync_;
  std::string key_;
  std::string meta_path_;
  mode_t file_mode_;
  mode_t dir_mode_;
  detail::Hasher hasher_;
  std::uint64_t bytes_ = 0;
};

class FilesystemSink : public ObjectSink {
 public:
  explicit FilesystemSink(FilesystemSinkOptions options) : options_(std::move(options)) {}

  Result<std::unique_ptr<ObjectWriter>> Open(std::string const& key, PutOptions const& options,
                                             CallContext const&) override {
    if (auto problem = ValidateKey(key)) return MakeError(ErrorCode::kInvalidArgument, *problem);
    std::string final_path = options_.root + "/" + key;
    std::string dir = detail::DirName(final_path);
    auto made = PrepareDir(dir, false);
    if (!made) return std::move(made).error();
    PrepareMetaDir(detail::DirName(MetaPath(options_.root, key)), dir);
    auto slash = final_path.find_last_of('/');
    // Keep the temporary name within NAME_MAX (255) even when the final name is near it:
    // 1 + 200 + 11 + 8 + 1 + 10 + 1 + 12 = 244.
    std::string name = final_path.substr(slash + 1, 200);
    std::string temp_path = dir + "/." + name + kTempMarker + HostTag() + "-" + std::to_string(::getpid()) + "-" +
                            detail::HexEncode(detail::RandomBytes(6));
    // The kernel applies the umask to file_mode (no fchmod: recordings are personal data, and
    // the user's umask may only narrow what is asked for). The rename keeps the mode.
    auto const file_mode = static_cast<mode_t>(options_.file_mode);
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, file_mode);
    if (fd < 0 && errno == ENOENT) {  // the directory was removed behind our back: create it again
      made = PrepareDir(dir, true);
      if (!made) return std::move(made).error();
      fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, file_mode);
    }
    if (fd < 0) return SysError(ErrorCode::kInternal, "cannot create " + temp_path);
    return std::unique_ptr<ObjectWriter>(std::make_unique<FileWriter>(final_path, temp_path, fd, options, options_.fsync,
                                                                      key, MetaPath(options_.root, key), file_mode,
                                                                      static_cast<mode_t>(options_.dir_mode)));
  }

  Result<std::optional<ObjectInfo>> Stat(std::string const& key, CallContext const& ctx) override {
    if (auto problem = ValidateKey(key)) return MakeError(ErrorCode::kInvalidArgument, *problem);
    std::string path = options_.root + "/" + key;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::optional<ObjectInfo>{};
      return SysError(ErrorCode::kInternal, "cannot stat " + path);
    }
    if (!S_ISREG(st.st_mode)) return MakeError(ErrorCode::kInvalidArgument, path + " is not a regular file");
    ObjectInfo info;
    info.key = key;
    info.bytes = static_cast<std::uint64_t>(st.st_size);
    auto described = detail::ReadMetaFile(MetaPath(options_.root, key), path, st, info, ctx);
    if (!described) return std::move(described).error();
    return std::optional<ObjectInfo>(info);
  }

  std::string Describe(std::string const& key) const override { return options_.root + "/" + key; }
  /// link() refuses an existing name atomically; without hard links, a check then rename().
  bool EnforcesIfNoneMatch() const override { return true; }

  std::string Uri(std::string const& key) const override {
    return "file://" + detail::PercentEncode(absolute_root_ + "/" + key, /*keep_slash=*/true);
  }

  std::string absolute_root_;

 private:
  /// mkdir -p `dir` (new directories fsynced into their parents when fsync is on) and, the first
  /// time this sink uses a directory that already existed, removes the stale temporary files in
  /// it. Serialised: a thread that finds a directory another thread is creating must not go on
  /// before that directory is durable.
  Result<void> PrepareDir(std::string const& dir, bool again) {
    std::lock_guard<std::mutex> lock(dirs_mu_);
    if (!again && prepared_dirs_.count(dir) != 0) return {};
    struct stat st {};
    bool const existed = ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    if (!existed) {
      auto made = detail::MakeDirs(dir, options_.fsync, static_cast<mode_t>(options_.dir_mode));
      if (!made) return made;
    } else if (options_.remove_stale_temp_files) {
      RemoveStaleTemps(dir);
    }
    if (prepared_dirs_.size() >= kMaxPreparedDirs) prepared_dirs_.clear();  // bounded memory
    prepared_dirs_.insert(dir);
    return {};
  }

  /// The first time this sink writes into the object directory `object_dir`, removes the stale
  /// temporary files of interrupted metadata writes from its mirror `meta_dir` under
  /// ROOT/.ccrec-meta, when that exists (RemoveStaleMetaTemps()). Never creates it: StageMetadata()
  /// does, for an object with metadata.
  void PrepareMetaDir(std::string const& meta_dir, std::string const& object_dir) {
    if (!options_.remove_stale_temp_files) return;
    std::lock_guard<std::mutex> lock(dirs_mu_);
    if (prepared_dirs_.count(meta_dir) != 0) return;  // never an object directory (ValidateKey())
    RemoveStaleMetaTemps(meta_dir, object_dir);
    if (prepared_dirs_.size() >= kMaxPreparedDirs) prepared_dirs_.clear();  // bounded memory
    prepared_dirs_.insert(meta_dir);
  }

  /// Removes the object temporary files of gone writers from the object directory `dir`
  /// (IsStaleTemp(): `.<name>.ccrec-tmp-…` only; the metadata tree is never an object directory).
  void RemoveStaleTemps(std::string const& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name.find(kTempMarker) == std::string::npos) continue;
      std::string path = dir + "/" + name;
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (!IsStaleTemp(name, st, options_.stale_temp_age)) continue;
      if (::unlink(path.c_str()) == 0) {
        options_.logger.Info("removed stale temporary file " + path + " (left by an interrupted export)");
      } else if (errno != ENOENT) {
        options_.logger.Warn("cannot remove stale temporary file " + path + ": " + std::strerror(errno));
      }
    }
    ::closedir(d);
  }

  /// Removes from the metadata directory `meta_dir` the temporary files that a crash or SIGKILL
  /// during detail::WriteFileAtomicUnderUmask() left behind: regular files (never a symlink or a
  /// directory) named exactly `<name>.tmp-<12 hex digits>` (detail::IsAtomicWriteTempName()) and
  /// last modified more than stale_temp_age ago (they record no owner: age is the only rule, as
  /// for the object temporary files of earlier versions). One whose name is that of an object in
  /// `object_dir` is that object's metadata file (a key may end like a temporary name) and stays.
  void RemoveStaleMetaTemps(std::string const& meta_dir, std::string const& object_dir) {
    DIR* d = ::opendir(meta_dir.c_str());
    if (d == nullptr) return;
    while (dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (!detail::IsAtomicWriteTempName(name)) continue;
      std::string path = meta_dir + "/" + name;
      struct stat st {};
      if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (!IsOlderThan(st, options_.stale_temp_age)) continue;
      struct stat object {};
      if (::lstat((object_dir + "/" + name).c_str(), &object) == 0 || errno != ENOENT) continue;
      if (::unlink(path.c_str()) == 0) {
        options_.logger.Info("removed stale temporary metadata file " + path + " (left by an interrupted export)");
      } else if (errno != ENOENT) {
        options_.logger.Warn("cannot remove stale temporary metadata file " + path + ": " + std::strerror(errno));
      }
    }
    ::closedir(d);
  }

  static constexpr std::size_t kMaxPreparedDirs = 65536;
  FilesystemSinkOptions options_;
  std::mutex dirs_mu_;
  std::unordered_set<std::string> prepared_dirs_;  // guarded by dirs_mu_
};

}  // namespace

namespace detail {
void SetFilesystemCrashForTesting(std::function<bool(FilesystemCrashPoint, std::string const& key)> crash) {
  CrashHook() = std::move(crash);
}
}  // namespace detail

Result<std::shared_ptr<ObjectSink>> MakeFilesystemSink(FilesystemSinkOptions options) {
  if (options.root.empty()) return MakeError(ErrorCode::kInvalidArgument, "filesystem sink: root directory is empty");
  if ((options.file_mode & ~std::uint32_t{0777}) != 0) {
    return MakeError(ErrorCode::kInvalidArgument, "filesystem sink: file_mode " + OctalMode(options.file_mode) +
                                                      " has bits beyond 0777 (setuid, setgid or sticky are not allowed)");
  }
  if ((options.dir_mode & ~std::uint32_t{0777}) != 0 || (options.dir_mode & 0700) != 0700) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "filesystem sink: dir_mode " + OctalMode(options.dir_mode) +
                         " must be within 0777 and include 0700 (the sink creates, lists and fsyncs entries in its "
                         "directories)");
  }
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  auto made = detail::MakeDirs(options.root, options.fsync, static_cast<mode_t>(options.dir_mode));
  if (!made) return std::move(made).error();
  char resolved[PATH_MAX];
  if (::realpath(options.root.c_str(), resolved) == nullptr) {
    return SysError(ErrorCode::kInvalidArgument, "filesystem sink: cannot resolve " + options.root);
  }
  std::string absolute_root = resolved;
  if (absolute_root == "/") absolute_root.clear();
  auto sink = std::make_shared<FilesystemSink>(std::move(options));
  sink->absolute_root_ = std::move(absolute_root);
  return std::shared_ptr<ObjectSink>(std::move(sink));
}

}  // namespace v1
}  // namespace ccrec
