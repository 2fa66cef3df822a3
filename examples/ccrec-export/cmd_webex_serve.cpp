// SPDX-License-Identifier: Apache-2.0
// ccrec-export webex serve: receive Contact Center webhooks (capture:available), verify them,
// spool them durably, acknowledge, and export every recording of each announced task through the
// normal engine. docs/webex.md "Are recordings available as soon as the call ends?".
#include "cmd_webex_serve.hpp"
#include "cli_redis.hpp"

#include <ccrec/core/rate_limiter.hpp>
#include <ccrec/webex/client.hpp>
#include <ccrec/webex/recording_source.hpp>
#include <ccrec/webex/regions.hpp>
#include <ccrec/webex/webhook.hpp>
#include <ccrec/webex/webhook_spool.hpp>
#ifdef CCREC_EXPORT_HAVE_WEBEX_LOGIN
#include <ccrec/webex_login/webhook_listener.hpp>
#endif

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <set>

namespace ccrec_cli {

namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string path = "/webhooks/webex";
  SecretFlag secret;
  std::string spool_dir;
  std::string tls_cert, tls_key;
  std::string max_event_age = "15m";
  std::size_t max_body_bytes = 256 * 1024;
  std::string retry_interval = "60s";
  std::string give_up_after = "3d";
  std::size_t threads = 4;
};

/// "HOST:PORT" (IPv4 or a name; PORT 0..65535).
std::pair<std::string, int> ParseListen(std::string const& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw UsageError{"--listen \"" + text + "\": expected HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8443"};
  }
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw UsageError{"--listen \"" + text + "\": the port must be 0..65535"};
  return {text.substr(0, colon), port};
}

#ifdef CCREC_EXPORT_HAVE_WEBEX_LOGIN
ccrec::webex::Client MakeServeClient(WebexFlags& f, std::shared_ptr<ccrec::HttpTransport> transport,
                                     std::shared_ptr<ccrec::webex::AccessTokenSource> tokens, ccrec::Logger const& logger) {
  auto co = WebexClientOptions(f, WebexBaseUrl(f), std::move(tokens), std::move(transport), logger);
  co.rate_limiter = ccrec::MakeMeteredRateLimiter(MakeWebexRateLimiter(f, logger), f.common.metrics);
  return ccrec::webex::Client(co);
}

/// Wakes the export worker when the listener spooled an event.
struct Wakeup {
  std::mutex mu;
  std::condition_variable cv;
  bool flag = false;
  void Notify() {
    std::lock_guard<std::mutex> lock(mu);
    flag = true;
    cv.notify_all();
  }
  /// Waits up to `timeout` for Notify() or cancellation (checked every 200 ms).
  void Wait(std::chrono::milliseconds timeout, ccrec::CancellationToken const& cancel) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> lock(mu);
    while (!flag && !cancel.IsCancelled() && std::chrono::steady_clock::now() < deadline) {
      cv.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(200)));
    }
    flag = false;
  }
};

int RunServe(WebexFlags& f, ServeFlags const& s) {
  // ---- validate everything before listening -------------------------------------------------
  if (f.common.dest.empty()) throw UsageError{"--dest is required"};
  if (f.common.dry_run) throw UsageError{"webex serve exports what webhooks announce; --dry-run is not supported"};
  ValidateCommon(f.common, {}, ccrec::webex::WebexKeyIdentity());
  auto dest = ParseDestination(f.common.dest);
  if (s.spool_dir.empty()) throw UsageError{"--spool-dir is required: accepted events are stored there before the "
                                            "delivery is acknowledged, and replayed after a restart"};
  auto const secret = ResolveSecret(s.secret, "CCREC_WEBEX_WEBHOOK_SECRET", "webhook-secret");
  if (secret.size() < 32 || secret.size() > 256) {
    throw UsageError{"--webhook-secret: the subscription secret must be 32..256 characters (Subscriptions API); "
                     "this one has " + std::to_string(secret.size())};
  }
  auto [host, port] = ParseListen(s.listen);
  if (s.path.empty() || s.path[0] != '/') throw UsageError{"--path must start with '/'"};
  if (s.tls_cert.empty() != s.tls_key.empty()) throw UsageError{"--tls-cert and --tls-key go together"};
  auto const max_age = ParseDurationFlag("--max-event-age", s.max_event_age);
  auto const retry_interval = ParseDurationFlag("--retry-interval", s.retry_interval);
  if (retry_interval < std::chrono::seconds(1)) throw UsageError{"--retry-interval must be at least 1s"};
  auto const give_up_after = ParseDurationFlag("--give-up-after", s.give_up_after);
  if (f.url_expiration < 1 || f.url_expiration > 60) throw UsageError{"--url-expiration must be 1..60 minutes"};
  auto logger = MakeLogger(f.common);
  auto file = OpenWebexTokenFile(f);
  if (!file.token && f.auth != "service-app") {
    throw UsageError{TokenStoreName(f) + " does not exist; authorize once with `ccrec-export webex login`"};
  }
  auto spool = ccrec::webex::WebhookSpool::Open(s.spool_dir);
  if (!spool) throw UsageError{"--spool-dir: " + spool.error().message};
  auto transport = MakeTransport(f.common, logger);
  auto tokens = MakeWebexTokens(f, file, transport, logger);
  auto sink = MakeSink(f.common, dest, transport, logger);
  auto manifest = OpenManifest(f.common, *sink);
  auto client = MakeServeClient(f, transport, tokens.source, logger);

  ccrec::CancellationToken cancel;
  SignalGuard signals(cancel);
  ccrec::CallContext ctx;
  ctx.cancel = cancel;

  // ---- the listener: verify, de-duplicate, spool (fsync), then acknowledge ------------------
  ccrec::webex::WebhookVerifierOptions vo;
  vo.secret = secret;
  vo.max_body_bytes = s.max_body_bytes;
  vo.max_age = std::chrono::duration_cast<std::chrono::seconds>(max_age);
  auto dedup = std::make_shared<ccrec::webex::WebhookDeduplicator>();
  auto wakeup = std::make_shared<Wakeup>();
  auto const the_spool = *spool;
  auto handler = [vo, dedup, wakeup, the_spool, logger](ccrec::HttpHeaders const& headers, std::string const& body) {
    auto event = ccrec::webex::VerifyWebhook(vo, headers, body, std::chrono::system_clock::now());
    if (!event) {
      logger.Warn(event.error().message);  // never the secret, never the body
      return ccrec::webex::WebhookReply{event.error().http_status, "rejected"};
    }
    if (event->type != ccrec::webex::kCaptureAvailableEvent) {
      logger.Debug("webhook event " + event->id + " of type " + event->type + " acknowledged, nothing to export");
      return ccrec::webex::WebhookReply{200, "ignored"};
    }
    // Acknowledge only what is on disk: a redelivery racing the first copy writes its own
    // (identical, idempotent) spool file instead of being answered before the first is stored.
    if (dedup->Seen(event->id)) {
      logger.Info("webhook event " + event->id + " delivered again; already accepted");
      return ccrec::webex::WebhookReply{200, "duplicate"};
    }
    auto stored = the_spool.Accept(*event);
    if (!stored) {
      logger.Error(stored.error().message);
      return ccrec::webex::WebhookReply{503, "not stored; retry"};
    }
    dedup->FirstDelivery(event->id);
    logger.Info("webhook event " + event->id + ": capture:available for task " + event->task_id.value_or("?") +
                (*stored ? " spooled" : " already spooled"));
    wakeup->Notify();
    return ccrec::webex::WebhookReply{200, "accepted"};
  };
  ccrec::webex::WebhookListenerOptions lo;
  lo.host = host;
  lo.port = port;
  lo.path = s.path;
  lo.max_body_bytes = s.max_body_bytes;
  lo.tls_cert_file = s.tls_cert;
  lo.tls_key_file = s.tls_key;
  lo.threads = s.threads;
  auto listener = ccrec::webex::WebhookListener::Start(lo, handler);
  if (!listener) throw UsageError{"--listen: " + listener.error().message};
  std::cout << "ccrec-export: webex serve: listening on " << (s.tls_cert.empty() ? "http" : "https") << "://" << host
            << ":" << (*listener)->Port() << s.path << std::endl;

  // ---- the worker: export each spooled task (replays a previous run's spool first) ------------
  std::uint64_t exported = 0, failed_runs = 0;
  std::optional<ccrec::Error> fatal;
  while (!cancel.IsCancelled()) {
    std::vector<std::string> problems;
    auto pending = the_spool.Pending(&problems);
    for (auto const& p : problems) logger.Warn("webhook spool: cannot read " + p + "; left in place");
    bool retry_later = false;
    if (!pending) {
      logger.Error(pending.error().message);
      retry_later = true;
    } else {
      std::map<std::string, std::vector<ccrec::webex::WebhookEvent>> by_task;  // out of order: any order works
      for (auto& e : *pending) by_task[e.task_id.value_or("")].push_back(std::move(e));
      for (auto const& [task_id, events] : by_task) {
        if (cancel.IsCancelled()) break;
        // The same source as `webex --task-id`: every recording, VA leg and transcript of the task.
        ccrec::webex::WebexSourceOptions so;
        so.task_ids = {task_id};
        so.url_expiration = std::chrono::minutes(f.url_expiration);
        so.include_segments = f.include_segments;
        so.include_va_recordings = f.include_va;
        so.include_transcripts = !f.no_transcripts;
        if (!f.org_id.empty()) so.tasks.org_id = f.org_id;
        so.logger = logger;
        std::shared_ptr<ccrec::exporter::RecordingSource> source = ccrec::webex::MakeWebexSource(client, so);
        auto options = MakeExporterOptions(f.common, logger, sink);
        options.on_progress = nullptr;
        ccrec::exporter::Exporter exporter(source, sink, manifest, options);
        auto summary = exporter.Run(ctx);
        exported += summary.exported;
        bool const done = !summary.fatal && !summary.cancelled && summary.failed == 0 && summary.pending == 0;
        if (summary.fatal) {
          fatal = summary.fatal;
          logger.Error("task " + task_id + ": " + ccrec::RedactSecrets(summary.fatal->ToString()) + "; retrying every " +
                       s.retry_interval);
        }
        bool give_up = false;
        if (!done && give_up_after.count() > 0) {
          auto const announced = events.front().capture_created_time ? events.front().capture_created_time
                                                                     : events.front().time;
          give_up = announced && std::chrono::system_clock::now() - *announced > give_up_after;
        }
        logger.Info("task " + task_id + ": " + summary.LastLine());
        if (done || give_up) {
          if (give_up) {
            logger.Warn("task " + task_id + ": giving up after --give-up-after " + s.give_up_after +
                        "; the nightly --since-last-run reconciliation picks it up");
          }
          for (auto const& e : events) {
            auto removed = the_spool.Done(e.id);
            if (!removed) logger.Error(removed.error().message);
          }
        } else {
          ++failed_runs;
          retry_later = true;
        }
        if (summary.fatal && summary.fatal->code == ccrec::ErrorCode::kUnauthenticated) break;
      }
    }
    wakeup->Wait(retry_later ? retry_interval : std::chrono::milliseconds(std::chrono::minutes(10)), cancel);
  }
  (*listener)->Stop();
  auto token_saved = tokens.source->Flush({});
  std::cerr << "ccrec-export: webex serve: stopped; " << exported << " recording(s) exported, " << failed_runs
            << " task run(s) to retry" << (fatal ? "; last fatal error: " + ccrec::RedactSecrets(fatal->message) : "")
            << "\n";
  if (!token_saved) return kExitFatal;
  return 128 + signals.Signal();
}
#endif

}  // namespace

std::vector<WebexExtraSubcommand> AddWebexServeSubcommands(CLI::App& webex, std::shared_ptr<WebexFlags> f) {
  auto s = std::make_shared<ServeFlags>();
  auto* serve = webex.add_subcommand(
      "serve",
      "near-real-time: receive Contact Center webhooks (capture:available), verify their signature, spool them "
      "(fsync) before acknowledging, and export every recording of each announced task; pair it with a nightly "
      "--since-last-run run, since webhook delivery is not guaranteed");
  AddCommonFlags(*serve, f->common, "call-detail/{task_id}/{recording_id}{ext}");
  serve->get_option("--dest")->required(false);
  AddWebexAuthFlags(*serve, *f, /*with_connection_flags=*/false);
  AddWebexApiFlags(*serve, *f);
  serve->add_option("--url-expiration", f->url_expiration, "presigned URL lifetime in minutes (1..60)")
      ->capture_default_str();
  serve->add_option("--rate-limit", f->rate_limit, "Webex API requests per minute (rolling 60 s)")
      ->check(CLI::Range(1.0, 100000.0))
      ->capture_default_str();
  AddRedisRateLimitFlag(*serve, *f);
  serve->add_flag("--include-segments", f->include_segments, "export individual segments instead of stitched recordings");
  serve->add_flag("--allow-http-media", f->allow_http_media, "accept presigned recording URLs over plain http");
  serve->add_option("--listen", s->listen, "HOST:PORT to listen on (0.0.0.0:PORT for every interface)")
      ->capture_default_str();
  serve->add_option("--path", s->path, "request path of the subscription's destinationUrl")->capture_default_str();
  AddSecretFlag(*serve, s->secret, "webhook-secret", "CCREC_WEBEX_WEBHOOK_SECRET",
                "subscription secret (32..256 characters) that signs deliveries");
  serve->add_option("--spool-dir", s->spool_dir,
                    "directory where accepted events are stored (fsync) before the 2xx; replayed on restart");
  serve->add_option("--tls-cert", s->tls_cert, "PEM certificate chain: terminate HTTPS here (with --tls-key)");
  serve->add_option("--tls-key", s->tls_key, "PEM private key of --tls-cert");
  serve->add_option("--max-event-age", s->max_event_age,
                    "refuse (400) events whose createdTime is further than this from now (0 = no check)")
      ->capture_default_str();
  serve->add_option("--max-body", s->max_body_bytes, "refuse (413) deliveries larger than this many bytes")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{16} << 20))
      ->capture_default_str();
  serve->add_option("--retry-interval", s->retry_interval,
                    "how often a task whose export failed or whose recording is not listed yet is retried")
      ->capture_default_str();
  serve->add_option("--give-up-after", s->give_up_after,
                    "drop a spooled event this long after its capture was created if its task still fails "
                    "(0 = never); the nightly reconciliation covers it")
      ->capture_default_str();
  serve->add_option("--threads", s->threads, "listener threads")->check(CLI::Range(1, 64))->capture_default_str();
  std::vector<WebexExtraSubcommand> out;
  out.push_back({serve, [f, s]() -> int {
#ifdef CCREC_EXPORT_HAVE_WEBEX_LOGIN
                   return RunServe(*f, *s);
#else
                   throw UsageError{"webex serve needs ccrec::webex_login (cpp-httplib), which this build lacks"};
#endif
                 }});
  AddWebexSubscriptionSubcommands(webex, f, out);
  return out;
}

}  // namespace ccrec_cli
