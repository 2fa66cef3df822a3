// SPDX-License-Identifier: Apache-2.0
#pragma once
// Internal: one recording's download into a sink writer, resumed with Range + If-Range and
// checked byte for byte (Content-Range, Content-Length, Content-Encoding). Not installed.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/object_sink.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/exporter/exporter.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::exporter::detail {

/// A parsed `Content-Range: bytes START-END/TOTAL` (RFC 9110 §14.4); END is inclusive.
struct ContentRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::uint64_t total = 0;
};

/// Parses a satisfied byte range. nullopt unless exactly "bytes START-END/TOTAL" with
/// START <= END < TOTAL (an unknown total "*", "bytes */TOTAL" and other units are rejected).
std::optional<ContentRange> ParseContentRange(std::string_view value);

/// What identifies the representation being downloaded (RFC 9110 §8.8): its strong ETag and its
/// Last-Modified. A weak ETag (W/"...") is not kept: If-Range must not carry one (§13.1.5).
struct MediaValidator {
  std::string etag;           ///< strong ETag as sent (quotes included), or ""
  std::string last_modified;  ///< Last-Modified as sent, or ""
  bool empty() const { return etag.empty() && last_modified.empty(); }
  /// The If-Range value: the strong ETag, else Last-Modified.
  std::string const& IfRange() const { return etag.empty() ? last_modified : etag; }
};

/// The validator of a response's headers.
MediaValidator ValidatorOf(HttpHeaders const& headers);
/// True when `later` provably is another representation than `first` (a different strong ETag,
/// or a different Last-Modified); false when the two cannot be compared.
bool ValidatorChanged(MediaValidator const& first, MediaValidator const& later);
/// True when `later` provably is the representation `first` identified (same strong ETag, or
/// same Last-Modified when `first` has no strong ETag).
bool ValidatorMatches(MediaValidator const& first, MediaValidator const& later);

/// `ctx` plus the headers every media request must carry (MediaOpener contract):
/// `Accept-Encoding: identity` always, and when `offset` > 0 `If-Range: <validator>`.
CallContext MediaRequestContext(CallContext const& ctx, std::uint64_t offset, MediaValidator const& validator);

/// What the engine lends one download.
struct DownloadEnv {
  CallContext const* ctx = nullptr;  ///< the run's context (its cancel is the run's stop token)
  int attempts = 1;
  Backoff const* backoff = nullptr;
  Sleeper* sleeper = nullptr;
  Logger const* logger = nullptr;
  /// True once the run is stopping.
  std::function<bool()> stopping;
  /// Opens the object's writer; called again to restart from byte 0. Reports fatal sink errors.
  std::function<Result<std::unique_ptr<ObjectWriter>>()> open_writer;
  /// A write or finish error of the sink (e.g. to make a credential error fatal).
  std::function<void(Error const&)> on_sink_error;
  /// An error of the MediaOpener itself (not of a body): true when it stops the run
  /// (RecordingSource::IsFatal(); the engine then stops the run). Optional.
  std::function<bool(Error const&)> source_fatal;
  /// Progress: bytes written, and bytes taken back (a restart or a failed transfer).
  std::function<void(std::uint64_t)> add_bytes;
  std::function<void(std::uint64_t)> take_back_bytes;
};

/// Streams `item` into a writer from env.open_writer(), resuming broken transfers at the bytes
/// already written (Range + If-Range) or restarting from byte 0 when resuming cannot be proven
/// safe. Returns the finished object, or the error (the writer aborted, bytes taken back).
Result<ObjectInfo> DownloadMedia(ExportItem const& item, DownloadEnv const& env, std::vector<char>& buffer);

}  // namespace ccrec::exporter::detail
