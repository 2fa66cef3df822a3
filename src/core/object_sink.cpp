// SPDX-License-Identifier: Apache-2.0
#include <ccrec/core/object_sink.hpp>

#include "internal/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace ccrec {
inline namespace v1 {

std::string ContentTypeForKey(std::string const& key) {
  auto slash = key.find_last_of('/');
  auto dot = key.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "application/octet-stream";
  std::string ext = detail::ToLowerAscii(key.substr(dot + 1));
  if (ext == "wav") return "audio/wav";
  if (ext == "mp3") return "audio/mpeg";
  if (ext == "m4a") return "audio/mp4";
  if (ext == "ogg" || ext == "opus") return "audio/ogg";
  if (ext == "flac") return "audio/flac";
  if (ext == "json") return "application/json";
  if (ext == "jsonl") return "application/x-ndjson";
  if (ext == "csv") return "text/csv";
  return "application/octet-stream";
}

}  // namespace v1
}  // namespace ccrec
