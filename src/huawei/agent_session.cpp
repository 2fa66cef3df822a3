// huawei::AgentSession: sign-in, Guid + cookies, single-flight re-sign-in, event poll, download
// (reference huawei-cc-gateway.md §1–§4, §6–§8).

#include <ccrec/huawei/agent_session.hpp>

#include <ccrec/transport/curl.hpp>

#include "huawei/wire.hpp"
#include "internal/json.hpp"
#include "internal/retry_loop.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

namespace ccrec {
inline namespace v1 {
namespace huawei {

namespace {

namespace util = ::ccrec::internal;

constexpr std::size_t kRetiredGuids = 16;
/// A failed re-sign-in is reused (not repeated) for the same lost session for this long.
constexpr std::chrono::seconds kFailedRecoveryMemory{30};

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Reads at most `max_bytes` of a body, ignoring read errors (for error bodies).
std::string ReadPrefix(HttpResponse& response, std::size_t max_bytes) {
  std::string out;
  if (!response.body) return out;
  char buffer[8192];
  while (out.size() < max_bytes) {
    auto n = response.body->Read(buffer, std::min(sizeof buffer, max_bytes - out.size()));
    if (!n || *n == 0) break;
    out.append(buffer, *n);
  }
  return out;
}

/// Download slots of one agent (AgentSessionOptions::max_concurrent_downloads).
struct Slots {
  std::mutex mu;
  std::condition_variable cv;
  int used = 0;
  int max = 1;
};

/// Holds one slot; releases it on destruction.
class SlotToken {
 public:
  explicit SlotToken(std::shared_ptr<Slots> slots) : slots_(std::move(slots)) {}
  ~SlotToken() {
    std::lock_guard<std::mutex> lock(slots_->mu);
    --slots_->used;
    slots_->cv.notify_one();
  }
  SlotToken(SlotToken const&) = delete;
  SlotToken& operator=(SlotToken const&) = delete;

 private:
  std::shared_ptr<Slots> slots_;
};

/// Replays bytes read while sniffing, then continues with the real body.
class PrefixedReader : public BodyReader {
 public:
  PrefixedReader(std::string prefix, std::unique_ptr<BodyReader> inner)
      : prefix_(std::move(prefix)), inner_(std::move(inner)) {}
  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (pos_ < prefix_.size()) {
      std::size_t n = std::min(size, prefix_.size() - pos_);
      std::memcpy(buffer, prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return inner_->Read(buffer, size);
  }

 private:
  std::string prefix_;
  std::size_t pos_ = 0;
  std::unique_ptr<BodyReader> inner_;
};

/// The body handed to callers: counts bytes, enforces the hard limit, warns above the advisory
/// size, and releases the download slot when the body ends, fails or is dropped.
class DownloadReader : public BodyReader {
 public:
  DownloadReader(std::unique_ptr<BodyReader> inner, std::unique_ptr<SlotToken> slot, std::uint64_t warn_bytes,
                 std::optional<std::uint64_t> max_bytes, bool warned, Logger logger, std::string what)
      : inner_(std::move(inner)), slot_(std::move(slot)), warn_bytes_(warn_bytes), max_bytes_(max_bytes),
        warned_(warned), logger_(std::move(logger)), what_(std::move(what)) {}

  Result<std::size_t> Read(char* buffer, std::size_t size) override {
    if (failed_) return *failed_;
    auto n = inner_->Read(buffer, size);
    if (!n) {
      slot_.reset();
      return n;
    }
    if (*n == 0) {
      slot_.reset();
      return n;
    }
    total_ += *n;
    if (!warned_ && warn_bytes_ > 0 && total_ > warn_bytes_) {
      warned_ = true;
      logger_.Warn(what_ + ": the file is larger than " + std::to_string(warn_bytes_) +
                   " bytes; Huawei advises against downloading files over 30 MB through the CC-Gateway");
    }
    if (max_bytes_ && total_ > *max_bytes_) {
      slot_.reset();
      failed_ = MakeError(ErrorCode::kInvalidArgument,
                          what_ + ": the file is larger than the configured limit of " + std::to_string(*max_bytes_) +
                              " bytes");
      return *failed_;
    }
    return n;
  }

 private:
  std::unique_ptr<BodyReader> inner_;
  std::unique_ptr<SlotToken> slot_;
  std::uint64_t warn_bytes_;
  std::optional<std::uint64_t> max_bytes_;
  bool warned_;
  Logger logger_;
  std::string what_;
  std::uint64_t total_ = 0;
  std::optional<Error> failed_;
};

/// A sign-in answer: headers (Set-GUID, Set-Cookie) and the envelope.
struct SignInAnswer {
  HttpHeaders headers;
  util::JsonWithSpans doc;
};

}  // namespace

struct AgentSession::Impl {
  explicit Impl(AgentSessionOptions o) : opt(std::move(o)), backoff(opt.retry) {
    if (!opt.transport) opt.transport = MakeCurlTransport();
    if (!opt.clock) opt.clock = MakeSystemClock();
    if (!opt.sleeper) opt.sleeper = MakeRealSleeper();
    slots = std::make_shared<Slots>();
    slots->max = std::max(1, opt.max_concurrent_downloads);
    auto r = wire::ResourceRoot(opt.gateway_url);
    if (!r) {
      config_error = r.error();
    } else {
      root = *r;
      insecure_scheme = root.rfind("http://", 0) == 0;
    }
    if (!config_error && !(AllDigits(opt.agent_id) && opt.agent_id.size() <= 9)) {
      config_error = MakeError(ErrorCode::kInvalidArgument,
                               "Huawei agent id \"" + opt.agent_id + "\" is not a number (101-999999)");
    }
    label = "agent " + opt.agent_id;
  }

  AgentSessionOptions opt;
  Backoff backoff;
  std::string root;
  std::string label;
  bool insecure_scheme = false;
  std::optional<Error> config_error;
  std::shared_ptr<Slots> slots;

  mutable std::mutex mu;  // guards everything below
  std::string guid;
  wire::CookieJar jar;
  std::uint64_t generation = 0;
  bool signed_in = false;
  bool closed = false;
  bool static_warned = false;
  std::deque<std::string> retired;
  struct FailedRecovery {
    std::uint64_t generation;
    Error error;
    std::chrono::system_clock::time_point when;
  };
  std::optional<FailedRecovery> failed_recovery;
  SessionStats stats;

  std::mutex signin_mu;  // sign-in, re-sign-in and sign-out never overlap (reference §2)

  util::RetryEnv Env() const { return util::RetryEnv{&backoff, opt.clock.get(), opt.sleeper.get(), &opt.logger}; }

  Error NotSignedIn() const {
    return MakeError(ErrorCode::kUnauthenticated, "Huawei " + label + " is not signed in; call SignIn() first");
  }

  // --- headers in and out ---------------------------------------------------------------------------

  /// Sends one request with Content-Type, and (when `with_auth`) the Guid and cookies.
  Result<HttpResponse> Send(std::string const& method, std::string const& url, std::optional<std::string> body,
                            std::optional<std::chrono::milliseconds> timeout, CallContext const& ctx, bool with_auth,
                            std::uint64_t* used_generation) {
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.headers = ctx.extra_headers;
    SetHeader(req.headers, "Content-Type", "application/json; charset=UTF-8");
    std::uint64_t gen = 0;
    if (with_auth) {
      std::lock_guard<std::mutex> lock(mu);
      if (!signed_in) return NotSignedIn();
      SetHeader(req.headers, "Guid", guid);
      if (!jar.empty()) SetHeader(req.headers, "Cookie", jar.Header());
      gen = generation;
    } else {
      RemoveHeader(req.headers, "Guid");
      RemoveHeader(req.headers, "Cookie");
    }
    if (used_generation) *used_generation = gen;
    if (body) req.body = MakeStringBody(std::move(*body));
    req.timeout = timeout;
    auto response = opt.transport->Send(req, ctx);
    if (response && with_auth) Absorb(response->headers, gen, method);
    return response;
  }

  /// Applies Set-Cookie and Set-GUID of a response to the session it was sent in.
  void Absorb(HttpHeaders const& headers, std::uint64_t gen, std::string const& method) {
    std::lock_guard<std::mutex> lock(mu);
    if (gen != generation || !signed_in) return;  // an answer from an older sign-in
    jar.Apply(headers, opt.clock->Now());
    for (auto const& [name, value] : headers) {
      if (!HeaderNameEquals(name, "Set-GUID")) continue;
      std::string g = wire::GuidFromSetGuid(value);
      if (g.empty()) {
        opt.logger.Warn("Huawei " + label + ": ignoring an empty Set-GUID header");
        continue;
      }
      if (g == guid) continue;
      if (std::find(retired.begin(), retired.end(), g) != retired.end()) {
        opt.logger.Debug("Huawei " + label + ": ignoring a Set-GUID with a Guid this session already replaced");
        continue;
      }
      if (opt.guid_mode == GuidMode::kStatic) {
        if (!static_warned) {
          static_warned = true;
          opt.logger.Warn("Huawei " + label +
                          ": the gateway sent a new Set-GUID but the session is in static Guid mode; ignoring it "
                          "(use GuidMode::kDynamic if calls start failing with 100-006/000-003)");
        }
        continue;
      }
      ReplaceGuidLocked(std::move(g));
      opt.logger.Debug("Huawei " + label + ": Guid updated from a Set-GUID header (" + method + " answer)");
    }
  }

  void ReplaceGuidLocked(std::string g) {
    retired.push_back(guid);
    if (retired.size() > kRetiredGuids) retired.pop_front();
    guid = std::move(g);
    ++stats.guid_updates;
  }

  /// Reads a JSON answer's body: up to kMaxJsonBodyBytes for 2xx, a prefix otherwise.
  static Result<std::string> ReadJsonBody(HttpResponse& response) {
    if (response.status >= 200 && response.status <= 299) return response.ReadAll(wire::kMaxJsonBodyBytes);
    return ReadPrefix(response, wire::kMaxErrorBodyBytes);
  }

  // --- JSON calls -----------------------------------------------------------------------------------

  struct CallSpec {
    std::string method;
    std::string path;  // below the resource root
    std::optional<std::chrono::milliseconds> timeout;
    bool retry = true;    // through the RetryPolicy
    bool recover = true;  // sign in again once on a lost session
    std::string what;
  };

  Result<util::JsonWithSpans> JsonCall(CallSpec const& spec, CallContext const& ctx) {
    if (config_error) return *config_error;
    std::uint64_t used_gen = 0;
    std::string const url = root + spec.path;
    auto attempt = [&](int) -> Result<util::JsonWithSpans> {
      auto response = Send(spec.method, url, std::nullopt, spec.timeout, ctx, true, &used_gen);
      if (!response) return std::move(response).error();
      auto body = ReadJsonBody(*response);
      if (!body) return std::move(body).error();
      return wire::ParseEnvelope(response->status, *body, response->headers, spec.what);
    };
    auto run = [&]() -> Result<util::JsonWithSpans> {
      return spec.retry ? util::RunWithRetries(Env(), ctx, true, spec.what, attempt) : attempt(1);
    };
    auto result = run();
    if (!result && spec.recover && IsSessionLost(result.error())) {
      auto recovered = Recover(used_gen, result.error(), ctx);
      if (!recovered) return std::move(recovered).error();
      result = run();
    }
    return result;
  }

  // --- sign-in --------------------------------------------------------------------------------------

  Result<SignInAnswer> PutSignIn(std::string const& path, std::string const& what, CallContext const& ctx) {
    std::string const body = wire::SignInBody(opt);
    return util::RunWithRetries(Env(), ctx, true, what, [&](int) -> Result<SignInAnswer> {
      auto response = Send("PUT", root + path, body, opt.request_timeout, ctx, false, nullptr);
      if (!response) return std::move(response).error();
      auto text = ReadJsonBody(*response);
      if (!text) return std::move(text).error();
      auto doc = wire::ParseEnvelope(response->status, *text, response->headers, what);
      if (!doc) return std::move(doc).error();
      return SignInAnswer{response->headers, std::move(*doc)};
    });
  }

  /// Signs in; the caller holds signin_mu.
  Result<SignInResult> SignInLocked(CallContext const& ctx, bool recovery) {
    if (config_error) return *config_error;
    if (insecure_scheme) {
      opt.logger.Warn("Huawei " + label + ": the gateway URL is http://; the password is sent unencrypted");
    }
    std::string const what = "Huawei sign-in of " + label;
    auto answer = PutSignIn("onlineagent/" + opt.agent_id, what, ctx);
    bool forced = false;
    if (!answer && answer.error().vendor_code == "100-002") {
      bool allowed = opt.force_login == ForceLogin::kAlways || (recovery && opt.force_login == ForceLogin::kOnRecovery);
      if (!allowed) {
        Error e = std::move(answer).error();
        e.message += " (another client, or an earlier run that did not sign out, holds the agent; the gateway "
                     "signs it out 2 minutes after its last event poll)";
        return e;
      }
      opt.logger.Warn("Huawei " + label + " is already signed in; taking the session over with forcelogin");
      answer = PutSignIn("onlineagent/" + opt.agent_id + "/forcelogin", "Huawei forced sign-in of " + label, ctx);
      forced = true;
    }
    if (!answer) return std::move(answer).error();

    std::string new_guid;
    for (auto const& [name, value] : answer->headers) {
      if (HeaderNameEquals(name, "Set-GUID")) new_guid = wire::GuidFromSetGuid(value);
    }
    if (new_guid.empty()) {
      if (auto g = FindHeader(answer->headers, "Guid")) new_guid = wire::GuidFromSetGuid(*g);
    }
    if (new_guid.empty()) {
      return MakeError(ErrorCode::kParse, what + " succeeded but the answer carried no Set-GUID (or Guid) header");
    }
    SignInResult result;
    result.forced = forced;
    if (auto const* r = util::OptObject(answer->doc.Doc(), "result")) {
      result.raw_json = answer->doc.Raw(*r);
      result.work_no = util::OptString(*r, "workno").value_or("");
      result.vdn_id = util::OptInt64(*r, "vdnid");
      result.media_type = util::OptString(*r, "mediatype").value_or("");
      if (auto ms = util::OptInt64(*r, "loginTime")) result.login_time = util::FromEpochMs(*ms);
      result.password_change_required = util::OptBool(*r, "isForceChange").value_or(false);
      result.password_days_remaining = util::OptInt64(*r, "timeRemaining");
      result.server_name = util::OptString(*r, "serverName").value_or("");
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      guid = std::move(new_guid);
      jar.Clear();
      jar.Apply(answer->headers, opt.clock->Now());
      retired.clear();
      ++generation;
      signed_in = true;
      closed = false;
      failed_recovery.reset();
      ++stats.sign_ins;
      if (forced) ++stats.force_logins;
    }
    opt.logger.Info("Huawei " + label + " signed in" + (forced ? " (forcelogin)" : "") +
                    (recovery ? " again after losing the session" : ""));
    if (result.password_change_required) {
      opt.logger.Warn("Huawei " + label +
                      ": the gateway says the password must be changed (isForceChange); other calls may fail until "
                      "it is");
    }
    return result;
  }

  /// Single-flight re-sign-in after `cause` (a lost session) was seen on generation `observed`.
  Result<void> Recover(std::uint64_t observed, Error const& cause, CallContext const& ctx) {
    std::lock_guard<std::mutex> flight(signin_mu);
    {
      std::lock_guard<std::mutex> lock(mu);
      if (closed || !signed_in) {
        Error e = cause;
        e.message += " (the session was signed out; not signing in again)";
        return e;
      }
      if (generation != observed) return {};  // another thread already signed in again
      if (failed_recovery && failed_recovery->generation == observed &&
          opt.clock->Now() - failed_recovery->when < kFailedRecoveryMemory) {
        return failed_recovery->error;
      }
    }
    opt.logger.Warn("Huawei " + label + ": session lost (retcode " + cause.vendor_code + "); signing in again");
    auto signed_in_again = SignInLocked(ctx, true);
    if (!signed_in_again) {
      Error e = std::move(signed_in_again).error();
      e.message = "the session of Huawei " + label + " was lost (retcode " + cause.vendor_code +
                  ") and signing in again failed: " + e.message;
      if (e.code != ErrorCode::kCancelled && e.code != ErrorCode::kDeadlineExceeded) {
        std::lock_guard<std::mutex> lock(mu);
        failed_recovery = FailedRecovery{observed, e, opt.clock->Now()};
      }
      return e;
    }
    std::lock_guard<std::mutex> lock(mu);
    ++stats.re_sign_ins;
    return {};
  }

  // --- download -------------------------------------------------------------------------------------

  Result<std::string> DownloadUrl(RecordFileRequest const& request) const {
    if (config_error) return *config_error;
    if (request.record_id.empty()) {
      return MakeError(ErrorCode::kInvalidArgument, "Huawei download: recordId (the record event's fileName) is empty");
    }
    if (request.file_type != 1 && request.file_type != 2) {
      return MakeError(ErrorCode::kInvalidArgument, "Huawei download of \"" + request.record_id + "\": filetype " +
                                                        std::to_string(request.file_type) + " is not 1 or 2");
    }
    if (!request.location_id.empty() && !AllDigits(request.location_id)) {
      return MakeError(ErrorCode::kInvalidArgument, "Huawei download of \"" + request.record_id +
                                                        "\": locationId \"" + request.location_id +
                                                        "\" is not a number");
    }
    std::string url = root + "recordfile/" + util::PercentEncode(opt.agent_id) +
                      "?recordId=" + wire::EncodeRecordId(request.record_id, opt.record_id_encoding) +
                      "&filetype=" + std::to_string(request.file_type);
    if (!request.location_id.empty()) url += "&locationId=" + request.location_id;
    return url;
  }

  Result<std::unique_ptr<SlotToken>> AcquireSlot(CallContext const& ctx) {
    std::unique_lock<std::mutex> lock(slots->mu);
    while (slots->used >= slots->max) {
      if (ctx.cancel.IsCancelled()) {
        return MakeError(ErrorCode::kCancelled, "Huawei " + label + ": cancelled while waiting for a download slot");
      }
      if (ctx.deadline && opt.clock->Now() >= *ctx.deadline) {
        return MakeError(ErrorCode::kDeadlineExceeded,
                         "Huawei " + label + ": deadline passed while waiting for a download slot");
      }
      slots->cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    ++slots->used;
    return std::make_unique<SlotToken>(slots);
  }

  /// Judges a download answer by status and Content-Type (reference §6).
  Result<HttpResponse> ClassifyDownload(HttpResponse response, std::string const& what) {
    if (response.status < 200 || response.status > 299) {
      std::string body = ReadPrefix(response, wire::kMaxErrorBodyBytes);
      return MapHuaweiError(response.status, body, response.headers, what);
    }
    auto content_type = response.Header("Content-Type");
    switch (wire::ClassifyContentType(content_type)) {
      case wire::BodyKind::kFile:
        return response;
      case wire::BodyKind::kJson: {
        std::string body = ReadPrefix(response, wire::kMaxErrorBodyBytes);
        return MapHuaweiError(response.status, body, response.headers, what);
      }
      case wire::BodyKind::kOther: {
        std::string body = ReadPrefix(response, 512);
        Error e = MakeError(ErrorCode::kParse, what + ": unexpected Content-Type \"" + *content_type +
                                                   "\" (expected application/octet-stream, or JSON for an error)");
        e.http_status = response.status;
        e.message = RedactSecrets(e.message);
        return e;
      }
      case wire::BodyKind::kMissing:
        break;
    }
    // No Content-Type [U]: sniff. A JSON envelope with a retcode is an error; anything else is the file.
    std::string prefix;
    char buffer[8192];
    bool ended = false;
    auto first_significant = [&]() -> int {
      for (char c : prefix) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return static_cast<unsigned char>(c);
      }
      return -1;
    };
    while (!ended && first_significant() < 0 && prefix.size() < wire::kMaxErrorBodyBytes) {
      auto n = response.body->Read(buffer, sizeof buffer);
      if (!n) return std::move(n).error();
      if (*n == 0) ended = true;
      prefix.append(buffer, *n);
    }
    if (first_significant() == '{') {
      while (!ended && prefix.size() < wire::kMaxErrorBodyBytes) {
        auto n = response.body->Read(buffer, std::min(sizeof buffer, wire::kMaxErrorBodyBytes - prefix.size()));
        if (!n) return std::move(n).error();
        if (*n == 0) ended = true;
        prefix.append(buffer, *n);
      }
      if (ended) {
        auto doc = util::ParseJson(prefix, what);
        if (doc && doc->IsObject() && doc->HasMember("retcode")) {
          return MapHuaweiError(response.status, prefix, response.headers, what);
        }
      }
    }
    opt.logger.Debug(what + ": the answer has no Content-Type; treating it as the file");
    response.body = std::make_unique<PrefixedReader>(std::move(prefix), std::move(response.body));
    return response;
  }

  Result<HttpResponse> OpenRecordFile(RecordFileRequest const& request, CallContext const& ctx) {
    auto url = DownloadUrl(request);
    if (!url) return std::move(url).error();
    std::string const what = "Huawei download of \"" + request.record_id + "\" (" + label + ")";
    auto slot = AcquireSlot(ctx);
    if (!slot) return std::move(slot).error();
    std::uint64_t used_gen = 0;
    auto attempt = [&](int) -> Result<HttpResponse> {
      auto response = Send("GET", *url, std::nullopt, std::nullopt, ctx, true, &used_gen);
      if (!response) return std::move(response).error();
      return ClassifyDownload(std::move(*response), what);
    };
    auto run = [&] { return util::RunWithRetries(Env(), ctx, true, what, attempt); };
    auto result = run();
    if (!result && result.error().vendor_code == "104-009") {
      opt.logger.Info(what + ": the gateway could not convert the file (104-009); retrying once");
      result = run();
    }
    if (!result && IsSessionLost(result.error())) {
      auto recovered = Recover(used_gen, result.error(), ctx);
      if (!recovered) return std::move(recovered).error();
      result = run();
    }
    if (!result) return result;
    bool warned = false;
    if (auto declared = result->ContentLength()) {
      if (opt.max_file_bytes && *declared > *opt.max_file_bytes) {
        return MakeError(ErrorCode::kInvalidArgument, what + ": the file is " + std::to_string(*declared) +
                                                          " bytes, above the configured limit of " +
                                                          std::to_string(*opt.max_file_bytes) + " bytes");
      }
      if (opt.large_file_warning_bytes > 0 && *declared > opt.large_file_warning_bytes) {
        warned = true;
        opt.logger.Warn(what + ": the file is " + std::to_string(*declared) +
                        " bytes; Huawei advises against downloading files over 30 MB through the CC-Gateway");
      }
    }
    result->body = std::make_unique<DownloadReader>(std::move(result->body), std::move(*slot),
                                                    opt.large_file_warning_bytes, opt.max_file_bytes, warned,
                                                    opt.logger, what);
    return result;
  }
};

AgentSession::AgentSession(AgentSessionOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {}

Result<SignInResult> AgentSession::SignIn(CallContext const& ctx) const {
  std::lock_guard<std::mutex> flight(impl_->signin_mu);
  return impl_->SignInLocked(ctx, false);
}

Result<void> AgentSession::SignOut(CallContext const& ctx) const {
  auto& s = *impl_;
  std::lock_guard<std::mutex> flight(s.signin_mu);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.closed = true;  // no re-sign-in from now on
    if (!s.signed_in) return {};
  }
  Impl::CallSpec spec{"DELETE", "onlineagent/" + s.opt.agent_id + "/logout", s.opt.request_timeout, true, false,
                      "Huawei sign-out of " + s.label};
  auto result = s.JsonCall(spec, ctx);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.signed_in = false;
    s.guid.clear();
    s.jar.Clear();
    s.retired.clear();
    ++s.generation;
  }
  if (!result && !IsSessionLost(result.error())) return std::move(result).error();
  s.opt.logger.Info("Huawei " + s.label + (result ? " signed out" : " was already signed out by the gateway"));
  return {};
}

Result<std::vector<AgentEvent>> AgentSession::PollEvents(CallContext const& ctx) const {
  auto& s = *impl_;
  Impl::CallSpec spec{"GET", "agentevent/" + s.opt.agent_id, s.opt.poll_timeout, false, true,
                      "Huawei event poll of " + s.label};
  auto doc = s.JsonCall(spec, ctx);
  if (!doc) return std::move(doc).error();
  int skipped = 0;
  auto events = wire::EventsFromPoll(*doc, &skipped);
  if (skipped > 0) {
    s.opt.logger.Warn("Huawei " + s.label + ": skipped " + std::to_string(skipped) +
                      " malformed event(s) in an event poll answer");
  }
  return events;
}

Result<void> AgentSession::Heartbeat(CallContext const& ctx) const {
  auto& s = *impl_;
  Impl::CallSpec spec{"POST", "onlineagent/" + s.opt.agent_id + "/handshake", s.opt.request_timeout, true, true,
                      "Huawei heartbeat of " + s.label};
  auto doc = s.JsonCall(spec, ctx);
  if (!doc) return std::move(doc).error();
  return {};
}

Result<void> AgentSession::UpdateGuid(CallContext const& ctx) const {
  auto& s = *impl_;
  std::string before = CurrentGuid();
  Impl::CallSpec spec{"PUT", "onlineagent/" + s.opt.agent_id + "/updateGuid", s.opt.request_timeout, true, true,
                      "Huawei Guid update of " + s.label};
  auto doc = s.JsonCall(spec, ctx);
  if (!doc) return std::move(doc).error();
  std::optional<std::string> fresh;
  if (auto const* r = util::OptObject(doc->Doc(), "result")) fresh = util::OptString(*r, "guid");
  if (fresh && !fresh->empty()) {
    std::lock_guard<std::mutex> lock(s.mu);
    std::string g = wire::GuidFromSetGuid(*fresh);
    if (s.signed_in && !g.empty() && g != s.guid) s.ReplaceGuidLocked(std::move(g));
    return {};
  }
  if (CurrentGuid() != before) return {};  // delivered as Set-GUID
  return MakeError(ErrorCode::kParse, spec.what + ": the answer carried no result.guid and no Set-GUID");
}

Result<HttpResponse> AgentSession::OpenRecordFile(RecordFileRequest const& request, CallContext const& ctx) const {
  return impl_->OpenRecordFile(request, ctx);
}

Result<std::string> AgentSession::RecordFileUrl(RecordFileRequest const& request) const {
  return impl_->DownloadUrl(request);
}

std::string const& AgentSession::agent_id() const { return impl_->opt.agent_id; }

bool AgentSession::signed_in() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->signed_in;
}

SessionStats AgentSession::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  SessionStats s = impl_->stats;
  s.generation = impl_->generation;
  s.signed_in = impl_->signed_in;
  return s;
}

std::string AgentSession::CurrentGuid() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->guid;
}

}  // namespace huawei
}  // namespace v1
}  // namespace ccrec
