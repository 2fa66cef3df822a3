#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Huawei CC-Gateway emulator (huawei_gateway.py).

Starts the emulator as a subprocess (HTTPS with its throwaway CA) and checks the process contract, sign-in,
GUID modes, cookies, the event poll, downloads with hostile names, every retcode and the control endpoints.
Standard library only: ``python3 tests/emulators/test_huawei_gateway.py`` (about 15 s).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
import unittest
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "huawei_gateway.py")
sys.path.insert(0, HERE)
import emutest  # noqa: E402
import huawei_gateway  # noqa: E402

API = "/agentgateway/resource/"
DEFAULTS = {"guid_mode": "dynamic", "guid_interval_ms": 60_000, "old_guid_grace_ms": 2_000, "rotate_on": "any",
            "bad_guid_retcode": "000-003", "require_cookies": True, "require_content_type": True,
            "session_timeout_seconds": 120.0, "poll_hold_seconds": 0.3, "empty_event_shape": "null",
            "pool_mode": False, "max_concurrent_downloads_per_agent": 0, "download_chunk_delay_ms": 0,
            "download_drop_rate": 0.0, "strict_types": False, "require_encoded_record_id": False,
            "force_change_password": False, "sign_in_latency_ms": 50, "stop_record_events": True,
            "noise_events": True}


class Emulator(emutest.EmulatorProcess):
    def __init__(self, *args: str) -> None:
        super().__init__(EMULATOR, *args, prefix="hwgw-test-")

    def request(self, method: str, target: str, body=None, headers: dict | None = None, json_ct: bool = True):
        """Returns (status, header list, body bytes); sends Content-Type: application/json unless json_ct
        is false (a dict or list body goes as JSON either way)."""
        hdrs = {"Content-Type": "application/json; charset=UTF-8"} if json_ct else {}
        hdrs.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        return self.exchange(method, target, body, hdrs)


EMU: Emulator


def setUpModule() -> None:
    global EMU
    EMU = Emulator("--poll-hold-seconds", "0.3", "--large-file-bytes", "2000000")


def tearDownModule() -> None:
    EMU.shutdown()


class Agent:
    """A minimal client: Guid and cookies of one agent."""

    def __init__(self, index: int = 0) -> None:
        a = EMU.ready["agents"][index]
        self.id, self.password, self.phone = a["agent_id"], a["password"], a["phone"]
        self.guid = ""
        self.cookies: dict[str, str] = {}

    def absorb(self, headers) -> None:
        for k, v in headers:
            if k.lower() == "set-guid":
                self.guid = v.split("=", 1)[1] if v.startswith("JSESSIONID=") else v
            elif k.lower() == "set-cookie":
                name, _, value = v.split(";")[0].partition("=")
                self.cookies[name] = value

    def headers(self) -> dict:
        h = {"Guid": self.guid}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return h

    def sign_in(self, force: bool = False, **fields):
        body = {"password": self.password, "phonenum": self.phone, "status": 3, "autoanswer": False}
        body.update(fields)
        status, headers, data = EMU.request("PUT", API + f"onlineagent/{self.id}" + ("/forcelogin" if force else ""),
                                            body)
        doc = json.loads(data)
        if doc["retcode"] == "0":
            self.absorb(headers)
        return doc, headers

    def call(self, method: str, path: str, headers: dict | None = None, absorb: bool = True):
        h = self.headers()
        h.update(headers or {})
        status, hdrs, data = EMU.request(method, API + path, headers=h)
        if absorb:
            self.absorb(hdrs)
        return status, hdrs, data

    def json(self, method: str, path: str, **kw) -> dict:
        status, hdrs, data = self.call(method, path, **kw)
        assert status == 200, (status, data)
        return json.loads(data)

    def poll(self) -> dict:
        return self.json("GET", f"agentevent/{self.id}")

    def download(self, name: str, filetype: str = "1", location: str | None = None, encode: bool = True):
        rid = quote(name, safe="") if encode else name
        q = f"recordId={rid}&filetype={filetype}" + (f"&locationId={location}" if location else "")
        return self.call("GET", f"recordfile/{self.id}?{q}")

    def sign_out(self) -> dict:
        return self.json("DELETE", f"onlineagent/{self.id}/logout")


def retcode_of(response) -> str | None:
    status, headers, data = response
    ct = dict((k.lower(), v) for k, v in headers).get("content-type", "")
    if ct.startswith("application/json"):
        return json.loads(data)["retcode"]
    return None


class GatewayTest(unittest.TestCase):
    def setUp(self) -> None:
        EMU.control("config", DEFAULTS)
        EMU.control("fail", {"endpoint": "any", "retcode": "000-000", "count": 0})
        for a in EMU.ready["agents"]:
            EMU.control("kill-session", {"agent_id": a["agent_id"]})
        self.agent = Agent()

    def signed_in(self, index: int = 0) -> Agent:
        a = Agent(index)
        doc, _ = a.sign_in()
        self.assertEqual(doc["retcode"], "0", doc)
        return a

    # --- process contract and sign-in ------------------------------------------------------------

    def test_ready_file(self) -> None:
        r = EMU.ready
        self.assertTrue(r["base_url"].startswith("https://127.0.0.1:"))
        self.assertEqual(r["gateway_url"], r["base_url"])
        self.assertTrue(os.path.exists(r["ca_file"]))
        self.assertEqual(r["agent_id"], "20011")
        self.assertEqual(len(r["agents"]), 2)

    def test_sign_in_sets_guid_and_cookies(self) -> None:
        doc, headers = self.agent.sign_in()
        self.assertEqual(doc["retcode"], "0")
        self.assertEqual(doc["result"]["workno"], "20011")
        names = [k.lower() for k, _ in headers]
        self.assertIn("set-guid", names)
        self.assertIn("guid", names)
        set_guid = dict((k.lower(), v) for k, v in headers)["set-guid"]
        self.assertTrue(set_guid.startswith("JSESSIONID="))
        self.assertTrue(set_guid.endswith(".AgentGateway0"))
        self.assertEqual(names.count("set-cookie"), 2)
        self.assertEqual(set(self.agent.cookies), {"SERVERID", "AGW_SESSION"})

    def test_sign_in_errors(self) -> None:
        a = Agent()
        a.password = "wrong"
        self.assertEqual(a.sign_in()[0]["retcode"], "100-004")
        self.assertEqual(Agent().sign_in(phonenum="")[0]["retcode"], "100-001")
        self.assertEqual(Agent().sign_in(status="busy")[0]["retcode"], "100-001")
        self.assertEqual(Agent().sign_in(status="3", autoanswer="false")[0]["retcode"], "0")  # lenient strings
        EMU.control("kill-session", {"agent_id": "20011"})
        EMU.control("config", {"strict_types": True})
        self.assertEqual(Agent().sign_in(status="3")[0]["retcode"], "100-001")
        status, _, data = EMU.request("PUT", API + "onlineagent/20011", "not json")
        self.assertEqual(json.loads(data)["retcode"], "000-002")
        status, _, data = EMU.request("GET", API + "onlineagent/20011")
        self.assertEqual(status, 405)

    def test_already_signed_in_and_forcelogin(self) -> None:
        first = self.signed_in()
        second = Agent()
        self.assertEqual(second.sign_in()[0]["retcode"], "100-002")
        doc, _ = second.sign_in(force=True)
        self.assertEqual(doc["retcode"], "0")
        # The first client's cookies and Guid belong to the replaced session.
        self.assertIn(retcode_of(first.call("GET", f"agentevent/{first.id}")), ("100-006", "000-003"))
        self.assertEqual(second.poll()["retcode"], "0")
        EMU.control("kill-session", {"agent_id": "20011", "mode": "elsewhere"})
        self.assertEqual(Agent().sign_in()[0]["retcode"], "100-002")
        self.assertEqual(Agent().sign_in(force=True)[0]["retcode"], "0")

    def test_concurrent_sign_in_is_000_007(self) -> None:
        EMU.control("config", {"sign_in_latency_ms": 300})
        before = EMU.control("stats")["concurrent_sign_ins"]
        results = []
        threads = [threading.Thread(target=lambda: results.append(Agent().sign_in()[0]["retcode"])) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), ["0", "000-007", "000-007"])
        self.assertEqual(EMU.control("stats")["concurrent_sign_ins"] - before, 2)

    def test_password_never_in_url_counts_leaks(self) -> None:
        before = EMU.control("stats")["password_leaks"]
        a = self.signed_in()
        a.poll()
        self.assertEqual(EMU.control("stats")["password_leaks"], before)
        a.call("GET", f"agentevent/{a.id}?pw={quote(a.password, safe='')}")
        self.assertEqual(EMU.control("stats")["password_leaks"], before + 1)

    # --- Guid and cookies ------------------------------------------------------------------------

    def test_missing_cookie_guid_and_content_type(self) -> None:
        a = self.signed_in()
        saved = dict(a.cookies)
        a.cookies = {}
        self.assertEqual(retcode_of(a.call("GET", f"agentevent/{a.id}")), "100-006")
        a.cookies = dict(saved, SERVERID="other")
        self.assertEqual(retcode_of(a.call("GET", f"agentevent/{a.id}")), "100-006")
        a.cookies = saved
        self.assertEqual(retcode_of(a.call("GET", f"agentevent/{a.id}", headers={"Guid": ""})), "100-006")
        self.assertEqual(retcode_of(a.call("GET", f"agentevent/{a.id}", headers={"Guid": "bogus"})), "000-003")
        status, _, data = EMU.request("GET", API + f"agentevent/{a.id}", headers=a.headers(), json_ct=False)
        self.assertEqual(json.loads(data)["retcode"], "000-002")
        self.assertEqual(a.poll()["retcode"], "0")
        stats = EMU.control("stats")
        self.assertGreaterEqual(stats["requests_without_cookies"], 1)
        self.assertGreaterEqual(stats["wrong_cookie_requests"], 1)
        self.assertGreaterEqual(stats["missing_guid_requests"], 1)
        EMU.control("config", {"require_cookies": False, "bad_guid_retcode": "100-006"})
        a.cookies = {}
        self.assertEqual(a.poll()["retcode"], "0")
        self.assertEqual(retcode_of(a.call("GET", f"agentevent/{a.id}", headers={"Guid": "bogus"})), "100-006")

    def test_dynamic_rotation_on_any_response_with_grace(self) -> None:
        EMU.control("config", {"guid_interval_ms": 200, "old_guid_grace_ms": 300})
        a = self.signed_in()
        first = a.guid
        time.sleep(0.25)
        status, headers, _ = a.download("Y:/6/0/20161025/20011/1902050.V3")
        self.assertEqual(status, 200)
        self.assertNotEqual(a.guid, first, "download response carried no Set-GUID")
        old = Agent()
        old.cookies, old.guid = a.cookies, first
        self.assertEqual(retcode_of(old.call("GET", f"agentevent/{a.id}", absorb=False)), "0")  # within grace
        time.sleep(0.35)
        self.assertEqual(retcode_of(old.call("GET", f"agentevent/{a.id}", absorb=False)), "000-003")
        self.assertGreaterEqual(EMU.control("stats")["guid_rotations"], 1)

    def test_rotate_on_poll_only_and_static_mode(self) -> None:
        EMU.control("config", {"guid_interval_ms": 100, "rotate_on": "poll"})
        a = self.signed_in()
        g = a.guid
        time.sleep(0.15)
        _, headers, _ = a.download("Y:/6/0/20161025/20011/1902050.V3")
        self.assertNotIn("set-guid", [k.lower() for k, _ in headers])
        a.poll()
        self.assertNotEqual(a.guid, g)
        EMU.control("config", {"guid_mode": "static"})
        g = a.guid
        time.sleep(0.15)
        a.poll()
        self.assertEqual(a.guid, g)

    def test_update_guid_and_forced_rotation(self) -> None:
        a = self.signed_in()
        old = a.guid
        doc = a.json("PUT", f"onlineagent/{a.id}/updateGuid")
        self.assertEqual(doc["retcode"], "0")
        self.assertEqual(a.guid, old, "updateGuid answers in the body only (ref §3)")
        self.assertNotEqual(doc["result"]["guid"], old)
        a.guid = doc["result"]["guid"]
        self.assertEqual(a.poll()["retcode"], "0")
        EMU.control("rotate-guid", {"agent_id": a.id})
        g = a.guid
        a.poll()  # old Guid within grace: the answer carries the new one
        self.assertNotEqual(a.guid, g)

    # --- events and keep-alive -------------------------------------------------------------------

    def test_poll_holds_then_answers_empty(self) -> None:
        a = self.signed_in()
        t0 = time.monotonic()
        doc = a.poll()
        self.assertGreaterEqual(time.monotonic() - t0, 0.28)
        self.assertEqual(doc, {"message": "", "retcode": "0", "event": None})
        EMU.control("config", {"empty_event_shape": "missing"})
        self.assertNotIn("event", a.poll())
        self.assertEqual(retcode_of(a.call("POST", f"agentevent/{a.id}")), "000-001")

    def test_record_event_then_stop_and_download(self) -> None:
        a = self.signed_in()
        rec = EMU.control("record", {"agent_id": a.id, "size": 3000, "fileMediaType": 2, "locationId": 255})
        events = []
        for _ in range(6):
            doc = a.poll()
            if doc.get("event"):
                events.append(doc["event"])
            if any(e["eventType"] == "AgentMediaEvent_StopRecordDone" for e in events):
                break
        types = [e["eventType"] for e in events]
        self.assertIn("AgentMediaEvent_Record", types)
        self.assertIn("AgentMediaEvent_StopRecordDone", types)
        record = events[types.index("AgentMediaEvent_Record")]
        self.assertEqual(record["workNo"], a.id)
        self.assertIn("eventGenTime", record)
        c = record["content"]
        self.assertEqual(c["fileName"], rec["fileName"])
        self.assertEqual(c["fileMediaType"], 2)
        self.assertEqual(c["locationId"], "255")
        stop = events[types.index("AgentMediaEvent_StopRecordDone")]
        self.assertEqual(str(stop["content"]["taskId"]), str(c["taskId"]))
        status, _, data = a.download(c["fileName"])
        self.assertEqual(status, 200)
        self.assertEqual(hashlib.sha256(data).hexdigest(), rec["sha256"])

    def test_generated_events_and_injection(self) -> None:
        a = self.signed_in(1)
        EMU.control("events", {"agent_id": a.id, "events": [{"eventType": "Custom", "content": "x"}]})
        self.assertEqual(a.poll()["event"]["eventType"], "Custom")

    def test_session_times_out_without_polls(self) -> None:
        EMU.control("config", {"session_timeout_seconds": 0.3})
        a = self.signed_in()
        a.poll()  # keeps it alive (0.3 s hold refreshes at the end)
        time.sleep(0.45)
        self.assertEqual(retcode_of(a.call("GET", f"agentevent/{a.id}")), "100-006")
        self.assertGreaterEqual(EMU.control("stats")["sessions_expired"], 1)
        self.assertEqual(a.sign_in()[0]["retcode"], "0")  # not 100-002: the session is gone

    def test_heartbeat_and_sign_out(self) -> None:
        a = self.signed_in()
        self.assertEqual(a.json("POST", f"onlineagent/{a.id}/handshake")["retcode"], "0")
        doc = a.sign_out()
        self.assertEqual(doc, {"msg": "", "retcode": "0", "result": None})
        self.assertEqual(retcode_of(a.call("GET", f"agentevent/{a.id}")), "100-006")
        self.assertEqual(EMU.control("sessions")["sessions"], {})

    # --- downloads -------------------------------------------------------------------------------

    def test_hostile_names_round_trip_when_encoded(self) -> None:
        a = self.signed_in()
        files = EMU.control("files")["files"]
        for name, size, ftype in huawei_gateway.PRESET_FILES:
            with self.subTest(name=name):
                status, headers, data = a.download(name, filetype=str(ftype))
                self.assertEqual(status, 200)
                self.assertTrue(dict((k.lower(), v) for k, v in headers)["content-type"].startswith(
                    "application/octet-stream"))
                expected = EMU.control("expected?fileName=" + quote(name, safe=""))
                self.assertEqual(len(data), size)
                self.assertEqual(hashlib.sha256(data).hexdigest(), expected["sha256"])
        self.assertGreaterEqual(len(files), len(huawei_gateway.PRESET_FILES))
        log = EMU.control("requests")["requests"]
        decoded = [e.get("record_id") for e in log if e["endpoint"] == "download"]
        for name, _, _ in huawei_gateway.PRESET_FILES:
            self.assertIn(name, decoded)

    def test_unencoded_plus_finds_the_wrong_file_and_hash_is_cut(self) -> None:
        a = self.signed_in()
        name = "Y:/1/0/20261101/20011/a b&c+d#e%f?g=h;i,j.V3"
        status, _, data = a.download(quote(name, safe="+"), encode=False)
        self.assertEqual(len(data), 5001)  # '+' decoded as a space: the twin file
        self.assertEqual(retcode_of(a.download(name.replace(" ", "%20"), encode=False)), "000-002")  # raw '%f?'
        self.assertEqual(retcode_of(a.download("Y:/nope.V3")), "104-005")

    def test_encoding_strictness_knob(self) -> None:
        a = self.signed_in()
        name = "Y:/6/0/20161025/20011/1902050.V3"
        self.assertEqual(a.download(name, encode=False)[0], 200)
        EMU.control("config", {"require_encoded_record_id": True})
        self.assertEqual(retcode_of(a.download(name, encode=False)), "000-002")
        self.assertEqual(a.download(name)[0], 200)

    def test_parameter_validation(self) -> None:
        a = self.signed_in()
        self.assertEqual(retcode_of(a.call("GET", f"recordfile/{a.id}?filetype=1")), "000-002")
        self.assertEqual(retcode_of(a.download("Y:/6/0/20161025/20011/1902050.V3", filetype="3")), "000-002")
        self.assertEqual(retcode_of(a.download("Y:/6/0/20161025/20011/1902050.V3", location="x")), "000-002")
        self.assertEqual(retcode_of(a.download("Y:/6/0/20161025/20011/1902050.V3", filetype="2")), "104-005")
        self.assertEqual(a.call("POST", f"recordfile/{a.id}?recordId=x")[0], 405)

    def test_pool_mode_location_id(self) -> None:
        EMU.control("config", {"pool_mode": True})
        a = self.signed_in()
        name = "Y:/6/0/20161025/20011/1902050.V3"
        self.assertEqual(retcode_of(a.download(name)), "104-010")
        self.assertEqual(retcode_of(a.download(name, location="255")), "104-005")
        self.assertEqual(a.download(name, location="256")[0], 200)

    def test_every_retcode_reachable_by_magic_name(self) -> None:
        a = self.signed_in()
        for code in huawei_gateway.RETCODES:
            if code == "0":
                continue
            with self.subTest(code=code):
                status, headers, data = a.download(f"Y:/magic/retcode-{code}.V3")
                self.assertEqual(status, 200)
                doc = json.loads(data)
                self.assertEqual(doc["retcode"], code)
                self.assertEqual(doc["result"], "")
                self.assertTrue(doc["message"])

    def test_fail_injection(self) -> None:
        a = self.signed_in()
        EMU.control("fail", {"endpoint": "download", "retcode": "000-004", "count": 2})
        name = "Y:/6/0/20161025/20011/1902050.V3"
        self.assertEqual(retcode_of(a.download(name)), "000-004")
        self.assertEqual(retcode_of(a.download(name)), "000-004")
        self.assertEqual(a.download(name)[0], 200)
        EMU.control("fail", {"endpoint": "signin", "retcode": "100-003", "count": 1})
        EMU.control("kill-session", {"agent_id": a.id})
        self.assertEqual(Agent().sign_in()[0]["retcode"], "100-003")
        self.assertEqual(Agent().sign_in()[0]["retcode"], "0")

    def test_concurrent_download_limit(self) -> None:
        EMU.control("config", {"max_concurrent_downloads_per_agent": 1, "download_chunk_delay_ms": 100})
        a = self.signed_in()
        big = EMU.ready["large_file"]
        out = {}
        t = threading.Thread(target=lambda: out.setdefault("r", a.download(big)))
        t.start()
        time.sleep(0.2)
        self.assertEqual(retcode_of(a.download("Y:/6/0/20161025/20011/1902050.V3")), "000-007")
        EMU.control("config", {"download_chunk_delay_ms": 0})
        t.join()
        self.assertEqual(len(out["r"][2]), 2_000_000)

    def test_large_file_sha(self) -> None:
        a = self.signed_in()
        big = EMU.ready["large_file"]
        status, headers, data = a.download(big)
        self.assertEqual(status, 200)
        self.assertEqual(dict((k.lower(), v) for k, v in headers)["content-length"], "2000000")
        self.assertEqual(hashlib.sha256(data).hexdigest(),
                         EMU.control("expected?fileName=" + quote(big, safe=""))["sha256"])

    def test_config_validation(self) -> None:
        status, _, data = EMU.request("POST", "/_emulator/config", {"nope": 1})
        self.assertEqual(status, 400)
        status, _, data = EMU.request("POST", "/_emulator/config", {"guid_mode": "sometimes"})
        self.assertEqual(status, 400)
        status, _, _ = EMU.request("POST", "/_emulator/fail", {"endpoint": "bogus", "retcode": "1"})
        self.assertEqual(status, 400)


if __name__ == "__main__":
    unittest.main(verbosity=2)
