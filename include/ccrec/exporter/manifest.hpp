// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The export manifest interface (one record per recording outcome; also the resume state) and
/// its default JSON Lines implementation.

#include <ccrec/core/export.hpp>
#include <ccrec/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::exporter {

/// Outcome of one recording (or one pending task) in a run.
enum class ItemStatus { kExported, kSkipped, kFailed, kPending };

/// "exported", "skipped", "failed", "pending".
CCREC_EXPORT std::string_view ToString(ItemStatus status) noexcept;
/// The status ToString() names; nullopt for any other text.
CCREC_EXPORT std::optional<ItemStatus> ParseItemStatus(std::string_view name) noexcept;

/// Items counted by their ItemStatus: the counters ExportSummary and ManifestMergeReport share.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ItemStatusCounts {
  std::uint64_t exported = 0;
  std::uint64_t skipped = 0;
  std::uint64_t failed = 0;
  std::uint64_t pending = 0;

  /// Adds one item of `status` to its counter.
  void Count(ItemStatus status) noexcept;
  /// "exported=N skipped=N failed=N pending=N": the counters as ccrec-export prints them.
  std::string Line() const;
};

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

/// Error::vendor_code of Manifest::Open() (and of every implementation's open) when another run
/// holds the manifest: "ManifestInUse".
inline constexpr char kManifestInUse[] = "ManifestInUse";

/// Options for Manifest::Open() (and the SQLite manifest's open).
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

/// The export manifest: what happened to each recording, bound to one destination, and the
/// resume state of the next run. An interface: Open() returns the default JSON Lines manifest
/// (described below), `ccrec::manifest_sqlite` (include/ccrec/manifest_sqlite/sqlite_manifest.hpp)
/// a SQLite one, and an embedding service may bring its own.
///
/// @par The contract every implementation keeps (the engine relies on it)
/// - Identity binding: a manifest belongs to one destination (ObjectSink::Uri("")) and one key
///   template. Bind() records them on first use; CheckDestination() and Bind() of a manifest
///   bound to another destination or template fail with kInvalidArgument naming both, before
///   anything is written.
/// - Items: an item is (source, task_id, recording_id, segment_id). Append() records an outcome;
///   Latest() is the last one appended for the item (this run's or an earlier run's),
///   LastExported() the last with status exported. Entries() is every item's Latest(), ordered by
///   identity.
/// - Durability: everything appended is durable once Sync() returns (the engine calls Sync() at
///   the end of every run, before the summary is acted on); between syncs a crash may lose the
///   last few outcomes, never an earlier one, and never leaves a partial entry behind.
/// - One writer: an implementation opened on persistent storage holds an exclusive lock on it
///   while it lives (unless opened without one for reading), and a second open is refused at once
///   with kInvalidArgument and vendor_code kManifestInUse (the CLI exits 2).
/// - Thread safety: every member function may be called concurrently from any thread.
/// - Null(): records nothing and binds to anything; Latest() is always nullopt.
///
/// @par The JSON Lines manifest (Open())
/// An append-only JSON Lines file, indexed at open so a re-run can skip what is done.
///
/// Memory and start time (issue 14, item 6): Open() reads the file once, front to back in 1 MiB
/// blocks, and keeps no line: per item only a 128-bit digest of its identity (SHA-256) and the
/// offsets and lengths of its latest and last "exported" lines, about 70 bytes per item with the
/// hash table. Latest() and LastExported() read that one line back (pread(2)) and check that it
/// is the item's (else they search the whole file), so they return the entry as written (its
/// `error` redacted, as in the file). Measured at 1,000,000 lines (bench/RESULTS.md): 85 MiB peak RSS and about 3 s of
/// CPU to open, where the whole-file load this replaced took 2.3 GiB and 16 s.
/// Memory grows with the number of items, start time with the number of lines: re-runs over the
/// same window append a "skipped" line per item, so compact a manifest that has many more lines
/// than items with CompactManifest() (`ccrec-export manifest compact`), which keeps everything
/// this interface returns.
///
/// Its first line is a header
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
/// the missing newline so the next Append() starts a line of its own. An Append() whose write
/// fails after part of its line reached the file (ENOSPC, EFBIG) cuts that part off again
/// (ftruncate(2)) before it returns the error, or, when it cannot, starts the next line with a
/// newline, so a failed append never corrupts the line after it.
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
/// Thread-safe (every implementation).
class CCREC_EXPORT Manifest {
 public:
  /// Opens (creating if needed, with ManifestOptions::file_mode & ~umask), locks and loads the
  /// JSON Lines manifest `path`. Its directory must exist. With ManifestOptions::lock (the
  /// default) the manifest holds an exclusive lock on the file (flock(2), released when the
  /// Manifest is destroyed), so two runs (processes, or two Manifest objects) never append to one
  /// manifest at once.
  /// @return kInvalidArgument when the file cannot be opened for appending or
  /// options.file_mode has bits beyond 0777; kInvalidArgument with vendor_code kManifestInUse
  /// when another Manifest holds the file's lock (nothing waits).
  static Result<std::shared_ptr<Manifest>> Open(std::string const& path, ManifestOptions const& options);
  /// Open(path, ManifestOptions{}): a new manifest gets 0600 & ~umask.
  static Result<std::shared_ptr<Manifest>> Open(std::string const& path);
  /// A manifest that records nothing (no --manifest given); Latest() always returns nullopt.
  static std::shared_ptr<Manifest> Null();
  virtual ~Manifest();
  Manifest(Manifest const&) = delete;
  Manifest& operator=(Manifest const&) = delete;

  /// Fails when the manifest belongs to another destination or key template; writes nothing.
  /// Always succeeds for a manifest not bound yet and for Null().
  /// @return kInvalidArgument naming the manifest, both destinations and both templates, and
  /// what to do (use a new manifest for a new destination).
  virtual Result<void> CheckDestination(std::string const& destination_uri, std::string const& key_template) const = 0;
  /// CheckDestination(), then records the binding when the manifest has none yet (the JSON Lines
  /// header). Idempotent. `destination_uri` is ObjectSink::Uri("").
  virtual Result<void> Bind(std::string const& destination_uri, std::string const& key_template) = 0;
  /// The bound destination, when the manifest is bound.
  virtual std::optional<std::string> Destination() const = 0;
  /// The bound key template, when the manifest is bound. The default returns nullopt (an
  /// implementation written before 0.2 that does not expose it; MergeManifests() refuses it).
  virtual std::optional<std::string> KeyTemplate() const { return std::nullopt; }

  /// Records one outcome (JSON Lines: appends one line) and updates the in-memory state.
  /// @return kInternal when it cannot be written (or a due group-commit fsync fails).
  virtual Result<void> Append(ManifestEntry const& entry) = 0;
  /// The last entry recorded for this item (any status), if any.
  virtual std::optional<ManifestEntry> Latest(std::string const& source, std::string const& task_id,
                                              std::string const& recording_id,
                                              std::string const& segment_id = {}) const = 0;
  /// The last "exported" entry of this item, if any (later "skipped" lines do not hide it). It
  /// proves which object an older ccrec wrote for the item (exporter::CheckExistingObject).
  virtual std::optional<ManifestEntry> LastExported(std::string const& source, std::string const& task_id,
                                                    std::string const& recording_id,
                                                    std::string const& segment_id = {}) const = 0;
  /// True when the last entry of the item is exported or skipped (i.e. the object is in the sink).
  bool IsDone(std::string const& source, std::string const& task_id, std::string const& recording_id,
              std::string const& segment_id = {}) const;
  /// Every item's last entry, as Latest() returns it: one ManifestEntry per item identity
  /// (source, task_id, recording_id, segment_id) of the entries loaded at open and appended since,
  /// of any status, ordered by that identity (compared field by field, byte-wise). Header lines
  /// and malformed lines are not entries. Empty for Null().
  ///
  /// A snapshot: a copy taken under the manifest's lock (O(items) time and memory), not a view;
  /// entries appended after the call are not in it.
  /// @par Thread safety
  /// Thread-safe; may run concurrently with Append() (each entry is before or after it, whole).
  virtual std::vector<ManifestEntry> Entries() const = 0;
  /// Number of records that could not be parsed at load time (JSON Lines: torn or garbage lines).
  /// 0 for implementations that cannot hold malformed records.
  virtual std::size_t MalformedLines() const { return 0; }
  /// Makes everything appended so far durable (JSON Lines: fsync).
  /// @return kInternal when that fails.
  virtual Result<void> Sync() = 0;
  /// Group commit of the JSON Lines manifest: Append() fsyncs after this many lines since the
  /// last fsync...
  static constexpr std::size_t kSyncEveryLines = 64;
  /// ...or when it comes this long or longer after the last fsync.
  static constexpr std::chrono::milliseconds kSyncEvery{1000};
  /// The file the manifest lives in ("" for Null()).
  virtual std::string const& Path() const = 0;

  /// Serialises one entry as a JSON Lines manifest line (no newline).
  static std::string ToJsonLine(ManifestEntry const& entry);

 protected:
  Manifest() = default;
};

}  // namespace ccrec::exporter
