#include <ccrec/sinks/filesystem_sink.hpp>

#include "internal/crypto.hpp"
#include "internal/file_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ccrec {
inline namespace v1 {

namespace {

Error SysError(ErrorCode code, std::string const& what) { return MakeError(code, what + ": " + std::strerror(errno)); }

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
    pos = slash + 1;
  }
  return std::nullopt;
}

class FileWriter : public ObjectWriter {
 public:
  FileWriter(std::string final_path, std::string temp_path, int fd, PutOptions options, bool fsync, std::string key)
      : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), fd_(fd), options_(std::move(options)),
        fsync_(fsync), key_(std::move(key)) {}
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
    if (fsync_ && ::fsync(fd_) != 0) {
      auto e = SysError(ErrorCode::kInternal, "cannot fsync " + temp_path_);
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
    if (options_.if_none_match) {
      // link() fails with EEXIST instead of replacing: the don't-overwrite semantics.
      if (::link(temp_path_.c_str(), final_path_.c_str()) != 0) {
        int err = errno;
        ::unlink(temp_path_.c_str());
        errno = err;
        if (err == EEXIST) {
          Error e = MakeError(ErrorCode::kInvalidArgument, final_path_ + " already exists (don't-overwrite is set)");
          e.vendor_code = "PreconditionFailed";
          return e;
        }
        return SysError(ErrorCode::kInternal, "cannot create " + final_path_);
      }
      ::unlink(temp_path_.c_str());
    } else if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      auto e = SysError(ErrorCode::kInternal, "cannot rename " + temp_path_ + " to " + final_path_);
      ::unlink(temp_path_.c_str());
      return e;
    }
    if (fsync_) {
      auto synced = internal::SyncDir(internal::DirName(final_path_));
      if (!synced) return std::move(synced).error();
    }
    ObjectInfo info;
    info.key = key_;
    info.bytes = bytes_;
    info.sha256_hex = hasher_.FinalHex();
    return info;
  }

  void Abort() noexcept override {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
  }

 private:
  std::string final_path_;
  std::string temp_path_;
  int fd_;
  PutOptions options_;
  bool fsync_;
  std::string key_;
  internal::Hasher hasher_;
  std::uint64_t bytes_ = 0;
};

class FilesystemSink : public ObjectSink {
 public:
  explicit FilesystemSink(FilesystemSinkOptions options) : options_(std::move(options)) {}

  Result<std::unique_ptr<ObjectWriter>> Open(std::string const& key, PutOptions const& options,
                                             CallContext const&) override {
    if (auto problem = ValidateKey(key)) return MakeError(ErrorCode::kInvalidArgument, *problem);
    std::string final_path = options_.root + "/" + key;
    std::string dir = internal::DirName(final_path);
    auto made = internal::MakeDirs(dir);
    if (!made) return std::move(made).error();
    auto slash = final_path.find_last_of('/');
    // Keep the temporary name within NAME_MAX (255) even when the final name is near it.
    std::string name = final_path.substr(slash + 1, 200);
    std::string temp_path = dir + "/." + name + ".ccrec-tmp-" + internal::HexEncode(internal::RandomBytes(6));
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, options_.file_mode);
    if (fd < 0) return SysError(ErrorCode::kInternal, "cannot create " + temp_path);
    ::fchmod(fd, options_.file_mode);
    return std::unique_ptr<ObjectWriter>(
        std::make_unique<FileWriter>(final_path, temp_path, fd, options, options_.fsync, key));
  }

  Result<std::optional<ObjectInfo>> Stat(std::string const& key, CallContext const&) override {
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
    return std::optional<ObjectInfo>(info);
  }

  std::string Describe(std::string const& key) const override { return options_.root + "/" + key; }

 private:
  FilesystemSinkOptions options_;
};

}  // namespace

Result<std::shared_ptr<ObjectSink>> MakeFilesystemSink(FilesystemSinkOptions options) {
  if (options.root.empty()) return MakeError(ErrorCode::kInvalidArgument, "filesystem sink: root directory is empty");
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  auto made = internal::MakeDirs(options.root);
  if (!made) return std::move(made).error();
  return std::shared_ptr<ObjectSink>(std::make_shared<FilesystemSink>(std::move(options)));
}

}  // namespace v1
}  // namespace ccrec
