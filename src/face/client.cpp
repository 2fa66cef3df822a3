// face::Client: login token, searches, downloads and control commands (reference oracle-face.md).

#include <ccrec/face/client.hpp>

#include <ccrec/transport/curl.hpp>

#include "face/parse.hpp"
#include "face/request.hpp"
#include "internal/ascii.hpp"
#include "internal/http_util.hpp"
#include "internal/retry_loop.hpp"
#include "internal/single_flight.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <functional>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <vector>

namespace ccrec {
inline namespace v1 {
namespace face {

namespace util = ::ccrec::internal;
using SysTime = std::chrono::system_clock::time_point;

namespace {

constexpr char kMediaAccept[] = "audio/*, application/octet-stream, application/json;q=0.9, */*;q=0.5";

std::string NormalizeBaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  constexpr std::string_view kFace = "/Face";
  if (url.size() >= kFace.size() && url.compare(url.size() - kFace.size(), kFace.size(), kFace) == 0) {
    url.resize(url.size() - kFace.size());
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string FormEncodeMetadata(MetadataUpdate const& m, std::optional<Error>& error) {
  util::QueryParams form;
  auto text = [&](char const* name, std::optional<std::string> const& v) {
    if (!v) return;
    if (v->empty() && !error) {
      error = MakeError(ErrorCode::kInvalidArgument, std::string("FACE metadata update: ") + name + " is set but empty");
    }
    form.emplace_back(name, *v);
  };
  text("filename", m.filename);
  text("agentId", m.agent_id);
  text("agentTerminal", m.agent_terminal);
  if (m.sensitive) form.emplace_back("sensitive", *m.sensitive ? "true" : "false");
  if (m.set_never_expire) form.emplace_back("setNeverExpire", *m.set_never_expire ? "true" : "false");
  for (auto const& [name, value] : m.custom_fields) {
    if (name.empty() && !error) error = MakeError(ErrorCode::kInvalidArgument, "FACE metadata update: empty field name");
    form.emplace_back(name, value);
  }
  if (form.empty() && !error) {
    error = MakeError(ErrorCode::kInvalidArgument, "FACE metadata update: nothing to update (every field is unset)");
  }
  return util::FormEncode(form);
}

std::string Join(std::string a, std::string const& b) {
  if (b.empty()) return a;
  if (a.empty()) return b;
  return a + "&" + b;
}

}  // namespace

struct Client::Impl {
  explicit Impl(ClientOptions o)
      : options(std::move(o)),
        base_url(NormalizeBaseUrl(options.base_url)),
        transport(options.transport ? options.transport : MakeCurlTransport()),
        clock(options.clock ? options.clock : MakeSystemClock()),
        sleeper(options.sleeper ? options.sleeper : MakeRealSleeper()),
        backoff(options.retry),
        login_backoff(RetryPolicy{2, options.retry.max_elapsed, options.retry.initial_backoff, options.retry.max_backoff,
                                  options.retry.multiplier, options.retry.max_retry_after}),
        logger(options.logger) {
    auto parsed = util::ParseUrl(base_url);
    if (base_url.empty() || !parsed || !parsed->query.empty() || parsed->host.empty()) {
      config_error = MakeError(ErrorCode::kInvalidArgument,
                               "FACE client: base_url \"" + RedactUrl(options.base_url) +
                                   "\" is not an http(s) URL like https://HOST:PORT (the client appends /Face/...)");
    } else if (parsed->path != "/" && !parsed->path.empty()) {
      config_error = MakeError(ErrorCode::kInvalidArgument,
                               "FACE client: base_url \"" + RedactUrl(options.base_url) +
                                   "\" has a path; give only https://HOST:PORT (the client appends /Face/...)");
    } else if (options.user_email.empty() || options.password.empty()) {
      config_error = MakeError(ErrorCode::kInvalidArgument,
                               "FACE client: user_email and password are required (an ISR user of type API User)");
    } else if (options.token_lifetime.count() < 1) {
      config_error = MakeError(ErrorCode::kInvalidArgument, "FACE client: token_lifetime must be at least 1 second");
    } else if (options.user_email_field.empty()) {
      config_error = MakeError(ErrorCode::kInvalidArgument, "FACE client: user_email_field is empty");
    }
  }

  ClientOptions options;
  std::string base_url;  // scheme://host:port
  std::shared_ptr<HttpTransport> transport;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<Sleeper> sleeper;
  Backoff backoff;
  Backoff login_backoff;
  Logger logger;
  std::optional<Error> config_error;

  // --- session (single-flight login) -----------------------------------------------------------
  std::mutex mu;  // guards the session fields and `login`
  std::string token;
  SysTime expires_at{};
  std::chrono::seconds lifetime{0};
  std::optional<Error> sticky_error;  // a rejected login: never asked again
  std::optional<Error> last_error;
  std::atomic<std::uint64_t> logins{0};

  util::RetryEnv Env() const { return util::RetryEnv{&backoff, clock.get(), sleeper.get(), &logger}; }

  std::string Url(std::string const& command) const { return base_url + "/Face/" + command; }

  std::chrono::seconds Margin() const {
    return std::min(options.renew_margin, std::chrono::seconds(lifetime.count() / 4));
  }

  struct Minted {
    std::string token;
    std::chrono::seconds lifetime;
  };
  util::SingleFlight<Minted> login;  // one login at a time; guarded by mu

  Error CredentialError(wire::LoginAnswer const& answer, int status) const;

  /// One login (at most two HTTP attempts).
  Result<Minted> DoLogin(CallContext const& ctx) {
    std::string what = "FACE POST login";
    CallContext login_ctx = ctx;
    login_ctx.retry.reset();  // at most two attempts, whatever the caller's policy
    util::RetryEnv env{&login_backoff, clock.get(), sleeper.get(), &logger};
    std::string form = util::FormEncode({{options.user_email_field, options.user_email},
                                         {"password", options.password},
                                         {"expirationSeconds", std::to_string(options.token_lifetime.count())}});
    return util::RunWithRetries(env, login_ctx, true, what, [&](int attempt) -> Result<Minted> {
      HttpRequest request = detail::ControlRequest("POST", Url("login"), options);
      request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
      request.body = MakeStringBody(form);
      logger.Debug(what + " as " + options.user_email + " (attempt " + std::to_string(attempt) + ")");
      auto response = transport->Send(request, ctx);
      if (!response) {
        Error e = std::move(response).error();
        e.message = what + ": " + e.message;
        return e;
      }
      int status = response->status;
      HttpHeaders headers = response->headers;
      std::string body = util::ReadPrefix(response->body.get(), wire::kMaxErrorBodyBytes);
      auto answer = wire::ParseLogin(headers, body);
      if (status >= 200 && status <= 299 && answer.parsed && answer.code.value_or(0) == 0 && !answer.token.empty()) {
        std::chrono::seconds granted = options.token_lifetime;
        if (answer.expiration) {
          if (auto parsed = wire::ParseExpiration(*answer.expiration); parsed && parsed->count() > 0) {
            granted = std::min(granted, *parsed);
          } else {
            logger.Warn(what + ": unreadable expiration \"" + *answer.expiration + "\"; assuming " +
                        std::to_string(granted.count()) + " s");
          }
        }
        return Minted{answer.token, granted};
      }
      if (answer.parsed && answer.code == 16) {
        Error e = MapFaceError(status == 200 ? 503 : status, body, headers, what);
        e.code = ErrorCode::kUnavailable;
        e.http_status = status;
        return e;
      }
      if ((answer.parsed && answer.code == -1) || status == 401 || status == 403) {
        return CredentialError(answer, status);
      }
      if (status >= 200 && status <= 299 && answer.parsed && answer.code.value_or(0) == 0) {
        Error e = MakeError(ErrorCode::kParse, what + ": the login answer (code 0) carries no token");
        e.http_status = status;
        return e;
      }
      if (status >= 200 && status <= 299 && !answer.parsed) {
        Error e = MakeError(ErrorCode::kParse, what + ": the login answer is neither a JSON nor an XML FACE result (\"" +
                                                   wire::Snippet(RedactSecrets(body)) + "\")");
        e.http_status = status;
        return e;
      }
      return MapFaceError(status, body, headers, what);
    });
  }

  /// A usable token: the cached one unless it is `rejected` or about to expire; else one login
  /// shared by every waiting thread.
  Result<std::string> Token(CallContext const& ctx, std::string const& rejected) {
    if (config_error) return *config_error;
    std::unique_lock<std::mutex> lock(mu);
    bool waited_for_failure = false;
    for (;;) {
      if (sticky_error) return *sticky_error;
      SysTime now = clock->Now();
      if (auto e = util::CheckContext(ctx, now)) return *e;
      if (!token.empty() && token != rejected && now + Margin() < expires_at) return token;
      if (waited_for_failure && last_error) return *last_error;
      if (login.Running()) {
        auto awaited = login.Wait(lock, [&] { return util::CheckContext(ctx, clock->Now()); });
        if (awaited.interrupted) return *awaited.interrupted;
        if (awaited.result && !*awaited.result) waited_for_failure = true;
        continue;
      }
      auto minted = login.Run(lock, [&] { return DoLogin(ctx); }, [&](Result<Minted> const& result) {
        if (result) {
          token = result->token;
          lifetime = result->lifetime;
          expires_at = clock->Now() + lifetime;
          last_error.reset();
          logins.fetch_add(1);
          logger.Info("logged in to FACE as " + options.user_email + "; token valid for " +
                      std::to_string(lifetime.count()) + " s");
        } else {
          last_error = result.error();
          if (result.error().code == ErrorCode::kUnauthenticated) sticky_error = result.error();
        }
        return true;
      });
      if (!minted) return std::move(minted).error();
      return token;
    }
  }

  /// One authenticated API call answered with a (small) result document. `accept_code` decides
  /// which FACE codes are answers rather than failures (failures are mapped, and retried when
  /// transient and `idempotent`). Re-logs in once on a token error.
  Result<util::BufferedResponse> Call(std::string const& command, std::string const& query,
                                      std::optional<std::string> const& form, bool idempotent,
                                      std::function<bool(wire::ResultHeader const&)> const& accept_code,
                                      CallContext const& ctx) {
    std::string what = std::string("FACE ") + (form ? "POST " : "GET ") + command;
    std::string rejected;
    for (int auth_attempt = 1;; ++auth_attempt) {
      auto tok = Token(ctx, rejected);
      if (!tok) return std::move(tok).error();
      std::string url = Url(command) + "?" + Join("token=" + util::PercentEncode(*tok), query);
      auto result = util::RunWithRetries(Env(), ctx, idempotent, what, [&](int) -> Result<util::BufferedResponse> {
        HttpRequest request = detail::ControlRequest(form ? "POST" : "GET", url, options);
        if (form) {
          request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
          request.body = MakeStringBody(*form);
        }
        for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
        logger.Debug(what + ": " + RedactUrl(url));
        auto response = transport->Send(request, ctx);
        if (!response) {
          Error e = std::move(response).error();
          e.message = what + ": " + RedactSecrets(e.message);
          return e;
        }
        auto buffered = util::BufferResponse(*response, wire::kMaxResultBytes, wire::kMaxErrorBodyBytes);
        if (!buffered) {
          Error e = std::move(buffered).error();
          e.message = what + ": reading the answer failed: " + e.message;
          return e;
        }
        util::BufferedResponse out = std::move(*buffered);
        bool ok_status = out.status >= 200 && out.status <= 299;
        auto header = wire::ReadResultHeader(out.headers, out.body);
        if (IsTokenError(out.status, header.code, header.message)) {
          return MapFaceError(out.status, out.body, out.headers, what);
        }
        if (!ok_status) {
          // FACE's HTTP statuses are undocumented (reference §7 [U]): a JSON answer code such
          // as 19 is an answer whatever the status.
          if (header.kind == wire::BodyKind::kJson && header.code && accept_code(header)) return out;
          return MapFaceError(out.status, out.body, out.headers, what);
        }
        // Transient FACE codes are retried here; the parser maps the rest.
        if (header.kind == wire::BodyKind::kJson && header.code && !accept_code(header)) {
          return MapFaceError(out.status, out.body, out.headers, what);
        }
        return out;
      });
      if (!result && result.error().code == ErrorCode::kUnauthenticated) {
        if (auth_attempt == 1) {
          logger.Info(what + ": FACE rejected the token; logging in again and retrying once");
          rejected = *tok;
          continue;
        }
        Error e = std::move(result).error();
        e.message += "; the token was rejected again right after a fresh login";
        return e;
      }
      return result;
    }
  }

  /// An authenticated download: returns the streaming response when it is media; a result
  /// document (JSON, XML, text) is mapped to an Error. Re-logs in once on a token error; code 11
  /// is retried once. With `expect_redirect`, a 3xx answer is returned as is.
  Result<HttpResponse> Open(std::string const& command, std::string const& query, CallContext const& ctx,
                            bool expect_redirect = false) {
    std::string what = "FACE GET " + command;
    std::string rejected;
    bool retried_11 = false;
    for (int auth_attempt = 1;;) {
      auto tok = Token(ctx, rejected);
      if (!tok) return std::move(tok).error();
      std::string url = Url(command) + "?" + Join("token=" + util::PercentEncode(*tok), query);
      auto result = util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<HttpResponse> {
        HttpRequest request;
        request.url = url;
        request.headers = {{"Accept", kMediaAccept}};
        for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
        logger.Debug(what + ": " + RedactUrl(url));
        auto response = transport->Send(request, ctx);
        if (!response) {
          Error e = std::move(response).error();
          e.message = what + ": " + RedactSecrets(e.message);
          return e;
        }
        int status = response->status;
        if (expect_redirect && status >= 300 && status <= 399 && response->Header("Location")) {
          return std::move(*response);
        }
        if (status < 200 || status > 299) {
          std::string body = util::ReadPrefix(response->body.get(), wire::kMaxErrorBodyBytes);
          return MapFaceError(status, body, response->headers, what);
        }
        auto content_type = response->Header("Content-Type").value_or("");
        std::string prefix;
        bool is_result = wire::IsResultContentType(content_type);
        if (content_type.empty()) {
          // No Content-Type: sniff the first bytes (audio never starts with '<' or '{').
          char buffer[64];
          while (prefix.size() < 16) {
            auto n = response->body->Read(buffer, sizeof buffer);
            if (!n) {
              Error e = std::move(n).error();
              e.message = what + ": " + e.message;
              return e;
            }
            if (*n == 0) break;
            prefix.append(buffer, *n);
          }
          auto kind = wire::Classify({}, prefix);
          is_result = kind == wire::BodyKind::kJson || kind == wire::BodyKind::kXml || kind == wire::BodyKind::kEmpty;
        }
        if (is_result) {
          std::string body = prefix + util::ReadPrefix(response->body.get(), wire::kMaxErrorBodyBytes);
          auto header = wire::ReadResultHeader(response->headers, body);
          if (header.parsed && header.code && *header.code == 0) {
            Error e = MakeError(ErrorCode::kParse, what + ": FACE answered with a result (code 0 \"" + header.message +
                                                       "\") instead of the file");
            e.http_status = status;
            return e;
          }
          if (!header.parsed && header.kind != wire::BodyKind::kEmpty) {
            Error e = MakeError(ErrorCode::kParse, what + ": expected audio, got Content-Type \"" + content_type +
                                                       "\" (\"" + wire::Snippet(body) + "\")");
            e.http_status = status;
            return e;
          }
          return MapFaceError(status, body, response->headers, what);
        }
        if (!prefix.empty()) {
          response->body = std::make_unique<util::PrefixedBodyReader>(std::move(prefix), std::move(response->body));
        }
        return std::move(*response);
      });
      if (!result && result.error().code == ErrorCode::kUnauthenticated && auth_attempt == 1) {
        logger.Info(what + ": FACE rejected the token; logging in again and retrying once");
        rejected = *tok;
        ++auth_attempt;
        continue;
      }
      if (!result && result.error().vendor_code == "11" && !retried_11) {
        logger.Info(what + ": FACE code 11 (error retrieving file); retrying once");
        retried_11 = true;
        continue;
      }
      return result;
    }
  }

  Result<ControlResult> Control(std::string const& command, Result<std::string> query,
                                std::optional<MetadataUpdate> const& metadata, CallContext const& ctx) {
    if (!query) return std::move(query).error();
    std::optional<std::string> form;
    if (metadata) {
      std::optional<Error> error;
      form = FormEncodeMetadata(*metadata, error);
      if (error) return *error;
    }
    auto accept = [](wire::ResultHeader const& h) { return h.code == 0; };
    auto response = Call(command, *query, form, false, accept, ctx);
    if (!response) return std::move(response).error();
    std::string what = std::string("FACE ") + (form ? "POST " : "GET ") + command;
    return wire::ParseControl(response->status, response->headers, response->body, what);
  }

  Result<RecordingSearchResult> SearchRecordings(SearchCriteria const& criteria, CallContext const& ctx) {
    auto query = EncodeCriteria(criteria, CriteriaUse::kRecordingSearch, options.time_format);
    if (!query) return std::move(query).error();
    auto response = Call("audioRecording/details", *query, std::nullopt, true, AcceptSearchCode, ctx);
    if (!response) return std::move(response).error();
    return wire::ParseRecordingSearch(response->status, response->headers, response->body,
                                      "FACE GET audioRecording/details", options.time_format,
                                      criteria.max_list_length.value_or(0));
  }

  Result<SegmentSearchResult> SearchSegments(SearchCriteria const& criteria, CallContext const& ctx) {
    auto query = EncodeCriteria(criteria, CriteriaUse::kSegmentSearch, options.time_format);
    if (!query) return std::move(query).error();
    auto response = Call("audioRecording/segment/details", *query, std::nullopt, true, AcceptSearchCode, ctx);
    if (!response) return std::move(response).error();
    return wire::ParseSegmentSearch(response->status, response->headers, response->body,
                                    "FACE GET audioRecording/segment/details", options.time_format,
                                    criteria.max_list_length.value_or(0));
  }

  static bool AcceptSearchCode(wire::ResultHeader const& h) {
    if (!h.code) return true;
    return *h.code == 0 || *h.code == 19 || (*h.code == -1 && (h.has_matches || wire::IsListMessage(h.message)));
  }

  Result<std::string> SegmentQuery(Segment const& segment) const {
    SearchCriteria c;
    if (options.segment_selector == SegmentSelector::kFilename) {
      if (segment.filename.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "FACE segment " + segment.segment_id +
                                                          " has no file name to select it by (segment_selector kFilename)");
      }
      c.filename = segment.filename;
    } else {
      if (segment.segment_id.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "FACE segment has no segmentId to select it by");
      }
      c.segment_id = segment.segment_id;
    }
    return EncodeCriteria(c, CriteriaUse::kSegmentSelection, options.time_format);
  }
};

namespace {

/// Window splitting for ListRecordings (the issue: a truncated list is split, never paged).
class RecordingLister {
 public:
  using SearchFn = std::function<Result<RecordingSearchResult>(SearchCriteria const&, CallContext const&)>;

  RecordingLister(SearchFn search, Logger logger, TimeFormat format, ListQuery query, CallContext ctx)
      : search_(std::move(search)), logger_(std::move(logger)), format_(format), query_(std::move(query)),
        ctx_(std::move(ctx)) {
    granularity_ = format_.milliseconds ? 1 : 1000;
    auto from = util::ToEpochMs(query_.from);
    auto to = util::ToEpochMs(query_.to);
    if (to <= from) {
      error_ = MakeError(ErrorCode::kInvalidArgument, "FACE listing: `to` (" + util::FormatIso8601(query_.to, true) +
                                                          ") must be after `from` (" +
                                                          util::FormatIso8601(query_.from, true) + ")");
    } else if (query_.max_list_length < 1 || query_.max_list_length > 1000) {
      error_ = MakeError(ErrorCode::kInvalidArgument, "FACE listing: max_list_length " +
                                                          std::to_string(query_.max_list_length) + " is outside 1..1000");
    } else if (query_.filter.start || query_.filter.earliest_start || query_.filter.latest_start ||
               query_.filter.segment_id || query_.filter.max_list_length) {
      error_ = MakeError(ErrorCode::kInvalidArgument,
                         "FACE listing: the filter must not set start times, segment_id or max_list_length (the "
                         "lister sets them)");
    } else {
      windows_.emplace_back(from, to - 1);
    }
  }

  std::optional<Result<RecordingMatch>> Next() {
    for (;;) {
      if (!pending_.empty()) {
        RecordingMatch m = std::move(pending_.front());
        pending_.pop_front();
        return Result<RecordingMatch>(std::move(m));
      }
      if (done_) return std::nullopt;
      if (error_) {
        done_ = true;
        return Result<RecordingMatch>(std::move(*error_));
      }
      if (windows_.empty()) {
        done_ = true;
        return std::nullopt;
      }
      auto [a, b] = windows_.back();
      windows_.pop_back();
      Fetch(a, b);
    }
  }

 private:
  void Fetch(std::int64_t a, std::int64_t b) {
    SearchCriteria c = query_.filter;
    c.earliest_start = util::FromEpochMs(a);
    c.latest_start = util::FromEpochMs(b);
    c.max_list_length = query_.max_list_length;
    auto result = search_(c, ctx_);
    if (!result) {
      error_ = std::move(result).error();
      return;
    }
    std::vector<RecordingMatch> matches = std::move(result->matches);
    if (result->recording) matches.push_back(FromRecording(*result->recording));
    if (result->truncated) {
      std::int64_t first = Floor(a);
      std::int64_t last = Floor(b);
      std::int64_t granules = (last - first) / granularity_ + 1;
      if (granules <= 1) {
        error_ = MakeError(ErrorCode::kInternal,
                           "FACE listing: the server lists at most " + std::to_string(matches.size()) +
                               " recordings per request, and more than that start at " +
                               FormatFaceTime(util::FromEpochMs(a), format_) +
                               " (one " + (granularity_ == 1 ? "millisecond" : "second") +
                               "); the window cannot be split further, so the listing would be incomplete. Narrow "
                               "the search (e.g. by ani or dnis) or raise maxListLength");
        return;
      }
      std::int64_t mid = first + (granules / 2) * granularity_;
      logger_.Debug("FACE listing: list truncated for [" + util::FormatIso8601(util::FromEpochMs(a), true) + ", " +
                          util::FormatIso8601(util::FromEpochMs(b), true) + "]; splitting");
      windows_.emplace_back(mid, b);      // processed second
      windows_.emplace_back(a, mid - 1);  // processed first
      return;
    }
    for (auto& m : matches) {
      // Outside this window (a sloppy server, a rounded bound), read at its written precision.
      if (!wire::MayStartIn(m, a, b)) continue;
      if (!m.start) {
        logger_.Warn("FACE listing: recording " + m.recording_id + " has no readable start time; included once");
      }
      if (!seen_.insert(m.recording_id).second) continue;
      pending_.push_back(std::move(m));
    }
  }

  std::int64_t Floor(std::int64_t ms) const {
    if (granularity_ == 1) return ms;
    std::int64_t q = ms / granularity_;
    if (ms < 0 && ms % granularity_ != 0) --q;
    return q * granularity_;
  }

  static RecordingMatch FromRecording(Recording const& r) {
    RecordingMatch m;
    m.recording_id = r.recording_id;
    m.isr_ucid = r.isr_ucid;
    m.ingress_call_id = r.ingress_call_id;
    m.egress_call_id = r.egress_call_id;
    if (!r.segments.empty() && !r.segments.front().filename.empty()) m.filename = r.segments.front().filename;
    m.ani = r.ani;
    m.dnis = r.dnis;
    m.start = r.start_time;
    m.start_text = r.start_time_text;
    return m;
  }

  SearchFn search_;
  Logger logger_;
  TimeFormat format_;
  ListQuery query_;
  CallContext ctx_;
  std::int64_t granularity_ = 1;
  std::vector<std::pair<std::int64_t, std::int64_t>> windows_;  // inclusive [a, b] in epoch ms
  std::deque<RecordingMatch> pending_;
  std::set<std::string> seen_;
  std::optional<Error> error_;
  bool done_ = false;
};

}  // namespace

Error Client::Impl::CredentialError(wire::LoginAnswer const& answer, int status) const {
  Error e;
  e.code = ErrorCode::kUnauthenticated;
  e.http_status = status;
  e.vendor_code = answer.code ? std::to_string(*answer.code) : std::string();
  std::string server = answer.message.empty() ? std::string() : " (server: \"" + answer.message + "\")";
  if (util::ContainsIgnoreCase(answer.message, "expired") && util::ContainsIgnoreCase(answer.message, "password")) {
    e.message = "FACE login as " + options.user_email + " failed: the password has expired" + server +
                ". Change the API user's password in the ISR Dashboard and update the configured password";
  } else {
    e.message = "FACE login as " + options.user_email + " was rejected" + server +
                ": wrong e-mail or password, or the account is locked or is not an API User (FACE does not say "
                "which). Check the credentials and the account in the ISR admin UI; ccrec does not retry a rejected "
                "login, so that it cannot lock the account";
  }
  e.message = RedactSecrets(e.message);
  return e;
}

Client::Client(ClientOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Result<std::string> Client::Version(CallContext const& ctx) const {
  if (impl_->config_error) return *impl_->config_error;
  std::string what = "FACE GET version";
  return util::RunWithRetries(impl_->Env(), ctx, true, what, [&](int) -> Result<std::string> {
    HttpRequest request = detail::ControlRequest("GET", impl_->Url("version"), impl_->options);
    for (auto const& [name, value] : ctx.extra_headers) SetHeader(request.headers, name, value);
    auto response = impl_->transport->Send(request, ctx);
    if (!response) {
      Error e = std::move(response).error();
      e.message = what + ": " + e.message;
      return e;
    }
    std::string body = util::ReadPrefix(response->body.get(), wire::kMaxErrorBodyBytes);
    if (response->status < 200 || response->status > 299) {
      return MapFaceError(response->status, body, response->headers, what);
    }
    if (auto version = wire::ParseVersion(response->headers, body)) return *version;
    auto header = wire::ReadResultHeader(response->headers, body);
    if (header.code && *header.code != 0) return MapFaceError(response->status, body, response->headers, what);
    Error e = MakeError(ErrorCode::kParse, what + ": no version in the answer (\"" + wire::Snippet(body) + "\")");
    e.http_status = response->status;
    return e;
  });
}

Result<LoginInfo> Client::Login(CallContext const& ctx) const {
  auto token = impl_->Token(ctx, {});
  if (!token) return std::move(token).error();
  std::lock_guard<std::mutex> lock(impl_->mu);
  return LoginInfo{impl_->expires_at, impl_->lifetime};
}

std::uint64_t Client::LoginCount() const { return impl_->logins.load(); }

Result<RecordingSearchResult> Client::SearchRecordings(SearchCriteria const& criteria, CallContext const& ctx) const {
  return impl_->SearchRecordings(criteria, ctx);
}

Result<SegmentSearchResult> Client::SearchSegments(SearchCriteria const& criteria, CallContext const& ctx) const {
  return impl_->SearchSegments(criteria, ctx);
}

Result<Recording> Client::GetRecording(std::string const& recording_id, CallContext const& ctx) const {
  if (recording_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "FACE GetRecording: the recording id is empty");
  SearchCriteria c;
  c.recording_id = recording_id;
  auto result = impl_->SearchRecordings(c, ctx);
  if (!result) return std::move(result).error();
  if (result->recording) {
    if (result->recording->recording_id != recording_id) {
      return MakeError(ErrorCode::kParse, "FACE GET audioRecording/details?recordingId=" + recording_id +
                                              " answered with recording " + result->recording->recording_id);
    }
    return std::move(*result->recording);
  }
  auto not_found = [&] {
    Error e = MakeError(ErrorCode::kNotFound, "FACE recording " + recording_id + " was not found (code 19)");
    e.vendor_code = "19";
    return e;
  };
  if (result->code == 19) return not_found();
  // A list: the server ignored recordingId as a retrieval criterion (reference §4 [U]).
  auto it = std::find_if(result->matches.begin(), result->matches.end(),
                         [&](RecordingMatch const& m) { return m.recording_id == recording_id; });
  if (it == result->matches.end()) return not_found();
  impl_->logger.Info("FACE answered details?recordingId=" + recording_id +
                     " with a list; reading its segments with segment/details");
  Recording r;
  r.recording_id = recording_id;
  r.ani = it->ani;
  r.dnis = it->dnis;
  r.isr_ucid = it->isr_ucid;
  r.ingress_call_id = it->ingress_call_id;
  r.egress_call_id = it->egress_call_id;
  r.start_time = it->start;
  r.start_time_text = it->start_text;
  SearchCriteria sc;
  sc.recording_id = recording_id;
  auto segments = impl_->SearchSegments(sc, ctx);
  if (!segments) return std::move(segments).error();
  if (segments->segment) {
    if (segments->segment->recording_id.empty() || segments->segment->recording_id == recording_id) {
      r.segments.push_back(std::move(*segments->segment));
    }
  }
  for (auto& m : segments->matches) {
    if (!m.recording_id.empty() && m.recording_id != recording_id) continue;
    Segment s;
    s.segment_id = m.segment_id;
    s.recording_id = recording_id;
    s.filename = m.filename;
    s.start = m.start;
    s.end = m.end;
    if (m.start) s.start_text = FormatFaceTime(*m.start, impl_->options.time_format);
    if (m.end) s.end_text = FormatFaceTime(*m.end, impl_->options.time_format);
    s.has_video = m.has_video;
    r.segments.push_back(std::move(s));
  }
  if (segments->truncated) {
    return MakeError(ErrorCode::kInternal, "FACE recording " + recording_id + " has more segments than one list holds");
  }
  std::stable_sort(r.segments.begin(), r.segments.end(), [](Segment const& a, Segment const& b) {
    if (a.start && b.start) return *a.start < *b.start;
    return false;
  });
  return r;
}

Pager<RecordingMatch> Client::ListRecordings(ListQuery const& query, CallContext const& ctx) const {
  auto impl = impl_;
  auto search = [impl](SearchCriteria const& c, CallContext const& call_ctx) {
    return impl->SearchRecordings(c, call_ctx);
  };
  auto lister = std::make_shared<RecordingLister>(std::move(search), impl_->logger, impl_->options.time_format, query,
                                                  ctx);
  return Pager<RecordingMatch>([lister] { return lister->Next(); });
}

Result<HttpResponse> Client::DownloadRecording(std::string const& recording_id, CallContext const& ctx) const {
  if (recording_id.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE DownloadRecording: the recording id is empty");
  }
  SearchCriteria c;
  c.recording_id = recording_id;
  auto query = EncodeCriteria(c, CriteriaUse::kRecordingSelection, impl_->options.time_format);
  if (!query) return std::move(query).error();
  return impl_->Open("audioRecording/download", *query, ctx);
}

Result<HttpResponse> Client::DownloadSegment(Segment const& segment, CallContext const& ctx) const {
  auto query = impl_->SegmentQuery(segment);
  if (!query) return std::move(query).error();
  return impl_->Open("audioRecording/segment/download", *query, ctx);
}

Result<HttpResponse> Client::DownloadFile(FileSelector const& file, CallContext const& ctx) const {
  util::QueryParams params;
  if (file.filename) {
    if (file.filename->empty()) return MakeError(ErrorCode::kInvalidArgument, "FACE file/download: filename is empty");
    params.emplace_back("filename", *file.filename);
  }
  if (file.supplemental_file_id) {
    if (file.supplemental_file_id->empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "FACE file/download: supplemental_file_id is empty");
    }
    params.emplace_back("supplementalFileId", *file.supplemental_file_id);
  }
  if (params.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE file/download: set filename or supplemental_file_id");
  }
  if (file.video) params.emplace_back("type", "video");
  return impl_->Open("file/download", util::BuildQuery(params), ctx);
}

namespace {
Result<std::string> RedirectLocation(Result<HttpResponse> response, std::string const& what) {
  if (!response) return std::move(response).error();
  if (response->status >= 300 && response->status <= 399) {
    if (auto location = response->Header("Location"); location && !location->empty()) return *location;
  }
  Error e = MakeError(ErrorCode::kParse, what + ": expected a redirect, got HTTP " + std::to_string(response->status) +
                                             " with Content-Type \"" + response->Header("Content-Type").value_or("") +
                                             "\"");
  e.http_status = response->status;
  return e;
}
}  // namespace

Result<std::string> Client::RedirectRecording(std::string const& recording_id, CallContext const& ctx) const {
  if (recording_id.empty()) return MakeError(ErrorCode::kInvalidArgument, "FACE redirect: the recording id is empty");
  SearchCriteria c;
  c.recording_id = recording_id;
  auto query = EncodeCriteria(c, CriteriaUse::kRecordingSelection, impl_->options.time_format);
  if (!query) return std::move(query).error();
  return RedirectLocation(impl_->Open("audioRecording/redirect", *query, ctx, true), "FACE GET audioRecording/redirect");
}

Result<std::string> Client::RedirectSegment(Segment const& segment, CallContext const& ctx) const {
  auto query = impl_->SegmentQuery(segment);
  if (!query) return std::move(query).error();
  return RedirectLocation(impl_->Open("audioRecording/segment/redirect", *query, ctx, true),
                          "FACE GET audioRecording/segment/redirect");
}

Result<ControlResult> Client::Start(StartParams const& params, CallContext const& ctx) const {
  if (params.ani.empty() || params.dnis.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "FACE start: ani and dnis are required");
  }
  SearchCriteria c;
  c.ani = params.ani;
  c.dnis = params.dnis;
  c.channel_number = params.channel_number;
  c.rss_id = params.rss_id;
  c.custom_fields = params.custom_fields;
  auto query = EncodeCriteria(c, CriteriaUse::kRecordingSelection, impl_->options.time_format);
  if (query && params.codec_profile) {
    *query = Join(*query, "codecProfile=" + std::to_string(static_cast<int>(*params.codec_profile)));
  }
  return impl_->Control("audioRecording/start", std::move(query), params.metadata, ctx);
}

Result<ControlResult> Client::Stop(SearchCriteria const& target, std::optional<MetadataUpdate> const& metadata,
                                   CallContext const& ctx) const {
  return impl_->Control("audioRecording/stop",
                        EncodeCriteria(target, CriteriaUse::kRecordingSelection, impl_->options.time_format), metadata,
                        ctx);
}

Result<ControlResult> Client::Pause(SearchCriteria const& target, PauseOptions const& options,
                                    CallContext const& ctx) const {
  auto query = EncodeCriteria(target, CriteriaUse::kRecordingSelection, impl_->options.time_format);
  if (query && options.fill_with_silence) {
    *query = Join(*query, std::string("fillWithSilence=") + (*options.fill_with_silence ? "true" : "false"));
  }
  return impl_->Control("audioRecording/pause", std::move(query), options.metadata, ctx);
}

Result<ControlResult> Client::Resume(SearchCriteria const& target, std::optional<MetadataUpdate> const& metadata,
                                     CallContext const& ctx) const {
  return impl_->Control("audioRecording/resume",
                        EncodeCriteria(target, CriteriaUse::kRecordingSelection, impl_->options.time_format), metadata,
                        ctx);
}

Result<ControlResult> Client::Split(SearchCriteria const& target, CallContext const& ctx) const {
  return impl_->Control("audioRecording/split",
                        EncodeCriteria(target, CriteriaUse::kRecordingSelection, impl_->options.time_format),
                        std::nullopt, ctx);
}

Result<ControlResult> Client::Delete(SearchCriteria const& target, CallContext const& ctx) const {
  return impl_->Control("audioRecording/delete",
                        EncodeCriteria(target, CriteriaUse::kRecordingSelection, impl_->options.time_format),
                        std::nullopt, ctx);
}

Result<ControlResult> Client::EventNotify(EventNotifyParams const& params, CallContext const& ctx) const {
  if (params.event.empty()) return MakeError(ErrorCode::kInvalidArgument, "FACE eventNotify: the event is empty");
  auto query = EncodeCriteria(params.target, CriteriaUse::kRecordingSelection, impl_->options.time_format);
  if (query) *query = Join(*query, util::BuildQuery({{"event", params.event}}));
  return impl_->Control("eventNotify", std::move(query), std::nullopt, ctx);
}

}  // namespace face
}  // namespace v1
}  // namespace ccrec
