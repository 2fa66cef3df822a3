# SPDX-License-Identifier: Apache-2.0
"""Webex CC emulator: the Subscriptions API (/v1 and /v2 /subscriptions) and webhook deliveries.

Subscriptions follow the public OpenAPI spec (SubscriptionRequest[Enhanced] in,
SubscriptionResponse[Enhanced] out; the secret is accepted but never returned). Deliveries are
made on demand by the control endpoint POST /_emulator/webhooks/deliver, which posts
CloudEvents-style envelopes to a given URL, signed as ccrec assumes Webex signs them
(X-Webex-Signature: hex HMAC-SHA256 of the raw body keyed by the subscription secret), in one of
several modes for tests: signed, unsigned, bad-signature, stale, oversize, replay, out-of-order,
flood. See tests/emulators/README.md.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

SIGNATURE_HEADER = "X-Webex-Signature"
COLLECTION = re.compile(r"^/(v1|v2)/subscriptions$")
ITEM = re.compile(r"^/(v1|v2)/subscriptions/([^/]+)$")
MODES = ("signed", "unsigned", "bad-signature", "stale", "oversize", "replay", "out-of-order", "flood")
_lock = threading.Lock()


def handles(path: str) -> bool:
    return bool(COLLECTION.match(path) or ITEM.match(path))


def _store(emu: Any) -> dict:
    with _lock:
        if not hasattr(emu, "webhook_subscriptions"):
            emu.webhook_subscriptions = {}
        return emu.webhook_subscriptions


def _fail(handler: Any, status: int, description: str) -> None:
    handler.api_fail(status, description)


def _validate(body: Any, version: str, partial: bool) -> str | None:
    """The SubscriptionRequest[Enhanced] / ...Update constraints of the spec; None when valid."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    required = [] if partial else ["name", "eventTypes", "destinationUrl"] + (["resourceVersion"] if version == "v2" else [])
    for name in required:
        if name not in body:
            return f"{name} is required"
    if "name" in body and (not isinstance(body["name"], str) or not 4 <= len(body["name"]) <= 64):
        return "name must be a string of 4..64 characters"
    if "description" in body and (not isinstance(body["description"], str) or len(body["description"]) > 1024):
        return "description must be a string of at most 1024 characters"
    if "eventTypes" in body:
        et = body["eventTypes"]
        if not isinstance(et, list) or not 1 <= len(et) <= 32 or not all(isinstance(e, str) and e for e in et):
            return "eventTypes must be 1..32 event type strings"
    if "destinationUrl" in body:
        url = body["destinationUrl"]
        # Spec: pattern ^(https?)://.*$, and "Must be HTTPS ... with a path ... No query parameters,
        # userinfo, non-443 ports, or fragments".
        if not isinstance(url, str) or not re.match(r"^https://[^/?#@:]+(:443)?/[^?#]*$", url):
            return "destinationUrl must be an HTTPS URL with a path, without query, userinfo, fragment or non-443 port"
    if "secret" in body and (not isinstance(body["secret"], str) or not 32 <= len(body["secret"]) <= 256):
        return "secret must be a string of 32..256 characters"
    if "resourceVersion" in body and (not isinstance(body["resourceVersion"], str) or
                                      not 1 <= len(body["resourceVersion"]) <= 50):
        return "resourceVersion must be a string of 1..50 characters"
    return None


def _public(sub: dict) -> dict:
    return {k: v for k, v in sub.items() if k not in ("secret", "version")}


def handle_subscriptions(handler: Any) -> None:
    emu = handler.emu
    if handler.authenticate() is None:
        return
    path = handler.raw_path
    m = COLLECTION.match(path)
    version = (m or ITEM.match(path)).group(1)
    subs = _store(emu)
    meta = {"orgId": emu.org_id}
    if m:
        if handler.command == "GET":
            data = [_public(s) for s in subs.values() if s["version"] == version]
            handler.send_json(200, {"meta": meta, "data": data}, headers=handler.api_headers())
            return
        if handler.command != "POST":
            _fail(handler, 405, f"Method {handler.command} is not allowed on {path}")
            return
        try:
            body = json.loads(handler.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            _fail(handler, 400, "the body is not JSON")
            return
        problem = _validate(body, version, partial=False)
        if problem:
            _fail(handler, 400, problem)
            return
        now = int(time.time() * 1000)
        sub = {"id": str(uuid.uuid4()), "name": body["name"], "eventTypes": body["eventTypes"],
               "destinationUrl": body["destinationUrl"], "createdTime": now, "createdBy": "admin@example.com",
               "status": "active", "lastUpdatedTime": now, "lastUpdatedBy": "admin@example.com",
               "version": version, "secret": body.get("secret")}
        if "description" in body:
            sub["description"] = body["description"]
        if version == "v2":
            sub["resourceVersion"] = body["resourceVersion"]
        with _lock:
            subs[sub["id"]] = sub
        handler.send_json(201, {"meta": meta, "data": _public(sub)}, headers=handler.api_headers())
        return
    sub_id = ITEM.match(path).group(2)
    sub = subs.get(sub_id)
    if sub is None or sub["version"] != version:
        _fail(handler, 404, f"subscription {sub_id} not found")
        return
    if handler.command == "GET":
        handler.send_json(200, {"meta": meta, "data": _public(sub)}, headers=handler.api_headers())
    elif handler.command == "DELETE":
        with _lock:
            subs.pop(sub_id, None)
        handler.send_bytes(204, b"", None, handler.api_headers())
    elif handler.command == "PATCH":
        try:
            body = json.loads(handler.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            _fail(handler, 400, "the body is not JSON")
            return
        problem = _validate(body, version, partial=True)
        if problem:
            _fail(handler, 400, problem)
            return
        with _lock:
            sub.update({k: v for k, v in body.items() if k in ("name", "description", "eventTypes", "destinationUrl",
                                                                 "secret", "resourceVersion", "status")})
            sub["lastUpdatedTime"] = int(time.time() * 1000)
        handler.send_json(200, {"meta": meta, "data": _public(sub)}, headers=handler.api_headers())
    else:
        _fail(handler, 405, f"Method {handler.command} is not allowed on {path}")


# --- deliveries ------------------------------------------------------------------------------------

def _event(emu: Any, handler: Any, event_type: str, task_id: str, created_ms: int, padding: int = 0) -> dict:
    data: dict[str, Any] = {"taskId": task_id, "createdTime": created_ms}
    task = emu.dataset.by_id.get(task_id)
    if event_type == "capture:available" and task is not None and task.stitched:
        data["filePath"] = handler._presign(task.stitched[-1], 600, time.time())
    if padding:
        data["padding"] = "x" * padding
    return {"id": str(uuid.uuid4()), "specversion": "1.0", "type": event_type,
            "source": f"/com/cisco/wxcc/{emu.org_id}", "orgId": emu.org_id, "createdTime": created_ms,
            "datacontenttype": "application/json", "data": data}


def _post(url: str, body: bytes, signature: str | None, context: ssl.SSLContext | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError, ConnectionError):
        return 0  # no answer (e.g. the receiver closed an oversize request)


def deliver(handler: Any) -> None:
    """POST /_emulator/webhooks/deliver {"url", "secret", "taskIds", "mode", "count", "eventType",
    "paddingBytes", "caFile"}: posts the events to `url` and answers with each delivery's status."""
    emu = handler.emu
    try:
        req = handler.control_body()
    except ValueError as e:
        handler.send_json(400, {"error": str(e)})
        return
    url, secret, mode = req.get("url"), req.get("secret"), req.get("mode", "signed")
    task_ids = req.get("taskIds") or []
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        handler.send_json(400, {"error": "url must be an http(s) URL"})
        return
    if not isinstance(secret, str) or not secret:
        handler.send_json(400, {"error": "secret is required"})
        return
    if mode not in MODES:
        handler.send_json(400, {"error": f"mode must be one of {', '.join(MODES)}"})
        return
    if not isinstance(task_ids, list) or not all(isinstance(t, str) for t in task_ids):
        handler.send_json(400, {"error": "taskIds must be a list of task ids"})
        return
    ca_file = req.get("caFile")  # trust for an https:// receiver (its own test CA)
    context = ssl.create_default_context(cafile=ca_file) if url.startswith("https://") and ca_file else None
    event_type = req.get("eventType", "capture:available")
    count = int(req.get("count", 20))
    now = int(time.time() * 1000)
    created = now - 3_600_000 if mode == "stale" else now
    padding = int(req.get("paddingBytes", 2 << 20)) if mode == "oversize" else 0
    events = [_event(emu, handler, event_type, t, created, padding) for t in task_ids]
    if mode == "out-of-order":  # task events after the captures they precede, captures reversed
        events = list(reversed(events)) + [_event(emu, handler, "task:ended", t, now - 60_000) for t in task_ids]
    plan: list[bytes] = [json.dumps(e, separators=(",", ":")).encode() for e in events]
    if mode == "replay":
        plan = plan + plan
    elif mode == "flood":  # `count` copies of each delivery (same event ids: redeliveries), concurrently
        plan = [b for b in plan for _ in range(count)]

    def sign(body: bytes) -> str | None:
        if mode == "unsigned":
            return None
        key = ("not-the-" + secret) if mode == "bad-signature" else secret
        return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()

    workers = 16 if mode == "flood" else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(lambda b: _post(url, b, sign(b), context), plan))
    out = []
    for body, status in zip(plan, statuses):
        e = json.loads(body)
        out.append({"eventId": e["id"], "type": e["type"], "taskId": e["data"]["taskId"], "status": status})
    emu.stats.incr("webhook_deliveries", len(out))
    handler.send_json(200, {"mode": mode, "deliveries": out})
