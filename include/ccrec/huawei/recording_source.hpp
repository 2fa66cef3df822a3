// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The Huawei CC-Gateway recording source for the export engine: a list of recordings, or the
/// recordings announced by `AgentMediaEvent_Record` while watching an agent's events.
///
/// Source: ccrec reference `huawei-cc-gateway.md` §5 (record events), §6 (download), §6.2–§6.3
/// (storage and personal data), §7 (sign-out).

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/manifest.hpp>
#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/huawei/agent_session.hpp>
#include <ccrec/huawei/event_poller.hpp>
#include <ccrec/huawei/models.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::huawei {

/// The default key template of Huawei exports: `huawei/{yyyy}/{mm}/{dd}/{recording_id}{ext}`.
///
/// `{recording_id}` is the gateway path sanitized (bytes outside `[A-Za-z0-9._-]` become `_`) without its
/// extension, plus `-` and the first 8 hex digits of the SHA-256 of the exact `fileName`: sanitizing is
/// not one-to-one (`a b.V3` and `a_b.V3` both become `a_b.V3`), the hash keeps such names apart.
/// `{file_name}` is the whole path sanitized (with a hash suffix whenever sanitizing changed it,
/// see exporter::SanitizeKeyComponent, so distinct paths give distinct keys). `{ext}` is the lower-cased
/// extension (`.v3`, `.wav`, `.mp4`; `.bin` when there is none). The date is the `yyyymmdd` directory
/// of the path when it has one (Huawei's layout `drive:/vdn/<dir>/<yyyymmdd>/<agent>/…`), else the
/// event time, else 1970/01/01 — so the same file gets the same key in list and watch mode.
inline constexpr char kDefaultKeyTemplate[] = "huawei/{yyyy}/{mm}/{dd}/{recording_id}{ext}";

/// The placeholders that identify a Huawei recording in a key template: {recording_id} or
/// {file_name} (both derived one-to-one from the gateway's `fileName`, the manifest identity).
/// {call_id} alone does not: a call can have several recordings.
CCREC_EXPORT exporter::KeyIdentityRule HuaweiKeyIdentity();

/// Options of MakeHuaweiSource().
struct CCREC_EXPORT HuaweiSourceOptions {
  /// Recordings to export (list mode, e.g. the CLI's --record-id). Their agent_id is ignored (the
  /// session's agent downloads them).
  std::vector<RecordingReference> recordings;
  /// Watch mode: export every recording announced by `AgentMediaEvent_Record` on the session's event
  /// poll during this period after Enumerate() starts. Default: no watching.
  std::optional<std::chrono::milliseconds> watch;
  /// `filetype` of list-mode downloads: 1 agent call recording (default), 2 IVR/third-party message.
  int file_type = 1;
  /// `locationId` for list-mode recordings without one (CTI pool mode). Default: none.
  std::string location_id;
  /// Watch mode: export a recording only after its `AgentMediaEvent_StopRecordDone` (same `taskId`),
  /// since a file still being written is incomplete [reference §5, unconfirmed]. It is never
  /// downloaded before, however long the call lasts (see stop_record_timeout); recordings still
  /// waiting when the watch ends are pending items (see HuaweiRecordingSource). Recordings without a
  /// taskId are exported at once. false: every recording is exported as soon as it is announced
  /// (possibly still being recorded: the sidecar's `stop_record_seen` says whether its StopRecordDone
  /// had arrived). Default true.
  bool wait_for_stop_record = true;
  /// Watch mode with wait_for_stop_record: how long after its `AgentMediaEvent_Record` a recording
  /// waits for its StopRecordDone before the source logs one warning naming its fileName and taskId
  /// (a long call, or a gateway that sends no stop events). Only a warning: the recording keeps
  /// waiting and is exported when the StopRecordDone arrives during the watch or its drain, or is a
  /// pending item when the watch ends first (never downloaded incomplete). A duration; values past
  /// the end of the watch never warn, 0 or less warns at once. Default 5 minutes.
  std::chrono::milliseconds stop_record_timeout{std::chrono::minutes(5)};
  /// With wait_for_stop_record: how long after its `AgentMediaEvent_Record` a recording is presumed
  /// finished even though its `AgentMediaEvent_StopRecordDone` never arrived (the gateway sends none,
  /// or the event was lost between runs). Counted from when a source first saw the Record event, by
  /// `clock`, across runs: the pending line of a recording still awaiting its StopRecordDone keeps
  /// that time (see RecordingReference::awaiting_stop_record). A watched recording still waiting this
  /// long, or a listed one announced longer ago, is exported then with one warning naming its fileName,
  /// taskId and age (sidecar `"stop_record_seen": false`); a younger listed one is held: in watch mode
  /// it waits for its StopRecordDone like a watched recording, in list mode it is a pending item again
  /// at once (nothing downloaded). A duration (milliseconds precision); 0 or less presumes every
  /// recording finished at once. Default 4 hours (longer than any call the platform should record).
  std::chrono::milliseconds max_recording_duration{std::chrono::hours(4)};
  /// Wall-clock time of max_recording_duration: when a Record event was seen and how old a listed
  /// recording is. The watch period, its drain and stop_record_timeout run on real (steady) time.
  /// Default: the system clock (MakeSystemClock()).
  std::shared_ptr<Clock> clock;
  /// Watch mode: after the period, the gateway may still hold events announced during it (a poll
  /// answer carries one event) and the poller's queue may still hold events (the export was behind).
  /// The watch goes on handling them until a poll answers without an event after the period (the
  /// gateway has caught up), for at most this long. A recording announced later (until the poll
  /// stops, see HuaweiRecordingSource) is not downloaded in this run: it is a pending item named by
  /// its fileName, which UnfinishedRecordings() (`--since-last-run`) retries. 0: stop at the end of
  /// the period (what is queued is still handled). Default 5 minutes.
  std::chrono::milliseconds watch_drain_limit{std::chrono::minutes(5)};
  /// Poll events in the background from Enumerate() until Shutdown(), also in list mode, so that the
  /// session stays alive and dynamic Guids arrive (reference §3, §4). Watch mode always polls, until
  /// Enumerate() returns (every download is done by then). Default true.
  bool keep_alive = true;
  /// The poll loop's options (its `queue_events` is set by the source). Watch mode when the export is
  /// behind: see EventPollerOptions::max_queued_events (the poll keeps the session alive, recording
  /// events are never dropped; one that overflows a queue full of recording events is reported as a
  /// failed item, see HuaweiRecordingSource).
  EventPollerOptions poller;
  /// When a run that was not cancelled ends, the poll is stopped with EventPoller::Finish(): the
  /// answer in flight is awaited and polling goes on while answers carry events, for at most this
  /// long, so that the gateway (which drops what it still holds at sign-out) has delivered every
  /// record event; each becomes a pending item. It usually ends at the first answer without an
  /// event, within the gateway's 10 s hold. When the limit passes while answers still carry events,
  /// or while the poll still fails, Enumerate() returns EventPoller::DrainError(): what the gateway
  /// still holds is lost at sign-out. Default 10 s.
  std::chrono::milliseconds end_drain_limit{std::chrono::seconds(10)};
  /// Deadline of the sign-out in Shutdown(). Default 5 s.
  std::chrono::milliseconds sign_out_timeout{std::chrono::seconds(5)};
  /// Log sink. Caller and called numbers are never logged. Default silent.
  Logger logger;
};

/// Builds the export item of one recording: source "huawei", task_id the `callId` (empty when unknown),
/// recording_id the exact `fileName` (the manifest identity), key fields as described at
/// kDefaultKeyTemplate plus extra placeholders {agent_id} {call_id} {location_id} (pass them in
/// ExporterOptions::extra_key_names to use them), and a sidecar JSON document with source, agent_id,
/// file_name, location_id, file_type, record_serial, call_id, caller, called, file_media_type, task_id,
/// event_time (ISO-8601), stop_record_seen and the raw event content. The item's opener calls
/// AgentSession::OpenRecordFile() (no resume: the whole file each attempt).
///
/// @param session the downloading agent's session.
/// @param reference what to download.
/// @param file_type `filetype` of the download.
/// @param stop_record_seen recorded in the sidecar: whether the task's StopRecordDone had arrived when
///   the recording was handed over. The source passes true for listed recordings (the caller names
///   finished ones) except those still awaiting their StopRecordDone
///   (RecordingReference::awaiting_stop_record) and, in watch mode, false only for a recording without
///   a taskId, one exported without waiting (HuaweiSourceOptions::wait_for_stop_record false) before
///   its stop event, or one presumed finished (HuaweiSourceOptions::max_recording_duration).
/// Source: reference §5, §6.
/// @par Thread safety
/// Thread-safe; the item's opener is thread-safe.
CCREC_EXPORT exporter::ExportItem MakeHuaweiExportItem(AgentSession session, RecordingReference const& reference,
                                                       int file_type = 1, bool stop_record_seen = true);

/// The Huawei recording source.
///
/// Enumerate() signs in when the session is not signed in yet (a failure is fatal for the run), starts
/// the background poll (keep_alive or watch), yields the listed recordings, then — in watch mode —
/// yields each recording announced during the watch period (duplicates by fileName skipped,
/// `AgentMediaEvent_Record_Fail` a failed item). List mode: it returns at once; downloads then still
/// run, kept alive by the poll. Watch mode: after the period (and its drain, see watch_drain_limit)
/// it waits until the engine is done with every item it yielded (ExportItem::on_done) while the poll
/// keeps their session alive, then stops the poll and returns. Call Shutdown() after
/// Exporter::Run() returns to stop the poll (list mode) and sign out.
///
/// Nothing announced during the watch is dropped (issue 11):
/// - events received during the period but not handled when it ends (the export was behind), and
///   events the gateway still delivers until it has none (see watch_drain_limit), are handled before
///   Enumerate() returns; the poll then only keeps the session alive;
/// - a recording whose `AgentMediaEvent_Record` overflowed the poller's queue (the queue held
///   EventPollerOptions::max_queued_events recording events) is yielded as an item that fails at once,
///   without a download, with a kInternal error naming the fileName: the engine writes a manifest
///   `failed` line (same identity and key as its export) and counts it; export it later by listing it;
/// - every file of a task is kept while it waits for the task's StopRecordDone (a task may announce
///   several, e.g. audio and video [U]) and all of them are exported when it arrives;
/// - a recording with a taskId is not downloaded before its StopRecordDone arrives, however late
///   (HuaweiSourceOptions::stop_record_timeout only logs a warning; the source holds one entry per
///   waiting recording): those still waiting when the watch and its drain end are pending items,
///   and so is every recording announced after the period and its drain, until the poll stops
///   (EventPoller::TakeLate()): the gateway delivers an event once and cannot list past
///   recordings, so the pending line (recording_id = fileName, task_id = callId) is what
///   UnfinishedRecordings() retries (the line of a recording still awaiting its StopRecordDone also
///   keeps its taskId and when its Record event was seen, so that the retry is held as below);
/// - a listed recording still awaiting its StopRecordDone (RecordingReference::awaiting_stop_record,
///   with a taskId; wait_for_stop_record) is not downloaded while it is younger than
///   max_recording_duration: in watch mode it waits in the same set as the watched recordings (its
///   StopRecordDone during the watch exports it, `stop_record_seen` true; at the end it is a pending
///   item again, with its original time), in list mode it is a pending item again at once. An older
///   one is downloaded at once with a warning (`stop_record_seen` false), and so is a watched
///   recording still waiting max_recording_duration after its Record event (presumed finished, as a
///   listed one that old is);
/// - when the run stops early (cancelled, fatal error) every recording the source
///   still holds — waiting, queued, overflowed, announced late, or offered to the stopping engine — is
///   a pending item whose reason names the fileName, and the poll stops. (Items the engine already
///   accepted follow the engine's rules.)
///
/// Enumerate() errors: the sign-in's error (fatal for the run); in watch mode the poll's fatal error
/// (the session could not be recovered); kInvalidArgument after Shutdown(). KeyIdentity() is
/// HuaweiKeyIdentity(). Destroying the source stops the poll (no sign-out: call Shutdown()).
///
/// This is the interface MakeHuaweiSource() returns: an exporter::RecordingSource plus Shutdown().
/// The implementation (and its state) lives in the library.
///
/// @par Thread safety
/// Enumerate() as RecordingSource; Shutdown() may be called from any thread, once Run() returned.
class CCREC_EXPORT HuaweiRecordingSource : public exporter::RecordingSource {
 public:
  /// Stops the poll loop and signs the agent out with a fresh deadline of
  /// HuaweiSourceOptions::sign_out_timeout — independent of the run's (possibly cancelled) context,
  /// so that Ctrl-C still signs out. Idempotent.
  /// @return the sign-out result.
  virtual Result<void> Shutdown() = 0;
};

/// Makes the Huawei recording source (see HuaweiRecordingSource) of the agent signed in by `session`
/// (an AgentSession is a cheap handle: the caller's copy shares the session). No I/O happens here.
/// Hand it to exporter::Exporter (a `std::unique_ptr` converts to the `std::shared_ptr` the engine
/// takes) and call Shutdown() after Exporter::Run() returns.
/// @par Thread safety
/// Thread-safe; the returned source as HuaweiRecordingSource.
CCREC_EXPORT std::unique_ptr<HuaweiRecordingSource> MakeHuaweiSource(AgentSession session,
                                                                     HuaweiSourceOptions options);

/// The recordings an incremental ("since last run") Huawei run retries: every Huawei recording
/// whose latest line in `manifest` is `failed` or `pending` (a download that failed, a recording
/// still being recorded when a watch ended, one a stopped run had not exported), in identity order,
/// as references to list (HuaweiSourceOptions::recordings). The gateway has no query for past
/// recordings, so the manifest is the checkpoint: a recording whose latest line is `exported` or
/// `skipped` is done, and one that failed again gets a new `failed` line and is retried by the next
/// such run.
///
/// Each reference has `file_name` (the line's recording_id) and `call_id` (its task_id), so its
/// export has the same identity as the line and supersedes it; `location_id` is empty (manifest
/// lines do not keep it: give HuaweiSourceOptions::location_id in CTI pool mode). A `pending` line of a
/// recording still awaiting its StopRecordDone when its run ended (its reason ends with the Huawei
/// adapter's own `[ccrec-awaiting-stop taskId=… seen=…]` marker) also gives `task_id`, `event_time`
/// (when that run saw its AgentMediaEvent_Record) and RecordingReference::awaiting_stop_record, so
/// that the retry is not downloaded before its StopRecordDone or max_recording_duration (see
/// HuaweiSourceOptions); lines without the marker (older ccrec versions) give neither. Not returned:
/// lines without a fileName (pending lines of older ccrec versions named the file only in their reason),
/// and record events that name nothing to download (AgentMediaEvent_Record_Fail,
/// malformed events: recording_id `record-fail-…` / `malformed-event-…`, or an error that names
/// AgentMediaEvent_Record_Fail), which would fail the same way every time.
///
/// Cost: one Manifest::Entries() snapshot (O(items) time and memory).
/// @par Thread safety
/// As Manifest::Entries().
CCREC_EXPORT std::vector<RecordingReference> UnfinishedRecordings(exporter::Manifest const& manifest);

/// The recordings to export for these fileNames (the CLI's `--record-id`), in order: a fileName that
/// has an unfinished manifest line (UnfinishedRecordings(); e.g. a `pending` line that advises to
/// list its fileName) keeps that line's identity (its `call_id`, the line's task_id), so that its
/// export supersedes the line; any other is a reference with only `file_name`. Without this, the
/// export got the identity ("", fileName), the old line stayed unfinished, and the next
/// `--since-last-run` found the object holding "another recording" (kIntegrity) on every run.
/// When several unfinished lines name one fileName, the one with a task_id is used.
///
/// Cost: as UnfinishedRecordings().
/// @par Thread safety
/// As Manifest::Entries().
CCREC_EXPORT std::vector<RecordingReference> ListedRecordings(std::vector<std::string> const& file_names,
                                                              exporter::Manifest const& manifest);

}  // namespace ccrec::huawei
