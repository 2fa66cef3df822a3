// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `webex::Client`: the Webex Contact Center Tasks and Captures APIs, and presigned recording
/// downloads.
///
/// @code
/// auto oauth = std::make_shared<ccrec::webex::OAuthClient>(oauth_options);
/// ccrec::webex::Client client({*ccrec::webex::BaseUrlForRegion("us1"), oauth});
/// ccrec::webex::TaskQuery query{from, to, {"telephony"}};
/// for (auto& task : client.ListTasks(query)) {
///   if (!task) return task.error();
///   ...
/// }
/// @endcode
///
/// Source: Webex CC API (`wxcc-recordings-subset.openapi.json`): `GET /v1/tasks` (operationId
/// `searchTasks`), `POST /v1/captures/query` (operationId `downloadMultiRecordingPath`); ccrec
/// reference `webex-cc.md` §4, §5, §7.

#include <ccrec/core/export.hpp>
#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/http_client_options.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/pager.hpp>
#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/webex/errors.hpp>
#include <ccrec/webex/models.hpp>
#include <ccrec/webex/oauth.hpp>
#include <ccrec/webex/regions.hpp>
#include <ccrec/webex/search.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccrec::webex {

/// Construction options of Client. `base_url` and `tokens` are required.
///
/// The HTTP plumbing comes from HttpClientOptions: `transport` carries API calls and presigned
/// downloads; `clock` dates Retry-After and presigned-URL expiry; `retry` covers API calls and
/// opening downloads (CallContext::retry overrides it per call); `logger` receives retries,
/// paging fallbacks and skipped malformed entries (URLs redacted, tokens never logged).
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ClientOptions : HttpClientOptions {
  /// API base URL, e.g. "https://api.wxcc-us1.cisco.com" (see BaseUrlForRegion()) or an
  /// emulator's URL. A trailing slash is ignored. Required: calls fail with kInvalidArgument
  /// when it is empty, not an http(s) URL, or plain http on a non-loopback host (the access
  /// token would cross the network in clear).
  std::string base_url;
  /// Access tokens (normally an OAuthClient). Required: calls fail with kInvalidArgument without.
  std::shared_ptr<AccessTokenSource> tokens;
  /// Client-side limit on Webex API requests (Tasks, Captures; not presigned downloads, which go
  /// to S3). Share one limiter among all clients using the same client id: Webex allows 300
  /// requests per minute per client id (reference §7). Acquire() is called before every attempt;
  /// a 429's Retry-After pauses the limiter for everyone. MakeSlidingWindowRateLimiter() keeps
  /// the documented rule (at most 300 in any 60 s); ccrec-export uses it by default.
  /// Default: none (no client-side limit).
  std::shared_ptr<RateLimiter> rate_limiter;
  /// Accept presigned recording URLs over plain http. Default false: such a URL fails the
  /// download with kInvalidArgument, since recordings are personal data. Whatever this says,
  /// URLs pointing at link-local or cloud-metadata addresses (169.254.0.0/16, fe80::/10,
  /// fd00:ec2::254, metadata.google.internal) are always refused, so that no server can make
  /// ccrec fetch an internal endpoint and store the answer as a recording.
  bool allow_http_media = false;
  /// Total time one attempt of an API call (a Tasks or Captures page: connect, request, status,
  /// headers and body) may take before it fails with kDeadlineExceeded (not retried). Bounds a
  /// server that trickles its answer, which the transport's low-speed floor (1 byte/s) never
  /// catches. Default 60 s (a 1000-task page is well under 1 MB);
  /// 0 = none (the transport's CurlOptions::total_timeout applies). Presigned recording
  /// downloads never get a total timeout: they keep the transport's low-speed floor only.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
};

/// Client for the Webex Contact Center Tasks and Captures APIs.
///
/// Every API request carries `Authorization: Bearer <token>`, `Accept: application/json` and a
/// unique `TrackingId: CCREC_<uuid>` per HTTP request (retries get new ones).
/// CallContext::extra_headers are added, replacing same-named headers (so a caller's
/// `TrackingId` wins). Only spec-defined query parameters are sent. Requests are retried through
/// the client's RetryPolicy on transport errors, 408, 429 (honouring Retry-After) and 5xx;
/// 400/403/404/413/422 are not retried. A 401 invalidates the token, refreshes it and retries
/// once; a second 401 fails with kUnauthenticated. Errors carry the server's `trackingId` (or
/// the TrackingId sent) in Error::request_id.
///
/// @par Thread safety
/// Immutable after construction; all methods are const and thread-safe. Copies are cheap and
/// share the transport, token source and backoff state.
class CCREC_EXPORT Client {
 public:
  /// Builds the client; no I/O happens here. Missing transport/clock/sleeper get defaults.
  explicit Client(ClientOptions options);

  /// Fetches exactly one page: one `GET /v1/tasks?from=..&to=..[&channelTypes=..]&pageSize=..[&orgId=..]`.
  ///
  /// The page is returned as the server sent it (server order, no window filtering or
  /// de-duplication); tasks without an `id` are dropped (logged). Most callers want ListTasks().
  ///
  /// @param query from/to (epoch ms), channel_types, page_size, org_id.
  /// @return the tasks of the page.
  /// Errors: kInvalidArgument for a bad query (to <= from, page_size outside 1..1000, an empty
  /// or non-lower-case channel type) or a 400/413/422; kUnauthenticated (401 after one refresh;
  /// re-authorize), kPermissionDenied (403: scope cjp:config_read / role), kRateLimited,
  /// kUnavailable, kTransport after retries; kParse when the body is not JSON, lacks `data`, or
  /// the Content-Type is not JSON.
  ///
  /// Source: Webex CC API `GET /v1/tasks` (operationId searchTasks); reference §4.1, §4.2.
  /// @par Thread safety
  /// Thread-safe.
  Result<std::vector<Task>> ListTasksPage(TaskQuery const& query, CallContext const& ctx = {}) const;

  /// Lists every task created in the half-open window [query.from, query.to), each exactly once,
  /// in ascending createdTime order, fetching lazily.
  ///
  /// Keyset paging on createdTime (the API has no paging parameters), correct whether the server
  /// treats `from` (and `to`) as inclusive or exclusive. The first request uses from-1 (so an
  /// exclusive server still returns tasks at `from`); after a full page whose last createdTime is
  /// L the next request asks for createdTime >= L (from=L-1, or from=L once the server has shown
  /// itself inclusive by returning a task at exactly `from`); ids are de-duplicated; a
  /// millisecond holding more tasks than one page is re-read on its own as [m, m+1) with
  /// pageSize 1000 (then per channel type); a page with fewer `data[]` elements than pageSize
  /// (malformed elements count: they took a place in the page) ends the listing, except that a
  /// page of exactly 100 elements (the API's default pageSize) when more were asked for is
  /// followed by one more request, and if tasks follow it the server is taken to cap pageSize at
  /// 100 (logged; paging goes on with that size). If a page is not sorted ascending or not inside
  /// the range asked for, the rest of the window is split in halves until each part fits in one
  /// page. Tasks without createdTime are emitted once and logged. Normally one request per full
  /// page.
  ///
  /// Elements that are not tasks (not an object, or no non-empty string `id`) are logged (Warn,
  /// with the request and index) and, since they could not be listed, the range ends with a
  /// kParse error after every task (counting them, naming the first); set
  /// TaskQuery::on_malformed to receive them instead.
  ///
  /// @param query window, channel types, page size (the request size; clusters use 1000), org id,
  ///   and the optional receiver of malformed elements.
  /// @return a one-pass range of Result<Task>; an error ends it. If more than 1000 tasks of one
  /// channel type share one millisecond (which the API cannot page), every task that could be
  /// read is still yielded and the range ends with a kInternal error naming the millisecond.
  /// Errors: as ListTasksPage(); kParse when the server ignores from/to, or (without
  /// TaskQuery::on_malformed) when an element of the window is not a task.
  ///
  /// Source: Webex CC API `GET /v1/tasks` (operationId searchTasks); reference §4.3, §4.4.
  /// @par Thread safety
  /// The pager is used by one thread; the client stays shareable.
  Pager<Task> ListTasks(TaskQuery const& query, CallContext const& ctx = {}) const;

  /// One `POST /v1/captures/query` for up to 10 task ids.
  ///
  /// Body: `{"query":{"taskIds":[..],"urlExpiration":N,"includeSegments":b,"includeVARecordings":b[,"orgId":".."]}}`.
  /// Every recording of every task is returned (segments, consult and virtual-agent legs).
  /// The result has one entry per requested id in request order (unknown ids get empty lists),
  /// followed by any extra tasks the server returned. Entries the server sent without `taskId`
  /// are dropped and logged. Model parsing is lenient: missing, extra or wrong-typed fields never
  /// fail a call (a wrong-typed optional field reads as absent).
  ///
  /// @param query task_ids (1..10 after removing duplicates), url_expiration (1..60 min),
  ///        include_segments, include_va_recordings, org_id.
  /// Errors: kInvalidArgument for no ids, an empty id, more than 10 unique ids, url_expiration
  /// outside 1..60 minutes (checked locally, nothing sent) or an HTTP 400; kParse when the body
  /// is not JSON, lacks `data`, or the Content-Type is not JSON; others as ListTasksPage().
  ///
  /// Source: Webex CC API `POST /v1/captures/query` (operationId downloadMultiRecordingPath);
  /// reference §5.1–§5.3. Documented safe to repeat, so retried like a GET.
  /// @par Thread safety
  /// Thread-safe.
  Result<std::vector<TaskCaptures>> QueryCaptures(CaptureQuery const& query, CallContext const& ctx = {}) const;

  /// QueryCaptures() over any number of ids: removes duplicates (keeping first occurrences) and
  /// sends batches of at most 10, in order.
  ///
  /// @param task_ids the ids; `options.task_ids` is ignored.
  /// @param options url_expiration, include_segments, include_va_recordings, org_id.
  /// @return one entry per unique id, in first-occurrence order (plus extras the server added).
  ///         Empty input gives an empty result without any request.
  /// Errors: the first batch error, as QueryCaptures() (earlier batches' results are discarded).
  /// @par Thread safety
  /// Thread-safe.
  Result<std::vector<TaskCaptures>> QueryCapturesBatched(std::vector<std::string> task_ids, CaptureQuery const& options,
                                                         CallContext const& ctx = {}) const;

  /// Opens a presigned recording URL (RecordingAttributes::file_path) for streaming.
  ///
  /// Sends a plain `GET` of `presigned_url` byte-for-byte as given (no decoding, re-encoding or
  /// reordering) with `Accept-Encoding: identity` (the stored bytes, never a compressed
  /// transfer) and no other header: no Authorization (S3 rejects a second auth mechanism), no
  /// TrackingId, and CallContext::extra_headers are not applied — except, when `offset` > 0,
  /// `Range: bytes=<offset>-` plus the `If-Range` of ctx.extra_headers if it has one (the
  /// export engine puts the first response's ETag there, so a changed object answers 200 with
  /// its new bytes instead of a spliced 206). Retries transport errors, 429/503 SlowDown and 5xx
  /// before the body starts; the body is then streamed by the caller through HttpResponse::body.
  ///
  /// @param presigned_url the `filePath` from QueryCaptures(). Never logged with its query.
  /// @param offset first byte wanted, for resuming. Default 0 (whole object). When the server
  ///        ignores the Range header (200 instead of 206) the first `offset` bytes are skipped
  ///        locally: the status stays 200 and Content-Length is reduced by `offset`.
  /// @return the response (status 200 or 206) with its streaming body.
  /// Errors: kPermissionDenied with vendor_code "AccessDenied" on 403 (normally: the URL expired;
  /// the message says so, with the expiry time; re-query captures for a fresh URL);
  /// kNotFound (404 NoSuchKey); kInvalidArgument (400, 416, or a URL that is not http(s); a 400
  /// ExpiredToken, TokenRefreshRequired or InvalidToken — the URL's temporary credentials ended
  /// before it did — says to re-query captures, which the export engine does once, as for 403);
  /// kRateLimited (429, 503 SlowDown); kUnavailable (5xx); kTransport; kIntegrity (http_status
  /// 200 or 206) when the answer's Content-Type is `text/html` or `application/xhtml+xml`: a
  /// proxy, captive portal or error page answered, not the recording store (no recording or
  /// transcript is HTML; not retried here, the export engine retries kIntegrity). S3 XML error bodies
  /// (`<Code>`, `<Message>`, `<RequestId>`) fill vendor_code, message and request_id.
  ///
  /// Source: reference §5.4 (downloading `filePath`); AWS S3 presigned URLs (SigV4 query auth).
  /// @par Thread safety
  /// Thread-safe; the returned body is read by one thread.
  Result<HttpResponse> OpenRecording(std::string const& presigned_url, CallContext const& ctx = {},
                                     std::uint64_t offset = 0) const;

  /// When a presigned URL stops working: `X-Amz-Date` + `X-Amz-Expires` seconds (SigV4), or the
  /// `Expires` epoch seconds of a SigV2 URL.
  ///
  /// @param url a presigned URL.
  /// @return the expiry, or nullopt when the URL carries no (well-formed) expiry.
  /// Source: AWS S3 SigV4 query-string authentication; reference §5.4.
  /// @par Thread safety
  /// Thread-safe.
  static std::optional<std::chrono::system_clock::time_point> PresignedUrlExpiry(std::string_view url);

  /// One page of the Search API: one `POST /search[?orgId=]` with body
  /// `{"query":"query($from: Long!, $to: Long!) { task(from: $from, to: $to, timeComparator: createdTime,
  /// filter: {...}, pagination: {cursor: "<cursor>"}) { tasks { id channelType ... } pageInfo { hasNextPage
  /// endCursor } } }","variables":{"from":N,"to":N}}`. Filter values, CAD names and the cursor are
  /// GraphQL string literals escaped by ccrec (quotes, backslashes, control characters), never
  /// pasted as syntax. Retries, 401 refresh, rate limiter and the 16 MiB body cap as for Tasks.
  ///
  /// @param cursor "0" for the first page (the spec's example), then SearchPage::end_cursor.
  /// Errors: kInvalidArgument for a bad query (to <= from, a window over 365 days, a channel type
  /// that is not lower-case letters, an empty CAD name, an empty org_id) or an HTTP 400/422;
  /// kParse when the answer has a GraphQL `errors` array (their messages are quoted), lacks
  /// `data.task.tasks`, or is not JSON; others as ListTasksPage().
  ///
  /// Source: Webex CC API `POST /search` (operationId getSearchResults); reference §6.
  /// @par Thread safety
  /// Thread-safe.
  Result<SearchPage> SearchTasksPage(SearchQuery const& query, std::string const& cursor,
                                     CallContext const& ctx = {}) const;

  /// Every page of SearchTasksPage(): starts with cursor "0", then passes back `endCursor` as
  /// received while `hasNextPage` is true (when a page has no `endCursor`, the page number as a
  /// string, as Cisco's samples do). Tasks without `id` are dropped.
  /// @return the tasks in server order (ids de-duplicated, first kept).
  /// Errors: as SearchTasksPage(); kParse when the server repeats a cursor or exceeds 100000 pages.
  /// @par Thread safety
  /// Thread-safe.
  Result<std::vector<SearchTask>> SearchTasks(SearchQuery const& query, CallContext const& ctx = {}) const;

 private:
  /// One JSON POST to base_url + `path` through the client's retries, 401 refresh, rate limiter
  /// and body cap; the 2xx body.
  Result<std::string> PostJson(std::string const& path, std::string body, CallContext const& ctx,
                               std::string const& what) const;

  /// The client's logger (ClientOptions::logger), for operations defined outside client.cpp.
  Logger const& ClientLogger() const;

  struct CCREC_HIDDEN Impl;
  std::shared_ptr<Impl const> impl_;
};

}  // namespace ccrec::webex
