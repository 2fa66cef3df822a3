#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex Contact Center emulator (webex_cc.py).

Starts the emulator as a subprocess (HTTPS with its throwaway CA; a second one with --plain-http) and
checks the process contract, the strict request validation, the data set and the fault knobs.
Standard library only: ``python3 tests/emulators/test_webex_cc.py``.

The Tasks and Captures tests are in test_webex_cc_tasks.py, the media download tests in
test_webex_cc_media.py; both use this file's fixture (``Emulator``, ``setUpModule``, the helpers).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "webex_cc.py")
sys.path.insert(0, HERE)
import emutest  # noqa: E402

DAY = "2026-11-01"
DAY_START = 1793491200000  # 2026-11-01T00:00:00Z
DAY_END = DAY_START + 86_400_000
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

FAULT_DEFAULTS = {"rate_429": 0.0, "rate_5xx": 0.0, "rate_limit_per_minute": 0, "media_drop_rate": 0.0,
                  "media_5xx_rate": 0.0, "media_short_206_rate": 0.0, "media_replace_on_drop": 0.0, "latency_ms": 0, "url_expiry_override_seconds": None,
                  "from_inclusive": True, "settle_pending": False, "refresh_grace_seconds": 0.0,
                  "access_token_ttl": 3600, "retry_after": 1, "token_5xx_rate": 0.0}


class Emulator(emutest.EmulatorProcess):
    """One emulator subprocess plus small HTTP helpers."""

    def __init__(self, *args: str, plain_http: bool = False) -> None:
        super().__init__(EMULATOR, *args, prefix="wxcc-test-", plain_http=plain_http)

    def request(self, method: str, target: str, body: bytes | str | dict | None = None,
                headers: dict | None = None, conn: http.client.HTTPConnection | None = None):
        """Returns (status, headers dict (lower-case names), body bytes)."""
        if target.startswith("http"):
            target = target.split(str(self.port), 1)[1]
        hdrs = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        status, resp_headers, data = self.exchange(method, target, body, hdrs, conn)
        return status, {k.lower(): v for k, v in resp_headers}, data

    def json(self, method: str, target: str, body=None, headers=None):
        status, hdrs, data = self.request(method, target, body, headers)
        try:
            return status, hdrs, json.loads(data) if data else None
        except ValueError:
            return status, hdrs, {"raw": data}

    def configure(self, **knobs) -> dict:
        return self.control("config", knobs)


EMU: Emulator
TOKENS: dict = {}


def setUpModule() -> None:
    global EMU
    EMU = Emulator("--seed", "1", "--day", DAY, "--tasks-per-day", "1200")
    EMU.defaults = EMU.control("config")
    TOKENS["refresh"] = EMU.ready["refresh_token"]
    refresh_access()


def tearDownModule() -> None:
    EMU.shutdown()


def form(**fields) -> str:
    return urllib.parse.urlencode(fields)


def token_request(**fields):
    return EMU.json("POST", "/v1/access_token", form(**fields),
                    {"Content-Type": "application/x-www-form-urlencoded"})


def refresh_access() -> dict:
    r = EMU.ready
    status, _, doc = token_request(grant_type="refresh_token", client_id=r["client_id"],
                                   client_secret=r["client_secret"], refresh_token=TOKENS["refresh"])
    assert status == 200, doc
    TOKENS["refresh"] = doc["refresh_token"]
    TOKENS["access"] = doc["access_token"]
    return doc


def auth(extra: dict | None = None) -> dict:
    h = {"Authorization": "Bearer " + TOKENS["access"]}
    h.update(extra or {})
    return h


def tasks(query: str, headers: dict | None = None):
    return EMU.json("GET", "/v1/tasks?" + query, headers=auth(headers))


def captures(query: dict, headers: dict | None = None):
    return EMU.json("POST", "/v1/captures/query", {"query": query}, auth(headers))


def ground_truth(lo: int = DAY_START, hi: int = DAY_END) -> list:
    return EMU.control(f"tasks?from={lo}&to={hi}")["tasks"]


class EmulatorTestCase(unittest.TestCase):
    def tearDown(self) -> None:
        EMU.configure(**FAULT_DEFAULTS)

    def assertApiError(self, status_doc, status: int, fragment: str = "") -> None:
        got, _, doc = status_doc
        self.assertEqual(got, status, doc)
        self.assertIsInstance(doc.get("trackingId"), str)
        self.assertEqual(doc["error"]["key"], str(status))
        description = doc["error"]["message"][0]["description"]
        self.assertIn(fragment, description)


# ------------------------------------------------------------------------------------------------------


class ProcessContractTest(EmulatorTestCase):
    def test_ready_file(self):
        r = EMU.ready
        self.assertEqual(set(r), {"port", "base_url", "token_url", "ca_file", "client_id", "client_secret",
                                  "refresh_token", "auth_code", "redirect_uri", "org_id", "pid", "authorize_url",
                                  "webexapis_url", "service_app_id", "service_app_client_id",
                                  "service_app_client_secret", "applications_token"})
        self.assertEqual(r["base_url"], f"https://127.0.0.1:{r['port']}")
        self.assertEqual(r["token_url"], r["base_url"] + "/v1/access_token")
        self.assertEqual(r["pid"], EMU.proc.pid)
        self.assertTrue(os.path.isfile(r["ca_file"]))
        for name in ("server.pem", "server.key"):
            self.assertTrue(os.path.isfile(os.path.join(os.path.dirname(r["ca_file"]), name)))
        self.assertRegex(r["org_id"], UUID_RE)

    def test_tls_verifies_for_ip_and_localhost(self):
        for host in ("127.0.0.1", "localhost"):
            conn = EMU.connection(host)
            conn.request("GET", "/_emulator/health")
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
        with self.assertRaises(ssl.SSLError):  # not trusted without the CA
            conn = http.client.HTTPSConnection("127.0.0.1", EMU.port, context=ssl.create_default_context(), timeout=5)
            conn.request("GET", "/_emulator/health")

    def test_keep_alive_reuses_one_connection(self):
        EMU.control("reset-stats", {})
        conn = EMU.connection()
        for _ in range(5):
            status, hdrs, _ = EMU.request("GET", f"/v1/tasks?from={DAY_START}&pageSize=5", headers=auth(), conn=conn)
            self.assertEqual(status, 200)
            self.assertEqual(int(hdrs["content-length"]) > 0, True)
        status, _, body = EMU.request("GET", "/_emulator/stats", conn=conn)
        conn.close()
        stats = json.loads(body)
        self.assertEqual(stats["connections"], 1)
        self.assertEqual(stats["requests"]["tasks"], 5)

    def test_concurrent_requests_are_served_concurrently(self):
        EMU.configure(latency_ms=300)
        EMU.control("reset-stats", {})
        results = []

        def worker():
            results.append(tasks(f"from={DAY_START}&pageSize=1")[0])
        threads = [threading.Thread(target=worker) for _ in range(8)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        self.assertEqual(results, [200] * 8)
        self.assertLess(elapsed, 1.5, "8 requests with 300 ms latency should overlap")
        self.assertGreaterEqual(EMU.control("stats")["peak_inflight"]["api"], 4)

    def test_stalled_tls_handshake_does_not_block_others(self):
        stalled = socket.create_connection(("127.0.0.1", EMU.port), timeout=5)  # never sends a ClientHello
        try:
            t0 = time.monotonic()
            self.assertEqual(EMU.control("health"), {"ok": True})
            self.assertLess(time.monotonic() - t0, 2)
        finally:
            stalled.close()

    def test_malformed_input_never_kills_the_server(self):
        raw = socket.create_connection(("127.0.0.1", EMU.port), timeout=5)
        tls = EMU.ctx.wrap_socket(raw, server_hostname="127.0.0.1")
        tls.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        self.assertIn(b"400", tls.recv(4096))
        tls.close()
        plain = socket.create_connection(("127.0.0.1", EMU.port), timeout=5)  # plain text on the TLS port
        plain.sendall(b"GET / HTTP/1.1\r\n\r\n")
        plain.close()
        status, _, _ = EMU.request("POST", "/v1/captures/query", b"\xff\xfe{", auth({"Content-Type": "application/json"}))
        self.assertEqual(status, 400)
        status, _, _ = EMU.request("POST", "/_emulator/config", b"[1,2", {"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertEqual(EMU.control("health"), {"ok": True})

    def test_unknown_path_and_method(self):
        self.assertApiError(EMU.json("GET", "/v1/captures", headers=auth()), 404, "/v1/captures")
        status, hdrs, _ = EMU.json("GET", "/v1/captures/query", headers=auth())
        self.assertEqual(status, 405)
        self.assertEqual(hdrs["allow"], "POST")

    def test_config_validation(self):
        for body in ({"no_such_knob": 1}, {"rate_429": 2}, {"latency_ms": "x"}, {"from_inclusive": "maybe"}):
            status, _, doc = EMU.json("POST", "/_emulator/config", body)
            self.assertEqual(status, 400, body)
        self.assertEqual(EMU.configure(**{"rate-429": 0})["rate_429"], 0)


# ------------------------------------------------------------------------------------------------------


class TokenTest(EmulatorTestCase):
    def test_content_type_is_required(self):
        r = EMU.ready
        status, _, doc = EMU.json("POST", "/v1/access_token",
                                  {"grant_type": "refresh_token", "client_id": r["client_id"],
                                   "client_secret": r["client_secret"], "refresh_token": TOKENS["refresh"]})
        self.assertEqual(status, 400)
        self.assertIn("x-www-form-urlencoded", doc["message"])

    def test_client_and_grant_errors(self):
        r = EMU.ready
        status, _, doc = token_request(grant_type="refresh_token", client_id=r["client_id"],
                                       client_secret="wrong", refresh_token=TOKENS["refresh"])
        self.assertEqual((status, doc["error"]), (401, "invalid_client"))
        status, _, doc = token_request(client_id=r["client_id"], client_secret=r["client_secret"])
        self.assertEqual((status, doc["error"]), (400, "invalid_request"))
        self.assertIn("grant_type", doc["message"])
        status, _, doc = token_request(grant_type="client_credentials", client_id=r["client_id"],
                                       client_secret=r["client_secret"])
        self.assertEqual((status, doc["error"]), (400, "unsupported_grant_type"))
        status, _, doc = token_request(grant_type="refresh_token", client_id=r["client_id"],
                                       client_secret=r["client_secret"], refresh_token="bogus")
        self.assertEqual((status, doc["error"]), (400, "invalid_grant"))
        self.assertIn("trackingId", doc)

    def test_refresh_tokens_rotate(self):
        EMU.control("reset-stats", {})
        old = TOKENS["refresh"]
        first = refresh_access()
        self.assertNotEqual(first["refresh_token"], old)
        self.assertEqual(set(first), {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in",
                                      "token_type"})
        self.assertEqual(first["token_type"], "Bearer")
        self.assertEqual(first["expires_in"], 3600)
        self.assertLessEqual(first["refresh_token_expires_in"], 7_776_000)
        self.assertRegex(first["access_token"], r"^[A-Za-z0-9]+_PF84_" + EMU.ready["org_id"] + "$")
        r = EMU.ready
        status, _, doc = token_request(grant_type="refresh_token", client_id=r["client_id"],
                                       client_secret=r["client_secret"], refresh_token=old)
        self.assertEqual((status, doc["error"]), (400, "invalid_grant"))
        self.assertIn("already been used", doc["message"])
        second = refresh_access()
        self.assertLessEqual(second["refresh_token_expires_in"], first["refresh_token_expires_in"])
        stats = EMU.control("stats")
        self.assertEqual(stats["token_refreshes"], 2)
        self.assertEqual(stats["refresh_token_reuse"], 1)
        self.assertEqual(tasks(f"from={DAY_START}&pageSize=1")[0], 200)

    def test_refresh_grace_period(self):
        EMU.configure(refresh_grace_seconds=30)
        old = TOKENS["refresh"]
        refresh_access()
        r = EMU.ready
        status, _, doc = token_request(grant_type="refresh_token", client_id=r["client_id"],
                                       client_secret=r["client_secret"], refresh_token=old)
        self.assertEqual(status, 200, doc)

    def test_authorization_code_is_single_use(self):
        r = EMU.ready
        base = dict(grant_type="authorization_code", client_id=r["client_id"], client_secret=r["client_secret"],
                    code=r["auth_code"])
        status, _, doc = token_request(**base, redirect_uri="http://evil.example/cb")
        self.assertEqual((status, doc["error"]), (400, "invalid_grant"))
        status, _, doc = token_request(**base, redirect_uri=r["redirect_uri"])
        self.assertEqual(status, 200, doc)
        self.assertEqual(doc["refresh_token_expires_in"], 7_776_000)
        status, _, doc = token_request(**base, redirect_uri=r["redirect_uri"])
        self.assertEqual((status, doc["error"]), (400, "invalid_grant"))

    def test_expire_tokens_and_short_ttl(self):
        EMU.control("reset-stats", {})
        EMU.control("expire-tokens", {})
        self.assertApiError(tasks(f"from={DAY_START}"), 401, "expired")
        self.assertEqual(EMU.control("stats")["expired_token_calls"], 1)
        EMU.configure(access_token_ttl=1)
        doc = refresh_access()
        self.assertEqual(doc["expires_in"], 1)
        self.assertEqual(tasks(f"from={DAY_START}&pageSize=1")[0], 200)
        time.sleep(1.05)
        self.assertApiError(tasks(f"from={DAY_START}"), 401)
        EMU.configure(access_token_ttl=3600)
        refresh_access()


# ------------------------------------------------------------------------------------------------------


class FaultTest(EmulatorTestCase):
    def test_random_429_with_retry_after(self):
        EMU.control("reset-stats", {})
        EMU.configure(rate_429=1.0, retry_after=7)
        status, hdrs, doc = tasks(f"from={DAY_START}", {"TrackingId": "X-429"})
        self.assertEqual((status, hdrs["retry-after"], doc["trackingId"], doc["error"]["key"]), (429, "7", "X-429", "429"))
        status, hdrs, _ = captures({"taskIds": ["a"]})
        self.assertEqual(status, 429)
        self.assertEqual(EMU.control("stats")["status_429"], 2)

    def test_random_5xx(self):
        EMU.configure(rate_5xx=1.0)
        statuses = {tasks(f"from={DAY_START}")[0] for _ in range(12)}
        self.assertTrue(statuses <= {500, 502, 503} and statuses, statuses)

    def test_rate_limit_per_minute(self):
        EMU.control("reset-stats", {})
        EMU.configure(rate_limit_per_minute=3)
        results = [tasks(f"from={DAY_START}&pageSize=1") for _ in range(4)]
        self.assertEqual([r[0] for r in results], [200, 200, 200, 429])
        self.assertGreaterEqual(int(results[3][1]["retry-after"]), 1)

    def test_requests_log(self):
        EMU.control("reset-stats", {})
        tasks(f"from={DAY_START}&pageSize=2&channelTypes=telephony", {"TrackingId": "CCREC_log"})
        log = EMU.control("requests")["requests"]
        self.assertEqual(log[-1]["tracking_id"], "CCREC_log")
        self.assertIn("channelTypes=telephony", log[-1]["query"])


# ------------------------------------------------------------------------------------------------------


class DeterminismAndPlainHttpTest(unittest.TestCase):
    def test_same_seed_same_data_plain_http_and_clean_exit(self):
        other = Emulator("--seed", "1", "--day", DAY, "--tasks-per-day", "1200", plain_http=True)
        try:
            self.assertEqual(other.ready["base_url"], f"http://127.0.0.1:{other.port}")
            self.assertIsNone(other.ready["ca_file"])
            mine = ground_truth()
            status, _, body = other.request("GET", f"/_emulator/tasks?from={DAY_START}&to={DAY_END}")
            theirs = json.loads(body)["tasks"]

            def key(ts):
                return [(t["id"], t["createdTime"], t["state"],
                         [(r["recordingId"], r["size"]) for r in t["recordings"]["segments"]]) for t in ts]
            self.assertEqual(key(mine), key(theirs))
            rec = next(t for t in mine if t["recordings"]["stitched"])["recordings"]["stitched"][0]
            q = f"expected?task_id={rec['taskId']}&recording_id={rec['recordingId']}"
            a = EMU.control(q)
            b = json.loads(other.request("GET", "/_emulator/" + q)[2])
            self.assertEqual(a["sha256"], b["sha256"])
            status, _, doc = other.json("POST", "/v1/access_token", form(
                grant_type="refresh_token", client_id=other.ready["client_id"],
                client_secret=other.ready["client_secret"], refresh_token=other.ready["refresh_token"]),
                {"Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(status, 200)
            doc = other.json("POST", "/v1/captures/query", {"query": {"taskIds": [rec["taskId"]]}},
                             {"Authorization": "Bearer " + doc["access_token"]})[2]
            url = doc["data"][0]["recording"][0]["attributes"]["filePath"]
            self.assertTrue(url.startswith(f"http://127.0.0.1:{other.port}/media/"))
            self.assertEqual(hashlib.sha256(other.request("GET", url)[2]).hexdigest(), a["sha256"])
            EMU.configure(seed=2)
            try:
                self.assertNotEqual(ground_truth()[5]["id"], mine[5]["id"])
            finally:
                EMU.configure(seed=1)
            self.assertEqual(key(ground_truth()), key(mine))
        finally:
            code = other.stop()
            self.assertEqual(code, 0)
            self.assertFalse(os.path.exists(other.ready_file))
            other.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
