// SPDX-License-Identifier: Apache-2.0
// webex::Client: Tasks, Captures and presigned downloads (reference webex-cc.md §4, §5, §7).

#include <ccrec/webex/client.hpp>

#include <ccrec/transport/curl.hpp>

#include "internal/ascii.hpp"
#include "internal/client_runtime.hpp"
#include "internal/crypto.hpp"
#include "internal/error_util.hpp"
#include "internal/retry_loop.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "internal/xml.hpp"
#include "webex/http_util.hpp"
#include "webex/parse.hpp"
#include "webex/task_lister.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <unordered_set>

namespace ccrec::webex {

namespace util = ::ccrec::detail;
using SysTime = std::chrono::system_clock::time_point;

namespace {

constexpr char kTasksWhat[] = "Webex GET /v1/tasks";
constexpr char kCapturesWhat[] = "Webex POST /v1/captures/query";
constexpr std::size_t kMaxTaskIdsPerQuery = 10;

std::optional<Error> ValidateTaskQuery(TaskQuery const& query) {
  if (query.to <= query.from) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex task query: `to` (" + util::FormatIso8601(query.to, true) +
                                                      ") must be after `from` (" +
                                                      util::FormatIso8601(query.from, true) + ")");
  }
  if (query.page_size < 1 || query.page_size > detail::kMaxPageSize) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex task query: page_size " + std::to_string(query.page_size) +
                                                      " is outside 1..1000");
  }
  for (auto const& type : query.channel_types) {
    bool ok = !type.empty();
    for (char c : type) ok = ok && ((c >= 'a' && c <= 'z') || c == '_' || c == '-');
    if (!ok) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "Webex task query: channel type \"" + type +
                           "\" is not valid; use lower-case names such as telephony, chat, email, social");
    }
  }
  if (query.org_id && query.org_id->empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex task query: org_id is set but empty");
  }
  return std::nullopt;
}

/// A field of the recording store's S3-style error body, cut to 500 bytes with its control
/// characters escaped; "" when absent.
std::string StoreText(std::optional<std::string> const& text) {
  return text ? EscapeControlCharacters(std::string_view(*text).substr(0, 500)) : std::string();
}

/// Maps a failed presigned GET (S3 XML error body) to an Error. The URL's query never appears.
Error MapPresignedError(int status, std::string_view body, HttpHeaders const& headers, std::string const& url,
                        SysTime now) {
  Error e;
  e.http_status = status;
  std::string code;
  std::string s3_message;
  // <Error><Code/><Message/><RequestId/></Error> (Amazon S3 "Error responses"); any root is read.
  if (auto doc = util::xml::Document::Parse(body, "presigned download error body")) {
    code = StoreText(doc->Text("Code"));
    s3_message = StoreText(doc->Text("Message"));
    e.request_id = StoreText(doc->Text("RequestId"));
  }
  if (e.request_id.empty()) e.request_id = FindHeader(headers, "x-amz-request-id").value_or("");
  if (auto retry_after = FindHeader(headers, "Retry-After")) e.retry_after = util::ParseRetryAfter(*retry_after, now);
  std::string where = "presigned recording download " + RedactUrl(url);
  std::string detail = "HTTP " + std::to_string(status) + (code.empty() ? "" : " " + code) +
                       (s3_message.empty() ? "" : ": " + s3_message);
  if (status == 403) {
    e.code = ErrorCode::kPermissionDenied;
    auto expiry = Client::PresignedUrlExpiry(url);
    bool expired = (expiry && *expiry <= now) || util::ContainsIgnoreCase(s3_message, "expired");
    if (expired) {
      e.vendor_code = "AccessDenied";
      e.message = where + ": the presigned URL expired" +
                  (expiry ? " at " + util::FormatIso8601(*expiry) : std::string()) + " (" + detail +
                  "); re-query captures (POST /v1/captures/query) for a fresh URL";
    } else {
      e.vendor_code = code.empty() ? "AccessDenied" : code;
      e.message = where + ": S3 denied the presigned URL (" + detail +
                  "); it may have expired or been altered: re-query captures for a fresh URL and use it unchanged, "
                  "without an Authorization header";
    }
    e.message = RedactSecrets(e.message);
    return e;
  }
  e.vendor_code = code;
  switch (status) {
    case 400: e.code = ErrorCode::kInvalidArgument; break;
    case 404: e.code = ErrorCode::kNotFound; break;
    case 408: e.code = ErrorCode::kDeadlineExceeded; break;
    case 416: e.code = ErrorCode::kInvalidArgument; break;
    case 429: e.code = ErrorCode::kRateLimited; break;
    default:
      if (code == "SlowDown") e.code = ErrorCode::kRateLimited;
      else if (status >= 500 && status <= 599) e.code = ErrorCode::kUnavailable;
      else if (status >= 400 && status <= 499) e.code = ErrorCode::kInvalidArgument;
      else e.code = ErrorCode::kInternal;
  }
  std::string hint;
  if (status == 404) hint = "; the recording no longer exists (retention) or the URL was altered";
  if (status == 416) hint = "; the requested offset is beyond the end of the recording";
  if (status == 400 && (code == "ExpiredToken" || code == "TokenRefreshRequired" || code == "InvalidToken")) {
    hint = "; the temporary credentials the presigned URL was signed with expired (or were revoked) before the URL "
           "did: re-query captures (POST /v1/captures/query) for a fresh URL";
  }
  if (status == 400 && util::ContainsIgnoreCase(s3_message, "auth mechanism")) {
    hint = "; the request carried an Authorization header next to the presigned query";
  }
  e.message = RedactSecrets(where + " failed (" + detail + ")" + hint);
  return e;
}

/// The media type of a 2xx answer to a presigned GET when it is an HTML page ("text/html",
/// "application/xhtml+xml"), which no recording or transcript is: a proxy, captive portal or
/// error page answered instead of the recording store. nullopt otherwise (also when absent).
std::optional<std::string> HtmlMediaType(HttpHeaders const& headers) {
  auto media = util::MediaType(headers);
  if (media != "text/html" && media != "application/xhtml+xml") return std::nullopt;
  return FindHeader(headers, "Content-Type");
}

/// Skips the first `skip` bytes of a body (when a server ignored the Range header).
class SkippingBodyReader : public BodyReader {
 public:
  SkippingBodyReader(std::unique_ptr<BodyReader> inner, std::uint64_t skip) : inner_(std::move(inner)), skip_(skip) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    char scratch[16384];
    while (skip_ > 0) {
      auto n = inner_->Read(scratch, static_cast<std::size_t>(std::min<std::uint64_t>(sizeof scratch, skip_)));
      if (!n) return n;
      if (*n == 0) {
        return MakeError(ErrorCode::kIntegrity, "presigned recording download: the body ended " +
                                                    std::to_string(skip_) + " bytes before the requested offset");
      }
      skip_ -= *n;
    }
    return inner_->Read(buffer, size);
  }

 private:
  std::unique_ptr<BodyReader> inner_;
  std::uint64_t skip_;
};

}  // namespace

struct Client::Impl : util::ClientRuntime {
  explicit Impl(ClientOptions o)
      : util::ClientRuntime(o, [] { return MakeCurlTransport(); }),
        base_url(util::TrimTrailingSlashes(std::move(o.base_url))),
        tokens(std::move(o.tokens)),
        rate_limiter(std::move(o.rate_limiter)),
        allow_http_media(o.allow_http_media),
        request_timeout(o.request_timeout) {
    if (base_url.empty() || !util::ParseUrl(base_url)) {
      config_error = MakeError(ErrorCode::kInvalidArgument,
                               "Webex client: base_url \"" + base_url +
                                   "\" is not an http(s) URL; use BaseUrlForRegion() (e.g. us1) or a full URL");
    } else if (auto problem = util::InsecureCredentialUrlProblem(*util::ParseUrl(base_url), "Webex client: base_url");
               !problem.empty()) {
      config_error = MakeError(ErrorCode::kInvalidArgument, problem);
    } else if (!tokens) {
      config_error = MakeError(ErrorCode::kInvalidArgument,
                               "Webex client: ClientOptions.tokens is required (e.g. an OAuthClient)");
    }
  }

  std::string base_url;
  std::shared_ptr<AccessTokenSource> tokens;
  std::shared_ptr<RateLimiter> rate_limiter;
  bool allow_http_media;
  std::chrono::milliseconds request_timeout;
  std::optional<Error> config_error;

  /// One API call with retries and the single 401 refresh-and-retry; returns a 2xx response
  /// whose Content-Type is JSON (or absent).
  Result<detail::BufferedResponse> CallApi(std::string const& method, std::string const& url,
                                         std::optional<std::string> const& body, CallContext const& ctx,
                                         std::string const& what) const {
    if (config_error) return *config_error;
    auto result = detail::WithAccessToken(*tokens, ctx, logger, what, "cjp:config_read", [&](std::string const& token) {
      return util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<detail::BufferedResponse> {
        HttpRequest request = detail::MakeApiRequest(method, url, token, body, request_timeout, ctx);
        std::string tracking_id = FindHeader(request.headers, "TrackingId").value_or("");
        if (rate_limiter) {
          auto admitted = rate_limiter->Acquire(ctx);
          if (!admitted) return util::WithContext(std::move(admitted).error(), what);
        }
        auto response = detail::SendBuffered(*transport, request, ctx);
        if (!response) {
          Error e = util::WithContext(std::move(response).error(), what);
          if (e.request_id.empty()) e.request_id = tracking_id;
          return e;
        }
        if (response->status < 200 || response->status > 299) {
          Error e = MapWebexError(response->status, response->body, response->headers, what, clock->Now());
          if (e.request_id.empty()) e.request_id = tracking_id;
          if (rate_limiter && e.code == ErrorCode::kRateLimited) {
            // Applies to every worker, but never longer than this call itself would wait.
            if (auto pause = util::SharedPauseFor(e, ctx.retry ? *ctx.retry : backoff.Policy())) {
              rate_limiter->PauseUntil(clock->Now() + *pause);
            }
          }
          return e;
        }
        return response;
      });
    });
    if (!result) return result;
    if (auto ok = detail::CheckJsonContentType(result->headers, what + " response"); !ok) {
      return std::move(ok).error();
    }
    return result;
  }

  std::string TasksUrl(std::int64_t from_ms, std::int64_t to_ms, int page_size,
                       std::vector<std::string> const& channel_types, std::optional<std::string> const& org_id) const {
    // Only the parameters the spec defines (a strict server rejects unknown ones).
    std::string url = base_url + "/v1/tasks?from=" + std::to_string(from_ms) + "&to=" + std::to_string(to_ms);
    if (!channel_types.empty()) {
      url += "&channelTypes=";
      for (std::size_t i = 0; i < channel_types.size(); ++i) {
        if (i != 0) url += ',';  // comma-separated, as the spec says
        url += util::PercentEncode(channel_types[i]);
      }
    }
    url += "&pageSize=" + std::to_string(page_size);
    if (org_id) url += "&orgId=" + util::PercentEncode(*org_id);
    return url;
  }

  /// One GET /v1/tasks: the 2xx body.
  Result<std::string> GetTasks(std::int64_t from_ms, std::int64_t to_ms, int page_size,
                               std::vector<std::string> const& channel_types, std::optional<std::string> const& org_id,
                               CallContext const& ctx) const {
    auto response = CallApi("GET", TasksUrl(from_ms, to_ms, page_size, channel_types, org_id), std::nullopt, ctx,
                            kTasksWhat);
    if (!response) return std::move(response).error();
    return std::move(response->body);
  }
};

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl const>(std::move(options))) {}

Result<std::vector<Task>> Client::ListTasksPage(TaskQuery const& query, CallContext const& ctx) const {
  if (auto e = ValidateTaskQuery(query)) return *e;
  auto body = impl_->GetTasks(util::ToEpochMs(query.from), util::ToEpochMs(query.to), query.page_size,
                              query.channel_types, query.org_id, ctx);
  if (!body) return std::move(body).error();
  return detail::ParseTasksResponse(*body, impl_->logger);
}

Pager<Task> Client::ListTasks(TaskQuery const& query, CallContext const& ctx) const {
  if (auto e = ValidateTaskQuery(query)) {
    auto error = std::make_shared<std::optional<Error>>(std::move(*e));
    return Pager<Task>([error]() -> std::optional<Result<Task>> {
      if (!*error) return std::nullopt;
      Error out = std::move(**error);
      error->reset();
      return Result<Task>(std::move(out));
    });
  }
  auto impl = impl_;
  auto org_id = query.org_id;
  auto fetch = [impl, org_id, ctx](std::int64_t from_ms, std::int64_t to_ms, int page_size,
                                   std::vector<std::string> const& channel_types) {
    auto body = impl->GetTasks(from_ms, to_ms, page_size, channel_types, org_id, ctx);
    if (!body) return Result<detail::TasksPage>(std::move(body).error());
    return detail::ParseTasksPage(*body);
  };
  auto lister = std::make_shared<detail::TaskLister>(util::ToEpochMs(query.from), util::ToEpochMs(query.to),
                                                   query.page_size, query.channel_types, std::move(fetch),
                                                   impl_->logger, query.on_malformed);
  return Pager<Task>([lister]() { return lister->Next(); });
}

Result<std::vector<TaskCaptures>> Client::QueryCaptures(CaptureQuery const& query, CallContext const& ctx) const {
  std::vector<std::string> ids;
  std::unordered_set<std::string> unique;
  for (auto const& id : query.task_ids) {
    if (id.empty()) return MakeError(ErrorCode::kInvalidArgument, "Webex captures query: a task id is empty");
    if (unique.insert(id).second) ids.push_back(id);
  }
  if (ids.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex captures query: at least one task id is required");
  }
  if (ids.size() > kMaxTaskIdsPerQuery) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Webex captures query: " + std::to_string(ids.size()) +
                         " unique task ids given, the API takes at most 10 per request (use QueryCapturesBatched)");
  }
  auto minutes = query.url_expiration.count();
  if (minutes < 1 || minutes > 60) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex captures query: url_expiration " + std::to_string(minutes) +
                                                      " minutes is outside 1..60 (the API takes minutes, not seconds)");
  }
  if (query.org_id && query.org_id->empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "Webex captures query: org_id is set but empty");
  }
  auto response = impl_->CallApi("POST", impl_->base_url + "/v1/captures/query",
                                 detail::BuildCapturesRequestBody(ids, query), ctx, kCapturesWhat);
  if (!response) return std::move(response).error();
  auto parsed = detail::ParseCapturesResponse(response->body, impl_->logger);
  if (!parsed) return std::move(parsed).error();

  // One entry per requested id, in request order; extras the server added go last.
  std::vector<TaskCaptures> out(ids.size());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    out[i].task_id = ids[i];
    index.emplace(ids[i], i);
  }
  for (auto& entry : *parsed) {
    auto it = index.find(entry.task_id);
    if (it == index.end()) {
      impl_->logger.Warn(std::string(kCapturesWhat) + ": the response has task " + entry.task_id +
                         ", which was not asked for; kept");
      index.emplace(entry.task_id, out.size());
      out.push_back(std::move(entry));
      continue;
    }
    auto& target = out[it->second];
    std::move(entry.recordings.begin(), entry.recordings.end(), std::back_inserter(target.recordings));
    std::move(entry.transcriptions.begin(), entry.transcriptions.end(), std::back_inserter(target.transcriptions));
  }
  return out;
}

Result<std::vector<TaskCaptures>> Client::QueryCapturesBatched(std::vector<std::string> task_ids,
                                                               CaptureQuery const& options,
                                                               CallContext const& ctx) const {
  std::vector<std::string> ids;
  std::unordered_set<std::string> unique;
  for (auto& id : task_ids) {
    if (unique.insert(id).second) ids.push_back(std::move(id));
  }
  std::vector<TaskCaptures> out;
  for (std::size_t start = 0; start < ids.size(); start += kMaxTaskIdsPerQuery) {
    CaptureQuery batch = options;
    auto end = std::min(ids.size(), start + kMaxTaskIdsPerQuery);
    batch.task_ids.assign(ids.begin() + static_cast<std::ptrdiff_t>(start), ids.begin() + static_cast<std::ptrdiff_t>(end));
    auto result = QueryCaptures(batch, ctx);
    if (!result) return std::move(result).error();
    std::move(result->begin(), result->end(), std::back_inserter(out));
  }
  return out;
}

Result<std::string> Client::PostJson(std::string const& path, std::string body, CallContext const& ctx,
                                     std::string const& what) const {
  auto response = impl_->CallApi("POST", impl_->base_url + path, std::move(body), ctx, what);
  if (!response) return std::move(response).error();
  return std::move(response->body);
}

Logger const& Client::ClientLogger() const { return impl_->logger; }

Result<HttpResponse> Client::OpenRecording(std::string const& presigned_url, CallContext const& ctx,
                                           std::uint64_t offset) const {
  auto const parsed = util::ParseUrl(presigned_url);
  if (!parsed) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "presigned recording URL is not an absolute http(s) URL: " + RedactUrl(presigned_url));
  }
  if (util::IsLinkLocalOrMetadataHost(parsed->host)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "presigned recording URL " + RedactUrl(presigned_url) +
                         " points at a link-local or cloud-metadata address; refusing to fetch it");
  }
  if (parsed->scheme == "http" && !impl_->allow_http_media) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "presigned recording URL " + RedactUrl(presigned_url) +
                         " is plain http; recordings are personal data (set ClientOptions::allow_http_media, "
                         "ccrec-export --allow-http-media, to accept it)");
  }
  std::string const what = "presigned recording download " + RedactUrl(presigned_url);
  auto const& impl = *impl_;
  auto result = util::RunWithRetries(impl.Env(), ctx, true, what, [&](int) -> Result<HttpResponse> {
    HttpRequest request;
    request.method = "GET";
    request.url = presigned_url;  // byte-for-byte; no Authorization, no TrackingId, no extra headers
    // The stored bytes, never a compressed transfer (libcurl would otherwise ask for gzip and decode).
    request.headers.emplace_back("Accept-Encoding", "identity");
    if (offset > 0) {
      request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-");
      if (auto if_range = FindHeader(ctx.extra_headers, "If-Range")) request.headers.emplace_back("If-Range", *if_range);
    }
    auto response = impl.transport->Send(request, ctx);
    if (!response) {
      Error e = std::move(response).error();
      e.message = what + ": " + RedactSecrets(e.message);  // in case the transport quoted the URL
      return e;
    }
    if (response->status == 200 || response->status == 206) {
      if (auto html = HtmlMediaType(response->headers)) {
        // Stored as the recording, it would be exported with exit status 0 and the audio lost.
        Error e = MakeError(ErrorCode::kIntegrity,
                            what + ": the server answered HTTP " + std::to_string(response->status) +
                                " with Content-Type \"" + EscapeControlCharacters(html->substr(0, 100)) +
                                "\", an HTML page, not a recording (a proxy, captive portal or error page answered "
                                "instead of the recording store); nothing of it was stored");
        e.http_status = response->status;
        return e;
      }
      return response;
    }
    std::string body = util::ReadPrefix(*response, detail::kMaxErrorBodyBytes);
    return MapPresignedError(response->status, body, response->headers, presigned_url, impl.clock->Now());
  });
  if (!result) return result;
  if (offset > 0 && result->status == 200) {
    impl.logger.Info(what + ": the server ignored the Range header; skipping " + std::to_string(offset) +
                     " bytes locally");
    if (auto length = result->ContentLength()) {
      if (*length < offset) {
        return MakeError(ErrorCode::kInvalidArgument, what + ": offset " + std::to_string(offset) +
                                                          " is beyond the end of the recording (" +
                                                          std::to_string(*length) + " bytes)");
      }
      SetHeader(result->headers, "Content-Length", std::to_string(*length - offset));
    }
    result->body = std::make_unique<SkippingBodyReader>(std::move(result->body), offset);
  }
  return result;
}

std::optional<SysTime> Client::PresignedUrlExpiry(std::string_view url) {
  auto q = url.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  auto query = url.substr(q + 1);
  if (auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  std::optional<std::string> amz_date;
  std::optional<std::string> amz_expires;
  std::optional<std::string> v2_expires;
  for (auto const& [name, value] : util::ParseQuery(query)) {
    if (HeaderNameEquals(name, "X-Amz-Date")) amz_date = value;
    else if (HeaderNameEquals(name, "X-Amz-Expires")) amz_expires = value;
    else if (name == "Expires") v2_expires = value;
  }
  auto parse_seconds = [](std::string const& text) -> std::optional<std::int64_t> {
    if (text.empty() || text.size() > 12) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return v;
  };
  if (amz_date && amz_expires) {
    auto signed_at = util::ParseAmzDate(*amz_date);
    auto lifetime_s = parse_seconds(*amz_expires);
    if (!signed_at || !lifetime_s || *lifetime_s > std::int64_t{10} * 365 * 24 * 3600) return std::nullopt;
    return *signed_at + std::chrono::seconds(*lifetime_s);
  }
  if (v2_expires) {
    auto epoch = parse_seconds(*v2_expires);
    if (!epoch || *epoch > std::int64_t{8'000'000'000}) return std::nullopt;
    return util::FromEpochSeconds(*epoch);
  }
  return std::nullopt;
}

}  // namespace ccrec::webex
