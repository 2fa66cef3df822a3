// SPDX-License-Identifier: Apache-2.0
#pragma once
// Small filesystem helpers for the core unit tests (POSIX only, no exceptions on cleanup).

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ccrec_test {

/// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir() : TempDir(DefaultBase()) {}
  explicit TempDir(std::string const& base) {
    std::string pattern = base + "/ccrec-unit-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
  }
  ~TempDir() { RemoveAll(path_); }
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;

  /// A directory on tmpfs (/dev/shm) when there is one: fsync is free there, which keeps tests
  /// that replace a file hundreds of times fast on a busy disk. Same rename/flock semantics.
  static TempDir InMemory() {
    struct stat st {};
    if (::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && ::access("/dev/shm", W_OK) == 0) {
      return TempDir(std::string("/dev/shm"));
    }
    return TempDir();
  }

  std::string const& Path() const { return path_; }
  std::string operator/(std::string const& name) const { return path_ + "/" + name; }

  static std::string DefaultBase() {
    char const* base = std::getenv("TMPDIR");
    return base != nullptr && *base != '\0' ? base : "/tmp";
  }

  static void RemoveAll(std::string const& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
      ::chmod(path.c_str(), 0700);
      if (DIR* d = ::opendir(path.c_str())) {
        while (dirent* e = ::readdir(d)) {
          std::string name = e->d_name;
          if (name == "." || name == "..") continue;
          RemoveAll(path + "/" + name);
        }
        ::closedir(d);
      }
      ::rmdir(path.c_str());
    } else {
      ::unlink(path.c_str());
    }
  }

 private:
  std::string path_;
};

/// Every entry below `dir` (hidden ones included) as relative paths, directories with a
/// trailing '/', sorted.
inline std::vector<std::string> ListTree(std::string const& dir, std::string const& prefix = "") {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string full = dir + "/" + name;
    struct stat st {};
    if (::lstat(full.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      out.push_back(prefix + name + "/");
      auto sub = ListTree(full, prefix + name + "/");
      out.insert(out.end(), sub.begin(), sub.end());
    } else {
      out.push_back(prefix + name);
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

/// Only the regular files of ListTree().
inline std::vector<std::string> ListFiles(std::string const& dir) {
  std::vector<std::string> out;
  for (auto& p : ListTree(dir)) {
    if (p.back() != '/') out.push_back(p);
  }
  return out;
}

inline bool Exists(std::string const& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

/// The record lines of a JSON Lines manifest: every non-empty line but the header
/// (`{"ccrec_manifest":1,...}`), in file order.
inline std::vector<std::string> ManifestRecordLines(std::string const& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.find("\"ccrec_manifest\"") == std::string::npos) out.push_back(line);
  }
  return out;
}

inline std::string ReadFile(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(std::string const& path, std::string const& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

inline unsigned FileMode(std::string const& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<unsigned>(st.st_mode & 07777);
}

inline ino_t Inode(std::string const& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

/// Sets the process umask for the lifetime of the object.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(ScopedUmask const&) = delete;
  ScopedUmask& operator=(ScopedUmask const&) = delete;

 private:
  mode_t old_;
};

/// Unsets the named environment variables for its lifetime and restores them afterwards.
class EnvGuard {
 public:
  explicit EnvGuard(std::vector<std::string> names) : names_(std::move(names)) {
    for (auto const& n : names_) {
      char const* v = std::getenv(n.c_str());
      saved_.emplace_back(v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(n.c_str());
    }
  }
  ~EnvGuard() {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (saved_[i]) {
        setenv(names_[i].c_str(), saved_[i]->c_str(), 1);
      } else {
        unsetenv(names_[i].c_str());
      }
    }
  }

 private:
  std::vector<std::string> names_;
  std::vector<std::optional<std::string>> saved_;
};

}  // namespace ccrec_test
