#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex CC emulator's pre-signed media downloads (webex_cc_media.py): content, HEAD
and ranges, signatures, expiry, faults, large recordings.  The fixture and helpers are test_webex_cc.py's.

Run: ``python3 tests/emulators/test_webex_cc_media.py`` (a few seconds).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import struct
import sys
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_webex_cc as shared  # noqa: E402
from test_webex_cc import TOKENS, EmulatorTestCase, auth, captures  # noqa: E402

EMU: shared.Emulator


def setUpModule() -> None:
    """The emulator of test_webex_cc.py (same flags, data set and tokens), started for this file."""
    global EMU
    shared.setUpModule()
    EMU = shared.EMU


def tearDownModule() -> None:
    shared.tearDownModule()


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

    def test_html_page_for_chosen_tasks(self):
        EMU.control("reset-stats", {})
        task, rec = self.recording()
        url = rec["attributes"]["filePath"]
        EMU.configure(media_html_task_suffix=task[-3:])
        try:
            status, hdrs, body = EMU.request("GET", url)
            self.assertEqual(status, 200)
            self.assertTrue(hdrs["content-type"].startswith("text/html"))
            self.assertIn(b"<html>", body)
            self.assertEqual(EMU.control("stats")["media_html"], 1)
            EMU.configure(media_html_task_suffix="no-task-ends-like-this")
            status, hdrs, _ = EMU.request("GET", url)
            self.assertEqual((status, hdrs["content-type"]), (200, "audio/wav"))
        finally:
            EMU.configure(media_html_task_suffix=None)

    def test_empty_body_for_chosen_tasks(self):
        EMU.control("reset-stats", {})
        task, rec = self.recording()
        url = rec["attributes"]["filePath"]
        EMU.configure(media_empty_task_suffix=task[-3:])
        try:
            status, hdrs, body = EMU.request("GET", url)
            self.assertEqual((status, hdrs["content-length"], body), (200, "0", b""))
            self.assertEqual(EMU.control("stats")["media_empty"], 1)
            EMU.configure(media_empty_task_suffix="no-task-ends-like-this")
            status, _, body = EMU.request("GET", url)
            self.assertEqual(status, 200)
            self.assertGreater(len(body), 0)
        finally:
            EMU.configure(media_empty_task_suffix=None)

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
