#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex Contact Center emulator (webex_cc.py).

Starts the emulator as a subprocess (HTTPS with its throwaway CA; a second one with --plain-http) and
checks the process contract, the strict request validation, the data set and the fault knobs.
Standard library only: ``python3 tests/emulators/test_webex_cc.py``.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import unittest
import urllib.parse
import urllib.request

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


class TasksTest(EmulatorTestCase):
    def test_authorization_errors(self):
        self.assertApiError(EMU.json("GET", f"/v1/tasks?from={DAY_START}"), 400, "Authorization")
        self.assertApiError(EMU.json("GET", f"/v1/tasks?from={DAY_START}", headers={"Authorization": "Basic abc"}),
                            400, "Bearer")
        status, hdrs, doc = EMU.json("GET", f"/v1/tasks?from={DAY_START}",
                                     headers={"Authorization": "Bearer nope", "TrackingId": "CCREC_test-123"})
        self.assertEqual(status, 401)
        self.assertEqual(doc, {"trackingId": "CCREC_test-123",
                               "error": {"key": "401", "message": [{"description": "Incorrect Credentials."}]}})
        self.assertEqual(hdrs["trackingid"], "CCREC_test-123")

    def test_parameter_validation(self):
        cases = [("", "from"), ("from=abc", "from"), (f"from={DAY_START}&channelType=telephony", "channelType"),
                 (f"from={DAY_START}&offset=100", "offset"), (f"from={DAY_START}&page=2", "page"),
                 (f"from={DAY_START}&pageSize=0", "pageSize"), (f"from={DAY_START}&pageSize=1001", "pageSize"),
                 (f"from={DAY_START}&pageSize=ten", "pageSize"), (f"from={DAY_START}&channelTypes=Telephony", "channelTypes"),
                 (f"from={DAY_START}&channelTypes=telephony,,chat", "channelTypes"),
                 (f"from={DAY_START}&from={DAY_START}", "from"), (f"from={DAY_END}&to={DAY_START}", "to"),
                 (f"from=1.5e12", "from")]
        for query, name in cases:
            with self.subTest(query=query):
                self.assertApiError(tasks(query, {"TrackingId": "T-1"}), 400, f"'{name}'")
        self.assertApiError(tasks(f"from={DAY_START}&orgId=00000000-0000-4000-8000-000000000000"), 403)
        status, _, _ = tasks(f"from={DAY_START}&orgId={EMU.ready['org_id']}")
        self.assertEqual(status, 200)

    def test_response_shape_sort_and_page_size(self):
        status, hdrs, doc = tasks(f"from={DAY_START}&to={DAY_END}&pageSize=250")
        self.assertEqual(status, 200)
        self.assertEqual(set(doc), {"meta", "data"})
        self.assertEqual(doc["meta"], {"orgId": EMU.ready["org_id"]})
        self.assertEqual(len(doc["data"]), 250)
        keys = [(t["attributes"]["createdTime"], t["id"]) for t in doc["data"]]
        self.assertEqual(keys, sorted(keys))
        for t in doc["data"]:
            self.assertEqual(set(t), {"id", "attributes"})
            a = t["attributes"]
            self.assertIn(a["channelType"], ("telephony", "chat", "email", "social"))
            self.assertIn(a["status"], ("created", "queued", "offered", "assigned", "abandoned", "completed"))
            self.assertIn(a["captureRequested"], (True, False, None))
            self.assertGreaterEqual(a["lastUpdatedTime"], a["createdTime"])
            self.assertTrue(DAY_START <= a["createdTime"] < DAY_END)
        self.assertEqual(len(tasks(f"from={DAY_START}&to={DAY_END}")[2]["data"]), 100)  # default pageSize
        self.assertEqual(len(tasks(f"from={DAY_START}")[2]["data"]), 100)  # to omitted = now

    def test_channel_filter(self):
        doc = tasks(f"from={DAY_START}&to={DAY_END}&pageSize=1000&channelTypes=telephony")[2]
        self.assertEqual({t["attributes"]["channelType"] for t in doc["data"]}, {"telephony"})
        doc = tasks(f"from={DAY_START}&to={DAY_END}&pageSize=1000&channelTypes=chat,email")[2]
        self.assertEqual({t["attributes"]["channelType"] for t in doc["data"]}, {"chat", "email"})
        exploded = tasks(f"from={DAY_START}&to={DAY_END}&pageSize=1000&channelTypes=chat&channelTypes=email")[2]
        self.assertEqual(exploded, doc)

    def test_boundaries_from_inclusive_knob_and_exclusive_to(self):
        info = EMU.control("info")
        hour = next(c for c in info["clusters"] if c["hourBoundary"])
        t = hour["createdTime"]
        self.assertEqual(t % 3_600_000, 0)
        self.assertGreaterEqual(hour["size"], 3)
        got = tasks(f"from={t}&to={t + 1}&pageSize=50")[2]["data"]
        self.assertEqual(sorted(x["id"] for x in got), sorted(hour["taskIds"]))
        before = tasks(f"from={t - 3_600_000}&to={t}&pageSize=1000")[2]["data"]
        self.assertTrue(before)
        self.assertTrue(all(x["attributes"]["createdTime"] < t for x in before))  # 'to' is exclusive
        EMU.configure(from_inclusive=False)
        got = tasks(f"from={t}&to={t + 60_000}&pageSize=1000")[2]["data"]
        self.assertTrue(all(x["attributes"]["createdTime"] > t for x in got))
        self.assertFalse(set(hour["taskIds"]) & {x["id"] for x in got})

    def test_same_millisecond_cluster_larger_than_small_page(self):
        info = EMU.control("info")
        big = max(info["clusters"], key=lambda c: c["size"])
        self.assertGreater(big["size"], 7)
        self.assertGreaterEqual(sum(1 for c in info["clusters"] if 3 <= c["size"] <= 5), 5)
        page = tasks(f"from={big['createdTime']}&to={DAY_END}&pageSize=7")[2]["data"]
        self.assertEqual(len(page), 7)
        self.assertEqual({x["attributes"]["createdTime"] for x in page}, {big["createdTime"]})
        ids = sorted(big["taskIds"])
        self.assertEqual([x["id"] for x in page], ids[:7])  # ties are ordered by id

    def test_keyset_paging_recovers_the_whole_day(self):
        truth = ground_truth()
        self.assertEqual(len(truth), 1200)
        seen: dict[str, int] = {}
        cursor, boundary, pages = DAY_START, set(), 0
        while True:
            data = tasks(f"from={cursor}&to={DAY_END}&pageSize=1000")[2]["data"]
            pages += 1
            for t in data:
                if t["id"] not in boundary:
                    seen[t["id"]] = t["attributes"]["createdTime"]
            if len(data) < 1000:
                break
            last = data[-1]["attributes"]["createdTime"]
            self.assertNotEqual(last, cursor)
            boundary = {t["id"] for t in data if t["attributes"]["createdTime"] == last}
            cursor = last
        self.assertEqual(pages, 2)
        self.assertEqual(set(seen), {t["id"] for t in truth})

    def test_data_set_realism(self):
        truth = ground_truth()
        day = tasks(f"from={DAY_START}&to={DAY_END}&pageSize=1000")[2]["data"]
        day += tasks(f"from={day[-1]['attributes']['createdTime']}&to={DAY_END}&pageSize=1000")[2]["data"]
        attrs = {t["id"]: t["attributes"] for t in day}
        tel = [t for t in truth if t["channelType"] == "telephony"]
        self.assertTrue(0.72 < len(tel) / len(truth) < 0.88, len(tel))
        self.assertEqual(truth[0]["createdTime"], DAY_START)
        self.assertEqual(truth[-1]["createdTime"], DAY_END - 1)
        self.assertTrue(any("owner" not in a for a in attrs.values()))
        self.assertTrue(any("queue" not in a for a in attrs.values() if "owner" in a))
        self.assertTrue(any("reasonCode" not in a for a in attrs.values()))
        self.assertTrue(any(a["status"] == "abandoned" and "owner" not in a for a in attrs.values()))
        caps = [a["captureRequested"] for a in attrs.values() if a["channelType"] == "telephony"]
        self.assertGreater(caps.count(True), len(caps) * 0.6)
        self.assertGreater(caps.count(False), 20)
        self.assertGreater(caps.count(None), 5)
        states = {t["state"] for t in truth}
        self.assertTrue({"recorded", "pending", "unknown", "open", "purged", "none", "transcript"} <= states)
        multi = [t for t in truth if len(t["recordings"]["stitched"]) > 1]
        self.assertGreater(len(multi), 50)

    def test_settling_pending_tasks(self):
        info = EMU.control("info")
        pending, unknown = info["examples"]["pending"][0], info["examples"]["unknown"][0]
        before = {t["id"]: t for t in ground_truth() if t["id"] in (pending, unknown)}
        self.assertEqual(before[pending]["captureRequested"], True)
        self.assertIsNone(before[unknown]["captureRequested"])
        doc = captures({"taskIds": [pending, unknown]})[2]
        self.assertEqual([d["recording"] for d in doc["data"]], [[], []])
        EMU.configure(settle_pending=True)
        after = {t["id"]: t for t in ground_truth() if t["id"] in (pending, unknown)}
        self.assertIsInstance(after[unknown]["captureRequested"], bool)
        doc = captures({"taskIds": [pending]})[2]
        self.assertGreaterEqual(len(doc["data"][0]["recording"]), 1)


# ------------------------------------------------------------------------------------------------------


class CapturesTest(EmulatorTestCase):
    @classmethod
    def setUpClass(cls):
        cls.info = EMU.control("info")
        cls.task = cls.info["examples"]["withTwoConsults"][0]

    def test_validation(self):
        t = self.task
        bad = [({"taskIds": [t], "urlExpiration": 0}, 400, "urlExpiration should be greater than 0."),
               ({"taskIds": [t], "urlExpiration": -5}, 400, "urlExpiration should be greater than 0."),
               ({"taskIds": [t], "urlExpiration": 61}, 400, "urlExpiration"),
               ({"taskIds": [t], "urlExpiration": 3600}, 400, "urlExpiration"),
               ({"taskIds": [t], "urlExpiration": "30"}, 400, "urlExpiration"),
               ({"taskIds": [t], "urlExpiration": 1.5}, 400, "urlExpiration"),
               ({"taskIds": [f"{i:08d}-0000-4000-8000-000000000000" for i in range(11)]}, 400, "10"),
               ({"taskIds": [t, t]}, 400, "unique"),
               ({"taskIds": []}, 400, "taskIds"),
               ({"taskIds": t}, 400, "taskIds"),
               ({"taskIds": [1]}, 400, "taskIds[0]"),
               ({}, 400, "taskIds"),
               ({"taskId": [t]}, 400, "taskId"),
               ({"taskIds": [t], "includeSegments": "true"}, 400, "includeSegments"),
               ({"taskIds": [t], "includeVARecordings": 1}, 400, "includeVARecordings"),
               ({"taskIds": [t], "orgId": 5}, 400, "orgId"),
               ({"taskIds": [t], "orgId": "00000000-0000-4000-8000-000000000000"}, 403, "")]
        for query, status, fragment in bad:
            with self.subTest(query=query):
                self.assertApiError(captures(query), status, fragment)
        self.assertApiError(EMU.json("POST", "/v1/captures/query", {"taskIds": [t]}, auth()), 400, "query")
        self.assertApiError(EMU.json("POST", "/v1/captures/query", {"query": {"taskIds": [t]}, "x": 1}, auth()), 400, "'x'")
        self.assertApiError(EMU.json("POST", "/v1/captures/query", "{not json", auth({"Content-Type": "application/json"})),
                            400, "JSON")
        self.assertApiError(EMU.json("POST", "/v1/captures/query", json.dumps({"query": {"taskIds": [t]}}),
                                     auth({"Content-Type": "text/plain"})), 415, "application/json")
        self.assertApiError(EMU.json("POST", "/v1/captures/query", {"query": {"taskIds": [t]}}), 400, "Authorization")

    def test_unknown_task_ids_give_empty_entries(self):
        unknown = "00000000-0000-4000-8000-000000000001"
        status, _, doc = captures({"taskIds": [unknown, self.task], "urlExpiration": 5, "orgId": EMU.ready["org_id"]})
        self.assertEqual(status, 200)
        self.assertEqual(doc["meta"], {"orgId": EMU.ready["org_id"], "urlExpiration": 5})
        self.assertEqual([d["taskId"] for d in doc["data"]], [unknown, self.task])
        self.assertEqual(doc["data"][0], {"taskId": unknown, "recording": [], "transcription": []})
        self.assertIn("X-Amz-Expires=300&", doc["data"][1]["recording"][0]["attributes"]["filePath"])

    def test_stitched_and_segments(self):
        status, _, doc = captures({"taskIds": [self.task]})
        self.assertEqual(status, 200)
        self.assertEqual(doc["meta"]["urlExpiration"], 60)
        stitched = doc["data"][0]["recording"]
        self.assertEqual([r["attributes"]["callType"] for r in stitched], ["main", "consult", "consult"])
        self.assertEqual([r["segment"] for r in stitched], [False, False, False])
        main = stitched[0]["attributes"]
        self.assertIn("X-Amz-Expires=3600&", main["filePath"])
        self.assertRegex(main["participants"][0], UUID_RE)
        self.assertRegex(main["participants"][1], r"^\+\d{3}\*{4}\d{4}$")
        self.assertEqual((main["channel1"], main["channel2"]), ("Caller", "Agent"))
        self.assertLess(main["startTime"], main["stopTime"])
        self.assertEqual(doc["data"][0]["transcription"], [])
        again = captures({"taskIds": [self.task], "includeSegments": False})[2]["data"][0]["recording"]
        self.assertEqual([r["id"] for r in again], [r["id"] for r in stitched])  # stable IDs

        seg = captures({"taskIds": [self.task], "includeSegments": True})[2]["data"][0]["recording"]
        segments = [r for r in seg if r["attributes"]["callType"] == "main"]
        consults = [r for r in seg if r["attributes"]["callType"] == "consult"]
        self.assertIn(len(segments), (2, 3))
        self.assertTrue(all(r["segment"] for r in segments))
        self.assertEqual([r["id"] for r in consults], [r["id"] for r in stitched[1:]])
        self.assertTrue(all(r["segment"] is False for r in consults))
        truth = next(t for t in ground_truth() if t["id"] == self.task)["recordings"]
        main_size = truth["stitched"][0]["size"]
        seg_sizes = [r["size"] for r in truth["segments"] if r["segment"]]
        self.assertEqual(sum(seg_sizes) - 44 * (len(seg_sizes) - 1), main_size)

    def test_virtual_agent_and_transcripts(self):
        va_task = self.info["examples"]["withVirtualAgent"][0]
        plain = captures({"taskIds": [va_task]})[2]["data"][0]["recording"]
        self.assertNotIn("va-main", [r["attributes"]["callType"] for r in plain])
        with_va = captures({"taskIds": [va_task], "includeVARecordings": True})[2]["data"][0]["recording"]
        va = [r for r in with_va if r["attributes"]["callType"] == "va-main"]
        self.assertEqual(len(va), 1)
        self.assertIsInstance(va[0]["attributes"]["sensitive"], bool)
        chat = self.info["examples"]["transcript"][0]
        entry = captures({"taskIds": [chat]})[2]["data"][0]
        self.assertEqual(entry["recording"], [])
        tr = entry["transcription"][0]
        self.assertEqual(tr["Provider"], "CISCO")
        self.assertIsInstance(tr["startTime"], str)
        status, hdrs, body = EMU.request("GET", tr["filePath"])
        self.assertEqual((status, hdrs["content-type"]), (200, "application/json"))
        self.assertEqual(json.loads(body)["taskId"], chat)


# ------------------------------------------------------------------------------------------------------


class MediaTest(EmulatorTestCase):
    def recording(self, task_kind="withConsult", **query):
        task = EMU.control("info")["examples"][task_kind][0]
        rec = captures({"taskIds": [task], **query})[2]["data"][0]["recording"][0]
        return task, rec

    def test_download_matches_expected_and_is_valid_wav(self):
        task, rec = self.recording()
        url = rec["attributes"]["filePath"]
        self.assertIn("%2F", url)
        self.assertIn("~", url)
        self.assertIn("%3D", url)
        status, hdrs, body = EMU.request("GET", url)
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], "audio/wav")
        self.assertEqual(int(hdrs["content-length"]), len(body))
        self.assertTrue(hdrs["etag"].startswith('"'))
        exp = EMU.control(f"expected?task_id={task}&recording_id={rec['id']}")
        self.assertEqual((exp["size"], exp["sha256"], exp["fileName"]),
                         (len(body), hashlib.sha256(body).hexdigest(), rec["attributes"]["fileName"]))
        riff, riff_size, wave, fmt, fmt_len, pcm, ch, rate, brate, align, bits, data, data_len = \
            struct.unpack("<4sI4s4sIHHIIHH4sI", body[:44])
        self.assertEqual((riff, wave, fmt, data), (b"RIFF", b"WAVE", b"fmt ", b"data"))
        self.assertEqual((riff_size, data_len), (len(body) - 8, len(body) - 44))
        self.assertEqual((pcm, ch, rate, bits, align, brate), (1, 2, 8000, 16, 4, 32000))
        # urllib (which must not re-encode the URL) works as a client too
        with urllib.request.urlopen(url, context=EMU.ctx) as resp:
            self.assertEqual(hashlib.sha256(resp.read()).hexdigest(), exp["sha256"])

    def test_head_and_ranges(self):
        _, rec = self.recording()
        url = rec["attributes"]["filePath"]
        full = EMU.request("GET", url)[2]
        status, hdrs, body = EMU.request("HEAD", url)
        self.assertEqual((status, body, int(hdrs["content-length"])), (200, b"", len(full)))
        status, hdrs, body = EMU.request("GET", url, headers={"Range": "bytes=10-99"})
        self.assertEqual((status, body, hdrs["content-range"]), (206, full[10:100], f"bytes 10-99/{len(full)}"))
        status, _, body = EMU.request("GET", url, headers={"Range": "bytes=1000-"})
        self.assertEqual((status, body), (206, full[1000:]))
        status, _, body = EMU.request("GET", url, headers={"Range": "bytes=-20"})
        self.assertEqual((status, body), (206, full[-20:]))
        status, hdrs, body = EMU.request("GET", url, headers={"Range": f"bytes={len(full)}-"})
        self.assertEqual(status, 416)
        self.assertIn(b"<Code>InvalidRange</Code>", body)

    def test_if_range_short_206_and_replaced_objects(self):
        EMU.control("reset-stats", {})
        task, rec = self.recording()
        url = rec["attributes"]["filePath"]
        _, hdrs, full = EMU.request("GET", url)
        etag, last_modified = hdrs["etag"], hdrs["last-modified"]
        for validator in (etag, last_modified):  # a matching If-Range: the range
            status, _, body = EMU.request("GET", url, headers={"Range": "bytes=100-", "If-Range": validator})
            self.assertEqual((status, body), (206, full[100:]))
        status, _, body = EMU.request("GET", url, headers={"Range": "bytes=100-", "If-Range": '"stale"'})
        self.assertEqual((status, body), (200, full), "a stale If-Range gets the whole object")
        EMU.configure(media_short_206_rate=1.0)
        status, hdrs, body = EMU.request("GET", url, headers={"Range": "bytes=100-"})
        first, last, total = map(int, re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", hdrs["content-range"]).groups())
        self.assertEqual((status, first, total), (206, 100, len(full)))
        self.assertLess(last, len(full) - 1)
        self.assertEqual(body, full[100:last + 1])
        EMU.configure(media_short_206_rate=0.0, media_drop_rate=1.0, media_replace_on_drop=1.0)
        with self.assertRaises(http.client.IncompleteRead):
            EMU.request("GET", url)
        EMU.configure(media_drop_rate=0.0, media_replace_on_drop=0.0)
        _, hdrs, replaced = EMU.request("GET", url)
        self.assertNotEqual(hdrs["etag"], etag)
        self.assertNotEqual(hdrs["last-modified"], last_modified)
        self.assertEqual(len(replaced), len(full))
        self.assertNotEqual(replaced, full)
        exp = EMU.control(f"expected?task_id={task}&recording_id={rec['id']}")
        self.assertEqual(exp["sha256"], hashlib.sha256(replaced).hexdigest())
        stats = EMU.control("stats")
        self.assertEqual((stats["media_if_range_requests"], stats["media_if_range_mismatch"]), (3, 1))
        self.assertEqual((stats["media_short_206"], stats["media_replaced"]), (1, 1))

    def test_authorization_header_is_rejected(self):
        EMU.control("reset-stats", {})
        _, rec = self.recording()
        status, hdrs, body = EMU.request("GET", rec["attributes"]["filePath"], headers=auth())
        self.assertEqual(status, 400)
        self.assertEqual(hdrs["content-type"], "application/xml")
        self.assertIn(b"<Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm "
                      b"query parameter, Signature query string parameter or the Authorization header should be "
                      b"specified</Message>", body)
        self.assertNotIn(TOKENS["access"].encode(), body)
        self.assertEqual(EMU.control("stats")["media_authorization_rejected"], 1)

    def test_reencoded_or_tampered_urls_fail(self):
        _, rec = self.recording()
        url = rec["attributes"]["filePath"]
        path = url.split(str(EMU.port), 1)[1]
        variants = {
            "decoded %2F": path.replace("%2F", "/"),
            "tilde encoded": path.replace("~", "%7E"),
            "decoded %3D": path.replace("%3D", "="),
            "lower-case escapes": re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), path),
            "space as +": path.replace("%20", "+"),
            "reordered": path.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential",
                                      "X-Amz-Credential", 1).replace("&X-Amz-Signature",
                                                                     "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature"),
            "tampered expiry": path.replace("X-Amz-Expires=3600", "X-Amz-Expires=7200"),
            "bad signature": path[:-4] + "0000",
        }
        for name, target in variants.items():
            with self.subTest(name):
                self.assertNotEqual(target, path)
                status, _, body = EMU.request("GET", target)
                self.assertEqual(status, 403, body)
                self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)
        status, _, body = EMU.request("GET", path, headers={"Host": f"localhost:{EMU.port}"})
        self.assertEqual(status, 403)

    def test_expired_url(self):
        EMU.control("reset-stats", {})
        EMU.configure(url_expiry_override_seconds=1)
        _, rec = self.recording(urlExpiration=30)
        url = rec["attributes"]["filePath"]
        self.assertIn("X-Amz-Expires=1&", url)
        time.sleep(1.05)
        status, _, body = EMU.request("GET", url)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>AccessDenied</Code><Message>Request has expired</Message>", body)
        self.assertEqual(EMU.control("stats")["media_expired"], 1)

    def test_dropped_and_failing_downloads(self):
        EMU.control("reset-stats", {})
        _, rec = self.recording()
        url = rec["attributes"]["filePath"]
        EMU.configure(media_drop_rate=1.0)
        with self.assertRaises(http.client.IncompleteRead):
            EMU.request("GET", url)
        self.assertEqual(EMU.control("stats")["media_dropped"], 1)
        EMU.configure(media_drop_rate=0.0, media_5xx_rate=1.0)
        status, _, body = EMU.request("GET", url)
        self.assertIn(status, (500, 503))
        self.assertIn(b"<Error><Code>", body)

    def test_large_recording_streams(self):
        size = 8 * 1024 * 1024 + 4
        EMU.configure(large_recording_bytes=size)
        try:
            task = EMU.control("info")["largeTaskId"]
            recs = captures({"taskIds": [task]})[2]["data"][0]["recording"]
            conn = EMU.connection()
            try:
                conn.request("GET", recs[0]["attributes"]["filePath"].split(str(EMU.port), 1)[1])
                resp = conn.getresponse()
                h, n = hashlib.sha256(), 0
                while chunk := resp.read(1 << 20):
                    h.update(chunk)
                    n += len(chunk)
            finally:
                conn.close()
            self.assertEqual((resp.status, n), (200, size))
            exp = EMU.control(f"expected?task_id={task}&recording_id={recs[0]['id']}")
            self.assertEqual(exp["sha256"], h.hexdigest())
            segs = captures({"taskIds": [task], "includeSegments": True})[2]["data"][0]["recording"]
            self.assertTrue(all(r["segment"] for r in segs if r["attributes"]["callType"] == "main"))
        finally:
            EMU.configure(large_recording_bytes=0)


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
