// SPDX-License-Identifier: Apache-2.0
// The incremental-export checkpoint file (include/ccrec/exporter/checkpoint.hpp).
#include <ccrec/exporter/checkpoint.hpp>

#include "internal/file_util.hpp"
#include "internal/json.hpp"
#include "internal/time_util.hpp"

namespace ccrec::exporter {

namespace {
constexpr std::size_t kMaxCheckpointBytes = 64 * 1024;
constexpr std::int64_t kMaxShardCount = 100000;  // ParseShardSpec's bound
}  // namespace

Result<std::optional<Checkpoint>> ReadCheckpoint(std::string const& path) {
  auto text = ::ccrec::detail::ReadSmallFile(path, kMaxCheckpointBytes);
  if (!text) {
    if (text.error().code == ErrorCode::kNotFound) return std::optional<Checkpoint>();
    Error e = text.error();
    e.message = "cannot read checkpoint " + path + ": " + e.message;
    return e;
  }
  auto doc = ::ccrec::detail::ParseJson(*text, "checkpoint " + path);
  if (!doc) {
    Error e = doc.error();
    e.message += "; delete it to start over";
    return e;
  }
  auto ms = doc->IsObject() ? ::ccrec::detail::OptInt64(*doc, "next_from_ms") : std::nullopt;
  if (!ms) {
    return MakeError(ErrorCode::kParse, "checkpoint " + path +
                                            " lacks \"next_from_ms\" (integer epoch milliseconds); delete it to "
                                            "start over");
  }
  Checkpoint checkpoint;
  checkpoint.source = ::ccrec::detail::OptString(*doc, "source").value_or("");
  checkpoint.next_from = ::ccrec::detail::FromEpochMs(*ms);
  if (doc->HasMember("shard_count") || doc->HasMember("sub_window_ms")) {
    auto count = ::ccrec::detail::OptInt64(*doc, "shard_count");
    auto sub_window = doc->HasMember("sub_window_ms") ? ::ccrec::detail::OptInt64(*doc, "sub_window_ms")
                                                      : std::optional<std::int64_t>(0);
    if (!count || *count < 1 || *count > kMaxShardCount || !sub_window || *sub_window < 0) {
      return MakeError(ErrorCode::kParse, "checkpoint " + path +
                                              ": \"shard_count\" must be an integer from 1 to 100000 and "
                                              "\"sub_window_ms\" one >= 0; delete it to start over");
    }
    checkpoint.layout = ShardLayout{static_cast<std::uint32_t>(*count), std::chrono::milliseconds(*sub_window)};
  }
  return std::optional<Checkpoint>(std::move(checkpoint));
}

Result<void> WriteCheckpoint(std::string const& path, Checkpoint const& checkpoint, std::uint32_t file_mode) {
  std::string body = "{\"source\":\"" + ::ccrec::detail::JsonEscape(checkpoint.source) +
                     "\",\"next_from_ms\":" + std::to_string(::ccrec::detail::ToEpochMs(checkpoint.next_from)) +
                     ",\"next_from\":\"" + ::ccrec::detail::FormatIso8601(checkpoint.next_from, true) + "\"";
  if (checkpoint.layout) {
    body += ",\"shard_count\":" + std::to_string(checkpoint.layout->count) +
            ",\"sub_window_ms\":" + std::to_string(checkpoint.layout->sub_window.count());
  }
  body += "}\n";
  return ::ccrec::detail::WriteFileAtomicUnderUmask(path, body, static_cast<mode_t>(file_mode));
}

}  // namespace ccrec::exporter
