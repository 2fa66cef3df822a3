#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex CC emulator's Search API (webex_cc_search.py).

Run: ``python3 tests/emulators/test_webex_cc_search.py`` (a few seconds).
"""

from __future__ import annotations

import json
import os
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_webex_cc import Emulator  # noqa: E402

DAY_START, DAY_END = 1793491200000, 1793577600000
EMU: Emulator
TOKENS: dict = {}

QUERY = ("query($from: Long!, $to: Long!) { task(from: $from, to: $to, timeComparator: createdTime%s, "
         "pagination: {cursor: %s}) { tasks { id origin totalDuration lastWrapupCodeName lastTeam { name } "
         "cad0: stringGlobalVariables(name: \"CustomerTier\") { name value } } pageInfo { hasNextPage endCursor } } }")


def setUpModule() -> None:
    global EMU
    EMU = Emulator("--seed", "3", "--day", "2026-11-01", "--tasks-per-day", "120")
    r = EMU.ready
    status, _, doc = EMU.json("POST", "/v1/access_token", urllib.parse.urlencode({
        "grant_type": "refresh_token", "client_id": r["client_id"], "client_secret": r["client_secret"],
        "refresh_token": r["refresh_token"]}), {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, doc
    TOKENS["access"] = doc["access_token"]


def tearDownModule() -> None:
    EMU.shutdown()


def search(body, org: str | None = None):
    target = "/search" + (f"?orgId={org}" if org else "")
    return EMU.json("POST", target, body, {"Authorization": "Bearer " + TOKENS["access"]})


def query(filter_text: str = "", cursor: str = '"0"') -> dict:
    return {"query": QUERY % ((", filter: " + filter_text) if filter_text else "", cursor),
            "variables": {"from": DAY_START, "to": DAY_END}}


class SearchTest(unittest.TestCase):
    def all_pages(self, filter_text: str = "") -> list:
        out, cursor = [], "0"
        while True:
            status, _, doc = search(query(filter_text, json.dumps(cursor)))
            self.assertEqual(status, 200, doc)
            self.assertNotIn("errors", doc)
            out += doc["data"]["task"]["tasks"]
            info = doc["data"]["task"]["pageInfo"]
            if not info["hasNextPage"]:
                self.assertIsNone(info["endCursor"])
                return out
            cursor = info["endCursor"]

    def test_pages_cover_the_window_once(self):
        tasks = self.all_pages()
        truth = EMU.control(f"tasks?from={DAY_START}&to={DAY_END}")["tasks"]
        self.assertEqual([t["id"] for t in tasks], [t["id"] for t in truth])
        self.assertGreater(len(tasks), 25, "more than one page")

    def test_filters(self):
        tasks = self.all_pages("{and: [{channelType: {equals: telephony}}, {totalDuration: {gte: 300000}}]}")
        self.assertTrue(tasks)
        self.assertTrue(all(t["totalDuration"] >= 300000 for t in tasks))
        tier = self.all_pages('{stringGlobalVariables: {name: {equals: "CustomerTier"}, value: {equals: "gold"}}}')
        self.assertTrue(tier)
        self.assertTrue(all(t["cad0"] == {"name": "CustomerTier", "value": "gold"} for t in tier))
        one = tasks[0]
        by_ani = self.all_pages('{origin: {equals: %s}}' % json.dumps(one["origin"]))
        self.assertIn(one["id"], [t["id"] for t in by_ani])
        quoted = self.all_pages('{lastWrapupCodeName: {equals: "No Sale, \\"quoted\\""}}')
        self.assertTrue(all(t["lastWrapupCodeName"] == 'No Sale, "quoted"' for t in quoted))

    def test_unindexed_tasks_are_left_out_of_every_answer(self):
        truth = [t["id"] for t in EMU.control(f"tasks?from={DAY_START}&to={DAY_END}")["tasks"]]
        suffix = truth[0][-1]
        EMU.configure(search_unindexed_suffix=suffix)
        try:
            unfiltered = [t["id"] for t in self.all_pages()]
            filtered = [t["id"] for t in self.all_pages("{totalDuration: {gte: 0}}")]
        finally:
            EMU.configure(search_unindexed_suffix=None)
        self.assertEqual(unfiltered, [i for i in truth if not i.endswith(suffix)])
        self.assertTrue(all(not i.endswith(suffix) for i in filtered))
        self.assertIn(truth[0], [t["id"] for t in self.all_pages()], "indexed once the knob is off")

    def test_unknown_fields_arguments_and_filters_are_graphql_errors(self):
        bad = [
            QUERY.replace("origin", "ani") % ("", '"0"'),
            QUERY.replace("timeComparator: createdTime", "timeComparator: createdTime, size: 5") % ("", '"0"'),
            QUERY % (", filter: {ani: {equals: \"1\"}}", '"0"'),
            QUERY % (", filter: {totalDuration: {between: 1}}", '"0"'),
            QUERY % ("", '"x"'),
            QUERY.replace("task(", "agentSession(") % ("", '"0"'),
            "{ task(from: 1, to: 2) { tasks { id } ",
        ]
        for q in bad:
            status, _, doc = search({"query": q, "variables": {"from": DAY_START, "to": DAY_END}})
            self.assertEqual(status, 200, q)
            self.assertIsNone(doc["data"], q)
            self.assertTrue(doc["errors"][0]["message"], q)
        status, _, doc = search({"query": QUERY % ("", '"0"'), "variables": {"from": DAY_START}})
        self.assertIn("errors", doc)
        status, _, doc = search({"query": QUERY % ("", '"0"'), "variables": {"from": DAY_START, "to": DAY_END},
                                 "operationName": "x"})
        self.assertEqual(status, 400)
        status, _, doc = search(query(), org="other-org")
        self.assertEqual(status, 403)

    def test_window_limits(self):
        status, _, doc = search({"query": QUERY % ("", '"0"'), "variables": {"from": DAY_END, "to": DAY_START}})
        self.assertIn("errors", doc)
        status, _, doc = search({"query": QUERY % ("", '"0"'),
                                 "variables": {"from": DAY_START, "to": DAY_START + 366 * 86400000}})
        self.assertIn("365 days", doc["errors"][0]["message"])


if __name__ == "__main__":
    unittest.main()
