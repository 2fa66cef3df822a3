#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Webex Contact Center (WxCC) emulator for ccrec integration tests and benchmarks.

Emulates, on one loopback HTTPS server, the parts of Webex Contact Center that ccrec uses, strictly on the
request side and realistically on the response side.  Facts come from ``docs/reference/webex-cc.md``
(cited as "ref §N") and the official spec subset (GitHub ``webex/webex-openapi-specs``, ``public-spec/webex-contact-center.json``):

* ``POST /v1/access_token``  - OAuth2 token endpoint (ref §2.2): form-encoded ``refresh_token`` and
  ``authorization_code`` grants, rotating refresh tokens (ref §2.4, [U] modelled as strict rotation with
  an optional grace period), Cisco-style opaque tokens ``<base64>_PF84_<orgId>`` (ref §2.7).
* ``GET /v1/tasks``  - Tasks API (ref §4): only ``from``, ``to``, ``channelTypes``, ``pageSize``,
  ``orgId``; sorted by createdTime; no paging fields at all (ref §4.3); ``from`` inclusivity is a knob
  because it is undocumented; ``to`` is exclusive.
* ``POST /v1/captures/query``  - Captures API (ref §5): body ``{"query": {...}}``, at most 10 unique
  task IDs, ``urlExpiration`` minutes 1..60 (default 60), stitched vs segmented main recordings, consult
  legs, virtual-agent legs, unknown task IDs answered with empty arrays (200).
* ``GET|HEAD /media/...``  - S3-style pre-signed download URLs (ref §5.4): signature checked over the raw
  request target exactly as sent, 400 InvalidArgument when an Authorization header is added, 403 when
  expired or tampered, Range requests, streamed bodies (1 GiB+ without buffering).
* ``/_emulator/...``  - test control: stats, config (fault injection at run time), ground truth.

Error bodies use the spec's ``ApiErrorResponse`` (ref §7); ``TrackingId`` request headers are echoed.
Rate limiting (ref §7): ``--rate-limit-per-minute`` is a real sliding window per client ID, ``--rate-429``
answers random 429s with ``Retry-After``.

Data are generated deterministically from ``--seed``; see README.md and ``GET /_emulator/info``.

Modules: this file (the emulator state ``WebexEmulator``, routing, authentication, the token endpoint,
test control, the command line), ``webex_cc_common`` (constants, knobs, error bodies),
``webex_cc_data`` (the data set and its audio), ``webex_cc_state`` (OAuth tokens, rate limiter,
pre-signed URLs), ``webex_cc_tasks`` (Tasks and Captures), ``webex_cc_media`` (media downloads),
``webex_cc_auth``, ``webex_cc_search`` and ``webex_cc_webhooks``; every handler reaches the one
``WebexEmulator`` as ``handler.emu``.

Standard library only (plus the ``openssl`` binary, through emulib, for the throwaway CA).
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulib  # noqa: E402
import webex_cc_auth  # noqa: E402
import webex_cc_media  # noqa: E402
import webex_cc_search  # noqa: E402
import webex_cc_tasks  # noqa: E402
import webex_cc_webhooks  # noqa: E402
from webex_cc_common import (  # noqa: E402
    Config, DEFAULT_APPLICATIONS_TOKEN, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_ORG_ID,
    DEFAULT_REDIRECT_URI, DEFAULT_SERVICE_APP_CLIENT_ID, DEFAULT_SERVICE_APP_CLIENT_SECRET, DEFAULT_SERVICE_APP_ID,
    HOUR_MS, KNOBS, NAME, DEFAULT_CODE_BODY, DEFAULT_REFRESH_BODY, api_error,
)
from webex_cc_data import Dataset, KnobValues, MediaObject, Task  # noqa: E402
from webex_cc_state import OAuthState, Presigner, RateLimiter  # noqa: E402


# --------------------------------------------------------------------------------------------------
# Emulator state
# --------------------------------------------------------------------------------------------------

STAT_COUNTERS = ("connections", "tls_handshake_failures", "status_401", "status_429", "status_5xx", "token_refreshes",
                 "auth_code_grants", "token_errors", "refresh_token_reuse", "expired_token_calls",
                 "media_authorization_rejected", "media_signature_mismatch", "media_expired",
                 "media_dropped", "media_range_requests", "bytes_served", "captures_task_ids",
                 "urls_issued", "media_if_range_requests", "media_if_range_mismatch", "media_short_206",
                 "media_replaced", "authorize_codes", "authorize_denied", "authorize_redirect_mismatch",
                 "service_app_tokens")


class WebexEmulator:
    def __init__(self, cfg: Config, identity: dict) -> None:
        self.cfg = cfg
        self.identity = identity
        self.org_id = identity["org_id"]
        self.stats = emulib.Stats()
        self.requests = emulib.RequestLog()
        self.rng = emulib.ThreadSafeRandom(f"wxcc-faults:{cfg.seed}")
        self.oauth = OAuthState(self.org_id, identity["client_id"], identity["client_secret"],
                                identity["refresh_token"], identity["auth_code"], identity["redirect_uri"], cfg)
        self.service_app = identity["service_app"]
        self.oauth.clients[self.service_app["client_id"]] = self.service_app["client_secret"]
        self.limiter = RateLimiter()
        self.presigner = Presigner()
        self.dataset_lock = threading.Lock()
        self.dataset = Dataset(cfg, self.org_id)
        self.host = ""  # "127.0.0.1:PORT", set once bound
        self.scheme = "https"

    def apply_config(self, changes: dict) -> None:
        """Validate, rebuild the data set if a data-set knob changed, then commit (all or nothing)."""
        with self.dataset_lock:
            new, rebuild = self.cfg.validate(changes)
            dataset = Dataset(KnobValues(new), self.org_id) if rebuild else None
            reseed = new["seed"] != self.cfg.seed
            self.cfg.commit(new)
            if dataset is not None:
                self.dataset = dataset
            if reseed:
                self.rng.reseed(f"wxcc-faults:{self.cfg.seed}")

    def stats_snapshot(self) -> dict:
        """Counters for GET /_emulator/stats; ``responses`` is {endpoint: {status: count}}."""
        snap = self.stats.snapshot(STAT_COUNTERS)
        snap.setdefault("requests", {})
        return emulib.group_responses(snap)


# --------------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------------


class Handler(webex_cc_tasks.TasksMixin, webex_cc_media.MediaMixin, emulib.EmulatorRequestHandler):
    log_prefix = NAME
    emu: WebexEmulator

    def version_string(self) -> str:
        path = getattr(self, "path", None) or ""  # unset when the request line itself is malformed
        return "AmazonS3" if path.startswith("/media/") else "ccrec-emulator/1.0 (webex_cc)"

    # --- routing ------------------------------------------------------------------------------------

    def route(self) -> None:
        path = self.raw_path
        if path == "/v1/access_token":
            self._endpoint("token", self.handle_token, ("POST",))
        elif path == "/v1/authorize":
            self._endpoint("authorize", lambda: webex_cc_auth.handle_authorize(self), ("GET",))
        elif webex_cc_auth.APPLICATION_PATH.match(path):
            self._endpoint("service_app_token", lambda: webex_cc_auth.handle_service_app_token(self), ("POST",))
        elif path == "/v1/tasks":
            self._endpoint("tasks", self.handle_tasks, ("GET",))
        elif path == "/v1/captures/query":
            self._endpoint("captures", self.handle_captures, ("POST",))
        elif path == "/search":
            self._endpoint("search", lambda: webex_cc_search.handle_search(self), ("POST",))
        elif webex_cc_webhooks.handles(path):
            self._endpoint("subscriptions", lambda: webex_cc_webhooks.handle_subscriptions(self),
                           ("GET", "POST", "PATCH", "DELETE"))
        elif path.startswith("/media/"):
            self._endpoint("media", self.handle_media, ("GET", "HEAD"))
        elif path.startswith("/_emulator/"):
            self._endpoint("emulator", self.handle_control, ("GET", "POST"))
        else:
            self._endpoint("other", self.handle_not_found, None)

    def _endpoint(self, name: str, fn, methods: tuple[str, ...] | None) -> None:
        emu = self.emu
        emu.stats.incr_nested("requests", name)
        gauge = "media" if name == "media" else "api" if name in ("tasks", "captures", "token") else None
        if gauge:
            emu.stats.enter(gauge)
        self.tracking_id = self.headers.get("TrackingId") or f"EMU_{uuid.uuid4()}"
        self.endpoint_name = name
        self.log_extra: dict[str, Any] = {}
        try:
            if not self.load_body():
                return
            if methods is not None and self.command not in methods:
                if name == "media":
                    self.s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                                  headers=[("Allow", ", ".join(methods))])
                else:
                    self.send_json(405, api_error(self.tracking_id, 405, f"Method {self.command} is not allowed on "
                                                  f"{self.raw_path}; use {', '.join(methods)}."),
                                   headers=[("Allow", ", ".join(methods))])
                return
            fn()
        finally:
            if gauge:
                emu.stats.leave(gauge)
            status = getattr(self, "response_status", None)
            emu.stats.count_response(name, status)
            if name != "emulator":
                entry = {"time": round(time.time(), 3), "method": self.command, "endpoint": name,
                         "path": self.raw_path, "status": status,
                         "tracking_id": self.headers.get("TrackingId"),
                         "authorization": self.headers.get("Authorization") is not None,
                         "user_agent": self.headers.get("User-Agent")}
                if name in ("tasks", "captures"):
                    entry["query"] = self.raw_query
                entry.update(self.log_extra)
                emu.requests.add(entry, self.arrival)
            ms = (time.monotonic() - self.request_started) * 1000
            shown = self.raw_path + ("?<presigned>" if name == "media" and self.raw_query else
                                     ("?" + self.raw_query if self.raw_query else ""))
            self.log_line(f"{self.client_address[0]} {self.command} {shown} -> {status} ({ms:.0f} ms)")

    # --- common API checks ----------------------------------------------------------------------------

    def api_headers(self) -> list[tuple[str, str]]:
        return [("TrackingID", self.tracking_id)]

    def api_fail(self, status: int, description: str, headers: list | None = None) -> None:
        self.send_json(status, api_error(self.tracking_id, status, description),
                       headers=self.api_headers() + (headers or []))

    def sleep_latency(self) -> None:
        ms = self.emu.cfg.latency_ms
        if ms > 0:
            time.sleep(ms / 1000.0)

    def authenticate(self) -> str | None:
        """Bearer check (ref §7 common errors): 400 missing/malformed, 401 unknown/expired."""
        header = self.headers.get("Authorization")
        if header is None:
            self.api_fail(400, "Missing Authorization header; expected 'Authorization: Bearer <access token>'.")
            return None
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            self.api_fail(400, "Malformed Authorization header; expected 'Authorization: Bearer <access token>'.")
            return None
        client_id, problem = self.emu.oauth.check_access(token)
        if client_id is None:
            if problem == "expired":
                self.emu.stats.incr("expired_token_calls")
                self.api_fail(401, "The access token has expired.")
            else:
                self.api_fail(401, "Incorrect Credentials.")
            return None
        return client_id

    def inject_faults(self, client_id: str) -> bool:
        """Rate limit, random 429 and random 5xx.  Returns True when a response was sent."""
        cfg, emu = self.emu.cfg, self.emu
        wait = emu.limiter.check(client_id, cfg.rate_limit_per_minute, cfg.rate_limit_window_seconds)
        if wait:
            self.api_fail(429, f"Rate limit of {cfg.rate_limit_per_minute} requests per minute exceeded for this client.",
                          headers=[("Retry-After", str(wait))])
            return True
        if emu.rng.chance(cfg.rate_429):
            self.api_fail(429, "Too many requests have been sent in a given amount of time.",
                          headers=[("Retry-After", str(cfg.retry_after))])
            return True
        if emu.rng.chance(cfg.rate_5xx):
            status = emu.rng.choice((500, 502, 503))
            if status == 502:
                body = b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"
                self.send_bytes(502, body, "text/html", self.api_headers())
            elif status == 503:
                self.api_fail(503, "The service is currently unavailable to serve the requests.")
            else:
                self.api_fail(500, "An Unexpected Error Occurred.")
            return True
        return False

    def check_org(self, org_id: Any) -> bool:
        if org_id is not None and org_id != self.emu.org_id:
            self.api_fail(403, f"Token does not have permission to interact with organization '{org_id}'.")
            return False
        return True

    # --- POST /v1/access_token (ref §2.2) -----------------------------------------------------------

    def token_error(self, status: int, error: str, description: str) -> None:
        self.emu.stats.incr("token_errors")
        self.send_json(status, {"error": error, "error_description": description, "message": description,
                                "errors": [{"description": description}], "trackingId": self.tracking_id},
                       headers=[("TrackingID", self.tracking_id), ("Cache-Control", "no-store")])

    def handle_token(self) -> None:
        emu = self.emu
        self.sleep_latency()
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            self.token_error(400, "invalid_request",
                             "Content-Type must be application/x-www-form-urlencoded.")
            return
        if emu.rng.chance(emu.cfg.token_5xx_rate):
            self.send_json(503, {"message": "Service Unavailable", "errors": [{"description": "Service Unavailable"}],
                                 "trackingId": self.tracking_id}, headers=[("Retry-After", str(emu.cfg.retry_after))])
            return
        try:
            pairs = parse_qsl(self.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            self.token_error(400, "invalid_request", "The request body is not valid UTF-8.")
            return
        form: dict[str, str] = {}
        for k, v in pairs:
            if k in form:
                self.token_error(400, "invalid_request", f"Parameter '{k}' is repeated.")
                return
            form[k] = v
        grant = form.get("grant_type")
        if not grant:
            self.token_error(400, "invalid_request", "Missing required parameter 'grant_type'.")
            return
        if grant not in ("refresh_token", "authorization_code"):
            self.token_error(400, "unsupported_grant_type", f"Unsupported grant_type '{grant}'.")
            return
        needed = ("client_id", "client_secret") + (("refresh_token",) if grant == "refresh_token"
                                                   else ("code", "redirect_uri"))
        for name in needed:
            if not form.get(name):
                self.token_error(400, "invalid_request", f"Missing required parameter '{name}'.")
                return
        if not emu.oauth.client_ok(form["client_id"], form["client_secret"]):
            self.token_error(401, "invalid_client", "Client authentication failed (unknown client_id or wrong client_secret).")
            return
        if grant == "refresh_token":
            result, why, reuse = emu.oauth.grant_refresh(form["refresh_token"], form["client_id"])
            if reuse:
                emu.stats.incr("refresh_token_reuse")
            if result is None:
                self.token_error(400, "invalid_grant", why)
                return
            emu.stats.incr("token_refreshes")
        else:
            if form["client_id"] != emu.oauth.client_id:
                self.token_error(400, "invalid_grant", "The authorization code was not issued to this client.")
                return
            result, why = emu.oauth.grant_code(form["code"], form["redirect_uri"])
            if result is None:
                self.token_error(400, "invalid_grant", why)
                return
            emu.stats.incr("auth_code_grants")
        self.send_json(200, result, headers=[("TrackingID", self.tracking_id), ("Cache-Control", "no-store"),
                                             ("Pragma", "no-cache")])

    # --- /_emulator/... (test control) ---------------------------------------------------------------

    def handle_not_found(self) -> None:
        self.api_fail(404, f"No such resource: {self.command} {self.raw_path}")

    def control_reset_stats(self) -> None:
        super().control_reset_stats()
        self.emu.limiter.reset()

    def control_apply_config(self, changes: dict) -> None:
        self.emu.apply_config(changes)

    def handle_extra_control(self, path: str, method: str, q: dict[str, str]) -> bool:
        emu = self.emu
        if path == "/_emulator/expire-tokens" and method == "POST":
            self.send_json(200, {"expired": emu.oauth.expire_all()})
        elif path == "/_emulator/expected" and method == "GET":
            obj = emu.dataset.objects.get((q.get("task_id", ""), q.get("recording_id", "")))
            if obj is None:
                self.send_json(404, {"error": "unknown task_id/recording_id pair"})
                return True
            self.send_json(200, self._describe(obj, with_sha=True))
        elif path == "/_emulator/tasks" and method == "GET":
            self._ground_truth(q)
        elif path == "/_emulator/info" and method == "GET":
            self.send_json(200, self._info())
        elif path == "/_emulator/webhooks/deliver" and method == "POST":
            webex_cc_webhooks.deliver(self)
        else:
            return False
        return True

    def _describe(self, obj: MediaObject, with_sha: bool = False) -> dict:
        ds = self.emu.dataset
        d = {"taskId": obj.task_id, "recordingId": obj.id, "kind": obj.kind, "callType": obj.call_type or None,
             "segment": obj.segment, "fileName": obj.file_name, "size": obj.size, "contentType": obj.content_type,
             "etag": ds.etag(obj)}
        if obj.kind != "transcript":
            d["payloadOffset"] = obj.offset
        if with_sha:
            d["sha256"] = ds.sha256(obj)
        return d

    def _ground_truth(self, q: dict) -> None:
        """Every task (all channels) with lo <= createdTime < hi, with what Captures returns right now."""
        ds = self.emu.dataset
        settled = self.emu.cfg.settle_pending
        try:
            lo = int(q.get("from", 0))
            hi = int(q.get("to", 2**62))
        except ValueError:
            self.send_json(400, {"error": "from/to must be integers (epoch ms)"})
            return
        channels = set(q["channelTypes"].split(",")) if q.get("channelTypes") else None
        out = []
        for t in ds.window(lo, hi, True):
            if channels and t.channel not in channels:
                continue
            attrs = t.attributes(settled)
            out.append({
                "id": t.id, "createdTime": t.created, "channelType": t.channel, "status": attrs["status"],
                "captureRequested": attrs["captureRequested"], "state": t.state,
                "eventualState": t.eventual_state, "available": t.available(settled),
                "sameMillisecond": t.cluster_size, "large": t.large, "ivrOnly": t.ivr_only,
                "recordings": {
                    "stitched": [self._describe(r) for r in t.recordings(settled, False, False)],
                    "segments": [self._describe(r) for r in t.recordings(settled, True, False)],
                    "va": [self._describe(r) for r in (t.va if t.available(settled) else [])]},
                "transcripts": [self._describe(r) for r in t.transcriptions(settled)],
            })
        self.send_json(200, {"orgId": ds.org_id, "from": lo, "to": hi, "settled": settled, "count": len(out),
                             "tasks": out})

    def _info(self) -> dict:
        ds = self.emu.dataset
        counts = collections.Counter()
        examples: dict[str, list] = collections.defaultdict(list)

        def ex(kind: str, t: Task) -> None:
            if len(examples[kind]) < 10:
                examples[kind].append(t.id)
        clusters = []
        prev = None
        for t in ds.tasks:
            counts[f"channel:{t.channel}"] += 1
            counts[f"state:{t.state}"] += 1
            if t.cluster_size > 1 and t.created != prev:
                ids = [x.id for x in ds.window(t.created, t.created + 1)]
                clusters.append({"createdTime": t.created, "size": t.cluster_size, "hourBoundary": t.created % HOUR_MS == 0,
                                 "taskIds": ids})
            prev = t.created
            consults = [r for r in t.stitched if r.call_type == "consult"]
            if consults:
                ex("withConsult", t)
            if len(consults) >= 2:
                ex("withTwoConsults", t)
            if len(t.segments) - len(consults) >= 3:
                ex("withThreeSegments", t)
            if t.va:
                ex("withVirtualAgent", t)
            if t.state in ("pending", "unknown", "open", "purged"):
                ex(t.state, t)
            if t.owner is None:
                ex("noOwner", t)
            if t.queue is None:
                ex("noQueue", t)
            if t.ivr_only:
                ex("ivrOnly", t)
            if t.state == "transcript":
                ex("transcript", t)
        return {"orgId": ds.org_id, "seed": ds.seed, "days": ds.days, "taskCount": len(ds.tasks),
                "largeTaskId": ds.large_task_id, "counts": dict(sorted(counts.items())),
                "clusters": clusters, "examples": dict(examples), "config": self.emu.cfg.as_dict()}


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    emulib.add_common_arguments(p)
    p.add_argument("--org-id", default=DEFAULT_ORG_ID, help=f"organization ID (default: {DEFAULT_ORG_ID})")
    p.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="OAuth client ID (default: fixed)")
    p.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET, help="OAuth client secret (default: fixed)")
    p.add_argument("--refresh-token", default=None, help="initial refresh token (default: fixed, Cisco-shaped)")
    p.add_argument("--auth-code", default=None, help="authorization code accepted once (default: fixed)")
    p.add_argument("--redirect-uri", default=DEFAULT_REDIRECT_URI, help=f"(default: {DEFAULT_REDIRECT_URI})")
    p.add_argument("--service-app-id", default=DEFAULT_SERVICE_APP_ID, help="Service App application id (default: fixed)")
    p.add_argument("--service-app-client-id", default=DEFAULT_SERVICE_APP_CLIENT_ID,
                   help="Service App OAuth client id (default: fixed)")
    p.add_argument("--service-app-client-secret", default=DEFAULT_SERVICE_APP_CLIENT_SECRET,
                   help="Service App OAuth client secret (default: fixed)")
    p.add_argument("--applications-token", default=DEFAULT_APPLICATIONS_TOKEN,
                   help="bearer token with scope spark:applications_token (default: fixed)")
    emulib.add_knob_arguments(p, KNOBS, metavar=lambda kind: kind.upper().replace("PROB", "P"), none_shown="off")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cfg = Config.from_args(args, NAME)
    identity = {
        "org_id": args.org_id, "client_id": args.client_id, "client_secret": args.client_secret,
        "refresh_token": args.refresh_token or f"{DEFAULT_REFRESH_BODY}_PF84_{args.org_id}",
        "auth_code": args.auth_code or f"{DEFAULT_CODE_BODY}_PF84_{args.org_id}",
        "redirect_uri": args.redirect_uri,
        "service_app": {"application_id": args.service_app_id, "client_id": args.service_app_client_id,
                        "client_secret": args.service_app_client_secret,
                        "applications_token": args.applications_token},
    }
    try:
        emu = WebexEmulator(cfg, identity)
    except ValueError as e:
        raise SystemExit(f"{NAME}: {e}")
    server, material = emulib.prepare_server(args, NAME, Handler, emu, emu.stats)
    emu.host = f"{emulib.LOOPBACK}:{server.port}"
    emu.scheme = server.scheme
    ready = {"token_url": server.base_url + "/v1/access_token", "client_id": identity["client_id"],
             "client_secret": identity["client_secret"], "refresh_token": identity["refresh_token"],
             "auth_code": identity["auth_code"], "redirect_uri": identity["redirect_uri"],
             "org_id": identity["org_id"], "authorize_url": server.base_url + "/v1/authorize",
             "webexapis_url": server.base_url + "/v1",
             "service_app_id": args.service_app_id, "service_app_client_id": args.service_app_client_id,
             "service_app_client_secret": args.service_app_client_secret,
             "applications_token": args.applications_token}
    return emulib.serve(args, NAME, server, material, ready, f"{len(emu.dataset.tasks)} tasks")


if __name__ == "__main__":
    emulib.main_guard(main)
