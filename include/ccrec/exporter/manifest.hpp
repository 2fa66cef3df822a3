// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The export manifest: one JSON line per recording outcome, appended; also the resume state.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace exporter {

/// Outcome of one recording (or one pending task) in a run.
enum class ItemStatus { kExported, kSkipped, kFailed, kPending };

/// "exported", "skipped", "failed", "pending".
CCREC_EXPORT std::string_view ToString(ItemStatus status) noexcept;

/// One manifest line: `{"source":"webex","task_id":..,"recording_id":..,"key":..,"uri":..,
/// "bytes":N,"sha256":"hex","status":"exported|skipped|failed|pending","error":".."}` (plus
/// "segment_id" when the source has segments, and "time", the UTC time the line was written;
/// "uri" only when set). `key` is relative to the destination (`--dest`); `uri` is where the
/// object is (ObjectSink::Uri(key)). `error` is written through RedactSecrets (it often quotes
/// server text) and JSON-escaped, so no secret and no raw control character reaches the file.
struct ManifestEntry {
  std::string source;
  std::string task_id;
  std::string recording_id;
  std::string segment_id;
  /// Object key, relative to the destination.
  std::string key;
  /// ObjectSink::Uri(key): "s3://bucket/prefix/key", "file:///abs/dir/key". Empty for pending
  /// lines and in lines written by ccrec before 0.2, which are therefore not trusted to skip a
  /// recording without asking the sink (see Exporter).
  std::string uri;
  std::uint64_t bytes = 0;
  std::string sha256;
  ItemStatus status = ItemStatus::kFailed;
  std::string error;
};

/// Options for Manifest::Open().
/// Error::vendor_code of Manifest::Open() when another run holds the manifest: "ManifestInUse".
inline constexpr char kManifestInUse[] = "ManifestInUse";

struct ManifestOptions {
  /// Permission bits a new manifest file is created with. The manifest names recordings (task
  /// and recording ids, keys), which are personal data, so the default is 0600. The file is
  /// created by open(2) with this mode and the kernel applies the process umask
  /// (`file_mode & ~umask`; never chmod-ed); an existing manifest keeps its mode. Only the bits
  /// 0777 are allowed (kInvalidArgument otherwise).
  std::uint32_t file_mode = 0600;
  /// Hold an exclusive lock on the file while the Manifest lives (flock(2)), so that a second
  /// run on the same manifest is refused at Open() (kManifestInUse) instead of interleaving its
  /// lines. false: no lock, for a reader that knows nobody appends (e.g. a test reloading what it
  /// wrote). Default true.
  bool lock = true;
};

/// An append-only JSON Lines manifest, loaded at open so a re-run can skip what is done.
///
/// A manifest belongs to one destination and key template: its first line is a header
/// `{"ccrec_manifest":1,"destination":"s3://bucket/prefix/","key_template":"..."}` written by
/// Bind(), and a later run with another destination or template is refused (Bind() or
/// CheckDestination() fail) before anything is written. A manifest written before headers
/// existed (entries, no header) still loads: Bind() appends the header after its old lines, and
/// the old lines, which have no "uri", are not trusted to skip anything (the sink is asked).
///
/// Each Append() writes one complete line with a single write(2) to a file opened with O_APPEND
/// and flushes it, so a crash loses at most the line being written; a torn or malformed line
/// found at load time is ignored with a warning count (see MalformedLines()). A last line that
/// is a whole JSON object but lacks its newline is accepted (JSON Lines allows it); Open() adds
/// the missing newline so the next Append() starts a line of its own.
///
/// Durability (group commit): Append() fsyncs the file after every kSyncEveryLines-th line and
/// on the first line appended kSyncEvery or more after the last fsync; Sync() (which Exporter::Run() calls at
/// the end of every run) and the destructor fsync the rest, and Open() fsyncs the directory of a
/// manifest it creates. A crash can therefore lose the last few lines, never more. That is
/// safe: the engine appends an item's line only after the sink reported its objects durable, so
/// a lost "exported" line makes the next run find the object in the sink and record it as
/// skipped (no download, nothing lost), and a lost "failed" or "pending" line only means the
/// item is tried again. An fsync failure is returned by Append()/Sync().
///
/// @par Thread safety
/// Thread-safe.
class CCREC_EXPORT Manifest {
 public:
  /// Opens (creating if needed, with ManifestOptions::file_mode & ~umask), locks and loads
  /// `path`. Its directory must exist. With ManifestOptions::lock (the default) the manifest holds
  /// an exclusive lock on the file (flock(2), released when the Manifest is destroyed), so two runs
  /// (processes, or two Manifest objects) never append to one manifest at once.
  /// @return kInvalidArgument when the file cannot be opened for appending or
  /// options.file_mode has bits beyond 0777; kInvalidArgument with vendor_code kManifestInUse
  /// when another Manifest holds the file's lock (nothing waits).
  static Result<std::shared_ptr<Manifest>> Open(std::string const& path, ManifestOptions const& options);
  /// Open(path, ManifestOptions{}): a new manifest gets 0600 & ~umask.
  static Result<std::shared_ptr<Manifest>> Open(std::string const& path);
  /// A manifest that records nothing (no --manifest given); Latest() always returns nullopt.
  static std::shared_ptr<Manifest> Null();
  ~Manifest();
  Manifest(Manifest const&) = delete;
  Manifest& operator=(Manifest const&) = delete;

  /// Fails when the manifest belongs to another destination or key template (its header says
  /// so); writes nothing. Always succeeds for a manifest without header and for Null().
  /// @return kInvalidArgument naming the manifest, both destinations and both templates, and
  /// what to do (use a new manifest for a new destination).
  Result<void> CheckDestination(std::string const& destination_uri, std::string const& key_template) const;
  /// CheckDestination(), then writes the header when the manifest has none yet. Idempotent.
  /// `destination_uri` is ObjectSink::Uri("").
  Result<void> Bind(std::string const& destination_uri, std::string const& key_template);
  /// The header's destination, when the manifest has a header.
  std::optional<std::string> Destination() const;

  /// Appends one line and updates the in-memory state.
  Result<void> Append(ManifestEntry const& entry);
  /// The last entry recorded for this item (any status), if any.
  std::optional<ManifestEntry> Latest(std::string const& source, std::string const& task_id,
                                      std::string const& recording_id, std::string const& segment_id = {}) const;
  /// The last "exported" entry of this item, if any (later "skipped" lines do not hide it). It
  /// proves which object an older ccrec wrote for the item (exporter::CheckExistingObject).
  std::optional<ManifestEntry> LastExported(std::string const& source, std::string const& task_id,
                                            std::string const& recording_id, std::string const& segment_id = {}) const;
  /// True when the last entry of the item is exported or skipped (i.e. the object is in the sink).
  bool IsDone(std::string const& source, std::string const& task_id, std::string const& recording_id,
              std::string const& segment_id = {}) const;
  /// Every item's last entry, as Latest() returns it: one ManifestEntry per item identity
  /// (source, task_id, recording_id, segment_id) of the lines loaded by Open() and appended since,
  /// of any status, ordered by that identity (compared field by field, byte-wise). Header lines
  /// and malformed lines are not entries. Empty for Null().
  ///
  /// A snapshot: a copy taken under the manifest's lock (O(items) time and memory), not a view;
  /// lines appended after the call are not in it.
  /// @par Thread safety
  /// Thread-safe; may run concurrently with Append() (each entry is before or after it, whole).
  std::vector<ManifestEntry> Entries() const;
  /// Number of lines that could not be parsed at load time.
  std::size_t MalformedLines() const { return malformed_lines_; }
  /// fsyncs the file (all lines appended so far become durable).
  /// @return kInternal when fsync fails.
  Result<void> Sync();
  /// Group commit: Append() fsyncs after this many lines since the last fsync...
  static constexpr std::size_t kSyncEveryLines = 64;
  /// ...or when it comes this long or longer after the last fsync.
  static constexpr std::chrono::milliseconds kSyncEvery{1000};
  std::string const& Path() const { return path_; }

  /// Serialises one entry (no newline).
  static std::string ToJsonLine(ManifestEntry const& entry);

 private:
  Manifest() = default;
  Result<void> SyncLocked();  // mu_ held
  using ItemKey = std::tuple<std::string, std::string, std::string, std::string>;
  mutable std::mutex mu_;
  std::string path_;
  int fd_ = -1;
  Result<void> WriteLine(std::string const& line);  // with mu_ held
  std::map<ItemKey, ManifestEntry> latest_;
  std::map<ItemKey, ManifestEntry> last_exported_;
  std::size_t malformed_lines_ = 0;
  std::size_t unsynced_lines_ = 0;                 // guarded by mu_
  std::chrono::steady_clock::time_point last_sync_;  // guarded by mu_
  std::optional<std::string> destination_;   // from the header
  std::optional<std::string> key_template_;  // from the header
  bool conflicting_headers_ = false;
};

}  // namespace exporter
}  // namespace v1
}  // namespace ccrec
