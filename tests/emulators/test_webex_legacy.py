#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex CC legacy v1 emulator (webex_legacy.py).

Starts the emulator as a subprocess (HTTPS with its throwaway CA) and checks the process contract,
the API-key authentication, the query validation, the window / row-cap semantics, CSV output, the
data set's dense periods and the fault knobs.  Standard library only:
``python3 tests/emulators/test_webex_legacy.py`` (a few seconds).
"""

from __future__ import annotations

import base64
import csv
import datetime
import hashlib
import hmac
import io
import json
import os
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "webex_legacy.py")
sys.path.insert(0, HERE)
import emutest  # noqa: E402

DAY_START = 1793491200000  # 2026-11-01T00:00:00Z
DAY_END = DAY_START + 86_400_000
# Reference webex-legacy-v1.md §3 unit-test vector (Python hmac/hashlib).
LAB_SIGNATURE = "yDkJq/aXwm9YYs2xgyWRqRnqgfQ="
DEFAULTS = {"next_429": 0, "next_503": 0, "malformed_json": False, "truncate_csv": False, "rate_429": 0.0,
            "rate_503": 0.0, "tenant_mode": "required", "row_cap": 1000, "date_end_inclusive": False,
            "date_begin_exclusive": False, "csv_header": True, "csv_error_answer": "off", "only_past": False,
            "day": "2026-11-01"}


def q_param(obj: dict) -> str:
    return urllib.parse.quote(json.dumps(obj, separators=(",", ":")), safe="")


def query(begin: int, end: int, n: int = 1000, **extra) -> dict:
    q = {"anchorId": "11894", "dateBegin": [begin], "dateEnd": [end], "timezone": "UTC", "numberOfRecords": n,
         "lastNRecords": False, "activityType": "INTERACTION"}
    q.update(extra)
    return q


class Emulator(emutest.EmulatorProcess):
    def __init__(self, *args: str) -> None:
        super().__init__(EMULATOR, *args, prefix="wxl-test-", start_timeout=30)

    def auth_headers(self, key: str | None = None, tenant: str | None = "default", user: str | None = None) -> dict:
        user = user if user is not None else self.ready["user_id"]
        key = key if key is not None else self.ready["api_key"]
        sig = base64.b64encode(hmac.new(key.encode(), user.encode(), hashlib.sha1).digest()).decode()
        if tenant == "default":
            tenant = self.ready["tenant_id"]
        value = sig if tenant is None else f"{sig};tenantId={tenant}"
        return {"Authorization": value, "From": user}

    def request(self, method: str, target: str, headers: dict | None = None, body: bytes | None = None):
        """Returns (status, headers dict, body bytes)."""
        status, hdrs, data = self.exchange(method, target, body, headers)
        return status, dict(hdrs), data

    def api(self, target: str, accept: str = "application/json", **auth):
        headers = self.auth_headers(**auth)
        headers["Accept"] = accept
        return self.request("GET", target, headers)



class LegacyEmulatorTest(unittest.TestCase):
    emu: Emulator

    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = Emulator()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.emu.shutdown(check_exit=False, check_log=False)

    def setUp(self) -> None:
        self.emu.control("config", DEFAULTS)

    def list(self, record_type: str, q: dict, accept: str = "application/json"):
        return self.emu.api(f"/aws/api/{record_type}?q={q_param(q)}", accept)

    # --- contract -------------------------------------------------------------------------------------

    def test_ready_file(self) -> None:
        r = self.emu.ready
        for key in ("port", "base_url", "ca_file", "user_id", "api_key", "tenant_id", "pid"):
            self.assertIn(key, r)
        self.assertTrue(r["base_url"].startswith("https://127.0.0.1:"))
        self.assertTrue(os.path.exists(r["ca_file"]))

    def test_lab_vector(self) -> None:
        sig = self.emu.auth_headers(key="myRandomApiKeY", user="userID@portal-controlhub.com",
                                    tenant=None)["Authorization"]
        self.assertEqual(sig, LAB_SIGNATURE)

    # --- authentication -----------------------------------------------------------------------------

    def test_auth_ok_and_failures(self) -> None:
        target = f"/aws/api/csrs?q={q_param(query(DAY_START, DAY_START + 60_000))}"
        self.assertEqual(self.emu.api(target)[0], 200)
        status, _, body = self.emu.api(target, key="wrong-key")
        self.assertEqual(status, 401)
        self.assertIn(b"Invalid API key signature", body)
        self.assertNotIn(self.emu.ready["api_key"].encode(), body)
        self.assertEqual(self.emu.api(target, tenant="other")[0], 401)
        self.assertEqual(self.emu.api(target, tenant=None)[0], 401)  # tenant required by default
        headers = self.emu.auth_headers()
        del headers["From"]
        self.assertEqual(self.emu.request("GET", target, headers)[0], 401)
        headers = self.emu.auth_headers()
        headers["From"] = "someone@else.com"
        self.assertEqual(self.emu.request("GET", target, headers)[0], 401)
        self.assertEqual(self.emu.request("GET", target, {})[0], 401)

    def test_tenant_modes(self) -> None:
        target = f"/aws/api/csrs?q={q_param(query(DAY_START, DAY_START + 60_000))}"
        self.emu.control("config", {"tenant_mode": "optional"})
        self.assertEqual(self.emu.api(target, tenant=None)[0], 200)
        self.assertEqual(self.emu.api(target)[0], 200)
        self.emu.control("config", {"tenant_mode": "forbidden"})
        self.assertEqual(self.emu.api(target, tenant=None)[0], 200)
        self.assertEqual(self.emu.api(target)[0], 401)

    # --- query validation ---------------------------------------------------------------------------

    def test_raw_json_characters_rejected(self) -> None:
        raw = json.dumps(query(DAY_START, DAY_START + 1000), separators=(",", ":"))
        status, _, _ = self.emu.api("/aws/api/csrs?q=" + raw.replace(" ", ""))
        self.assertEqual(status, 400)
        before = self.emu.control("stats")["raw_character_rejections"]
        self.assertGreaterEqual(before, 1)

    def test_double_encoding_rejected(self) -> None:
        once = q_param(query(DAY_START, DAY_START + 1000))
        status, _, body = self.emu.api("/aws/api/csrs?q=" + urllib.parse.quote(once, safe=""))
        self.assertEqual(status, 400)
        self.assertIn(b"twice", body)

    def test_bad_queries(self) -> None:
        for bad in ({"dateBegin": DAY_START, "dateEnd": [DAY_END]}, {"dateBegin": [DAY_START]},
                    query(DAY_START, DAY_END, n=0), query(DAY_END, DAY_START)):
            self.assertEqual(self.list("csrs", bad)[0], 400, bad)
        self.assertEqual(self.emu.api("/aws/api/csrs")[0], 400)
        self.assertEqual(self.emu.api("/aws/api/bogus?q=" + q_param(query(DAY_START, DAY_END)))[0], 404)
        self.assertEqual(self.emu.api("/aws/api/csrs?q=" + q_param(query(DAY_START, DAY_END)), accept="text/html")[0],
                         406)

    # --- windows, cap, ordering ---------------------------------------------------------------------

    def test_window_half_open_sorted_and_capped(self) -> None:
        info = self.emu.control("info")
        truth = self.emu.control(f"records?type=csrs&from={DAY_START}&to={DAY_START + 3_600_000}")
        status, headers, body = self.list("csrs", query(DAY_START, DAY_START + 3_600_000))
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        rows = json.loads(body)
        self.assertEqual([r["sid"] for r in rows], truth["ids"])
        self.assertEqual(rows[0]["cstts"], DAY_START)  # the record at 00:00:00.000: begin is inclusive
        self.assertEqual([r["cstts"] for r in rows], sorted(r["cstts"] for r in rows))
        # End exclusive: the day's last record (23:59:59.999) is outside [.., DAY_END - 1).
        last = json.loads(self.list("csrs", query(DAY_END - 1, DAY_END))[2])
        self.assertEqual(len(last), 1)
        self.assertEqual(json.loads(self.list("csrs", query(DAY_END - 2, DAY_END - 1))[2]), [])
        # The burst second holds more than the cap; the response is exactly min(n, 1000) rows.
        burst = info["bursts"][0]
        self.assertGreater(burst["size"], 1000)
        self.assertEqual(len(json.loads(self.list("csrs", query(burst["start"], burst["end"], n=5000))[2])), 1000)
        self.assertEqual(len(json.loads(self.list("csrs", query(burst["start"], burst["end"], n=10))[2])), 10)
        stats = self.emu.control("stats")
        self.assertEqual(stats["max_number_of_records"], 5000)
        self.assertGreaterEqual(stats["number_of_records_over_cap"], 1)
        # Several records share one millisecond.
        cluster = info["ms_clusters"][0]
        rows = json.loads(self.list("csrs", query(cluster["time"], cluster["time"] + 1))[2])
        self.assertEqual(sorted(r["sid"] for r in rows), sorted(cluster["sids"]))
        self.assertGreaterEqual(len(rows), 5)
        self.emu.control("config", {"row_cap": 3})
        self.assertEqual(len(json.loads(self.list("csrs", query(cluster["time"], cluster["time"] + 1))[2])), 3)

    def test_end_inclusive_knob(self) -> None:
        self.emu.control("config", {"date_end_inclusive": True})
        self.assertEqual(len(json.loads(self.list("csrs", query(DAY_END - 2, DAY_END - 1))[2])), 1)

    def test_begin_exclusive_knob(self) -> None:
        self.assertEqual(len(json.loads(self.list("csrs", query(DAY_END - 1, DAY_END))[2])), 1)
        self.emu.control("config", {"date_begin_exclusive": True})
        self.assertEqual(len(json.loads(self.list("csrs", query(DAY_END - 1, DAY_END))[2])), 0)
        self.assertEqual(len(json.loads(self.list("csrs", query(DAY_END - 2, DAY_END))[2])), 1)

    def test_records_keep_unknown_fields(self) -> None:
        rows = json.loads(self.list("csrs", query(DAY_START, DAY_END, n=1000))[2])
        self.assertTrue(any(r.get("isRecorded") is True for r in rows))
        self.assertTrue(any(isinstance(r.get("callAssociatedData"), dict) for r in rows))
        self.assertTrue(any(r.get("notes") and "\n" in r["notes"] for r in rows))

    # --- CSV ------------------------------------------------------------------------------------------

    def test_csv_matches_json(self) -> None:
        q = query(DAY_START, DAY_START + 6 * 3_600_000)
        status, headers, body = self.list("csrs", q, accept="text/csv")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/csv"))
        text = body.decode("utf-8")
        self.assertTrue(text.endswith("\r\n"))
        table = list(csv.reader(io.StringIO(text, newline="")))
        header, rows = table[0], table[1:]
        self.assertEqual(header[:3], ["sid", "cstts", "cetts"])
        expected = json.loads(self.list("csrs", q)[2])
        self.assertEqual([r[0] for r in rows], [e["sid"] for e in expected])
        self.assertTrue(all(len(r) == len(header) for r in rows))
        notes = [r[header.index("notes")] for r in rows]
        self.assertTrue(any("," in n for n in notes))
        self.assertTrue(any('"' in n for n in notes))
        self.assertTrue(any("\n" in n for n in notes))
        empty = self.list("csrs", query(DAY_END + 10, DAY_END + 20), accept="text/csv")[2].decode()
        self.assertEqual(empty.count("\r\n"), 1)  # header only

    def test_truncated_csv_knob(self) -> None:
        self.emu.control("config", {"truncate_csv": True})
        body = self.list("csrs", query(DAY_START, DAY_START + 6 * 3_600_000), accept="text/csv")[2].decode()
        try:
            rows = list(csv.reader(io.StringIO(body, newline=""), strict=True))
        except csv.Error:
            return  # unterminated quoted field: what the knob normally produces
        self.assertTrue(not body.endswith("\r\n") or len(rows[-1]) != len(rows[0]))  # else a short last row

    def test_csv_header_knob(self) -> None:
        window = query(DAY_START, DAY_START + 3_600_000)
        with_header = self.list("csrs", window, accept="text/csv")[2].decode()
        self.emu.control("config", {"csv_header": False})
        rows_only = self.list("csrs", window, accept="text/csv")[2].decode()
        header, _, rest = with_header.partition("\r\n")
        self.assertTrue(header.startswith("sid,cstts,"))
        self.assertEqual(rows_only, rest)
        self.assertEqual(self.list("csrs", query(DAY_END + 10, DAY_END + 20), accept="text/csv")[2], b"")

    def test_csv_error_answer_knob(self) -> None:
        window = query(DAY_START, DAY_START + 3_600_000)
        for kind, starts in (("text", b"Error: timed out"), ("html", b"<html>"), ("json", b'{"error":')):
            self.emu.control("config", {"csv_error_answer": kind})
            status, headers, body = self.list("csrs", window, accept="text/csv")
            self.assertEqual(status, 200)
            self.assertTrue(headers["Content-Type"].startswith("text/csv"))
            self.assertTrue(body.startswith(starts), body)
            # JSON queries and single records are answered as usual.
            self.assertTrue(json.loads(self.list("csrs", window)[2]))
        self.emu.control("config", {"csv_error_answer": "off"})
        self.assertTrue(self.list("csrs", window, accept="text/csv")[2].startswith(b"sid,cstts,"))
        with self.assertRaises(AssertionError):
            self.emu.control("config", {"csv_error_answer": "xml"})

    def test_only_past_knob(self) -> None:
        now_ms = int(time.time() * 1000)
        today = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.timezone.utc).date()
        start = int(datetime.datetime(today.year, today.month, today.day, tzinfo=datetime.timezone.utc).timestamp())
        start *= 1000
        self.emu.control("config", {"day": today.isoformat(), "burst_size": 0, "ms_cluster_size": 0})
        try:
            truth = self.emu.control(f"records?type=csrs&from={start}&to={start + 86_400_000}")
            self.emu.control("config", {"only_past": True})
            rows = json.loads(self.list("csrs", query(start, start + 86_400_000))[2])
            self.assertTrue(rows)
            self.assertLess(len(rows), truth["count"], "the day's last record (23:59:59.999) is still to come")
            self.assertTrue(all(r["cstts"] < int(time.time() * 1000) for r in rows))
            self.assertEqual(self.emu.api(f"/aws/api/csrs/{truth['ids'][-1]}")[0], 404)
            self.emu.control("config", {"only_past": False})
            self.assertEqual(self.emu.api(f"/aws/api/csrs/{truth['ids'][-1]}")[0], 200)
        finally:
            self.emu.control("config", {"day": "2026-11-01", "burst_size": 1500, "ms_cluster_size": 7})

    def test_malformed_json_knob(self) -> None:
        self.emu.control("config", {"malformed_json": True})
        status, _, body = self.list("csrs", query(DAY_START, DAY_START + 3_600_000))
        self.assertEqual(status, 200)
        with self.assertRaises(ValueError):
            json.loads(body)

    # --- faults ---------------------------------------------------------------------------------------

    def test_forced_429_and_503(self) -> None:
        self.emu.control("config", {"next_429": 1, "next_503": 1, "retry_after": 2})
        target = f"/aws/api/csrs?q={q_param(query(DAY_START, DAY_START + 1000))}"
        status, headers, _ = self.emu.api(target)
        self.assertEqual(status, 429)
        self.assertEqual(headers["Retry-After"], "2")
        self.assertEqual(self.emu.api(target)[0], 503)
        self.assertEqual(self.emu.api(target)[0], 200)

    # --- single records and CAR chains ----------------------------------------------------------------

    def test_get_by_id_and_car_chain(self) -> None:
        info = self.emu.control("info")
        sid = info["example_sid"]
        status, _, body = self.emu.api(f"/aws/api/csrs/{sid}")
        self.assertEqual(status, 200)
        csr = json.loads(body)
        self.assertEqual(csr["sid"], sid)
        chain = info["example_chain"]
        self.assertEqual(chain[0], f"{sid}-{csr['cstts']}-new")
        prev = None
        for car_id in chain:
            status, _, body = self.emu.api(f"/aws/api/cars/{car_id}")
            self.assertEqual(status, 200, car_id)
            car = json.loads(body)
            self.assertEqual(car["session"], sid)
            if prev is not None:
                self.assertEqual(prev["cetts"], car["cstts"])  # cetts of one activity = next timestamp
            prev = car
        self.assertEqual(prev["state"], "ended")
        self.assertEqual(prev["cstts"], csr["cetts"])
        self.assertEqual(self.emu.api(f"/aws/api/csrs/{sid}x")[0], 404)
        for t in ("asrs", "aars"):
            rows = json.loads(self.list(t, query(DAY_START, DAY_END))[2])
            self.assertGreater(len(rows), 0, t)

    def test_stats_and_requests(self) -> None:
        self.emu.control("reset-stats", {})
        self.list("csrs", query(DAY_START, DAY_START + 1000))
        stats = self.emu.control("stats")
        self.assertEqual(stats["requests"].get("list"), 1)
        self.assertEqual(stats["responses"]["list"]["200"], 1)
        reqs = self.emu.control("requests")["requests"]
        self.assertEqual(reqs[-1]["from"], self.emu.ready["user_id"])


class LifecycleTest(unittest.TestCase):
    def test_sigterm_exits_zero_and_removes_ready_file(self) -> None:
        emu = Emulator("--csrs-per-day", "10", "--burst-size", "0", "--agents", "1")
        try:
            self.assertEqual(emu.stop(), 0)
            self.assertFalse(os.path.exists(emu.ready_file))
        finally:
            emu.cleanup()


if __name__ == "__main__":
    unittest.main(verbosity=2)
