#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex CC emulator's Tasks and Captures APIs (webex_cc_tasks.py): ``GET /v1/tasks``
and ``POST /v1/captures/query``.  The fixture and helpers are test_webex_cc.py's.

Run: ``python3 tests/emulators/test_webex_cc_tasks.py`` (a few seconds).
"""

from __future__ import annotations

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_webex_cc as shared  # noqa: E402
from test_webex_cc import DAY_END, DAY_START, UUID_RE, EmulatorTestCase, auth, captures, ground_truth, tasks  # noqa: E402

EMU: shared.Emulator


def setUpModule() -> None:
    """The emulator of test_webex_cc.py (same flags, data set and tokens), started for this file."""
    global EMU
    shared.setUpModule()
    EMU = shared.EMU


def tearDownModule() -> None:
    shared.tearDownModule()


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

    def test_hostile_knobs_page_cap_and_tasks_without_id(self):
        try:
            EMU.configure(tasks_page_cap=100)
            self.assertEqual(len(tasks(f"from={DAY_START}&to={DAY_END}&pageSize=1000")[2]["data"]), 100)
            self.assertEqual(len(tasks(f"from={DAY_START}&to={DAY_END}&pageSize=7")[2]["data"]), 7)
            EMU.configure(tasks_page_cap=None, tasks_without_id_suffix="7")
            data = tasks(f"from={DAY_START}&to={DAY_END}&pageSize=1000")[2]["data"]
            first = ground_truth()[:1000]  # the same order as the Tasks answer
            self.assertEqual(len(data), 1000)
            self.assertIn(True, ["id" not in x for x in data])
            self.assertEqual(["id" not in x for x in data], [t["id"].endswith("7") for t in first])
            self.assertEqual([x["attributes"]["createdTime"] for x in data], [t["createdTime"] for t in first])
            EMU.configure(tasks_page_cap=100, tasks_without_id_suffix=None, tasks_newest_first=True)
            data = tasks(f"from={DAY_START}&to={DAY_END}&pageSize=1000")[2]["data"]
            newest = ground_truth()[-100:][::-1]
            self.assertEqual([x["id"] for x in data], [t["id"] for t in newest])
        finally:
            EMU.configure(tasks_page_cap=None, tasks_without_id_suffix=None, tasks_newest_first=False)

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
