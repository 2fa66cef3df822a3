#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Oracle ISR FACE emulator (face_server.py).

Starts the emulator as a subprocess (HTTPS with its throwaway CA; one with --plain-http) and checks the
process contract, login and tokens, strict parameters, both match shapes in JSON and XML, the
maxListLength cap, downloads, in-progress recordings, the code table, control commands and the stats.
Standard library only: ``python3 tests/emulators/test_face_server.py`` (a few seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "face_server.py")
sys.path.insert(0, HERE)
import emutest  # noqa: E402

DAY_FROM = "2026-11-01 00:00:00"
DAY_TO = "2026-11-01 23:59:59.999"


class Emulator(emutest.EmulatorProcess):
    def __init__(self, *args: str, plain_http: bool = False) -> None:
        super().__init__(EMULATOR, *args, prefix="face-test-", plain_http=plain_http)

    def request(self, method: str, target: str, body: bytes | str | None = None, headers: dict | None = None):
        """Returns (status, headers dict (lower-case names), body bytes)."""
        status, hdrs, data = self.exchange(method, target, body, headers)
        return status, {k.lower(): v for k, v in hdrs}, data

    def login(self, email: str | None = None, password: str | None = None, accept_json: bool = True,
              extra: str = "&expirationSeconds=3600"):
        form = (f"userEmail={urllib.parse.quote(email or self.ready['user_email'], safe='')}"
                f"&password={urllib.parse.quote(password or self.ready['password'], safe='')}{extra}")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if accept_json:
            headers["Accept"] = "application/json"
        return self.request("POST", "/Face/login", form, headers)

    def token(self) -> str:
        status, _, data = self.login()
        assert status == 200, data
        return json.loads(data)["result"]["token"]

    def face(self, command: str, params: list | dict, token: str | None = "auto", accept_json: bool = True,
             method: str = "GET", body: str | None = None):
        pairs = list(params.items()) if isinstance(params, dict) else list(params)
        if token == "auto":
            token = self.token()
        if token is not None:
            pairs = [("token", token)] + pairs
        query = "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(str(v), safe='')}" for k, v in pairs)
        headers = {"Accept": "application/json"} if accept_json else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, hdrs, data = self.request(method, f"/Face/{command}?{query}", body, headers)
        return status, hdrs, data

    def face_json(self, command: str, params, **kw):
        status, hdrs, data = self.face(command, params, **kw)
        return status, json.loads(data)["result"]


class FaceEmulatorTest(unittest.TestCase):
    emu: Emulator

    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = Emulator("--recordings", "40", "--lockout-after", "3")
        cls.tok = cls.emu.token()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.emu.shutdown(check_log=False)

    def setUp(self) -> None:
        self.emu.control("config", {"list_cap": 1000, "ignore_accept": False, "json_quirks": True,
                                    "vendor_error_http_status": 200, "token_ttl_override": None,
                                    "list_times_in_seconds": False, "date_fractions_ignored": False,
                                    "xml": "off"})
        self.emu.control("inject", {"endpoint": "any", "code": 0, "count": 0})

    def truth(self) -> list:
        day = self.emu.ready["day_start_ms"]
        return self.emu.control(f"recordings?from={day}&to={day + 86_400_000}")["recordings"]

    # --- process contract -------------------------------------------------------------------------

    def test_ready_file(self) -> None:
        r = self.emu.ready
        for key in ("port", "base_url", "face_url", "ca_file", "user_email", "password", "expired_user_email",
                    "locked_user_email", "pid"):
            self.assertIn(key, r)
        self.assertTrue(r["base_url"].startswith("https://127.0.0.1:"))
        self.assertTrue(os.path.exists(r["ca_file"]))

    def test_plain_http_and_sigterm(self) -> None:
        e = Emulator("--plain-http", "--recordings", "8")
        try:
            self.assertIsNone(e.ready["ca_file"])
            status, _, data = e.request("GET", "/Face/version")
            self.assertEqual(status, 200)
            self.assertIn(b"<version>", data)
        finally:
            self.assertEqual(e.stop(), 0)
            e.cleanup()

    # --- login and tokens -------------------------------------------------------------------------

    def test_login_json_and_xml(self) -> None:
        status, hdrs, data = self.emu.login()
        self.assertEqual(status, 200)
        self.assertIn("application/json", hdrs["content-type"])
        res = json.loads(data)["result"]
        self.assertEqual(res["code"], 0)
        self.assertEqual(res["expiration"], "3600seconds")
        status, hdrs, data = self.emu.login(accept_json=False, extra="")
        self.assertIn(b'encoding="UTF-16"', data)
        self.assertIn(b"<token>", data)
        self.assertIn(b"<expiration>86400seconds</expiration>", data)  # omitted -> the maximum (1 day)

    def test_login_email_is_case_insensitive(self) -> None:
        status, _, data = self.emu.login(email=self.emu.ready["user_email"].upper())
        self.assertEqual(json.loads(data)["result"]["code"], 0)

    def test_login_failures(self) -> None:
        _, _, data = self.emu.login(password="wrong")
        res = json.loads(data)["result"]
        self.assertEqual(res["code"], -1)
        generic = res["message"]
        _, _, data = self.emu.login(email=self.emu.ready["locked_user_email"],
                                    password=self.emu.ready["locked_user_password"])
        self.assertEqual(json.loads(data)["result"]["message"], generic, "locked must look like bad credentials")
        _, _, data = self.emu.login(email=self.emu.ready["expired_user_email"],
                                    password=self.emu.ready["expired_user_password"])
        res = json.loads(data)["result"]
        self.assertEqual(res["code"], -1)
        self.assertIn("expired", res["message"])
        self.assertNotEqual(res["message"], generic)
        _, _, data = self.emu.login(email="webuser@acmepacket.com", password="Web12345")
        self.assertEqual(json.loads(data)["result"]["message"], generic, "non-API users may not log in")
        status, _, _ = self.emu.request("POST", "/Face/login", "userEmail=a&password=b&bogus=1",
                                        {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 400)

    def test_lockout_after_repeated_failures(self) -> None:
        e = Emulator("--recordings", "8", "--lockout-after", "2")
        try:
            for _ in range(2):
                e.login(password="nope")
            _, _, data = e.login()  # right password, but now locked
            self.assertEqual(json.loads(data)["result"]["code"], -1)
            self.assertGreaterEqual(e.control("stats")["login_locked"], 1)
        finally:
            e.stop()
            e.cleanup()

    def test_token_errors(self) -> None:
        status, _, data = self.emu.face("audioRecording/details", {"recordingId": "1"}, token=None, accept_json=False)
        self.assertEqual(status, 401)
        self.assertIn(b"<code>27</code>", data)
        status, res = self.emu.face_json("audioRecording/details", {"recordingId": "1"}, token="not-a-token")
        self.assertEqual((status, res["code"], res["message"]), (401, -1, "Invalid or expired token"))
        tok = self.emu.token()
        self.emu.control("expire-tokens", {})
        status, res = self.emu.face_json("audioRecording/details", {"recordingId": "1"}, token=tok)
        self.assertEqual((status, res["code"]), (401, -1))
        self.assertGreaterEqual(self.emu.control("stats")["expired_token_calls"], 1)
        type(self).tok = self.emu.token()

    def test_token_ttl_override(self) -> None:
        self.emu.control("config", {"token_ttl_override": 1})
        _, _, data = self.emu.login()
        res = json.loads(data)["result"]
        self.assertEqual(res["expiration"], "1seconds")
        time.sleep(1.1)
        status, _ = self.emu.face_json("audioRecording/details", {"recordingId": "1"}, token=res["token"])
        self.assertEqual(status, 401)

    # --- strict parameters ------------------------------------------------------------------------

    def test_unknown_empty_repeated_and_bad_dates_are_rejected(self) -> None:
        for params in ({"bogus": "1"}, {"ani": ""}, [("ani", "1"), ("ani", "1")],
                       {"earliestStart": "2026-11-01T00:00:00Z"}, {"earliestStart": "1793491200000"},
                       {"maxListLength": "0"}, {"maxListLength": "1001"}, {"inProgress": "yes"}):
            status, res = self.emu.face_json("audioRecording/details", params, token=self.tok)
            self.assertEqual(status, 400, params)
            self.assertIn(res["code"], (-1, 27), params)

    def test_plus_must_be_percent_encoded(self) -> None:
        plus = next(r for r in self.truth() if r["ani"].startswith("+"))
        _, res = self.emu.face_json("audioRecording/details", {"ani": plus["ani"]}, token=self.tok)
        self.assertEqual(res["code"], 0)
        self.assertEqual(str(res["recording"]["recordingId"]), plus["recordingId"])
        # A raw '+' decodes as a space (form decoding): no match.
        target = f"/Face/audioRecording/details?token={self.tok}&ani={plus['ani']}"
        _, _, data = self.emu.request("GET", target, headers={"Accept": "application/json"})
        self.assertEqual(json.loads(data)["result"]["code"], 19)

    # --- details ----------------------------------------------------------------------------------

    def test_single_match_full_recording_json(self) -> None:
        multi = next(r for r in self.truth() if len(r["segments"]) > 1 and not r["inProgress"])
        _, res = self.emu.face_json("audioRecording/details", {"recordingId": multi["recordingId"]}, token=self.tok)
        self.assertEqual((res["code"], res["message"]), (0, "ACK"))
        rec = res["recording"]
        self.assertIsInstance(rec["recordingId"], int)
        self.assertIsInstance(rec["account"], str)  # type drift (ref §5.3)
        self.assertEqual(rec["ani"], multi["ani"])
        self.assertIn("customData", rec["customDataSets"][0])
        segs = [s["segment"] for s in rec["segments"]]
        self.assertEqual(segs[-1], {}, "trailing empty segment quirk")
        self.assertEqual(len(segs) - 1, len(multi["segments"]))
        self.assertIn("locationId", segs[0])
        self.assertIn("siprecData", segs[0]["siprecDataSets"][0])
        self.assertIn("participant", segs[0]["siprecDataSets"][0]["siprecData"]["participants"][0])

    def test_single_match_xml(self) -> None:
        rec = self.truth()[5]
        _, hdrs, data = self.emu.face("audioRecording/details", {"recordingId": rec["recordingId"]},
                                      token=self.tok, accept_json=False)
        self.assertIn("xml", hdrs["content-type"])
        self.assertIn(b"<code>0</code>", data)
        self.assertIn(b"<location>", data)
        self.assertIn(f"<recordingId>{rec['recordingId']}</recordingId>".encode(), data)

    # The mapping ccrec uses to read an XML answer into its JSON form (src/face/parse_xml.cpp).
    XML_LISTS = ("matches", "segments", "customDataSets", "siprecDataSets", "participants", "streams",
                 "extensionDataSets", "values", "supplementalFiles", "dtmfDigits")
    XML_TYPED = ("code", "recordingId", "tmpRecordingId", "segmentId", "sequence", "duration", "fileStatus",
                 "locationId", "pauseLength", "archived", "conversionStatus", "customDataId", "size", "rss", "route",
                 "sensitive", "deleteFlag", "checksumMismatch", "hasVideo", "inProgress", "supplementalFileId")

    @classmethod
    def xml_as_json(cls, e: ET.Element, name: str):
        children = list(e)
        if name in cls.XML_LISTS:
            return [{("locationId" if c.tag == "location" else c.tag):
                     cls.xml_as_json(c, "locationId" if c.tag == "location" else c.tag)} for c in children]
        if children:
            return {("locationId" if c.tag == "location" else c.tag):
                    cls.xml_as_json(c, "locationId" if c.tag == "location" else c.tag) for c in children}
        text = e.text or ""
        if name in cls.XML_TYPED:
            if text in ("true", "false"):
                return text == "true"
            try:
                return int(text)
            except ValueError:
                pass
        return text

    def decode_xml(self, hdrs: dict, data: bytes, mode: str) -> ET.Element:
        self.assertIn("xml", hdrs["content-type"])
        codec = {"utf-8": "utf-8", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be", "utf-16le-nobom": "utf-16-le",
                 "utf-16be-nobom": "utf-16-be"}[mode]
        bom = {"utf-16le": b"\xff\xfe", "utf-16be": b"\xfe\xff"}.get(mode, b"")
        self.assertTrue(data.startswith(bom), data[:4])
        if mode.startswith("utf-16"):
            self.assertIn("UTF-16", hdrs["content-type"])
            self.assertFalse(data[len(bom):].startswith(b"<?xml"), "really UTF-16 bytes")
        text = data[len(bom):].decode(codec)
        self.assertTrue(text.startswith('<?xml version="1.0" encoding="UTF-16"?>'), text[:60])
        return ET.fromstring(text.split("?>", 1)[1].strip())

    def test_xml_mode_serves_every_answer_as_the_json_in_xml(self) -> None:
        """The ``xml`` knob: every answer is XML in that encoding, whatever Accept says, and carries
        what the JSON answer carries (under ccrec's XML -> JSON mapping)."""
        truth = self.truth()
        multi = next(r for r in truth if len(r["segments"]) > 1)
        seg_id = multi["segments"][0]["segmentId"]
        queries = [("audioRecording/details", {"recordingId": multi["recordingId"]}),
                   ("audioRecording/details", {"earliestStart": DAY_FROM, "latestStart": DAY_TO}),
                   ("audioRecording/segment/details", {"segmentId": seg_id}),
                   ("audioRecording/segment/details", {"recordingId": multi["recordingId"]}),
                   ("audioRecording/details", {"ani": "nobody-at-all"}),
                   ("audioRecording/download", {"recordingId": multi["recordingId"]})]
        expected = []
        for command, q in queries:
            _, _, data = self.emu.face(command, q, token=self.tok)
            doc = json.loads(data)
            for s in doc["result"].get("recording", {}).get("segments", []):
                s.pop("segment") if s == {"segment": {}} else None
            if "recording" in doc["result"]:
                doc["result"]["recording"]["segments"] = [s for s in doc["result"]["recording"]["segments"] if s]
            expected.append(doc)
        for mode in ("utf-8", "utf-16le", "utf-16be", "utf-16le-nobom", "utf-16be-nobom"):
            with self.subTest(mode=mode):
                self.emu.control("config", {"xml": mode})
                try:
                    status, hdrs, data = self.emu.login()  # asks for JSON
                    self.assertEqual(status, 200)
                    root = self.decode_xml(hdrs, data, mode)
                    self.assertEqual(root.tag, "result")
                    self.assertEqual(root.findtext("code"), "0")
                    self.assertTrue(root.findtext("token"))
                    self.assertTrue(root.findtext("expiration").endswith("seconds"))
                    _, hdrs, data = self.emu.request("GET", "/Face/version", None, {"Accept": "application/json"})
                    self.assertTrue(self.decode_xml(hdrs, data, mode).findtext("version"))
                    for (command, q), want in zip(queries, expected):
                        _, hdrs, data = self.emu.face(command, q, token=self.tok)
                        root = self.decode_xml(hdrs, data, mode)
                        got = {"result": self.xml_as_json(root, "result")}
                        if "recording" in got["result"]:
                            for s in got["result"]["recording"]["segments"]:
                                self.assertIn("locationId", s["segment"], "XML location read as locationId")
                        self.assertEqual(got, want, f"{command} {q}")
                finally:
                    self.emu.control("config", {"xml": "off"})

    def test_xml_knob_rejects_unknown_encodings(self) -> None:
        status, _, data = self.emu.request("POST", "/_emulator/config", json.dumps({"xml": "latin-1"}),
                                           {"Content-Type": "application/json"})
        self.assertEqual(status, 400, data)

    def test_ignore_accept_answers_xml(self) -> None:
        self.emu.control("config", {"ignore_accept": True})
        _, hdrs, data = self.emu.face("audioRecording/details", {"recordingId": "1"}, token=self.tok)
        self.assertIn("xml", hdrs["content-type"])
        self.assertTrue(data.startswith(b"<?xml"))

    def test_list_unordered_and_complete(self) -> None:
        truth = self.truth()
        _, res = self.emu.face_json("audioRecording/details", {"earliestStart": DAY_FROM, "latestStart": DAY_TO},
                                    token=self.tok)
        self.assertEqual(res["code"], -1)
        self.assertIn("Returning all matches", res["message"])
        ids = [str(m["match"]["recordingId"]) for m in res["matches"]]
        self.assertEqual(sorted(ids), sorted(r["recordingId"] for r in truth))
        starts = [m["match"]["start"] for m in res["matches"]]
        self.assertNotEqual(starts, sorted(starts), "lists must not be sorted by start time")
        self.assertIn("from", res["matches"][0]["match"])

    def test_bounds_inclusive(self) -> None:
        rec = self.truth()[10]
        _, res = self.emu.face_json("audioRecording/details", {"earliestStart": rec["start"], "latestStart": rec["start"]},
                                    token=self.tok)
        self.assertEqual(res["code"], 0)
        self.assertEqual(str(res["recording"]["recordingId"]), rec["recordingId"])

    def test_list_times_in_seconds(self) -> None:
        truth = {r["recordingId"]: r for r in self.truth()}
        params = {"earliestStart": DAY_FROM, "latestStart": DAY_TO}
        _, res = self.emu.face_json("audioRecording/details", params, token=self.tok)
        self.assertTrue(all(len(m["match"]["start"]) == 23 for m in res["matches"]))
        self.emu.control("config", {"list_times_in_seconds": True})
        _, res = self.emu.face_json("audioRecording/details", params, token=self.tok)
        for m in res["matches"]:
            self.assertEqual(m["match"]["start"], truth[str(m["match"]["recordingId"])]["start"][:19])
        # Filters stay exact: a bound one millisecond after a recording's start excludes it.
        rec = next(r for r in truth.values() if r["startMs"] % 1000 not in (0, 999))
        after = rec["start"][:20] + f"{rec['startMs'] % 1000 + 1:03d}"
        _, res = self.emu.face_json("audioRecording/details", {"earliestStart": after, "latestStart": DAY_TO},
                                    token=self.tok)
        self.assertNotIn(rec["recordingId"], [str(m["match"]["recordingId"]) for m in res.get("matches", [])])

    def test_date_fractions_ignored(self) -> None:
        # A recording inside a second: a latestStart a millisecond after it lists it, the same bound
        # read to the second (date_fractions_ignored) does not.
        rec = next(r for r in self.truth() if r["startMs"] % 1000 not in (0, 999))
        upper = rec["start"][:20] + f"{rec['startMs'] % 1000 + 1:03d}"
        lower = rec["start"][:19]
        params = {"earliestStart": lower, "latestStart": upper, "recordingId": rec["recordingId"]}
        _, res = self.emu.face_json("audioRecording/details", params, token=self.tok)
        self.assertEqual(res["code"], 0)
        self.emu.control("config", {"date_fractions_ignored": True})
        _, res = self.emu.face_json("audioRecording/details", params, token=self.tok)
        self.assertEqual(res["code"], 19, "latestStart read as the second's first instant")

    def test_truncation_message_and_server_cap(self) -> None:
        params = {"earliestStart": DAY_FROM, "latestStart": DAY_TO, "maxListLength": "5"}
        _, res = self.emu.face_json("audioRecording/details", params, token=self.tok)
        self.assertEqual(len(res["matches"]), 5)
        self.assertIn("more matches than maxListLength", res["message"])
        self.emu.control("config", {"list_cap": 3})
        _, res = self.emu.face_json("audioRecording/details", {**params, "maxListLength": "10"}, token=self.tok)
        self.assertEqual(len(res["matches"]), 3)
        self.assertIn("more matches than maxListLength", res["message"])

    def test_no_match_is_code_19(self) -> None:
        _, res = self.emu.face_json("audioRecording/details", {"ani": "nobody"}, token=self.tok)
        self.assertEqual(res["code"], 19)

    def test_segment_details(self) -> None:
        multi = next(r for r in self.truth() if len(r["segments"]) > 1 and not r["inProgress"])
        _, res = self.emu.face_json("audioRecording/segment/details", {"recordingId": multi["recordingId"]},
                                    token=self.tok)
        self.assertEqual(res["code"], -1)
        ids = sorted(str(m["match"]["segmentId"]) for m in res["matches"])
        self.assertEqual(ids, sorted(s["segmentId"] for s in multi["segments"]))
        self.assertIn("end", res["matches"][0]["match"])
        seg = multi["segments"][0]
        _, res = self.emu.face_json("audioRecording/segment/details", {"segmentId": seg["segmentId"]}, token=self.tok)
        self.assertEqual(res["code"], 0)
        self.assertEqual(res["segment"]["filename"], seg["filename"])

    def test_post_body_to_details_is_a_metadata_update(self) -> None:
        rec = self.truth()[3]
        before = self.emu.control("stats")["metadata_updates"]
        status, _, _ = self.emu.face("audioRecording/details", {"recordingId": rec["recordingId"]}, token=self.tok,
                                     method="POST", body="campaign=changed")
        self.assertEqual(status, 200)
        self.assertEqual(self.emu.control("stats")["metadata_updates"], before + 1)

    # --- downloads --------------------------------------------------------------------------------

    def test_single_segment_download(self) -> None:
        rec = next(r for r in self.truth() if len(r["segments"]) == 1 and not r["inProgress"])
        status, hdrs, data = self.emu.face("audioRecording/download", {"recordingId": rec["recordingId"]},
                                           token=self.tok)
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], "audio/wav")
        self.assertEqual(hashlib.sha256(data).hexdigest(), rec["segments"][0]["sha256"])
        self.assertEqual(data[:4], b"RIFF")

    def test_multi_segment_download_points_to_segment_download(self) -> None:
        multi = next(r for r in self.truth() if len(r["segments"]) > 1 and not r["inProgress"])
        _, res = self.emu.face_json("audioRecording/download", {"recordingId": multi["recordingId"]}, token=self.tok)
        self.assertEqual(res["code"], -1)
        self.assertIn("segment/download", res["message"])
        for seg in multi["segments"]:
            status, _, data = self.emu.face("audioRecording/segment/download", {"segmentId": seg["segmentId"]},
                                            token=self.tok)
            self.assertEqual(status, 200)
            self.assertEqual(hashlib.sha256(data).hexdigest(), seg["sha256"])

    def test_hostile_file_names(self) -> None:
        hostile = [r for r in self.truth() if r["kind"] == "hostile"]
        self.assertGreaterEqual(len(hostile), 5)
        names = {r["segments"][0]["filename"] for r in hostile}
        self.assertIn("../../../etc/passwd.wav", names)
        rec = next(r for r in hostile if "&" in r["segments"][0]["filename"])
        seg = rec["segments"][0]
        status, _, data = self.emu.face("audioRecording/segment/download", {"filename": seg["filename"]},
                                        token=self.tok)
        self.assertEqual(status, 200)
        self.assertEqual(hashlib.sha256(data).hexdigest(), seg["sha256"])

    def test_in_progress_then_finished(self) -> None:
        e = Emulator("--recordings", "10", "--in-progress", "2")
        try:
            tok = e.token()
            day = e.ready["day_start_ms"]
            recs = e.control(f"recordings?from={day}&to={day + 86_400_000}")["recordings"]
            running = [r for r in recs if r["inProgress"]]
            self.assertEqual(len(running), 2)
            last = running[0]["segments"][-1]
            self.assertTrue(last["filename"].endswith(".rpdd"))
            _, res = e.face_json("audioRecording/segment/details", {"segmentId": last["segmentId"]}, token=tok)
            self.assertEqual(res["segment"]["end"], "")
            _, res = e.face_json("audioRecording/segment/download", {"segmentId": last["segmentId"]}, token=tok)
            self.assertEqual(res["code"], 11)
            self.assertEqual(e.control("stats")["in_progress_downloads"], 1)
            _, res = e.face_json("audioRecording/details", {"inProgress": "true"}, token=tok)
            self.assertEqual(res["code"], -1)
            finished = e.control("finish-recordings", {})["finished"]
            self.assertEqual(len(finished), 2)
            status, _, data = e.face("audioRecording/segment/download", {"segmentId": last["segmentId"]}, token=tok)
            self.assertEqual(status, 200)
            self.assertEqual(data[:4], b"RIFF")
        finally:
            e.stop()
            e.cleanup()

    def test_redirect_and_file_download(self) -> None:
        rec = next(r for r in self.truth() if len(r["segments"]) == 1 and not r["inProgress"])
        status, hdrs, _ = self.emu.face("audioRecording/redirect", {"recordingId": rec["recordingId"]}, token=self.tok)
        self.assertEqual(status, 302)
        location = hdrs["location"]
        self.assertNotIn("token", location)
        status, _, data = self.emu.request("GET", location.split(str(self.emu.port), 1)[1])
        self.assertEqual(hashlib.sha256(data).hexdigest(), rec["segments"][0]["sha256"])
        supp = self.emu.control("info")["examples"]["supplemental"][0]
        status, _, data = self.emu.face("file/download", {"supplementalFileId": supp["supplementalFileId"]},
                                        token=self.tok)
        self.assertEqual(status, 200)
        self.assertIn(b"supplemental file", data)

    # --- code table and control commands -----------------------------------------------------------

    def test_every_code_can_be_injected(self) -> None:
        for code in (1, 2, 10, 11, 16, 19, 20, 23, 24, 25, 26):
            self.emu.control("inject", {"endpoint": "audioRecording/segment/download", "code": code})
            _, res = self.emu.face_json("audioRecording/segment/download", {"segmentId": "1"}, token=self.tok)
            self.assertEqual(res["code"], code)
        self.emu.control("inject", {"endpoint": "login", "code": 16})
        _, _, data = self.emu.login()
        self.assertEqual(json.loads(data)["result"]["code"], 16)
        self.emu.control("config", {"vendor_error_http_status": 500})
        status, res = self.emu.face_json("audioRecording/details", {"ani": "nobody"}, token=self.tok)
        self.assertEqual((status, res["code"]), (500, 19))

    def test_control_commands(self) -> None:
        e = Emulator("--recordings", "6", "--in-progress", "0", "--same-start-cluster", "0")
        try:
            tok = e.token()
            _, res = e.face_json("audioRecording/start", {"dnis": "5555"}, token=tok)
            self.assertEqual(res["code"], 6)
            _, res = e.face_json("audioRecording/start", {"ani": "7777"}, token=tok)
            self.assertEqual(res["code"], 7)
            _, res = e.face_json("audioRecording/start", {"ani": "7777", "dnis": "5555", "codecProfile": "2"},
                                 token=tok)
            self.assertEqual(res["code"], 0)
            rid = str(res["recordingId"])
            for cmd, params, code in (("pause", {"fillWithSilence": "true"}, 0), ("pause", {}, 12), ("resume", {}, 0),
                                      ("split", {}, 0), ("stop", {}, 0), ("stop", {}, 13), ("delete", {}, 0)):
                _, res = e.face_json(f"audioRecording/{cmd}", {"recordingId": rid, **params}, token=tok)
                self.assertEqual(res["code"], code, cmd)
            _, res = e.face_json("audioRecording/details", {"recordingId": rid}, token=tok)
            self.assertEqual(res["code"], 19, "deleted recordings are not listed")
            stats = e.control("stats")
            self.assertEqual(stats["control_commands"]["stop"], 2)
        finally:
            e.stop()
            e.cleanup()

    def raw_face(self, command: str, query: str, accept_json: bool = True):
        """A command with a query string sent exactly as given (after the token)."""
        headers = {"Accept": "application/json"} if accept_json else {}
        return self.emu.request("GET", f"/Face/{command}?token={self.tok}&{query}", None, headers)

    def test_event_notify_as_documented(self) -> None:
        """The guide's eventNotify?event=..&ucid=..&calledAors=aor1,aor2 answers <response><Code>0</Code>."""
        query = ("event=AudioRecordingStarted&ucid=x-isr-ucid-1-2%401.2.3.5"
                 "&calledAors=sip%3AagentX%40example.com,sip%3AagentY%40example.com")
        status, hdrs, data = self.raw_face("eventNotify", query, accept_json=False)
        self.assertEqual(status, 200)
        self.assertIn("xml", hdrs["content-type"])
        root = ET.fromstring(data.decode("utf-8").split("?>", 1)[1])
        self.assertEqual((root.tag, root.findtext("Code"), root.findtext("message")), ("response", "0", "success"))
        status, _, data = self.raw_face("eventNotify", "event=AudioRecordingEnded")
        self.assertEqual((status, json.loads(data)), (200, {"response": {"Code": 0, "message": "success"}}))
        events = self.emu.control("stats")["events"]
        self.assertIn({"event": "AudioRecordingStarted", "ucid": "x-isr-ucid-1-2@1.2.3.5",
                       "calledAors": ["sip:agentX@example.com", "sip:agentY@example.com"]}, events)
        # Strict: only event, ucid, calledAors; event required; no empty AOR.
        for query, code in (("ucid=u1", 27), ("event=X&recordingId=1", -1), ("event=X&ani=7777", -1),
                            ("event=X&calledAors=sip%3Aa%40b,,sip%3Ac%40d", -1), ("event=", 27)):
            _, _, data = self.raw_face("eventNotify", query)
            self.assertEqual(json.loads(data)["result"]["code"], code, query)

    def test_screen_capture_as_documented(self) -> None:
        status, hdrs, data = self.raw_face("StartScreenCapture", "IsrId=x-isr-ucid-1-3%401.2.3.5&AgentId=6789",
                                           accept_json=False)
        self.assertEqual(status, 200)
        root = ET.fromstring(data.decode("utf-8").split("?>", 1)[1])
        self.assertEqual((root.tag, root.findtext("Code"), root.findtext("message")), ("response", "0", "ACK"))
        status, _, data = self.raw_face("StartScreenCapture", "IsrId=u2&ScreenIP=10.0.0.7")
        self.assertEqual((status, json.loads(data)), (200, {"response": {"Code": 0, "message": "ACK"}}))
        captures = self.emu.control("stats")["screen_captures"]
        self.assertEqual(captures.get("AgentId=6789"), "x-isr-ucid-1-3@1.2.3.5")
        self.assertEqual(captures.get("ScreenIP=10.0.0.7"), "u2")
        status, _, data = self.raw_face("StopScreenCapture", "AgentId=6789")
        self.assertEqual((status, json.loads(data)["response"]["Code"]), (200, 0))
        self.assertNotIn("AgentId=6789", self.emu.control("stats")["screen_captures"])
        for command, query, code in (("StartScreenCapture", "AgentId=6789", 27),
                                     ("StartScreenCapture", "IsrId=u", 27),
                                     ("StartScreenCapture", "IsrId=u&AgentId=1&ScreenIP=10.0.0.1", -1),
                                     ("StopScreenCapture", "IsrId=u&AgentId=1", -1),
                                     ("StopScreenCapture", "", 27),
                                     ("StopScreenCapture", "AgentId=1&ScreenIP=10.0.0.1", -1)):
            _, _, data = self.raw_face(command, query)
            self.assertEqual(json.loads(data)["result"]["code"], code, (command, query))

    def test_version_and_stats(self) -> None:
        _, hdrs, data = self.emu.request("GET", "/Face/version", headers={"Accept": "application/json"})
        self.assertEqual(json.loads(data)["result"]["version"], "5.2.0M1P0 build 2016.12.15_13.29")
        stats = self.emu.control("stats")
        for key in ("logins", "api_calls", "details_calls", "segment_downloads", "bytes_served", "rejected_params"):
            self.assertIn(key, stats)
        reqs = self.emu.control("requests")["requests"]
        self.assertTrue(all("token=***" in r["query"] or "token=" not in r["query"] for r in reqs))


if __name__ == "__main__":
    unittest.main(verbosity=1)
