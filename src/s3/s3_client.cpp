// SPDX-License-Identifier: Apache-2.0
// S3Client: addressing, signing, retries, skew correction, error mapping.
#include "s3/s3_request.hpp"

#include "internal/retry_loop.hpp"
#include "internal/time_util.hpp"
#include "internal/url.hpp"
#include "s3/s3_error.hpp"
#include "s3/s3_xml.hpp"

#include <cstdlib>

namespace ccrec::s3::detail {
namespace {

constexpr std::size_t kMaxResponseBody = std::size_t{1} << 20;

}  // namespace

S3Client::S3Client(S3ClientOptions options) : options_(std::move(options)) {
  backoff_ = std::make_unique<Backoff>(options_.retry, options_.retry_seed);
}

Result<std::shared_ptr<S3Client>> S3Client::Make(S3ClientOptions options) {
  auto url = ::ccrec::detail::ParseUrl(options.endpoint);
  if (!url) {
    return MakeError(ErrorCode::kInvalidArgument, "S3 endpoint \"" + options.endpoint +
                                                      "\" is not an http(s) URL such as https://s3.us-east-1.amazonaws.com");
  }
  if (!url->query.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "S3 endpoint \"" + options.endpoint + "\" must not have a query");
  }
  if (!options.credentials || !options.clock) {
    return MakeError(ErrorCode::kInvalidArgument, "S3 client: credentials and clock are required");
  }
  std::shared_ptr<S3Client> c(new S3Client(std::move(options)));
  c->scheme_ = url->scheme;
  bool const default_port =
      url->port == 0 || (url->scheme == "https" && url->port == 443) || (url->scheme == "http" && url->port == 80);
  auto const host = url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host;
  c->host_ = default_port ? host : host + ":" + std::to_string(url->port);
  c->region_ = c->options_.region;
  std::string base = ::ccrec::detail::PercentDecode(url->path);
  while (!base.empty() && base.back() == '/') base.pop_back();
  c->base_path_ = base;
  // Virtual-hosted addressing cannot work with an IP literal or localhost.
  if (::ccrec::detail::IsIpOrLocalhost(url->host)) c->options_.path_style = true;
  return c;
}

S3Target S3Client::Target(std::string const& key) const {
  std::string host;
  {
    std::lock_guard<std::mutex> lock(addressing_mu_);
    host = host_;
  }
  return TargetFor(key, host);
}

std::string S3Client::Region() const {
  std::lock_guard<std::mutex> lock(addressing_mu_);
  return region_;
}

S3Target S3Client::TargetFor(std::string const& key, std::string const& host) const {
  S3Target t;
  t.scheme = scheme_;
  if (options_.path_style) {
    t.host = host;
    t.raw_path = base_path_ + "/" + options_.bucket;
    if (!key.empty()) t.raw_path += "/" + key;
  } else {
    t.host = options_.bucket + "." + host;
    t.raw_path = base_path_ + "/" + key;
  }
  return t;
}

std::chrono::system_clock::time_point S3Client::Now() const {
  return options_.clock->Now() + std::chrono::milliseconds(skew_ms_.load());
}

Result<S3Client::Prepared> S3Client::Prepare(S3Call const& call, CallContext const& ctx) const {
  auto creds = options_.credentials->Get(ctx);
  if (!creds) {
    Error e = creds.error();
    e.message = "S3 " + call.operation + " " + Location(call.key) + ": no credentials (" +
                options_.credentials->Describe() + "): " + e.message;
    return e;
  }
  std::string region, host;
  {
    std::lock_guard<std::mutex> lock(addressing_mu_);
    region = region_;
    host = host_;
  }
  auto target = TargetFor(call.key, host);
  SigV4Request sreq;
  sreq.method = call.method;
  sreq.host = target.host;
  sreq.path = target.raw_path;
  sreq.query = call.query;
  sreq.headers = call.headers;
  for (auto const& h : ctx.extra_headers) sreq.headers.push_back(h);
  sreq.payload_hash = call.payload_hash;
  SigV4Options so;
  so.region = region;
  so.service = "s3";
  so.time = Now();
  so.path_mode = PathMode::kS3;
  auto sig = SignRequest(sreq, *creds, so);
  if (!sig) return sig.error();
  Prepared p;
  p.region = region;
  p.secret_access_key = creds->secret_access_key;
  p.session_token = creds->session_token;
  auto& req = p.request;
  req.method = call.method;
  req.url = target.scheme + "://" + target.host + sig->canonical_uri;
  if (!sig->canonical_query.empty()) req.url += "?" + sig->canonical_query;
  p.url_for_log = req.url;
  bool const carries_data = call.operation == "PutObject" || call.operation == "UploadPart";
  auto const timeout =
      call.operation == "CompleteMultipartUpload" ? options_.complete_timeout : options_.control_timeout;
  if (!carries_data && timeout.count() > 0) req.timeout = timeout;
  for (auto const& h : sreq.headers) {
    if (HeaderNameEquals(h.first, "host")) continue;
    req.headers.push_back(h);
  }
  for (auto const& h : sig->headers_to_add) req.headers.push_back(h);
  if (call.body) {
    req.body = MakeSpanBody(call.body, call.body_size);
  } else if (call.method == "PUT" || call.method == "POST") {
    req.body = MakeStringBody(std::string());
  }
  return p;
}

bool S3Client::LearnSkew(S3Response const& response) const {
  std::optional<std::chrono::system_clock::time_point> server;
  if (auto doc = xml::Document::Parse(response.body, "S3 error body")) {
    if (auto st = doc->Text("ServerTime")) server = ::ccrec::detail::ParseTimeArg(*st);
  }
  if (!server) {
    if (auto d = response.Header("date")) server = ::ccrec::detail::ParseHttpDate(*d);
  }
  if (!server) return false;
  auto const skew = std::chrono::duration_cast<std::chrono::milliseconds>(*server - options_.clock->Now());
  skew_ms_.store(skew.count());
  options_.logger.Warn("S3: the local clock is off by " + std::to_string(skew.count() / 1000) +
                       " s from the server's (RequestTimeTooSkewed); signing with the server's time. Fix the "
                       "system clock (NTP)");
  return true;
}

bool S3Client::LearnRegion(S3Response const& response, std::string const& signed_region,
                           std::string const& what) const {
  if (response.status != 301 && response.status != 400) return false;
  auto region = response.Header("x-amz-bucket-region");
  if (!region || region->empty() || region->size() > 32 ||
      region->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos ||
      *region == signed_region) {
    return false;
  }
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(addressing_mu_);
    if (region_ != *region) {
      region_ = *region;
      if (options_.endpoint_follows_region) host_ = "s3." + region_ + ".amazonaws.com";
      changed = true;
    }
  }
  if (changed) {  // once per sink, not once per request signed with the old region
    options_.logger.Warn(what + ": the bucket is in region " + *region + ", not " + signed_region + " (HTTP " +
                         std::to_string(response.status) + "); re-signing for " + *region +
                         " from now on. Set the region (--s3-region, AWS_REGION) to " + *region +
                         " to save this round trip");
  }
  return true;
}

Result<S3Response> S3Client::Execute(S3Call const& call, CallContext const& ctx) const {
  if (!options_.transport || !options_.sleeper) {
    return MakeError(ErrorCode::kInternal, "S3 client built without a transport or sleeper cannot send requests");
  }
  ::ccrec::detail::RetryEnv env;
  env.backoff = backoff_.get();
  env.clock = options_.clock.get();
  env.sleeper = options_.sleeper.get();
  env.logger = &options_.logger;
  std::string const location = Location(call.key);
  std::string what = "S3 " + call.operation + " " + location;
  if (!call.detail.empty()) what += " " + call.detail;

  auto attempt = [&](int n) -> Result<S3Response> {
    bool skew_learnt = false, region_learnt = false;
    for (;;) {
      auto prepared = Prepare(call, ctx);
      if (!prepared) return prepared.error();
      auto const started = std::chrono::steady_clock::now();
      auto sent = options_.transport->Send(prepared->request, ctx);
      if (!sent) {
        Error e = sent.error();
        e.message = what + ": " + e.message;
        return e;
      }
      S3Response r;
      r.status = sent->status;
      r.headers = std::move(sent->headers);
      auto body = sent->ReadAll(kMaxResponseBody);
      if (!body) {
        Error e = body.error();
        e.message = what + ": reading the response body (HTTP " + std::to_string(r.status) + "): " + e.message;
        if (e.code == ErrorCode::kParse) e.code = ErrorCode::kTransport;
        return e;
      }
      r.body = std::move(*body);
      if (options_.logger.Enabled(LogLevel::kDebug)) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
        options_.logger.Debug(what + ": " + call.method + " " + RedactUrl(prepared->url_for_log) + " -> HTTP " +
                              std::to_string(r.status) + " in " + std::to_string(ms.count()) + " ms (attempt " +
                              std::to_string(n) + ")");
      }
      bool const ok = r.status >= 200 && r.status < 300;
      if (ok && !(call.check_error_body && IsErrorDocument(r.body))) return r;
      if (r.status == 404 && call.not_found_ok) return r;
      Error e = MapS3Error(r.status, r.headers, r.body, call.operation + (call.detail.empty() ? "" : " " + call.detail),
                           location, options_.clock->Now(), {prepared->secret_access_key, prepared->session_token});
      if (e.vendor_code == "RequestTimeTooSkewed" && !skew_learnt && LearnSkew(r)) {
        skew_learnt = true;
        continue;
      }
      if (!region_learnt && LearnRegion(r, prepared->region, what)) {
        region_learnt = true;  // followed once: a second redirect is the error
        continue;
      }
      return e;
    }
  };
  return ::ccrec::detail::RunWithRetries(env, ctx, call.idempotent, what, attempt);
}

Result<HttpResponse> S3Client::SendStreaming(S3Call const& call, CallContext const& ctx) const {
  if (!options_.transport) return MakeError(ErrorCode::kInternal, "S3 client built without a transport");
  auto prepared = Prepare(call, ctx);
  if (!prepared) return prepared.error();
  return options_.transport->Send(prepared->request, ctx);
}

Result<PresignedUrl> S3Client::Presign(std::string const& method, std::string const& key,
                                       std::chrono::seconds expires, HttpHeaders const& signed_headers,
                                       CallContext const& ctx) const {
  auto creds = options_.credentials->Get(ctx);
  if (!creds) return creds.error();
  auto target = Target(key);
  SigV4Request sreq;
  sreq.method = method;
  sreq.host = target.host;
  sreq.path = target.raw_path;
  sreq.headers = signed_headers;
  PresignOptions po;
  po.region = Region();
  po.time = Now();
  po.expires = expires;
  po.scheme = target.scheme;
  return PresignUrl(sreq, *creds, po);
}

}  // namespace ccrec::s3::detail
