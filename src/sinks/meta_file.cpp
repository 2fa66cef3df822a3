// SPDX-License-Identifier: Apache-2.0
#include "sinks/meta_file.hpp"

#include "internal/crypto.hpp"
#include "internal/file_util.hpp"
#include "internal/json.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

namespace ccrec::detail {

namespace {

constexpr std::size_t kMaxMetaFileBytes = std::size_t{64} << 10;
constexpr std::size_t kHashChunk = std::size_t{1} << 20;

bool SameFile(struct stat const& a, struct stat const& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size;
}

/// The SHA-256 of the file at `path`, when it is still the file `st` describes (same device,
/// inode and size, before and after reading it); nullopt when it was replaced or changed meanwhile.
Result<std::optional<std::string>> HashFile(std::string const& path, struct stat const& st, CallContext const& ctx) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>{};  // removed meanwhile
    return MakeError(ErrorCode::kInternal, "cannot open " + path + " to check its metadata: " + std::strerror(errno));
  }
  auto fail = [&](Error e) {
    ::close(fd);
    return e;
  };
  struct stat opened {};
  if (::fstat(fd, &opened) != 0) {
    return fail(MakeError(ErrorCode::kInternal, "cannot stat " + path + ": " + std::strerror(errno)));
  }
  if (!SameFile(opened, st)) {
    ::close(fd);
    return std::optional<std::string>{};
  }
  Hasher hasher;
  std::vector<char> buffer(kHashChunk);
  for (;;) {
    if (ctx.cancel.IsCancelled()) {
      return fail(MakeError(ErrorCode::kCancelled, "cancelled while checking the metadata of " + path));
    }
    if (ctx.deadline && std::chrono::system_clock::now() >= *ctx.deadline) {
      return fail(MakeError(ErrorCode::kDeadlineExceeded, "deadline exceeded while checking the metadata of " + path));
    }
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(MakeError(ErrorCode::kInternal, "cannot read " + path + " to check its metadata: " +
                                                      std::strerror(errno)));
    }
    if (n == 0) break;
    hasher.Update(buffer.data(), static_cast<std::size_t>(n));
  }
  struct stat after {};
  bool const unchanged = ::fstat(fd, &after) == 0 && SameFile(after, st) &&
                         TieOf(after).mtime_ns == TieOf(opened).mtime_ns;
  ::close(fd);
  if (!unchanged) return std::optional<std::string>{};
  return std::optional<std::string>(hasher.FinalHex());
}

bool TieMatches(rapidjson::Value const& recorded, FileTie const& file) {
  return OptString(recorded, "dev") == std::to_string(file.dev) &&
         OptString(recorded, "ino") == std::to_string(file.ino) &&
         OptString(recorded, "mtime_ns") == std::to_string(file.mtime_ns);
}

}  // namespace

FileTie TieOf(struct stat const& st) {
  FileTie tie;
  tie.dev = static_cast<std::uint64_t>(st.st_dev);
  tie.ino = static_cast<std::uint64_t>(st.st_ino);
  tie.bytes = static_cast<std::uint64_t>(st.st_size);
  tie.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + static_cast<std::int64_t>(st.st_mtim.tv_nsec);
  return tie;
}

std::string MetaFileDocument(FileTie const& tie, std::string const& sha256_hex,
                             std::map<std::string, std::string> const& metadata) {
  std::string out = "{\"bytes\":" + std::to_string(tie.bytes) + ",\"sha256\":\"" + sha256_hex + "\",\"file\":{\"dev\":\"" +
                    std::to_string(tie.dev) + "\",\"ino\":\"" + std::to_string(tie.ino) + "\",\"mtime_ns\":\"" +
                    std::to_string(tie.mtime_ns) + "\"},\"metadata\":{";
  bool first = true;
  for (auto const& [k, v] : metadata) {
    if (!first) out += ",";
    first = false;
    out += "\"" + JsonEscape(k) + "\":\"" + JsonEscape(v) + "\"";
  }
  return out + "}}\n";
}

Result<void> ReadMetaFile(std::string const& meta_path, std::string const& path, struct stat const& st,
                          ObjectInfo& info, CallContext const& ctx) {
  auto text = ReadSmallFile(meta_path, kMaxMetaFileBytes);
  if (!text) return {};
  auto doc = ParseJson(*text, "object metadata " + meta_path);
  if (!doc || !doc->IsObject()) return {};
  if (OptInt64(*doc, "bytes").value_or(-1) != static_cast<std::int64_t>(st.st_size)) return {};
  auto sha = OptString(*doc, "sha256");
  if (sha && sha->size() != 64) sha.reset();
  bool const tied = doc->HasMember("file");  // else an earlier version's document
  if (auto const* tie = OptObject(*doc, "file"); tied && (tie == nullptr || !TieMatches(*tie, TieOf(st)))) {
    // Not the file it was written for: a copy or restore of it (same content), or another file.
    if (!sha) return {};
    auto content = HashFile(path, st, ctx);
    if (!content) return std::move(content).error();
    if (*content != sha) return {};
  }
  // Tied to this file, proven by its content, or an earlier version's document (size only).
  if (sha) info.sha256_hex = *sha;
  if (auto const* m = OptObject(*doc, "metadata")) {
    for (auto it = m->MemberBegin(); it != m->MemberEnd(); ++it) {
      if (it->value.IsString()) info.metadata[it->name.GetString()] = it->value.GetString();
    }
  }
  return {};
}

}  // namespace ccrec::detail
