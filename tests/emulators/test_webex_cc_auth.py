#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of the Webex CC emulator's authorize and Service App token endpoints (webex_cc_auth.py).

Run: ``python3 tests/emulators/test_webex_cc_auth.py`` (a few seconds).
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

REDIRECT = "http://127.0.0.1:45678/callback"
EMU: Emulator


def setUpModule() -> None:
    global EMU
    EMU = Emulator("--tasks-per-day", "2", "--redirect-uri", REDIRECT)


def tearDownModule() -> None:
    EMU.shutdown()


def authorize(**overrides):
    q = {"response_type": "code", "client_id": EMU.ready["client_id"], "redirect_uri": REDIRECT,
         "scope": "cjp:config_read", "state": "st-1"}
    q.update(overrides)
    q = {k: v for k, v in q.items() if v is not None}
    return EMU.request("GET", "/v1/authorize?" + urllib.parse.urlencode(q, quote_via=urllib.parse.quote))


def redirect_params(headers: dict) -> dict:
    location = headers["location"]
    assert location.startswith(REDIRECT + "?"), location
    return dict(urllib.parse.parse_qsl(location.split("?", 1)[1]))


def token(**fields):
    return EMU.json("POST", "/v1/access_token", urllib.parse.urlencode(fields),
                    {"Content-Type": "application/x-www-form-urlencoded"})


class AuthorizeTest(unittest.TestCase):
    def tearDown(self) -> None:
        EMU.configure(authorize_decision="accept")

    def test_accept_issues_a_single_use_code_bound_to_the_redirect_uri(self):
        status, headers, _ = authorize()
        self.assertEqual(status, 302)
        p = redirect_params(headers)
        self.assertEqual(p["state"], "st-1")
        r = EMU.ready
        status, _, doc = token(grant_type="authorization_code", client_id=r["client_id"],
                               client_secret=r["client_secret"], code=p["code"], redirect_uri=REDIRECT + "x")
        self.assertEqual((status, doc["error"]), (400, "invalid_grant"))
        self.assertIn("redirect_uri", doc["message"])
        status, _, doc = token(grant_type="authorization_code", client_id=r["client_id"],
                               client_secret=r["client_secret"], code=p["code"], redirect_uri=REDIRECT)
        self.assertEqual(status, 200, doc)
        self.assertIn("refresh_token", doc)
        status, _, doc = token(grant_type="authorization_code", client_id=r["client_id"],
                               client_secret=r["client_secret"], code=p["code"], redirect_uri=REDIRECT)
        self.assertEqual((status, doc["error"]), (400, "invalid_grant"))

    def test_deny_redirects_with_access_denied(self):
        EMU.configure(authorize_decision="deny")
        status, headers, _ = authorize()
        self.assertEqual(status, 302)
        p = redirect_params(headers)
        self.assertEqual((p["error"], p["state"]), ("access_denied", "st-1"))
        self.assertNotIn("code", p)

    def test_unregistered_redirect_uri_or_client_is_an_error_page_not_a_redirect(self):
        status, headers, body = authorize(redirect_uri="http://127.0.0.1:1/callback")
        self.assertEqual(status, 400)
        self.assertNotIn("location", headers)
        self.assertIn(b"redirect_uri mismatch", body)
        status, headers, _ = authorize(client_id="Cunknown")
        self.assertEqual(status, 400)
        self.assertNotIn("location", headers)

    def test_bad_scope_and_response_type_redirect_with_errors(self):
        status, headers, _ = authorize(scope="cjp:nope")
        self.assertEqual(status, 302)
        self.assertEqual(redirect_params(headers)["error"], "invalid_scope")
        status, headers, _ = authorize(response_type="token")
        self.assertEqual(redirect_params(headers)["error"], "unsupported_response_type")


class ServiceAppTokenTest(unittest.TestCase):
    def tearDown(self) -> None:
        EMU.configure(service_app_authorized=True)

    def post(self, body, app_id=None, bearer=None, content_type="application/json"):
        r = EMU.ready
        path = f"/v1/applications/{app_id or r['service_app_id']}/token"
        headers = {"Content-Type": content_type, "Authorization": "Bearer " + (bearer or r["applications_token"])}
        data = json.dumps(body) if isinstance(body, dict) else body
        return EMU.json("POST", path, data, headers)

    def body(self, **overrides):
        r = EMU.ready
        b = {"clientId": r["service_app_client_id"], "clientSecret": r["service_app_client_secret"],
             "targetOrgId": r["org_id"]}
        b.update(overrides)
        return {k: v for k, v in b.items() if v is not None}

    def test_token_pair_refreshable_with_the_service_app_client(self):
        status, _, doc = self.post(self.body())
        self.assertEqual(status, 200, doc)
        self.assertEqual(set(doc), {"access_token", "expires_in", "refresh_token", "refresh_token_expires_in",
                                    "token_type"})
        r = EMU.ready
        status, _, refreshed = token(grant_type="refresh_token", client_id=r["client_id"],
                                     client_secret=r["client_secret"], refresh_token=doc["refresh_token"])
        self.assertEqual((status, refreshed["error"]), (400, "invalid_grant"), "another client's refresh token")
        status, _, refreshed = token(grant_type="refresh_token", client_id=r["service_app_client_id"],
                                     client_secret=r["service_app_client_secret"],
                                     refresh_token=doc["refresh_token"])
        self.assertEqual(status, 200, refreshed)
        status, _, _ = EMU.json("GET", "/v1/tasks?from=0", headers={"Authorization": "Bearer " +
                                                                     refreshed["access_token"]})
        self.assertEqual(status, 200)

    def test_errors_follow_the_spec(self):
        status, _, doc = self.post(self.body(clientSecret=None))
        self.assertEqual(status, 400)
        self.assertEqual(doc["errors"][0]["description"], "clientSecret is required")
        self.assertIn("trackingId", doc)
        self.assertEqual(self.post(self.body(), content_type="application/x-www-form-urlencoded")[0], 400)
        self.assertEqual(self.post(self.body(), bearer="wrong")[0], 401)
        self.assertEqual(self.post(self.body(clientSecret="wrong"))[0], 401)
        self.assertEqual(self.post(self.body(), app_id="unknown-app")[0], 404)
        self.assertEqual(self.post(self.body(targetOrgId="another-org"))[0], 403)
        EMU.configure(service_app_authorized=False)
        status, _, doc = self.post(self.body())
        self.assertEqual(status, 403)
        self.assertIn("Full Admin", doc["errors"][0]["description"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
