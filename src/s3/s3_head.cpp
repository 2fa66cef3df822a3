// SPDX-License-Identifier: Apache-2.0
#include "internal/ascii.hpp"
#include "s3/s3_head.hpp"

#include <algorithm>

namespace ccrec::s3::detail {

namespace {
bool IsHex64(std::string const& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}
}  // namespace

Result<ObjectInfo> ObjectInfoFromHead(S3Response const& r, std::string const& key, std::string const& where,
                                      std::string const& checksum_header, std::string const& checksum_prefix) {
  ObjectInfo info;
  info.key = key;
  auto len = r.Header("content-length");
  if (!len || len->empty() || len->size() > 19 ||
      !std::all_of(len->begin(), len->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    auto e = MakeError(ErrorCode::kParse, "S3 HeadObject " + where + ": missing or malformed Content-Length");
    e.http_status = r.status;
    return e;
  }
  info.bytes = std::stoull(*len);
  if (auto etag = r.Header("etag")) {
    std::string t = *etag;
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    info.etag = t;
  }
  static std::string const kMeta = "x-amz-meta-";
  for (auto const& [name, value] : r.headers) {
    auto lower = ::ccrec::detail::ToLowerAscii(name);
    if (lower.size() > kMeta.size() && lower.compare(0, kMeta.size(), kMeta) == 0) {
      info.metadata[lower.substr(kMeta.size())] = value;
    }
  }
  if (auto it = info.metadata.find("sha256"); it != info.metadata.end() && IsHex64(it->second)) {
    info.sha256_hex = ::ccrec::detail::ToLowerAscii(it->second);
  }
  if (!checksum_header.empty()) {
    if (auto c = r.Header(checksum_header)) info.checksum = checksum_prefix + *c;
  }
  return info;
}

}  // namespace ccrec::s3::detail
