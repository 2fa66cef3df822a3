// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `face::Client`: the Oracle ISR FACE REST API — login token, recording search, segment-aware
/// download, and the recording control commands.
///
/// @code
/// ccrec::face::ClientOptions options;
/// options.base_url = "https://isr.example.com:8443";   // "/Face/..." is appended
/// options.user_email = "israpi@example.com";
/// options.password = password;
/// ccrec::face::Client client(options);
/// ccrec::face::ListQuery query{from, to};
/// for (auto& match : client.ListRecordings(query)) {
///   if (!match) return match.error();
///   auto recording = client.GetRecording(match->recording_id);
///   ...
/// }
/// @endcode
///
/// Source: ISR API Guide 6.2–6.4 "REST API Commands", "Basic FACE Commands", "Fetch Recordings",
/// "Format Responses in JSON"; ccrec reference `oracle-face.md`.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/http_client_options.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/pager.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/face/criteria.hpp>
#include <ccrec/face/errors.hpp>
#include <ccrec/face/models.hpp>
#include <ccrec/face/templates.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccrec::face {

/// How `audioRecording/segment/download` and `segment/redirect` select the segment. Which
/// parameter Oracle intends is undocumented (reference §8 [U]); both are unique selectors.
enum class SegmentSelector {
  kSegmentId,  ///< `segmentId=<id>` (default)
  kFilename,   ///< `filename=<file name>` ("Download Recorded Segment File by File Name")
};

/// Construction options of Client. `base_url`, `user_email` and `password` are required.
///
/// From HttpClientOptions: `clock` decides token expiry; `retry` covers searches and downloads
/// (transport errors, HTTP 5xx/429, FACE codes 10, 20, 21, 24, 25; CallContext::retry overrides
/// it per call), control commands are never retried; `logger` gets URLs redacted (`token=***`),
/// never the password or the token.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ClientOptions : HttpClientOptions {
  /// `https://HOST:PORT` of the FACE server; the client appends `/Face/<command>`. A trailing
  /// slash or a trailing `/Face` is tolerated. Required: calls fail with kInvalidArgument when it
  /// is not an http(s) URL without query.
  std::string base_url;
  /// The API User's e-mail (case-insensitive on the server). Required.
  std::string user_email;
  /// Its password. Sent only in the login form body; never logged or put in an error message.
  std::string password;
  /// Token lifetime requested as `expirationSeconds`. The server may grant less (its maximum is
  /// one day). Default 3600 s.
  std::chrono::seconds token_lifetime{3600};
  /// Log in again this long before the token expires (capped at a quarter of the granted
  /// lifetime, so short-lived tokens do not cause a login per call). Default 60 s.
  std::chrono::seconds renew_margin{60};
  /// Form field carrying the e-mail at login. Default "userEmail" (the command page also
  /// mentions `userId`; an escape hatch only).
  std::string user_email_field = "userEmail";
  /// Date format of criteria and parsing of response times. Default: UTC, milliseconds.
  TimeFormat time_format;
  /// How segments are selected for download. Default kSegmentId.
  SegmentSelector segment_selector = SegmentSelector::kSegmentId;
  /// Total time one attempt of a login, a search or any other command (connect, request,
  /// status, headers and body) may take before it fails with kDeadlineExceeded (not retried).
  /// Bounds a server that trickles its answer, which the transport's low-speed floor (1 byte/s)
  /// never catches. Default 60 s (a search page of 1000 recordings is a few hundred KB);
  /// 0 = none (the transport's CurlOptions::total_timeout applies). Recording downloads never
  /// get a total timeout: they keep the transport's low-speed floor only.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
};

/// A time window listing for ListRecordings().
///
/// @par Thread safety
/// A plain value type.
struct ListQuery {
  /// Half-open window [from, to) on the recording start time. Required, from < to.
  std::chrono::system_clock::time_point from{};
  std::chrono::system_clock::time_point to{};
  /// Extra criteria (e.g. ani, dnis, custom fields). Its date fields, segment_id and
  /// max_list_length must be unset (the lister sets them).
  SearchCriteria filter;
  /// `maxListLength` of each request, 1..1000. Default 1000.
  int max_list_length = 1000;
  /// Called on the pager's thread, before the matches of the same answer are yielded, once for each
  /// entry of a complete (not truncated) list that cannot be read (no `recordingId`; see
  /// UnreadableEntry), with the inclusive window [window_start, window_end] that list answered. Such
  /// an entry names no recording, so it is never yielded; the lister always logs it as a warning
  /// with its index. The same entry (same fingerprint) is reported once. Default none.
  std::function<void(UnreadableEntry const& entry, std::chrono::system_clock::time_point window_start,
                     std::chrono::system_clock::time_point window_end)>
      on_unreadable_entry;
};

/// Selects a supplemental or video file for `file/download`.
///
/// @par Thread safety
/// A plain value type.
struct FileSelector {
  /// `filename`; or
  std::optional<std::string> filename;
  /// `supplementalFileId`. One of the two is required.
  std::optional<std::string> supplemental_file_id;
  /// Sends `type=video`. Default false.
  bool video = false;
};

/// Metadata sent as a POST body with start, stop, pause or resume (reference §4). FACE applies it
/// to the recording. Only set fields are sent.
///
/// @par Thread safety
/// A plain value type.
struct MetadataUpdate {
  std::optional<std::string> filename;
  std::optional<std::string> agent_id;
  std::optional<std::string> agent_terminal;
  std::optional<bool> sensitive;
  std::optional<bool> set_never_expire;
  /// Custom data field names and values.
  std::vector<std::pair<std::string, std::string>> custom_fields;
};

/// `codecProfile` of `start`.
enum class CodecProfile : int {
  kDefault = 1,
  kSmallest = 2,
  kSmall = 3,
  kBestQuality = 4,
  kFirefoxCompatible = 5,
};

/// Parameters of `audioRecording/start`.
///
/// @par Thread safety
/// A plain value type.
struct StartParams {
  /// `ani`, required (else FACE code 6).
  std::string ani;
  /// `dnis`, required (else FACE code 7).
  std::string dnis;
  std::optional<std::int64_t> channel_number;
  std::optional<std::int64_t> rss_id;
  std::optional<CodecProfile> codec_profile;
  /// Custom data field names and values sent as URL parameters.
  std::vector<std::pair<std::string, std::string>> custom_fields;
  /// Sent as a POST body when set.
  std::optional<MetadataUpdate> metadata;
};

/// Parameters of `audioRecording/pause`.
///
/// @par Thread safety
/// A plain value type.
struct PauseOptions {
  /// `fillWithSilence=true` pads the paused section with silence instead of cutting it out.
  std::optional<bool> fill_with_silence;
  std::optional<MetadataUpdate> metadata;
};

/// Parameters of `eventNotify` (policy events), as the ISR API guide documents them
/// (https://docs.oracle.com/en/industries/communications/interactive-session-recorder/6.3/api/rest-api-commands.html):
/// `eventNotify?event=AudioRecordingStarted&ucid=...&calledAors=sip:agentX@...,sip:agentY@...`.
/// Values are percent-encoded (RFC 3986, `:` -> %3A, `@` -> %40); the `,` between AORs stays
/// literal, as in the guide's example.
///
/// @par Thread safety
/// A plain value type.
struct EventNotifyParams {
  /// `event`, required: `AudioRecordingStarted` and `AudioRecordingEnded` are the documented
  /// events; custom events can be configured on the ISR, so any non-empty name is sent as is.
  std::string event;
  /// `ucid`, optional: the ISR UCID of the session (e.g. "x-isr-ucid-1-28605@10.10.248.209").
  /// Set but empty: kInvalidArgument.
  std::optional<std::string> ucid;
  /// `calledAors`, optional: the called parties' AORs (e.g. "sip:agentX@example.com"), sent
  /// comma-separated; omitted when empty. An empty AOR or one containing ',' is kInvalidArgument.
  std::vector<std::string> called_aors;
  /// Further selection criteria (reference §4), appended after the documented parameters; empty
  /// by default (the guide's example sends none).
  SearchCriteria target;
};

/// Parameters of `StartScreenCapture` / `StopScreenCapture` (ObserveIT screen capture), as the
/// ISR API guide documents them (same page as EventNotifyParams):
/// `StartScreenCapture?IsrId=...@1.2.3.5&AgentId=6789`. Exactly one of `agent_id` and
/// `screen_ip` selects the agent's screen.
///
/// @par Thread safety
/// A plain value type.
struct ScreenCaptureParams {
  /// `IsrId`: the session's UCID. Required by StartScreenCapture(); not sent by StopScreenCapture()
  /// (kInvalidArgument when set there).
  std::optional<std::string> isr_id;
  /// `AgentId`: the DNIS or ANI registered for the agent's screen.
  std::optional<std::string> agent_id;
  /// `ScreenIP`: the IP address of the agent's screen.
  std::optional<std::string> screen_ip;
};

/// Client for the ISR FACE REST API.
///
/// Authentication: `POST /Face/login` with a form body (`userEmail`, `password`,
/// `expirationSeconds`) and `Accept: application/json`; the answer is parsed leniently (JSON or
/// XML, `expiration` as "3600seconds" or a number). The token travels only as the URL parameter
/// `token=` (reference §2) and is renewed before it expires. One login serves every thread
/// (single-flight). A token error on a call (HTTP 401, code 27 for `token`, code -1 "Invalid or
/// expired token") invalidates the token, logs in again once and retries the call once. A login
/// is attempted at most twice per need (a retry only for transport errors, HTTP 5xx and code 16);
/// a rejected login (wrong credentials, locked account, expired password) is remembered and
/// returned to every later call without asking the server again, so a misconfigured run cannot
/// lock the account.
///
/// Every request asks for JSON (`Accept: application/json`). An XML answer (FACE's default format,
/// from a server or proxy that ignores `Accept`; UTF-8 or UTF-16) is read into the same models
/// (docs/face.md "XML answers"); malformed XML is kParse naming the command.
/// Only documented parameters are sent, never a POST body to `details`.
///
/// @par Thread safety
/// Immutable after construction; all methods are const and thread-safe. Copies are cheap and
/// share the transport and the login session.
class CCREC_EXPORT Client {
 public:
  /// Builds the client; no I/O happens here.
  explicit Client(ClientOptions options);

  /// `GET /Face/version` (no token): the FACE version, e.g. "5.2.0M1P0 build 2016.12.15_13.29".
  /// A health check; JSON and XML answers are both accepted.
  /// Errors: kTransport, kUnavailable, or MapFaceError() of a failure; kParse without a version.
  /// Source: reference §1 (version), [O:BASICS].
  /// @par Thread safety
  /// Thread-safe.
  Result<std::string> Version(CallContext const& ctx = {}) const;

  /// Makes sure a valid token exists, logging in when there is none or it is about to expire.
  /// The CLI calls it first to fail fast with a clear message.
  /// @return when the token expires and its lifetime.
  /// Errors: kUnauthenticated for a rejected login — the message says "the password has
  /// expired" for an expired password, else "wrong e-mail or password, or the account is locked
  /// or not an API User" (FACE answers both with the same generic message); vendor_code "-1".
  /// kUnavailable (code 16 "Error Generating Token", HTTP 5xx) and kTransport after two attempts;
  /// kParse when the answer has no token; kInvalidArgument for a bad base_url or empty
  /// credentials (nothing is sent).
  /// Source: reference §2.
  /// @par Thread safety
  /// Thread-safe (single-flight).
  Result<LoginInfo> Login(CallContext const& ctx = {}) const;

  /// Number of successful logins so far (diagnostics: a run should need very few).
  /// @par Thread safety
  /// Thread-safe.
  std::uint64_t LoginCount() const;

  /// `GET audioRecording/details` with `criteria`.
  /// @return code 0 (one full recording), code -1 (list; `truncated` when the server said "more
  /// matches than maxListLength" or the list holds max_list_length entries), or code 19 (empty).
  /// Errors: kInvalidArgument for bad criteria (EncodeCriteria()); kParse for malformed JSON or
  /// XML, a missing `result`/`code`, a code 0 without `recording`, or a code -1 list whose
  /// `matches` is missing or not a list (a number, a boolean, a non-empty string: the matches it
  /// announces cannot be read; `[]`, `{}`, `null` and `""` are an empty list); others as
  /// MapFaceError(). Retried as ClientOptions describes for `retry`. JSON and XML answers
  /// are classified alike: the FACE code in the body decides over the HTTP status (code 19 or a
  /// -1 list is an answer whatever the status), token errors log in again once, and the transient
  /// codes (10, 16, 20, 21, 24, 25; -1 with a 5xx) are retried; a body without a code falls back
  /// to the HTTP status.
  /// Source: reference §4, §5.1, §5.2, §7.
  /// @par Thread safety
  /// Thread-safe.
  Result<RecordingSearchResult> SearchRecordings(SearchCriteria const& criteria, CallContext const& ctx = {}) const;

  /// `GET audioRecording/segment/details` with `criteria` (segment_id allowed).
  /// @return code 0 (one segment), -1 (list of segments with start/end), or 19.
  /// Errors: as SearchRecordings().
  /// Source: reference §1, §5.2.
  /// @par Thread safety
  /// Thread-safe.
  Result<SegmentSearchResult> SearchSegments(SearchCriteria const& criteria, CallContext const& ctx = {}) const;

  /// `GET audioRecording/details` (or `segment/details`) with `criteria` plus
  /// `format=template&formatName=NAME[&version=V]`: the answer rendered by a template configured
  /// on the ISR, returned unchanged (TemplatedAnswer::body), never parsed into models.
  /// Errors: kInvalidArgument for an empty name, a version that is not 1-9 digits or bad criteria
  /// (nothing sent); a FACE result document with a code other than 0 instead of the template's
  /// output (e.g. 19 no recording found → kNotFound; the guide does not say what an unknown
  /// template answers) → MapFaceError(); others as SearchRecordings(). An answer that is itself
  /// a `<result>` or `{"result":...}` with a non-zero code is taken to be such an error, in either
  /// format, its transient codes retried.
  /// Source: ISR API Guide, "REST API Commands" and "Format Responses in the Default 'verint'
  /// Template" (docs/face.md, Templates).
  /// @par Thread safety
  /// Thread-safe.
  Result<TemplatedAnswer> SearchTemplated(TemplateCommand command, SearchCriteria const& criteria,
                                          TemplateFormat const& format, CallContext const& ctx = {}) const;

  /// The full metadata of one recording: `details?recordingId=ID`.
  ///
  /// If the server answers with a list instead (it may treat recordingId as a control-only
  /// criterion, reference §4 [U]), the entry with that id is taken and its segments are read with
  /// `segment/details?recordingId=ID`; ani/dnis come from the list entry. A segment listed more
  /// than once (the same `segmentId`) is kept once, the first, with a warning.
  /// @param recording_id the `recordingId`.
  /// Errors: kNotFound (code 19, or the id is not in the list); kInvalidArgument for an empty
  /// id; others as SearchRecordings().
  /// @par Thread safety
  /// Thread-safe.
  Result<Recording> GetRecording(std::string const& recording_id, CallContext const& ctx = {}) const;

  /// Lists every recording whose start time is in [query.from, query.to), each once, fetching
  /// lazily.
  ///
  /// Queries `details` with `earliestStart`/`latestStart` (inclusive) and `maxListLength`. The
  /// bounds are sent as whole seconds, rounded outward, and the answer is filtered to the
  /// millisecond here: the date format is undocumented (reference §4 [U]), and a server that read
  /// only the seconds of `...:27.999` would otherwise miss the rest of that second. Lists are not
  /// ordered by start time, so a truncated list is never paged: its window is split in halves
  /// (on whole seconds; inside one second, to the millisecond when TimeFormat::milliseconds) and
  /// each half queried again, until no list is truncated. Duplicates are dropped and entries
  /// outside the window (a sloppy server) are filtered out. Nothing is ever silently truncated:
  /// if one millisecond (one second with TimeFormat::milliseconds false) still holds more
  /// recordings than the server lists, the pager ends with kInternal naming that instant (narrow
  /// the filter, e.g. by ani/dnis); so do sub-second answers that together lack a recording the
  /// second's own list placed in the window (a server that ignores milliseconds). A list entry without a readable recordingId still
  /// counts toward maxListLength (a full list is truncated); it is not yielded but logged as a
  /// warning with its index and passed to ListQuery::on_unreadable_entry.
  /// @return a one-pass range of Result<RecordingMatch>; an error ends it. A code-0 answer
  /// (one recording in a window) is returned as a match built from the recording.
  /// Errors: kInvalidArgument for an empty or inverted window, max_list_length outside 1..1000
  /// or a filter with time fields; others as SearchRecordings().
  /// Source: reference §5.2 and the assumptions (split, never page).
  /// @par Thread safety
  /// The pager is used by one thread; the client stays shareable.
  Pager<RecordingMatch> ListRecordings(ListQuery const& query, CallContext const& ctx = {}) const;

  /// `audioRecording/download?recordingId=ID` — single-segment recordings only (a multi-segment
  /// recording fails with code -1 pointing to segment/download: use DownloadSegment()).
  /// @return the 200 response with the streaming audio body (any Content-Type other than a
  /// JSON/XML/text result). A body labelled as media (e.g. `audio/wav`) that starts with '{' or
  /// '<' and reads as a FACE result (a `code`) is that result (no audio file starts so); one that
  /// does not read as a result is returned as served.
  /// Errors: MapFaceError() of a result body (e.g. 19 kNotFound, 2 kPermissionDenied, 1
  /// kPermissionDenied, 11 kNotFound after one retry, 24/25 kUnavailable after retries); kParse
  /// for a code-0 result instead of audio; kUnauthenticated when the token is rejected twice;
  /// kIntegrity for an empty audio body (no audio file is 0 bytes): at once with
  /// "Content-Length: 0", else from the body's first Read().
  /// Source: reference §6.
  /// @par Thread safety
  /// Thread-safe; the body is read by one thread.
  Result<HttpResponse> DownloadRecording(std::string const& recording_id, CallContext const& ctx = {}) const;

  /// `audioRecording/segment/download` for one segment, selected per ClientOptions::segment_selector
  /// (segmentId, or its file name).
  /// Errors: as DownloadRecording(); kInvalidArgument when the segment lacks the selector value.
  /// Source: reference §6.
  /// @par Thread safety
  /// Thread-safe.
  Result<HttpResponse> DownloadSegment(Segment const& segment, CallContext const& ctx = {}) const;

  /// `file/download` for supplemental and video files.
  /// Errors: kInvalidArgument when neither filename nor supplemental_file_id is set; others as
  /// DownloadRecording().
  /// Source: reference §1.
  /// @par Thread safety
  /// Thread-safe.
  Result<HttpResponse> DownloadFile(FileSelector const& file, CallContext const& ctx = {}) const;

  /// `audioRecording/redirect?recordingId=ID` (single-segment recordings): the URL of the file in
  /// the recording store, from the redirect's `Location` header (not followed). The URL carries
  /// no FACE token.
  /// Errors: kParse when the answer is neither a redirect nor a FACE result; others as
  /// DownloadRecording().
  /// Source: reference §6 [U].
  /// @par Thread safety
  /// Thread-safe.
  Result<std::string> RedirectRecording(std::string const& recording_id, CallContext const& ctx = {}) const;

  /// `audioRecording/segment/redirect` for one segment; see RedirectRecording().
  /// @par Thread safety
  /// Thread-safe.
  Result<std::string> RedirectSegment(Segment const& segment, CallContext const& ctx = {}) const;

  /// `audioRecording/start`: starts recording a call. Never called by the exporter.
  /// Errors: kInvalidArgument for empty ani/dnis (nothing sent) or codes 6/7/12/17; others as
  /// MapFaceError(). Not retried (not idempotent), except the one re-login on a token error.
  /// Source: reference §1, §4 (codecProfile).
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> Start(StartParams const& params, CallContext const& ctx = {}) const;
  /// `audioRecording/stop` of the recording selected by `target` (`metadata`, when set, goes in a
  /// POST body). Errors: code 13 (not started) → kInvalidArgument; others as Start().
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> Stop(SearchCriteria const& target, std::optional<MetadataUpdate> const& metadata = {},
                             CallContext const& ctx = {}) const;
  /// `audioRecording/pause` with optional `fillWithSilence`. Errors: code 12 (already paused,
  /// not started) → kInvalidArgument; others as Start().
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> Pause(SearchCriteria const& target, PauseOptions const& options = {},
                              CallContext const& ctx = {}) const;
  /// `audioRecording/resume`. Errors: code 12 (not paused) → kInvalidArgument; others as Start().
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> Resume(SearchCriteria const& target, std::optional<MetadataUpdate> const& metadata = {},
                               CallContext const& ctx = {}) const;
  /// `audioRecording/split`: ends the current segment and starts a new one. Errors: as Start().
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> Split(SearchCriteria const& target, CallContext const& ctx = {}) const;
  /// `audioRecording/delete`: marks the recording for deletion. Errors: as Start().
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> Delete(SearchCriteria const& target, CallContext const& ctx = {}) const;
  /// `eventNotify` (policy events) with `event`, then `ucid` and `calledAors` when set, then
  /// `params.target`'s criteria. The guide's answer `<response><Code>0</Code><message>success</message></response>`
  /// (and its JSON form `{"response":{"Code":0,...}}`) is accepted as well as the usual `result` shape.
  /// Errors: kInvalidArgument for an empty event, an empty ucid, an empty AOR or one containing ','
  /// (nothing is sent); others as Start(). Not retried.
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> EventNotify(EventNotifyParams const& params, CallContext const& ctx = {}) const;
  /// `StartScreenCapture?IsrId=...&AgentId=...` (or `&ScreenIP=...`): starts the ObserveIT screen
  /// capture of the agent's screen for the session. FACE answers `<response><Code>0</Code><message>ACK</message></response>`.
  /// Errors: kInvalidArgument (nothing sent) when isr_id is missing or empty, or when not exactly
  /// one of agent_id and screen_ip is set and non-empty; others as Start(). Not retried (not
  /// idempotent), except the one re-login on a token error.
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> StartScreenCapture(ScreenCaptureParams const& params, CallContext const& ctx = {}) const;
  /// `StopScreenCapture?AgentId=...` (or `?ScreenIP=...`): stops the agent screen's capture.
  /// Errors: kInvalidArgument (nothing sent) when not exactly one of agent_id and screen_ip is set
  /// and non-empty, or when isr_id is set (StopScreenCapture takes none); others as
  /// StartScreenCapture(). Not retried.
  /// @par Thread safety
  /// Thread-safe.
  Result<ControlResult> StopScreenCapture(ScreenCaptureParams const& params, CallContext const& ctx = {}) const;

 private:
  struct CCREC_HIDDEN Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ccrec::face
