// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The Oracle ISR FACE recording source for the export engine: recordings in a time window →
/// their segments → streamed downloads.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/face/client.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::face {

/// Default key template: one object per segment, segments of a recording side by side.
inline constexpr char kDefaultKeyTemplate[] = "face/{recording_id}/{segment_id}{ext}";
/// Default key template when segments are concatenated into one object per recording.
inline constexpr char kDefaultConcatenatedKeyTemplate[] = "face/{recording_id}{ext}";

/// Options for MakeFaceSource().
///
/// @par Thread safety
/// A plain value type.
struct FaceSourceOptions {
  /// Window [from, to) on the recording start time. Required.
  std::chrono::system_clock::time_point from{};
  std::chrono::system_clock::time_point to{};
  /// Extra criteria for every search (e.g. ani, dnis). Date fields, segment_id and
  /// max_list_length must be unset. `in_progress = true` is refused by Enumerate()
  /// (kInvalidArgument, nothing sent): a recording matches it only while it is recorded, so none
  /// could be exported complete; `false` (ended recordings only) is a filter judged once a
  /// recording has ended (see MakeFaceSource()).
  SearchCriteria filter;
  /// `maxListLength` per search, 1..1000. Default 1000.
  int max_list_length = 1000;
  /// One object per recording instead of one per segment: a valid WAV made of one canonical
  /// header (the segments' common `fmt ` chunk, the summed data size) and the segments' data
  /// chunks in sequence order, streamed. A first pass reads each segment's header (a download
  /// sent with `Range: bytes=0-65535`, read only up to its data chunk). When the segments'
  /// formats differ, or one is not a WAV, the recording is exported one object per segment
  /// (a warning names the segment and the differing field, e.g. `sampleRate 8000 vs 16000`;
  /// their sidecars say it under "concatenation"), keyed with {recording_id} =
  /// `RECORDINGID_segSEGMENTID`. A one-segment recording is exported as served. Default false.
  bool concatenate_segments = false;
  /// Also export each finished recording's supplemental files (the `supplementalFiles` of its
  /// details, downloaded with `file/download` by `supplementalFileId`, else `filename`, plus
  /// `type=video` for a file whose `type` is video) beside its audio, each with its own manifest
  /// line (segment_id `supplemental-<supplementalFileId>`) and sidecar. Key fields: {segment_id}
  /// = that id, {file_name} the file's name, {ext} its extension (".bin" when it has none),
  /// {kind} = "supplemental" (audio objects: "audio"); with concatenate_segments, {recording_id}
  /// = `RECORDINGID_supplemental-ID`. Default false. Source: reference §1, §5.1 (the entry shape is
  /// undocumented: docs/face.md).
  bool include_supplemental = false;
  /// Also fetch each finished recording's details rendered by this template
  /// (`details?recordingId=ID&format=template&formatName=NAME[&version=V]`, Client::SearchTemplated())
  /// and put the answer, unchanged, in each of its sidecars as "template":
  /// `{"formatName","version","contentType","text"}` ("base64" instead of "text" when the answer
  /// is not UTF-8). One extra request per recording; when it fails, the recording's items fail
  /// (a failed line, retried by the next run). Default: unset (no template).
  std::optional<TemplateFormat> format_template;
  /// How long a recording may stay in progress. A recording still in progress (a `.rpdd` segment,
  /// a segment without end, or no segment yet) more than this long after its start — the listed
  /// start, or the details' startTime when that is earlier (the pending line's window_time) —
  /// measured with `clock`, is reported once with PendingItem::given_up set and the reason
  /// "still in progress after <age>: FACE recording <recordingId> ... segment <id> (<file>.rpdd)
  /// never finalised ...": the engine records it as failed (one "failed" line, exit status 3 in
  /// the CLI) and stops holding the --since-last-run checkpoint for it, so a recording whose
  /// recorder crashed cannot pin the checkpoint forever; a later run that lists it again records
  /// nothing more. It is never exported by this source, not even once it ends, unless a run
  /// lists it again after that (an overlapping window). A recording whose start time FACE sends
  /// neither in the list nor in the details is measured from the earliest time one of its segments
  /// names (a segment's `start`, else its `end`; the recording started no later, so it is never
  /// given up early), and the reason says "has no start time; its segment <id> started <time>";
  /// until then it holds the checkpoint at the window's start (no window time:
  /// ExportSummary::unfinished_without_window_time). With no time at all (no start, no segment time,
  /// e.g. no segment yet) it never gives up: no honest age exists (docs/face.md, "Recordings that
  /// never end"). Applies also to the recordings held pending for filters judged once they have
  /// ended (see MakeFaceSource()). Zero: wait forever. Default 3 days (as Webex's).
  /// Source: reference §5.3 (`.rpdd` = in progress), §1 (no FACE command reports a crashed recorder).
  std::chrono::milliseconds pending_max_age{std::chrono::hours(72)};
  /// The clock pending_max_age is measured with. Default: the system clock. Not the clock of the
  /// run's CallContext::deadline: that is a `std::chrono::system_clock` time, which the transport
  /// enforces against the system clock, so a kDeadlineExceeded ends the run once
  /// `std::chrono::system_clock::now()` has reached it, whatever this clock says.
  std::shared_ptr<Clock> clock;
  /// Log sink. Default: silent.
  Logger logger;
};

/// The extra key-template placeholders of the FACE source: {kind} ("audio" or "supplemental").
/// Pass them to exporter::KeyTemplate::Parse() (the engine takes them from
/// RecordingSource::ExtraKeyNames()).
CCREC_EXPORT std::vector<std::string> FaceExtraKeyNames();

/// The placeholders that identify a FACE export item in a key template: per segment
/// {recording_id} (or {task_id}, the same value) and {segment_id}; with concatenate_segments
/// {recording_id} or {task_id} alone. Segment ids are not documented as unique across recordings,
/// and file names may repeat.
CCREC_EXPORT exporter::KeyIdentityRule FaceKeyIdentity(bool concatenate_segments);

/// Makes a RecordingSource that exports every recording started in the window. No I/O happens here.
///
/// Enumerate() lists the window with Client::ListRecordings() (window splitting, never silent
/// truncation), then reads each recording's full metadata with Client::GetRecording() (one
/// `details?recordingId=` per recording; never a POST, never a control command). Then:
/// - A recording in progress (a `.rpdd` segment or a segment without end, or no segment yet) is
///   reported as pending (PendingItem: source "face", task_id = call id, recording_id =
///   recordingId); it is exported by a later run once it has ended. Its finished segments are not
///   exported early. Once older than FaceSourceOptions::pending_max_age it is reported as given up
///   instead (PendingItem::given_up: one failed line, no longer holding the checkpoint).
/// - Manifest identity, on every line (exported, skipped, failed, pending): recording_id = the
///   FACE recordingId; task_id = the call id when FACE names one (isrUcid, else ingressCallId),
///   else empty. The key field {task_id} stays the recordingId, so object keys do not change.
/// - Otherwise each segment becomes one ExportItem: source "face", task_id = call id, recording_id =
///   recordingId, segment_id = segmentId, key fields {recording_id} {segment_id} {file_name}
///   (the server's file name, sanitized by the engine) {ext} and the segment's start date. A
///   single-segment recording downloads with `audioRecording/download`, each segment of a
///   multi-segment one with `audioRecording/segment/download`.
/// - With concatenate_segments, one ExportItem per recording (segment_id empty) streams one WAV
///   (see FaceSourceOptions::concatenate_segments); Enumerate() then reads the header of every
///   segment of a multi-segment recording (one small request each, also on re-runs). Segments of
///   different formats: one item per segment as without the option, key field {recording_id} =
///   `RECORDINGID_segSEGMENTID` (the manifest's recording_id stays the recordingId). A header
///   pass that fails (after retries) makes a failed item for the recording.
/// - A filter a recording may match only once it has ended (custom data fields, filename,
///   in_progress=false, end times): the window is first listed for the recordings in progress
///   without those criteria (in_progress=true); each one the filtered listing leaves out is pending
///   ("the search filters (...) are judged once it has ended"), its window_time holding the
///   checkpoint; one that has ended by the time its details are read is judged by the filters then
///   (details with the filters and its recordingId) and exported when it matches.
/// - window_time (the --since-last-run checkpoint) is the recording's listed start, or its details
///   startTime when that is earlier.
/// - A recording whose details are incomplete — a segment entry without a readable segmentId, or
///   segments whose `sequence` numbers have a gap (1 and 3, or 2 and 3: a segment left out; from 0
///   or 1 without a gap is complete, segments without a sequence are not judged) — becomes one
///   item that fails with kParse naming the recording and why; none of its segments is exported.
/// - A recording whose metadata cannot be read (after retries) becomes an item that fails with
///   that error (a "failed" manifest line holding the checkpoint at its start; the next run
///   retries), and the run goes on with the other recordings. This holds for every per-recording
///   request (details, the judging search of a filtered recording, the templated answer, the WAV
///   header pass) and for transient errors: a request that timed out (kDeadlineExceeded), HTTP
///   5xx or 429 after the client's retries, FACE's "retry later" codes. A recording that vanished
///   (code 19) is a failed line too, with a log line. Only errors that no later request of the run
///   can escape end Enumerate() with that error: the credentials rejected after a fresh login
///   (kUnauthenticated), kPermissionDenied (FACE codes 1 and 2: not licensed, host not
///   authorized), cancellation (kCancelled, or any error once `ctx.cancel` is cancelled) and
///   `ctx.deadline` passed (kDeadlineExceeded once the system clock has reached it; not
///   FaceSourceOptions::clock, which measures pending ages only). A listing
///   that fails ends Enumerate() with its error.
/// - Downloads (the items' MediaOpeners: audio, concatenated WAV, supplemental files) follow the
///   same rule through IsFatal(): kUnauthenticated (the credentials rejected after the client's
///   fresh login) and kPermissionDenied (FACE codes 1 and 2) end the run — ExportSummary::fatal,
///   no further attempt, the item and those not finished recorded as pending; any other download
///   error (not found, codes 3-9, 23, "retry later" codes, 5xx, 429, timeouts, transport) fails
///   that item after the engine's download attempts and the run goes on.
///
/// Sidecars (KEY + ".json"): `{"source":"face","recordingId","segmentId","sequence","filename",
/// "ani","dnis","startTime","endTime","customData":{name:value},"recording":{...},"segment":{...}}`
/// where "recording" is the recording's metadata without its segment list and "segment" the
/// segment's. Nothing secret is in them (the token is only ever in request URLs).
///
/// Its KeyIdentity() is FaceKeyIdentity(options.concatenate_segments).
///
/// Source: reference §5, §6; the export assumptions.
/// @par Thread safety
/// Follows RecordingSource's contract: Enumerate() from one thread; the MediaOpener functions
/// are thread-safe (they share the client's session).
CCREC_EXPORT std::unique_ptr<exporter::RecordingSource> MakeFaceSource(Client client, FaceSourceOptions options);

}  // namespace ccrec::face
