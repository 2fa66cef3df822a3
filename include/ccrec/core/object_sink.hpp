// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `ObjectSink`: where exported recordings and sidecars go (S3, a directory, memory).

#include <ccrec/core/export.hpp>
#include <ccrec/core/call_context.hpp>
#include <ccrec/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ccrec {
inline namespace v1 {

/// What a sink knows about a stored object.
struct CCREC_EXPORT ObjectInfo {
  std::string key;
  std::uint64_t bytes = 0;
  /// Lower-case hex SHA-256 of the content, when known (always set by Finish()).
  std::optional<std::string> sha256_hex;
  /// Sink-specific version tag (S3 ETag), when known.
  std::optional<std::string> etag;
  /// The sink's own integrity checksum as the server confirmed it (e.g. "sha256:<base64>").
  std::optional<std::string> checksum;
  /// User metadata stored with the object (PutOptions::metadata; lower-case keys), as Stat()
  /// reports it: S3 returns the `x-amz-meta-*` headers of HeadObject, the filesystem sink what it
  /// keeps beside the file, MemorySink what was written. Empty when the object has none or the
  /// sink cannot tell. Finish() leaves it empty.
  std::map<std::string, std::string> metadata;
};

/// Per-object upload options.
struct CCREC_EXPORT PutOptions {
  /// MIME type; empty = guessed from the key's extension (wav, mp3, m4a, ogg, flac, json),
  /// else application/octet-stream.
  std::string content_type;
  /// Expected total size in bytes when known (lets sinks pick single-request uploads and check
  /// the length). Default: unknown.
  std::optional<std::uint64_t> expected_size;
  /// User metadata (S3 `x-amz-meta-*`), returned by Stat() in ObjectInfo::metadata. Keys
  /// lower-case ASCII letters, digits, '-', '_', '.'; values printable ASCII without line breaks
  /// (S3 stores non-ASCII values encoded). The exporter stores the recording's identity here
  /// (exporter::kIdentityMetadataKey).
  std::map<std::string, std::string> metadata;
  /// Don't overwrite: Finish() fails with ErrorCode::kInvalidArgument and vendor_code
  /// "PreconditionFailed" if the object already exists (S3 `If-None-Match: *`). Default false.
  /// Whether a sink truly refuses (rather than silently overwrites) is told by
  /// ObjectSink::EnforcesIfNoneMatch().
  bool if_none_match = false;
};

/// Streams one object into a sink. Nothing becomes visible under the key until Finish()
/// succeeds; Abort() (or destroying an unfinished writer) discards everything written.
///
/// @par Thread safety
/// One thread at a time.
class CCREC_EXPORT ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  /// Appends `size` bytes.
  virtual Result<void> Write(char const* data, std::size_t size) = 0;
  /// Makes the object visible and returns what was stored (bytes, sha256).
  /// On error the partial object is discarded, as by Abort().
  virtual Result<ObjectInfo> Finish() = 0;
  /// Discards the object (aborts a multipart upload, deletes a temporary file). Idempotent.
  virtual void Abort() noexcept = 0;
};

/// A destination for objects addressed by key ("a/b/c.wav").
///
/// @par Thread safety
/// Implementations must be thread-safe; each writer is used by one thread.
class CCREC_EXPORT ObjectSink {
 public:
  virtual ~ObjectSink() = default;
  /// Starts a new object. Keys are relative, '/'-separated, already sanitized by the caller;
  /// sinks reject keys that would escape their root (kInvalidArgument).
  virtual Result<std::unique_ptr<ObjectWriter>> Open(std::string const& key, PutOptions const& options,
                                                     CallContext const& ctx = {}) = 0;
  /// Looks up an existing object (for idempotent re-runs); nullopt when absent.
  virtual Result<std::optional<ObjectInfo>> Stat(std::string const& key, CallContext const& ctx = {}) = 0;
  /// Human-readable location of `key`, e.g. "s3://bucket/prefix/key" or "/data/out/key".
  virtual std::string Describe(std::string const& key) const = 0;
  /// The URI of `key` in this sink, stable across runs and processes: "s3://BUCKET/PREFIXKEY" (as
  /// the AWS CLI writes it, not percent-encoded), "file:///ABS/ROOT/KEY" (RFC 8089: absolute,
  /// symlinks resolved, percent-encoded), "memory://KEY". `Uri("")` identifies the destination
  /// itself (it ends with '/' or "//") and is what export manifests record to refuse a manifest
  /// of another destination. The default returns Describe(key); sinks should override it when
  /// Describe() is not a URI.
  virtual std::string Uri(std::string const& key) const { return Describe(key); }
  /// True when this sink guarantees that a writer opened with PutOptions::if_none_match never
  /// replaces an object that exists when Finish() commits: Finish() then fails with vendor_code
  /// "PreconditionFailed", and of two writers racing for one absent key at most one succeeds.
  /// The export engine then writes a new recording with one conditional create instead of
  /// Stat() followed by a write (one round trip less per recording); with false it keeps the
  /// Stat() first. Must not change during a sink's life. The default is false: a sink that does
  /// not know (e.g. an S3-compatible store that may ignore `If-None-Match`) must not claim it,
  /// or an existing object could be overwritten. MemorySink and the filesystem sink return true;
  /// the S3 sink as S3SinkOptions::conditional_writes says.
  /// @par Thread safety
  /// Thread-safe.
  virtual bool EnforcesIfNoneMatch() const { return false; }
};

/// Content type for a key from its extension: .wav audio/wav, .mp3 audio/mpeg, .m4a audio/mp4,
/// .ogg audio/ogg, .flac audio/flac, .json application/json, .jsonl application/x-ndjson,
/// .csv text/csv; otherwise application/octet-stream.
CCREC_EXPORT std::string ContentTypeForKey(std::string const& key);

}  // namespace v1
}  // namespace ccrec
