#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex CC emulator's Subscriptions API and webhook deliveries (webex_cc_webhooks.py).

Run: ``python3 tests/emulators/test_webex_cc_webhooks.py`` (a few seconds).
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_webex_cc import Emulator  # noqa: E402

SECRET = "emulator-subscription-secret-0123456789"
EMU: Emulator
ACCESS: str = ""


def setUpModule() -> None:
    global EMU, ACCESS
    EMU = Emulator("--tasks-per-day", "4")
    r = EMU.ready
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": r["client_id"],
                                   "client_secret": r["client_secret"], "refresh_token": r["refresh_token"]})
    status, _, doc = EMU.json("POST", "/v1/access_token", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, doc
    ACCESS = doc["access_token"]


def tearDownModule() -> None:
    EMU.shutdown()


def auth() -> dict:
    return {"Authorization": "Bearer " + ACCESS}


def sub_body(**overrides) -> dict:
    b = {"name": "ccrec recordings", "eventTypes": ["capture:available"],
         "destinationUrl": "https://recorder.example.com/webhooks/webex", "secret": SECRET}
    b.update(overrides)
    return {k: v for k, v in b.items() if v is not None}


class SubscriptionsTest(unittest.TestCase):
    def test_create_list_get_delete_per_spec(self):
        status, _, doc = EMU.json("POST", "/v1/subscriptions", sub_body(), auth())
        self.assertEqual(status, 201, doc)
        sub = doc["data"]
        for field in ("id", "name", "eventTypes", "destinationUrl", "createdTime", "createdBy", "status",
                      "lastUpdatedTime", "lastUpdatedBy"):
            self.assertIn(field, sub)
        self.assertNotIn("secret", sub)
        status, _, doc = EMU.json("GET", "/v1/subscriptions", None, auth())
        self.assertEqual(status, 200)
        self.assertIn(sub["id"], [s["id"] for s in doc["data"]])
        status, _, doc = EMU.json("GET", "/v2/subscriptions", None, auth())
        self.assertNotIn(sub["id"], [s["id"] for s in doc["data"]])
        self.assertEqual(EMU.json("GET", f"/v1/subscriptions/{sub['id']}", None, auth())[0], 200)
        self.assertEqual(EMU.request("DELETE", f"/v1/subscriptions/{sub['id']}", None, auth())[0], 204)
        self.assertEqual(EMU.request("DELETE", f"/v1/subscriptions/{sub['id']}", None, auth())[0], 404)

    def test_validation(self):
        for bad in (sub_body(destinationUrl="http://recorder.example.com/x"),
                    sub_body(destinationUrl="https://recorder.example.com:8443/x"),
                    sub_body(destinationUrl="https://recorder.example.com/x?token=1"),
                    sub_body(name="abc"), sub_body(eventTypes=[]), sub_body(secret="short"), sub_body(name=None)):
            status, _, doc = EMU.json("POST", "/v1/subscriptions", bad, auth())
            self.assertEqual(status, 400, bad)
        status, _, _ = EMU.json("POST", "/v2/subscriptions", sub_body(), auth())
        self.assertEqual(status, 400, "v2 requires resourceVersion")
        status, _, doc = EMU.json("POST", "/v2/subscriptions", sub_body(resourceVersion="capture:1.0.0"), auth())
        self.assertEqual(status, 201)
        self.assertEqual(doc["data"]["resourceVersion"], "capture:1.0.0")

    def test_needs_a_token(self):
        self.assertEqual(EMU.request("GET", "/v1/subscriptions")[0], 400)


class Receiver(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server API
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        Receiver.received.append((dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class DeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}/hook"
        status, _, doc = EMU.json("GET", "/_emulator/tasks")
        cls.task = doc["tasks"][0]["id"]

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def deliver(self, mode, **extra):
        Receiver.received = []
        body = {"url": self.url, "secret": SECRET, "mode": mode, "taskIds": [self.task]}
        body.update(extra)
        status, _, doc = EMU.json("POST", "/_emulator/webhooks/deliver", body)
        self.assertEqual(status, 200, doc)
        return doc["deliveries"]

    def test_signed_deliveries_carry_an_hmac_of_the_raw_body(self):
        d = self.deliver("signed")
        self.assertEqual([x["status"] for x in d], [200])
        headers, body = Receiver.received[0]
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        self.assertEqual(headers["X-Webex-Signature"], expected)
        event = json.loads(body)
        self.assertEqual(event["type"], "capture:available")
        self.assertEqual(event["data"]["taskId"], self.task)

    def test_modes(self):
        self.assertNotIn("X-Webex-Signature", self.deliver("unsigned") and Receiver.received[0][0])
        self.deliver("bad-signature")
        headers, body = Receiver.received[0]
        self.assertNotEqual(headers["X-Webex-Signature"], hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest())
        replay = self.deliver("replay")
        self.assertEqual(len(replay), 2)
        self.assertEqual(replay[0]["eventId"], replay[1]["eventId"])
        flood = self.deliver("flood", count=5)
        self.assertEqual(len(flood), 5)
        ordered = self.deliver("out-of-order")
        self.assertEqual([x["type"] for x in ordered], ["capture:available", "task:ended"])
        stale = self.deliver("stale")
        self.assertEqual(len(stale), 1)
        self.assertLess(json.loads(Receiver.received[0][1])["createdTime"], time.time() * 1000 - 30 * 60 * 1000)
        self.deliver("oversize", paddingBytes=1000)
        self.assertGreater(len(Receiver.received[0][1]), 1000)

    def test_bad_requests(self):
        for bad in ({"secret": SECRET, "taskIds": []}, {"url": self.url, "taskIds": []},
                    {"url": self.url, "secret": SECRET, "mode": "sideways"}):
            self.assertEqual(EMU.json("POST", "/_emulator/webhooks/deliver", bad)[0], 400, bad)


if __name__ == "__main__":
    unittest.main()
