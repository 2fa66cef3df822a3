// SPDX-License-Identifier: Apache-2.0
// webex_legacy::Client: v1 records with API-key auth (reference webex-legacy-v1.md §2–§6).

#include <ccrec/webex_legacy/client.hpp>

#include <ccrec/transport/curl.hpp>
#include <ccrec/webex_legacy/errors.hpp>

#include "internal/ascii.hpp"
#include "internal/client_runtime.hpp"
#include "internal/error_util.hpp"
#include "internal/http_util.hpp"
#include "internal/json.hpp"
#include "internal/retry_loop.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "webex_legacy/csv_page_reader.hpp"
#include "webex_legacy/json_scan.hpp"
#include "webex_legacy/record_pick.hpp"
#include "webex_legacy/stray_records.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <string_view>

namespace ccrec::webex_legacy {

namespace util = ::ccrec::detail;

namespace {

constexpr char kJsonAccept[] = "application/json";
/// How much earlier than its window a JSON query starts (see QueryPage).
constexpr std::chrono::milliseconds kQueryOverlap{1};
constexpr char kCsvAccept[] = "text/csv";

/// kParse when a response's Content-Type is clearly not the format asked for.
std::optional<Error> CheckContentType(HttpHeaders const& headers, Format format, std::string const& what) {
  auto ct = FindHeader(headers, "Content-Type");
  if (!ct) return std::nullopt;
  std::string lower = util::ToLowerAscii(*ct);
  bool is_json = lower.find("json") != std::string::npos;
  bool is_csv = lower.find("csv") != std::string::npos;
  bool is_markup = lower.find("html") != std::string::npos || lower.find("xml") != std::string::npos;
  if (format == Format::kJson && (is_csv || is_markup)) {
    return MakeError(ErrorCode::kParse, what + " returned Content-Type \"" + *ct + "\" where JSON was expected");
  }
  if (format == Format::kCsv && (is_json || is_markup)) {
    return MakeError(ErrorCode::kParse, what + " returned Content-Type \"" + *ct +
                                            "\" where CSV was expected (does the service honour Accept: text/csv?)");
  }
  return std::nullopt;
}

std::string WindowText(TimeWindow const& w) {
  return "[" + util::FormatIso8601(w.begin, true) + ", " + util::FormatIso8601(w.end, true) + ")";
}

}  // namespace

bool IsFatalForRun(Error const& error) noexcept {
  switch (error.code) {
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kTransport:
    case ErrorCode::kCancelled:
      return true;
    default:
      return false;
  }
}

struct Client::Impl : util::ClientRuntime {
  explicit Impl(ClientOptions o)
      : util::ClientRuntime(o, [] { return MakeCurlTransport(); }),
        base_url(util::TrimTrailingSlashes(std::move(o.base_url))),
        credentials(std::move(o.credentials)),
        row_cap(o.service_row_cap),
        max_body(o.max_response_bytes),
        request_timeout(o.request_timeout) {
    if (base_url.empty() || !util::ParseUrl(base_url)) {
      config_error = MakeError(ErrorCode::kInvalidArgument,
                               "Webex CC v1 client: base_url \"" + RedactUrl(base_url) +
                                   "\" is not an http(s) URL; use BaseUrlForRegion() (e.g. us1) or a full URL");
    } else if (auto problem =
                   util::InsecureCredentialUrlProblem(*util::ParseUrl(base_url), "Webex CC v1 client: base_url");
               !problem.empty()) {
      // The Authorization value is a fixed HMAC of the API key (no nonce, no timestamp): whoever
      // reads it once can replay it for as long as the key is valid.
      config_error = MakeError(ErrorCode::kInvalidArgument, problem);
    } else if (credentials.user_id.empty()) {
      config_error = MakeError(ErrorCode::kInvalidArgument, "Webex CC v1 client: credentials.user_id is required");
    } else if (credentials.api_key.empty()) {
      config_error = MakeError(ErrorCode::kInvalidArgument, "Webex CC v1 client: credentials.api_key is required");
    } else if (row_cap < 1) {
      config_error = MakeError(ErrorCode::kInvalidArgument, "Webex CC v1 client: service_row_cap must be >= 1");
    }
    signature = ComputeApiKeySignature(credentials.api_key, credentials.user_id);
    authorization = AuthorizationHeaderValue(credentials);
  }

  std::string base_url;
  ApiKeyCredentials credentials;
  std::string signature;
  std::string authorization;
  int row_cap;
  std::size_t max_body;
  std::chrono::milliseconds request_timeout;
  std::optional<Error> config_error;


  /// Removes the API key and the signature from text (belt and braces: neither is ever put in a
  /// message on purpose, but a server could echo a header back).
  std::string Scrub(std::string text) const {
    for (std::string const* secret : {&credentials.api_key, &signature}) {
      if (secret->size() < 4) continue;
      for (auto pos = text.find(*secret); pos != std::string::npos; pos = text.find(*secret, pos + 3)) {
        text.replace(pos, secret->size(), "***");
      }
    }
    return text;
  }
  Error Scrub(Error e) const {
    e.message = Scrub(std::move(e.message));
    return e;
  }

  HttpRequest MakeRequest(std::string url, char const* accept, CallContext const& ctx) const {
    HttpRequest request;
    request.method = "GET";
    request.url = std::move(url);
    if (request_timeout.count() > 0) request.timeout = request_timeout;
    request.headers = {{"Authorization", authorization}, {"From", credentials.user_id}, {"Accept", accept}};
    for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
    return request;
  }

  Error StatusError(HttpResponse& response, std::string const& what) const {
    std::string body = util::ReadPrefix(response, util::kMaxErrorBodyBytes);
    return Scrub(MapLegacyError(response.status, body, response.headers, what, clock->Now()));
  }

  /// One attempt of `request`: the 2xx response, its body not read yet; else the transport's
  /// error or the mapped status error, scrubbed.
  Result<HttpResponse> SendOnce(HttpRequest const& request, std::string const& what, CallContext const& ctx) const {
    auto response = transport->Send(request, ctx);
    if (!response) return Scrub(std::move(response).error());
    if (response->status < 200 || response->status > 299) return StatusError(*response, what);
    return response;
  }

  /// One GET with retries; the whole body is read inside the attempt, so a body cut short is retried.
  Result<util::BufferedResponse> Get(HttpRequest const& request, std::string const& what, CallContext const& ctx) const {
    return util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<util::BufferedResponse> {
      auto response = SendOnce(request, what, ctx);
      if (!response) return std::move(response).error();
      auto out = util::BufferResponse(*response, max_body, util::kMaxErrorBodyBytes);
      if (!out) {
        return util::WithContext(Scrub(std::move(out).error()),
                                 what + ": reading the response (ClientOptions::max_response_bytes)");
      }
      return out;
    });
  }

  /// Get() of `url` asking for `format`; an answer in another format is kParse naming `context`.
  Result<util::BufferedResponse> GetAs(std::string url, Format format, std::string const& what,
                                       std::string const& context, CallContext const& ctx) const {
    auto response = Get(MakeRequest(std::move(url), format == Format::kCsv ? kCsvAccept : kJsonAccept, ctx), what, ctx);
    if (!response) return response;
    if (auto e = CheckContentType(response->headers, format, context)) return *e;
    return response;
  }

  /// `/aws/api/{record-type}`: where a record type's lists and records are.
  static std::string RecordsPath(RecordType type) { return "/aws/api/" + std::string(ToPathSegment(type)); }
  std::string ListUrl(RecordType type, std::string const& q) const { return base_url + RecordsPath(type) + "?q=" + q; }
  static std::string What(RecordType type) { return "Webex CC v1 GET " + RecordsPath(type); }
  /// Names one window's list query in errors and logs: "Webex CC v1 GET /aws/api/csrs (CSV) for [b, e)".
  static std::string WindowContext(RecordType type, Format format, TimeWindow const& window) {
    return What(type) + (format == Format::kCsv ? " (CSV)" : "") + " for " + WindowText(window);
  }

  /// Checks a query against the client's cap and encodes it.
  Result<std::string> Encode(Query const& query) const {
    if (config_error) return *config_error;
    if (query.number_of_records < 1 || query.number_of_records > row_cap) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "v1 query: numberOfRecords " + std::to_string(query.number_of_records) +
                           " is outside 1.." + std::to_string(row_cap) + " (the service returns at most " +
                           std::to_string(row_cap) +
                           " rows and cannot page; use ListPages() or MakeWebexLegacySource() to read large ranges)");
    }
    return EncodeQueryParameter(query);
  }

  /// One list query, `sent` (checked and encoded by Encode()), answered in `format`; `context`
  /// names the query and its window in errors.
  /// The list answer of `sent` in `format`, turned into records by `parse` (SplitRecordArray or
  /// ParseCsv); a parse error names the window (`context`).
  template <typename Parse>
  auto ListParsed(RecordType type, Query const& sent, Format format, std::string const& context,
                  CallContext const& ctx, Parse parse) const -> decltype(parse(std::string_view())) {
    auto q = Encode(sent);
    if (!q) return std::move(q).error();
    auto response = GetAs(ListUrl(type, *q), format, What(type), context, ctx);
    if (!response) return std::move(response).error();
    auto parsed = parse(response->body);
    if (!parsed) return util::WithContext(Scrub(std::move(parsed).error()), context);  // it may quote the body
    return parsed;
  }

  /// The most rows the service returns for `query`: its numberOfRecords, at most the row cap.
  std::size_t RowLimit(Query const& query) const {
    return static_cast<std::size_t>(std::min(query.number_of_records, row_cap));
  }

  static TimeWindow WindowOf(Query const& q) {
    return TimeWindow{util::FromEpochMs(util::ToEpochMs(q.date_begin)), util::FromEpochMs(util::ToEpochMs(q.date_end))};
  }

  Result<RecordPage> QueryPage(RecordType type, Query const& query, CallContext const& ctx) const {
    if (auto checked = Encode(query); !checked) return std::move(checked).error();  // e.g. an empty window
    // The service's window semantics are assumed, not documented (reference §4): ask from one
    // millisecond earlier, so that [b, e) is inside the answer whether dateBegin and dateEnd are
    // inclusive or exclusive, then keep [b, e) by cstts. Adjacent windows share no record.
    bool begin_included = false;
    std::optional<detail::StrayRecords> strays;
    auto page = FetchPage(type, query, kQueryOverlap, begin_included, strays, ctx);
    if (page && page->possibly_truncated && begin_included) {
      // Full, and a record at exactly dateBegin came back: the service includes dateBegin, so the
      // overlap is not needed. Ask for exactly the window, so that a full millisecond before it
      // does not make this window look full.
      page = FetchPage(type, query, std::chrono::milliseconds(0), begin_included, strays, ctx);
    }
    // One warning per window, for the answer kept.
    if (page && strays) strays->Report(logger, WindowContext(type, Format::kJson, page->window));
    return page;
  }

  /// One JSON query for the window of `query`, sent from `overlap` earlier, filtered to the
  /// window. `begin_included` tells whether a record with cstts == the dateBegin sent came back;
  /// `strays` counts the records outside the range sent (detail::StrayRecords).
  Result<RecordPage> FetchPage(RecordType type, Query const& query, std::chrono::milliseconds overlap,
                               bool& begin_included, std::optional<detail::StrayRecords>& strays,
                               CallContext const& ctx) const {
    TimeWindow window = WindowOf(query);
    Query sent = query;
    sent.date_begin = window.begin - overlap;
    std::string context = WindowContext(type, Format::kJson, window);
    auto records = ListParsed(type, sent, Format::kJson, context, ctx,
                              [](std::string_view body) { return SplitRecordArray(body); });
    if (!records) return std::move(records).error();
    RecordPage page;
    page.window = window;
    page.rows_returned = records->size();
    page.row_limit = RowLimit(query);
    page.possibly_truncated = page.rows_returned >= page.row_limit;
    std::int64_t b = util::ToEpochMs(window.begin), e = util::ToEpochMs(window.end);
    begin_included = false;
    strays.emplace(b - overlap.count(), e);
    for (auto& record : *records) {
      auto t = detail::ParseInteger(detail::FindMember(record, "cstts"));
      begin_included = begin_included || (t && *t == b - overlap.count());
      if (t) strays->Check(*t);
      if (t && (*t < b || *t >= e)) {
        ++page.dropped_outside_window;
      } else {
        page.records.push_back(std::move(record));
      }
    }
    if (page.dropped_outside_window > 0) {
      logger.Debug(context + ": " + std::to_string(page.dropped_outside_window) +
                   " record(s) with a cstts outside the window (the query starts " +
                   std::to_string(overlap.count()) + " ms earlier); a neighbouring window keeps them");
    }
    return page;
  }

  /// A CSV answer without a byte (no header row, no row) is also what a gateway or proxy that lost
  /// the body sends with status 200, and whether the service sends a header row for a window
  /// without records is undocumented (reference §4). One JSON query of `query`'s window, for one
  /// record, tells them apart: kIntegrity when it returns one; its error when it fails.
  Result<void> ConfirmEmptyCsv(RecordType type, Query query, CallContext const& ctx) const {
    query.number_of_records = 1;
    auto json = QueryPage(type, query, ctx);
    if (!json) {
      return util::WithContext(std::move(json).error(),
                               "the CSV answer was empty (no header row); confirming it with a JSON query");
    }
    if (json->records.empty()) return {};
    return MakeError(ErrorCode::kIntegrity,
                     "the CSV answer was empty (no header row), but a JSON query of the same window returned a "
                     "record: the empty answer is not the window's records (nothing of it is used)");
  }

  Result<CsvPage> QueryCsvPage(RecordType type, Query const& query, CallContext const& ctx) const {
    TimeWindow window = WindowOf(query);
    std::string context = WindowContext(type, Format::kCsv, window);
    auto table = ListParsed(type, query, Format::kCsv, context, ctx, [](std::string_view body) { return ParseCsv(body); });
    if (!table) return std::move(table).error();
    if (table->header.empty() && table->rows.empty()) {
      if (auto confirmed = ConfirmEmptyCsv(type, query, ctx); !confirmed) {
        return util::WithContext(std::move(confirmed).error(), context);
      }
    }
    CsvPage page;
    page.window = window;
    page.table = std::move(*table);
    page.row_limit = RowLimit(query);
    page.possibly_truncated = page.table.rows.size() >= page.row_limit;
    return page;
  }

  /// `self` is this Impl: the reader keeps it, so that it may outlive the Client.
  Result<std::unique_ptr<CsvPageReader>> OpenCsvPage(std::shared_ptr<Impl const> const& self, RecordType type,
                                                     Query const& query, WindowBounds bounds,
                                                     CallContext const& ctx) const {
    // As QueryPage(): from 1 ms earlier unless asked for the exact window, rows kept by cstts in
    // [b, e); the reader yields the server's header and kept rows, byte for byte.
    auto const overlap = bounds == WindowBounds::kExact ? std::chrono::milliseconds(0) : kQueryOverlap;
    if (auto checked = Encode(query); !checked) return std::move(checked).error();
    auto const window = WindowOf(query);
    Query sent = query;
    sent.date_begin = window.begin - overlap;
    auto q = Encode(sent);
    if (!q) return std::move(q).error();
    std::string what = What(type);
    std::string context = WindowContext(type, Format::kCsv, window);
    HttpRequest request = MakeRequest(ListUrl(type, *q), kCsvAccept, ctx);
    auto response = util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<HttpResponse> {
      auto answer = SendOnce(request, what, ctx);
      if (!answer) return answer;
      if (auto e = CheckContentType(answer->headers, Format::kCsv, context)) return *e;
      return answer;
    });
    if (!response) return std::move(response).error();
    auto impl = std::make_unique<CsvPageReader::Impl>(
        std::move(response->body), window, overlap,
        RowLimit(query), max_body, std::move(context),
        [self](Error e) { return self->Scrub(std::move(e)); }, logger);
    impl->confirm_empty = [self, type, query, ctx] { return self->ConfirmEmptyCsv(type, query, ctx); };
    return std::make_unique<CsvPageReader>(std::move(impl));
  }

  Result<std::string> GetRecordJson(RecordType type, std::string const& id, CallContext const& ctx) const {
    if (config_error) return *config_error;
    if (id.empty()) return MakeError(ErrorCode::kInvalidArgument, "Webex CC v1: the record id is empty");
    std::string what = What(type) + "/" + id;
    std::string url = base_url + RecordsPath(type) + "/" + util::PercentEncode(id);
    auto response = GetAs(url, Format::kJson, what, what, ctx);
    if (!response) return std::move(response).error();
    auto doc = util::ParseJson(response->body, what + " response");
    if (!doc) return Scrub(std::move(doc).error());
    if (!doc->IsObject() && !doc->IsArray()) {
      return MakeError(ErrorCode::kParse, what + ": the response is not a JSON object");
    }
    std::vector<std::string> records;
    if (doc->IsObject()) {
      records.push_back(detail::CompactJson(response->body));
    } else {
      auto listed = SplitRecordArray(response->body);
      if (!listed) return util::WithContext(Scrub(std::move(listed).error()), what);
      if (listed->empty()) return MakeError(ErrorCode::kNotFound, what + ": no such record (empty list)");
      records = std::move(*listed);
    }
    auto picked = detail::PickRecord(type, id, std::move(records), doc->IsArray(), what);
    if (!picked) return Scrub(std::move(picked).error());  // it may quote the body
    return picked;
  }
};

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl const>(std::move(options))) {}

int Client::ServiceRowCap() const { return impl_->row_cap; }
std::string const& Client::BaseUrl() const { return impl_->base_url; }

Result<std::string> Client::GetRecordJson(RecordType type, std::string const& id, CallContext const& ctx) const {
  return impl_->GetRecordJson(type, id, ctx);
}

namespace {
template <typename T, typename Parse>
Result<T> GetTyped(Client const& client, RecordType type, std::string const& id, CallContext const& ctx, Parse parse) {
  auto json = client.GetRecordJson(type, id, ctx);
  if (!json) return std::move(json).error();
  return parse(*json);
}
}  // namespace

Result<Csr> Client::GetCsr(std::string const& sid, CallContext const& ctx) const {
  return GetTyped<Csr>(*this, RecordType::kCsr, sid, ctx, ParseCsr);
}
Result<Car> Client::GetCar(std::string const& id, CallContext const& ctx) const {
  return GetTyped<Car>(*this, RecordType::kCar, id, ctx, ParseCar);
}
Result<Asr> Client::GetAsr(std::string const& id, CallContext const& ctx) const {
  return GetTyped<Asr>(*this, RecordType::kAsr, id, ctx, ParseAsr);
}
Result<Aar> Client::GetAar(std::string const& id, CallContext const& ctx) const {
  return GetTyped<Aar>(*this, RecordType::kAar, id, ctx, ParseAar);
}

Result<RecordPage> Client::QueryPage(RecordType type, Query const& query, CallContext const& ctx) const {
  return impl_->QueryPage(type, query, ctx);
}

Result<CsvPage> Client::QueryCsvPage(RecordType type, Query const& query, CallContext const& ctx) const {
  return impl_->QueryCsvPage(type, query, ctx);
}

Result<std::unique_ptr<CsvPageReader>> Client::OpenCsvPage(RecordType type, Query const& query, WindowBounds bounds,
                                                           CallContext const& ctx) const {
  return impl_->OpenCsvPage(impl_, type, query, bounds, ctx);
}

Pager<RecordPage> Client::ListPages(RecordType type, Query const& base, TimeWindow const& range,
                                    ListOptions const& options, CallContext const& ctx) const {
  struct Task {
    TimeWindow window;
    int number_of_records;
  };
  struct State {
    Client client;
    RecordType type;
    Query base;
    CallContext ctx;
    std::vector<Task> stack;  // next task at the back
    std::vector<std::string> truncated;
    bool empty_range = false;
    bool finished = false;
  };
  auto state = std::make_shared<State>(State{*this, type, base, ctx, {}, {}, false, false});
  auto windows = PlanWindows(range, options.initial_window);
  state->empty_range = windows.empty();
  for (auto it = windows.rbegin(); it != windows.rend(); ++it) state->stack.push_back({*it, base.number_of_records});
  return Pager<RecordPage>([state]() -> std::optional<Result<RecordPage>> {
    auto& s = *state;
    if (s.finished) return std::nullopt;
    if (s.empty_range) {
      s.finished = true;
      return Result<RecordPage>(MakeError(ErrorCode::kInvalidArgument, "Webex CC v1: the time range is empty"));
    }
    int const cap = s.client.ServiceRowCap();
    std::string const what = "Webex CC v1 " + std::string(ToPathSegment(s.type));
    while (!s.stack.empty()) {
      Task task = s.stack.back();
      s.stack.pop_back();
      Query q = s.base;
      q.date_begin = task.window.begin;
      q.date_end = task.window.end;
      q.number_of_records = task.number_of_records;
      auto page = s.client.QueryPage(s.type, q, s.ctx);
      if (!page) {
        s.finished = true;
        return Result<RecordPage>(std::move(page).error());
      }
      if (!page->possibly_truncated) return page;
      if (auto halves = SplitWindow(task.window)) {
        s.client.impl_->logger.Debug(what + ": " + WindowText(task.window) + " returned " +
                                     std::to_string(page->rows_returned) + " rows (the cap); splitting it");
        s.stack.push_back({halves->second, task.number_of_records});
        s.stack.push_back({halves->first, task.number_of_records});
        continue;
      }
      if (task.number_of_records < cap) {
        s.stack.push_back({task.window, cap});
        continue;
      }
      s.client.impl_->logger.Warn(what + ": millisecond " + util::FormatIso8601(task.window.begin, true) +
                                  " (queried with the one before it) holds at least " + std::to_string(cap) +
                                  " records; the response may be truncated");
      s.truncated.push_back(util::FormatIso8601(task.window.begin, true));
    }
    s.finished = true;
    if (!s.truncated.empty()) {
      std::string list;
      for (auto const& t : s.truncated) list += (list.empty() ? "" : ", ") + t;
      return Result<RecordPage>(MakeError(
          ErrorCode::kInternal,
          what + ": " + std::to_string(cap) + " or more records start in the same millisecond, or in it and the " +
              "millisecond before it (" + list + "); the v1 API returns at most " + std::to_string(cap) +
              " rows per query and cannot page, so those records could not be read completely and were not returned"));
    }
    return std::nullopt;
  });
}

namespace {
template <typename T, typename Parse>
Result<std::vector<T>> Collect(Pager<RecordPage> pages, Parse parse) {
  std::vector<T> out;
  for (auto& page : pages) {
    if (!page) return page.error();
    for (auto const& text : page->records) {
      auto record = parse(text);
      if (!record) return std::move(record).error();
      out.push_back(std::move(*record));
    }
  }
  return out;
}
}  // namespace

Result<std::vector<Csr>> Client::ListCsrs(Query const& base, TimeWindow const& range, ListOptions const& options,
                                          CallContext const& ctx) const {
  return Collect<Csr>(ListPages(RecordType::kCsr, base, range, options, ctx), ParseCsr);
}
Result<std::vector<Car>> Client::ListCars(Query const& base, TimeWindow const& range, ListOptions const& options,
                                          CallContext const& ctx) const {
  return Collect<Car>(ListPages(RecordType::kCar, base, range, options, ctx), ParseCar);
}
Result<std::vector<Asr>> Client::ListAsrs(Query const& base, TimeWindow const& range, ListOptions const& options,
                                          CallContext const& ctx) const {
  return Collect<Asr>(ListPages(RecordType::kAsr, base, range, options, ctx), ParseAsr);
}
Result<std::vector<Aar>> Client::ListAars(Query const& base, TimeWindow const& range, ListOptions const& options,
                                          CallContext const& ctx) const {
  return Collect<Aar>(ListPages(RecordType::kAar, base, range, options, ctx), ParseAar);
}

Result<ActivityChain> Client::GetActivityChain(Csr const& csr, Query const& base, CallContext const& ctx) const {
  if (!csr.sid || !csr.cstts || !csr.cetts) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex CC v1 activity chain: the CSR needs sid, cstts and cetts");
  }
  if (*csr.cetts < *csr.cstts) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex CC v1 activity chain: the CSR's cetts is before its cstts");
  }
  TimeWindow span{*csr.cstts, *csr.cetts + std::chrono::milliseconds(1)};
  ListOptions options;
  options.initial_window = std::chrono::milliseconds(0);
  auto cars = ListCars(base, span, options, ctx);
  if (!cars) return std::move(cars).error();
  return BuildActivityChain(csr, *cars);
}

Result<ActivityChain> Client::WalkActivityChain(Csr const& csr, std::vector<std::string> const& event_names,
                                                CallContext const& ctx) const {
  if (!csr.sid || !csr.cstts) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex CC v1 activity chain: the CSR needs sid and cstts");
  }
  std::vector<Car> cars;
  auto first = GetCar(ComposeCarId(*csr.sid, *csr.cstts, "new"), ctx);
  if (!first) return std::move(first).error();
  cars.push_back(std::move(*first));
  std::vector<std::string> problems;
  for (int step = 0; step < 100; ++step) {
    Car const& last = cars.back();
    if (last.state == std::string("ended") || !last.cetts || !last.cstts || *last.cetts <= *last.cstts) break;
    std::optional<Car> next;
    for (auto const& name : event_names) {
      auto car = GetCar(ComposeCarId(*csr.sid, *last.cetts, name), ctx);
      if (car) {
        next = std::move(*car);
        break;
      }
      if (car.error().code != ErrorCode::kNotFound) return car.error();
    }
    if (!next) {
      problems.push_back("no activity found at " + util::FormatIso8601(*last.cetts, true) +
                         " under any of the candidate event names");
      break;
    }
    cars.push_back(std::move(*next));
  }
  ActivityChain chain = BuildActivityChain(csr, cars);
  for (auto& p : problems) chain.problems.push_back(std::move(p));
  chain.complete = chain.problems.empty();
  return chain;
}

}  // namespace ccrec::webex_legacy
