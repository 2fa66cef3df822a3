// SPDX-License-Identifier: Apache-2.0
#pragma once
/// @file
/// `webex_legacy::Client`: the Webex Contact Center legacy v1 record API (CSR, CAR, ASR, AAR)
/// with API-key (HMAC-SHA1) authentication.
///
/// @code
/// ccrec::webex_legacy::ClientOptions options;
/// options.base_url = *ccrec::webex_legacy::BaseUrlForRegion("us1");
/// options.credentials = {"userID@portal-controlhub.com", api_key, "11894"};
/// ccrec::webex_legacy::Client client(options);
/// ccrec::webex_legacy::Query base;      // lab defaults; or base.raw_json = <copied from Analyzer>
/// auto csrs = client.ListCsrs(base, {from, to});   // splits windows so nothing is truncated
/// if (!csrs) return csrs.error();
/// @endcode
///
/// Source: ccrec reference `webex-legacy-v1.md` §2 (endpoints), §3 (auth), §4 (query, CSV),
/// §5 (CARs), §6 (errors). Cisco recommends the OAuth2 APIs (`ccrec::webex`); use v1 only when you
/// opt in explicitly — ccrec never falls back to it.

#include <ccrec/core/call_context.hpp>
#include <ccrec/core/clock.hpp>
#include <ccrec/core/export.hpp>
#include <ccrec/core/http.hpp>
#include <ccrec/core/http_client_options.hpp>
#include <ccrec/core/log.hpp>
#include <ccrec/core/pager.hpp>
#include <ccrec/core/result.hpp>
#include <ccrec/core/retry.hpp>
#include <ccrec/webex_legacy/auth.hpp>
#include <ccrec/webex_legacy/csv.hpp>
#include <ccrec/webex_legacy/models.hpp>
#include <ccrec/webex_legacy/query.hpp>
#include <ccrec/webex_legacy/windows.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ccrec::webex_legacy {

/// Response format of a query: `Accept: application/json` or `Accept: text/csv` (reference §4).
enum class Format {
  kJson,  ///< A JSON array of record objects.
  kCsv,   ///< CSV with a header row of field names.
};

/// Construction options of Client. `base_url`, `credentials.user_id` and `credentials.api_key`
/// are required.
///
/// From HttpClientOptions: `clock` dates Retry-After and retry deadlines; `retry` covers transport
/// errors, 408, 429 (honouring Retry-After) and 500/502/503/504, never 400/401/403/404
/// (CallContext::retry overrides it per call); `logger` receives retries, window splits and
/// records outside their window, never the API key or the Authorization header.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ClientOptions : HttpClientOptions {
  /// v1 base URL, e.g. "https://rest.wxcc-us1.cisco.com" (see BaseUrlForRegion()) or an
  /// emulator's URL. A trailing slash is ignored. Required: calls fail with kInvalidArgument,
  /// before any request, when it is empty, not an http(s) URL, or plain http on a non-loopback
  /// host (the Authorization header, a fixed signature of the API key that anyone who reads it
  /// can replay, would cross the network in clear).
  std::string base_url;
  /// User id, API key, tenant id. Required (user id and API key non-empty, else every call fails
  /// with kInvalidArgument).
  ApiKeyCredentials credentials;
  /// Largest number of rows the service returns for one query, whatever `numberOfRecords` says
  /// (assumed 1000; keep configurable). Must be >= 1. Default 1000.
  int service_row_cap = 1000;
  /// Largest response body in bytes: read into memory (JSON pages, CSV tables, single records;
  /// error bodies are read only in part) or streamed (OpenCsvPage()). A larger body fails the
  /// query with kParse naming the endpoint and this limit; no part of it is used or stored.
  /// Default 16 MiB: a 1000-row page (the service row cap) is ~600 KiB of JSON from the
  /// emulator and a few MiB at most with wide real CSRs. Must be >= 1.
  std::size_t max_response_bytes = std::size_t{16} << 20;
  /// Total time one attempt of a query (a JSON page or a CSV table: connect, request, status,
  /// headers and the whole body) may take before it fails with kDeadlineExceeded (not retried).
  /// Bounds a server that trickles its answer, which the transport's low-speed floor (1 byte/s)
  /// never catches. Default 60 s (a 1000-row page is under 1 MB); 0 = none (the transport's
  /// CurlOptions::total_timeout applies).
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
};

/// One JSON query response.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT RecordPage {
  /// The window asked for, [date_begin, date_end). The request itself starts one millisecond
  /// earlier (`dateBegin` = date_begin - 1 ms), because the service's window semantics are not
  /// documented: whether it treats dateBegin and dateEnd as inclusive or exclusive, every record
  /// of `window` is in the answer.
  TimeWindow window;
  /// The records as compact JSON texts (SplitRecordArray()), in server order. Records whose
  /// integer `cstts` lies outside `window` are removed (and counted in `dropped_outside_window`):
  /// the neighbouring window keeps them, so a record at a window boundary is yielded by exactly
  /// one of two adjacent windows. Records without a readable integer `cstts` are kept.
  std::vector<std::string> records;
  /// Rows in the response before that filtering (the overlap included).
  std::size_t rows_returned = 0;
  /// min(numberOfRecords, service_row_cap): the most rows this response could carry.
  std::size_t row_limit = 0;
  /// rows_returned >= row_limit: the response may be truncated (the service does not say).
  bool possibly_truncated = false;
  /// Records removed because their `cstts` was outside the window. Those at the dateBegin sent
  /// or at date_end are expected (the overlap, an inclusive dateEnd); any further out means the
  /// service does not filter on `cstts` in milliseconds, and QueryPage() logs one Warn for the
  /// window (count and times seen): such a record may be missing from every window's export.
  std::size_t dropped_outside_window = 0;
};

/// One CSV query response, parsed.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT CsvPage {
  TimeWindow window;                ///< The window that was queried.
  CsvTable table;                   ///< Header and rows.
  std::size_t row_limit = 0;        ///< min(numberOfRecords, service_row_cap).
  bool possibly_truncated = false;  ///< table.rows.size() >= row_limit.
};

/// How a query sends its window (Client::OpenCsvPage()).
enum class WindowBounds {
  /// `dateBegin` one millisecond before the window, rows kept by `cstts` in [begin, end): every
  /// row of the window is in the answer whether the service treats dateBegin and dateEnd as
  /// inclusive or exclusive (not documented). The default.
  kOverlapOneMillisecond,
  /// Exactly the window. Use it when a full answer sent with kOverlapOneMillisecond showed that
  /// the service includes dateBegin (CsvPageReader::BeginIncluded()), so that a full millisecond
  /// before the window does not make the window look full.
  kExact,
};

/// A v1 CSV answer being read (Client::OpenCsvPage()): Read() yields the service's header row
/// and the rows whose integer `cstts` lies in the window, each byte for byte as received (rows
/// without a readable integer `cstts` are kept, blank lines dropped), parsing incrementally with
/// CsvParser (memory: one record, not the body). The counters are final once Read() returned 0.
///
/// @par Thread safety
/// One thread at a time, like every BodyReader.
class CCREC_EXPORT CsvPageReader final : public BodyReader {
 public:
  struct CCREC_HIDDEN Impl;
  /// Made by Client::OpenCsvPage().
  explicit CsvPageReader(std::unique_ptr<Impl> impl);
  ~CsvPageReader() override;
  CsvPageReader(CsvPageReader const&) = delete;
  CsvPageReader& operator=(CsvPageReader const&) = delete;

  /// The next kept bytes; 0 at the end of the answer.
  /// Errors: kParse for malformed or truncated CSV (unterminated quote, short row, a record over
  /// CsvOptions::max_record_bytes), a body whose first row is not a header row (CsvHeaderProblem();
  /// nothing is yielded), or a body over ClientOptions::max_response_bytes (the message
  /// names the endpoint and the limit); kTransport / kDeadlineExceeded / kCancelled / kIntegrity
  /// from the body, as BodyReader. Not retried here: open the page again.
  Result<std::size_t> Read(char* buffer, std::size_t size) override;

  /// The window asked for.
  TimeWindow const& Window() const noexcept;
  /// True once Read() returned 0.
  bool Finished() const noexcept;
  /// The CSV header (known after the first record).
  std::vector<std::string> const& Header() const noexcept;
  /// Data rows the server returned (header excluded), before the window filtering: what
  /// PossiblyTruncated() is judged on.
  std::uint64_t Rows() const noexcept;
  /// Data rows not yielded because their integer `cstts` lies outside the window (a
  /// neighbouring window yields them). As RecordPage::dropped_outside_window, rows outside
  /// [dateBegin sent, window end] are logged as one Warn when the body ends.
  std::uint64_t DroppedOutsideWindow() const noexcept;
  /// Bytes yielded so far.
  std::uint64_t Bytes() const noexcept;
  /// min(numberOfRecords, service_row_cap).
  std::size_t RowLimit() const noexcept;
  /// Rows() >= RowLimit(): the answer may be truncated (the service does not say). Final once
  /// Finished().
  bool PossiblyTruncated() const noexcept;
  /// With WindowBounds::kOverlapOneMillisecond: a row whose `cstts` equals the dateBegin sent
  /// came back, so the service includes dateBegin.
  bool BeginIncluded() const noexcept;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Options of the window-splitting listings.
///
/// @par Thread safety
/// A plain value type.
struct CCREC_EXPORT ListOptions {
  /// Initial window length; windows are aligned to multiples of it since the epoch (PlanWindows()).
  /// <= 0 = one window for the whole range. Default 1 hour.
  std::chrono::milliseconds initial_window{std::chrono::hours(1)};
};

/// Client for the v1 record API.
///
/// Every request is a GET with exactly these headers: `Authorization: <signature>[;tenantId=<id>]`,
/// `From: <user id>`, `Accept: application/json` (or `text/csv`), plus CallContext::extra_headers
/// (replacing same-named ones). The signature is computed once at construction. Requests are
/// retried through the RetryPolicy on transport errors, 408, 429 (honouring Retry-After) and
/// 500/502/503/504; 400/401/403/404 are not retried. A body that ends early is retried as a
/// whole; a body that does not parse is not.
///
/// @par Thread safety
/// Immutable after construction; all methods are const and thread-safe. Copies are cheap and
/// share the transport and backoff state.
class CCREC_EXPORT Client {
 public:
  /// Builds the client; no I/O happens here. Missing transport/clock/sleeper get defaults.
  explicit Client(ClientOptions options);

  /// `GET /aws/api/{type}/{id}`: one record as compact JSON text.
  ///
  /// @param type record type.
  /// @param id the record id (CSR sid, CAR id from ComposeCarId(), ...), percent-encoded into the path.
  /// @return the record whose id is `id` (a CSR's `sid`, else its `id`; another record's `id`,
  ///   else its `sid`; a string or a number as written), compact: the object answered, or the
  ///   matching element of an array answer. An object without either member is returned as the
  ///   record addressed (the v1 schemas are undocumented) unless it has an `error` member.
  /// Errors: kInvalidArgument (empty id, bad configuration, HTTP 400); kUnauthenticated (401:
  /// wrong API key / user id / tenant id); kPermissionDenied (403); kNotFound (404 or an empty
  /// array); kRateLimited / kUnavailable / kTransport after retries; kParse when the body is not
  /// a JSON object or array of objects, the Content-Type is not JSON, or the answer holds no
  /// record with that id (an object of another id, an array without it: the message names up to
  /// three ids that came back), two different records with it, or an object with an `error`
  /// member and no id. Never another record than the one asked for.
  /// Source: reference §2 ("One record").
  /// @par Thread safety
  /// Thread-safe.
  Result<std::string> GetRecordJson(RecordType type, std::string const& id, CallContext const& ctx = {}) const;
  /// GetRecordJson() for a CSR, parsed. Errors: as GetRecordJson().
  Result<Csr> GetCsr(std::string const& sid, CallContext const& ctx = {}) const;
  /// GetRecordJson() for a CAR (id: ComposeCarId()), parsed. Errors: as GetRecordJson().
  Result<Car> GetCar(std::string const& id, CallContext const& ctx = {}) const;
  /// GetRecordJson() for an ASR, parsed. Errors: as GetRecordJson().
  Result<Asr> GetAsr(std::string const& id, CallContext const& ctx = {}) const;
  /// GetRecordJson() for an AAR, parsed. Errors: as GetRecordJson().
  Result<Aar> GetAar(std::string const& id, CallContext const& ctx = {}) const;

  /// One `GET /aws/api/{type}?q=<EncodeQueryParameter(query)>` with `Accept: application/json`;
  /// no window splitting. `dateBegin` is sent one millisecond before `query.date_begin` and the
  /// records are filtered to [date_begin, date_end) by `cstts` (see RecordPage::window). When
  /// that answer is full and holds a record whose `cstts` equals the `dateBegin` sent (so the
  /// service includes dateBegin), the window is queried once more without the overlap and that
  /// answer is returned.
  ///
  /// @param type record type.
  /// @param query the query; `number_of_records` must be 1..service_row_cap.
  /// @return the page; check `possibly_truncated` (or use ListPages(), which splits for you).
  /// Errors: kInvalidArgument for a bad query (checked locally, nothing sent) or HTTP 400;
  /// kParse when the body is not a JSON array of objects (the message names the byte offset) or
  /// the Content-Type is CSV/HTML/XML; others as GetRecordJson().
  /// Source: reference §2 ("Query"), §4.
  /// @par Thread safety
  /// Thread-safe.
  Result<RecordPage> QueryPage(RecordType type, Query const& query, CallContext const& ctx = {}) const;

  /// As QueryPage() with `Accept: text/csv`, parsed with CsvParser (the body is held in memory).
  /// An empty body (no header row, no row) is also what a gateway or proxy that lost the body
  /// sends with status 200, and whether the service sends a header row for a window without
  /// records is undocumented (reference §4): it is confirmed with one QueryPage() of the window
  /// for one record, and is then a page of no rows (an empty header).
  /// Errors: kParse for malformed or truncated CSV (unterminated quote, short row), a body whose
  /// first row is not a header row (CsvHeaderProblem(): its columns cannot be known, and a full
  /// answer would look one row short), or a JSON Content-Type; kIntegrity for an empty body when
  /// the JSON query returned a record, and that query's error when it failed ("… confirming it
  /// with a JSON query"); others as QueryPage().
  /// @par Thread safety
  /// Thread-safe.
  Result<CsvPage> QueryCsvPage(RecordType type, Query const& query, CallContext const& ctx = {}) const;

  /// Sends one `Accept: text/csv` query and returns its answer as a stream (memory stays
  /// bounded: one record at a time, whatever the body's size). With the default bounds the
  /// request starts one millisecond before the window and only rows whose integer `cstts` lies in
  /// [date_begin, date_end) are yielded, so a row on a window boundary is yielded by exactly one
  /// of two adjacent windows whatever the service's window semantics. When the finished reader
  /// is PossiblyTruncated() and BeginIncluded(), open the window again with WindowBounds::kExact
  /// before judging it full (as QueryPage() does by itself).
  ///
  /// The request, its status and its Content-Type are retried and checked here (as QueryPage());
  /// a body that breaks while it is read fails that Read(): open the page again. A body that ends
  /// without a byte is confirmed as QueryCsvPage() does, by the Read() that meets its end (with a
  /// copy of `ctx`): kIntegrity when the window has a record. The reader may outlive this Client.
  /// @return the reader, positioned before the first byte.
  /// Errors: as QueryCsvPage() for the request (kInvalidArgument for a bad query, nothing sent;
  /// kParse for a JSON/HTML/XML Content-Type; HTTP errors after retries).
  /// @par Thread safety
  /// Thread-safe (the returned reader is used by one thread).
  Result<std::unique_ptr<CsvPageReader>> OpenCsvPage(RecordType type, Query const& query,
                                                     WindowBounds bounds = WindowBounds::kOverlapOneMillisecond,
                                                     CallContext const& ctx = {}) const;

  /// Every record with `cstts` in `range`, as JSON pages, lazily, in time order, each window
  /// small enough that its response is not full.
  ///
  /// `range` is cut into aligned windows (ListOptions::initial_window). A response with
  /// min(numberOfRecords, service_row_cap) rows may be truncated, so its window is split in
  /// halves (down to single milliseconds) and re-queried; a one-millisecond window that is full
  /// at a `number_of_records` below the cap is re-queried at the cap. A one-millisecond window
  /// that is full at the cap cannot be read completely: the listing goes on with the following
  /// windows and ends with a kInternal error naming each such millisecond (its partial rows are
  /// not yielded). Each query also covers the millisecond before its window (QueryPage()); when
  /// such a query is full and the service shows that it includes dateBegin, the window is asked
  /// for again without the overlap, so a full millisecond does not spoil the next window. `base.date_begin`/`date_end` are replaced per window; `base.number_of_records`
  /// is the per-request row cap.
  ///
  /// @return a one-pass range of Result<RecordPage>; an error ends it.
  /// Errors: as QueryPage(); kInvalidArgument for an empty range.
  /// Source: reference §4 (`numberOfRecords`, no paging) and the ccrec issue's assumptions.
  /// @par Thread safety
  /// The pager is used by one thread; the client stays shareable.
  Pager<RecordPage> ListPages(RecordType type, Query const& base, TimeWindow const& range,
                              ListOptions const& options = {}, CallContext const& ctx = {}) const;

  /// Collects ListPages() into typed CSRs (all or an error).
  /// Errors: as ListPages().
  /// @par Thread safety
  /// Thread-safe.
  Result<std::vector<Csr>> ListCsrs(Query const& base, TimeWindow const& range, ListOptions const& options = {},
                                    CallContext const& ctx = {}) const;
  /// As ListCsrs(), for CARs.
  Result<std::vector<Car>> ListCars(Query const& base, TimeWindow const& range, ListOptions const& options = {},
                                    CallContext const& ctx = {}) const;
  /// As ListCsrs(), for ASRs.
  Result<std::vector<Asr>> ListAsrs(Query const& base, TimeWindow const& range, ListOptions const& options = {},
                                    CallContext const& ctx = {}) const;
  /// As ListCsrs(), for AARs.
  Result<std::vector<Aar>> ListAars(Query const& base, TimeWindow const& range, ListOptions const& options = {},
                                    CallContext const& ctx = {}) const;

  /// A CSR's activity chain through a `cars?q=` query over the contact's span
  /// [cstts, cetts + 1 ms), grouped by `session` and ordered (BuildActivityChain()). This is the
  /// reference's recommended way (no guessing of event names).
  ///
  /// @param csr the contact; needs `sid`, `cstts` and `cetts`.
  /// @param base query template (anchorId, aggregations...); its dates are replaced.
  /// Errors: kInvalidArgument when the CSR lacks sid/cstts/cetts; as ListPages().
  /// Source: reference §5 ("Gaps": prefer a cars?q= query and group by session).
  /// @par Thread safety
  /// Thread-safe.
  Result<ActivityChain> GetActivityChain(Csr const& csr, Query const& base, CallContext const& ctx = {}) const;

  /// Walks a CSR's activity chain by CAR id, as the lab describes: fetch `{sid}-{cstts}-new`,
  /// then, with the `cetts` of each activity as the next timestamp, try `event_names` in order
  /// (a 404 means "not this name") until one exists; stop at "ended", at an activity whose
  /// `cetts` is missing or not after its `cstts`, when no name matches (the chain is then
  /// incomplete, see ActivityChain::problems), or after 100 activities.
  ///
  /// @param csr the contact; needs `sid` and `cstts`.
  /// @param event_names candidate names after "new". Default: ivr-connected, parked, connected,
  ///        hold, consult, conference, wrapup, ended.
  /// Errors: kInvalidArgument when the CSR lacks sid/cstts; kNotFound when even the "new"
  /// activity does not exist; others as GetRecordJson().
  /// Source: reference §5 ("Chain walk"). Each wrong guess costs one request: prefer
  /// GetActivityChain().
  /// @par Thread safety
  /// Thread-safe.
  Result<ActivityChain> WalkActivityChain(Csr const& csr,
                                          std::vector<std::string> const& event_names = {"ivr-connected", "parked",
                                                                                         "connected", "hold",
                                                                                         "consult", "conference",
                                                                                         "wrapup", "ended"},
                                          CallContext const& ctx = {}) const;

  /// The configured service row cap (ClientOptions::service_row_cap).
  int ServiceRowCap() const;
  /// The base URL without trailing slashes.
  std::string const& BaseUrl() const;

 private:
  struct CCREC_HIDDEN Impl;
  std::shared_ptr<Impl const> impl_;
};

/// True for errors after which further v1 requests of the same run cannot succeed: kUnauthenticated,
/// kPermissionDenied, kInvalidArgument, kNotFound (wrong base URL), kTransport (TLS / unreachable
/// after retries) and kCancelled.
/// @par Thread safety
/// Thread-safe.
CCREC_EXPORT bool IsFatalForRun(Error const& error) noexcept;

}  // namespace ccrec::webex_legacy
