// SPDX-License-Identifier: Apache-2.0
// WebhookSpool (webex/webhook_spool.hpp): one fsynced file per accepted webhook event.
#include <ccrec/webex/webhook_spool.hpp>

#include "internal/crypto.hpp"
#include "internal/file_util.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace ccrec::webex {

namespace {

bool EndsWith(std::string const& s, std::string const& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Result<WebhookSpool> WebhookSpool::Open(std::string dir) {
  if (dir.empty()) return MakeError(ErrorCode::kInvalidArgument, "webhook spool: no directory given");
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  auto made = ::ccrec::detail::MakeDirs(dir, /*sync_new=*/true, 0700);
  if (!made) {
    return MakeError(ErrorCode::kUnavailable, "webhook spool: cannot create directory " + dir + ": " +
                                                  made.error().message);
  }
  return WebhookSpool(std::move(dir));
}

std::string WebhookSpool::PathFor(std::string const& event_id) const {
  return dir_ + "/" + ::ccrec::detail::Sha256Hex(event_id) + ".json";
}

Result<bool> WebhookSpool::Accept(WebhookEvent const& event) const {
  auto const path = PathFor(event.id);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return false;
  auto written = ::ccrec::detail::WriteFileAtomic(path, event.raw_json, 0600);
  if (!written) {
    return MakeError(ErrorCode::kUnavailable, "webhook spool: cannot store event " + event.id + " in " + dir_ + ": " +
                                                  written.error().message);
  }
  return true;
}

Result<std::vector<WebhookEvent>> WebhookSpool::Pending(std::vector<std::string>* problems) const {
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) {
    return MakeError(ErrorCode::kUnavailable, "webhook spool: cannot list " + dir_ + ": " + std::strerror(errno));
  }
  std::vector<std::pair<std::pair<long long, long long>, std::string>> files;  // (mtime s, ns) -> path
  while (auto* entry = ::readdir(d)) {
    std::string name = entry->d_name;
    if (name.size() != 64 + 5 || !EndsWith(name, ".json")) continue;  // skips temporary files
    std::string path = dir_ + "/" + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;
    files.push_back({{static_cast<long long>(st.st_mtim.tv_sec), static_cast<long long>(st.st_mtim.tv_nsec)}, path});
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  std::vector<WebhookEvent> out;
  for (auto const& [when, path] : files) {
    (void)when;
    auto body = ::ccrec::detail::ReadSmallFile(path, 1u << 20);
    if (!body) {
      if (problems) problems->push_back(path + ": " + body.error().message);
      continue;
    }
    auto event = ParseWebhookEvent(*body);
    if (!event) {
      if (problems) problems->push_back(path + ": " + event.error().message);
      continue;
    }
    out.push_back(std::move(*event));
  }
  return out;
}

Result<void> WebhookSpool::Done(std::string const& event_id) const {
  auto const path = PathFor(event_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return MakeError(ErrorCode::kUnavailable, "webhook spool: cannot remove " + path + ": " + std::strerror(errno));
  }
  auto synced = ::ccrec::detail::SyncDir(dir_);
  if (!synced) return std::move(synced).error();
  return {};
}

}  // namespace ccrec::webex
