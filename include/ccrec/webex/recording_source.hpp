// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// The Webex Contact Center recording source for the export engine: tasks in a window → captures →
/// presigned media.

#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/exporter/key_template.hpp>
#include <ccrec/exporter/recording_source.hpp>
#include <ccrec/exporter/sub_window.hpp>
#include <ccrec/exporter/sub_window_lease.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/search.hpp>

#include <chrono>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ccrec::webex {

/// Which tasks and recordings to export. Every list is "any of" (empty = no filter); lists are
/// combined with "and". Task filters are applied to the Tasks API attributes before Captures is
/// queried (Captures cannot filter, Webex CC reference §1), so filtered-out tasks cost no
/// Captures calls. A task that lacks the filtered attribute (live servers omit `owner` on IVR-only
/// tasks) does not match.
struct WebexTaskFilter {
  /// Queue id or name (`queue.id` / `queue.name`; names compare case-insensitively).
  std::vector<std::string> queues;
  /// Agent id or name (`owner.id` / `owner.name`; names compare case-insensitively).
  std::vector<std::string> agents;
  /// `direction`: inbound, outbound, outdial (case-insensitive).
  std::vector<std::string> directions;
  /// `status`: e.g. completed, abandoned (case-insensitive).
  std::vector<std::string> statuses;
  /// Recording duration bounds (stopTime - startTime of each capture). The Tasks API has no
  /// duration (that is a Search API field, reference §4.2), so these apply per recording after
  /// Captures. A recording without startTime or stopTime cannot be shown to lie outside a set
  /// bound: it is exported, with a warning naming the task and recording.
  std::optional<std::chrono::milliseconds> min_duration;
  std::optional<std::chrono::milliseconds> max_duration;
};

/// Options for MakeWebexSource().
struct WebexSourceOptions {
  /// Window [from, to), channel types (default telephony in the CLI), page size, org id. Its
  /// `on_malformed` is not called: the source reports each malformed element as a failed item.
  TaskQuery tasks;
  /// Presigned URL lifetime requested from Captures, minutes 1..60. Default 30.
  std::chrono::minutes url_expiration{30};
  /// Ask Captures for individual segments instead of the stitched recording. Default false.
  bool include_segments = false;
  /// Ask Captures for virtual-agent legs too (`includeVARecordings`: callType va-main /
  /// va-consult), exported as recordings of their own. Default false (Cisco's default).
  bool include_va_recordings = false;
  /// Export each task's transcripts (the Captures `transcription[]` entries) as items of their
  /// own, one manifest line each: recording_id / {recording_id} = TranscriptItemId() (e.g.
  /// "transcript-CSR0123"), {kind} = "transcript" (recordings: "recording"), {file_name} the
  /// server's `fileName` ("chatTranscript.json"), {ext} its extension (".json" when it has none).
  /// A task whose capture holds transcripts but no recording (chat, email, social) is then
  /// exported, not pending. With a duration bound in `filter` a task's transcripts are exported
  /// only together with a recording of the task that passes the bound (a transcript has no
  /// duration). Default true.
  bool include_transcripts = true;
  /// Export exactly these task ids instead of listing the window: `tasks.from`/`to` and the
  /// task filters (queues, agents, directions, statuses) are ignored, duration bounds still
  /// apply. Duplicates are removed (first occurrence kept); Captures is queried in batches of
  /// 10 in the given order. A task id whose Captures entry is empty (unknown id, never
  /// recorded, not available yet) is reported as pending, never dropped; such tasks carry no
  /// createdTime, so they never give up (pending_max_age) and the sidecar's "task" is just
  /// `{"id":".."}`. Default: empty (list the window).
  std::vector<std::string> task_ids;
  /// Enrich from the Search API (issue 13 item 3): for each sub-window, before its Tasks listing,
  /// query `POST /search` over the same window (Client::SearchTasks(): cursor paging, the same
  /// client and rate limiter) and add to each sidecar a "search" member with the task's ANI,
  /// DNIS, end time, total duration, wrap-up, queue/agent/team/site names, the CAD variables of
  /// `search_cad_names`/`search_filter.cad`, and the raw Search task. Search is asked without
  /// `search_filter` (channel types only), so its answer holds every task it has indexed, and
  /// the filters are applied here with SearchTaskMatches(): a task whose record does not match
  /// is skipped (not queried in Captures). A task that has ended (by the Tasks API) but that
  /// Search does not return, or returns without endedTime, is not indexed yet: it is reported
  /// pending (holding the resume point; no Captures call) and judged by a later run. Once older
  /// than pending_max_age (from its createdTime) it is given up, one failed line ("not indexed
  /// by Search after <age>: ..."), when `search_filter` has a filter; without filters it is
  /// exported then with `"search": null`. A task still open when listed keeps the open-task
  /// rules (pending while it does not match; without filters exported, `"search"` its record or
  /// null). Ignored with task_ids. Default false: no Search call.
  bool enrich_search = false;
  /// Search filters (with enrich_search): totalDuration bounds, ANI, DNIS, wrap-up, CAD values.
  /// Default: none.
  SearchFilter search_filter;
  /// String CAD variables to fetch into the sidecar (with enrich_search). Default: none.
  std::vector<std::string> search_cad_names;
  /// Re-query Captures before a download when the URL expires within this margin (or within a
  /// quarter of the URL's lifetime, if that is shorter). Default 2 min.
  std::chrono::milliseconds url_refresh_margin{std::chrono::minutes(2)};
  /// A long window is listed as consecutive sub-windows of at most this length, in order
  /// (bounded memory for de-duplication, and earlier recordings land first). Each sub-window
  /// costs at least one Tasks call. Default 1 day (the reference's advice for one listing).
  std::chrono::milliseconds sub_window{std::chrono::hours(24)};
  /// Lists only the sub-windows this returns true for (static sharding across instances:
  /// exporter::MakeShardClaim). When set, sub-windows lie on the epoch-aligned grid of
  /// `sub_window` (exporter::SubWindowAt: a 1-day grid is UTC days), so every instance and every
  /// run numbers them alike; the first and last are clipped to [tasks.from, tasks.to). Skipped
  /// sub-windows cost no API call. Ignored with task_ids. Default: none (every sub-window, laid
  /// from tasks.from).
  exporter::SubWindowClaim claim_sub_window;
  /// Lists only the sub-windows this instance leases (dynamic sharing across instances, docs/scale.md):
  /// sub-windows lie on the epoch-aligned grid as with claim_sub_window (which, when set too, is
  /// asked first). Each sub-window is claimed with SubWindowLeaser::Claim(); a claimed one is
  /// listed, each of its items' ExportItem::on_done is tracked (TrackItem()) and the listing's
  /// end reported (Listed()), so the lease is renewed until the engine has finished every item
  /// and then marked done; an item that ended failed or pending (ExportItem::on_outcome) or a
  /// task reported pending while it was listed makes it released instead (Unfinished()), so it is
  /// listed again. After the last sub-window, Enumerate() takes over, one by one, the
  /// sub-windows other instances held (SubWindowLeaser::NextTakeover(): it waits while their
  /// leases are live) and returns once every sub-window of the range is done; its errors
  /// (kDeadlineExceeded after SubWindowLeaserOptions::max_wait, an unreachable lease store) end
  /// Enumerate() with that error. Do not use with a dry run (items reported by a dry run would
  /// mark their sub-windows done). Ignored with task_ids. Default: none.
  std::shared_ptr<exporter::SubWindowLeaser> lease_sub_windows;
  /// Task and recording filters. Default: none.
  WebexTaskFilter filter;
  /// How long a task may stay without a recording. A task with captureRequested true or null
  /// whose Captures entry is still empty more than this long after its createdTime (measured
  /// with `clock`) is reported once with PendingItem::given_up set and the reason
  /// "unavailable after <age>: ..." — the engine records it as failed and stops holding the
  /// incremental resume point for it, so a recording that was purged or never produced cannot
  /// pin `--since-last-run` forever. The Tasks API has no end time (Webex CC reference §4.2:
  /// `endedTime` is a Search API field), so the age counts from the task's createdTime. A listed
  /// task without createdTime (the spec has it; a server may omit it) was created before the end
  /// of the sub-window that listed it, so its age counts from that end: it is given up, never
  /// early. While pending it has no window time and keeps the `--since-last-run` checkpoint at
  /// the window's start (ExportSummary::unfinished_without_window_time). A task given with
  /// task_ids has no createdTime and never gives up.
  /// Zero: wait forever. Default 3 days.
  std::chrono::milliseconds pending_max_age{std::chrono::hours(72)};
  Logger logger;
  std::shared_ptr<Clock> clock;  ///< default system clock
};

/// The placeholders that identify a Webex recording in a key template: {task_id} and
/// {recording_id}. Webex CC reference §5.3: key each object by task ID and recording id (a task has
/// several recordings: segments, consult legs); file names repeat ("recording-1.wav").
CCREC_EXPORT exporter::KeyIdentityRule WebexKeyIdentity();

/// The extra key-template placeholders of the Webex source: {kind} ("recording" or
/// "transcript"). The engine takes them from RecordingSource::ExtraKeyNames(); pass them to
/// exporter::KeyTemplate::Parse() when validating a template yourself.
CCREC_EXPORT std::vector<std::string> WebexExtraKeyNames();

/// The manifest recording_id (and {recording_id}) of entry `index` of a task's
/// `transcription[]` list: "transcript-<id>"; "transcript-<id>-<index + 1>" when another entry
/// of the list has the same id (the id is the CCAI config id for voice, which need not be
/// unique within a task); "transcript-<index + 1>" when the id is empty; a derived id that another
/// entry has as its own (a hostile list) gets "-<index + 1>" again until it is free; an entry that
/// repeats an earlier one gets that entry's id (exported once). Never a recording id
/// (those are UUIDs), so recordings and transcripts of one task never share a key under the
/// {task_id}+{recording_id} rule. Assumption (not documented by Cisco): the server lists a
/// task's transcripts in a stable order.
CCREC_EXPORT std::string TranscriptItemId(std::vector<Transcription> const& transcriptions, std::size_t index);

/// The manifest recording_id (and {recording_id}) of entry `index` of a task's `recording[]`
/// list: the recording's `id` (a UUID) when no other entry of the list has it;
/// "<id>-<index + 1>" when another entry has the same id; "recording-<index + 1>" when the id is
/// missing, empty, null or neither a string nor an integer (Recording::id is empty); a derived id
/// that another entry has as its own (e.g. `"id":"recording-1"` beside an entry without id) gets
/// "-<index + 1>" again until it is free; an entry that repeats an earlier one (same id, attributes
/// and presigned object apart from its query) gets that entry's id and is exported once. So every
/// recording of a capture is its own item, and re-querying
/// Captures for a fresh presigned URL finds the same entry (for a derived id, only when its
/// fileName, times, callType and channels are unchanged). Same rule as TranscriptItemId().
/// Assumption (not documented by Cisco): the server lists a task's recordings in a stable order.
CCREC_EXPORT std::string RecordingItemId(std::vector<Recording> const& recordings, std::size_t index);

/// Lists the window's tasks (keyset paging; or takes WebexSourceOptions::task_ids), skips ended
/// tasks with captureRequested == false (one still open is reported pending instead: whether it
/// is recorded may change until it ends; once older than pending_max_age, or without
/// createdTime, it is skipped), queries Captures in batches of 10 and yields one ExportItem per
/// recording entry (stitched or segment, consult legs included, virtual-agent legs with
/// include_va_recordings) and per transcript (include_transcripts). Tasks with nothing to export
/// yet (captureRequested true or null and no recording, nor transcript when they are included)
/// are reported as pending, or as given up once older than
/// WebexSourceOptions::pending_max_age. A task listed while still open (status created, queued,
/// offered or assigned) whose capture already has entries has them exported and is reported
/// pending as well (given up the same way), so that a later run lists it again for recordings
/// made after this one (reference §4.4). A task listed while still open that does not match the
/// task filters or the Search filters yet is reported pending too (they are judged once it has
/// ended), not skipped; so is, with enrich_search, an ended task Search has not indexed yet. An element of the Tasks answers that is not a task (no
/// string `id`: its recordings cannot be looked up) becomes a failed item (task_id and
/// recording_id "malformed-task-" + 12 hex of SHA-256 of the element; its error quotes the
/// element), so such a run reports failures instead of ending as if complete; once older than
/// pending_max_age it is reported as given up instead (one failed line, no longer holding the
/// resume point). Recordings of one
/// task are told apart by RecordingItemId() (missing or repeated ids included).
///
/// Each item's MediaOpener downloads the presigned URL exactly as given with no Authorization
/// header; when the URL is about to expire, or the download answers 403, it re-queries Captures
/// for that task once and retries with the fresh URL. Sidecars hold the task attributes and
/// the recording's capture attributes, without the presigned URL (a bearer secret while valid).
///
/// Its KeyIdentity() is WebexKeyIdentity(), its ExtraKeyNames() WebexExtraKeyNames(). No I/O
/// happens here.
///
/// Source: Webex CC reference §4 (Tasks), §5 (Captures), §5.4 (presigned download rules).
/// @par Thread safety
/// The returned source follows exporter::RecordingSource's contract.
CCREC_EXPORT std::unique_ptr<exporter::RecordingSource> MakeWebexSource(Client client, WebexSourceOptions options);

}  // namespace ccrec::webex
