# SPDX-License-Identifier: Apache-2.0
"""The interactive and machine-account token paths of the Webex CC emulator (webex_cc.py).

* ``GET /v1/authorize`` (ref §2.1): the page an administrator opens.  The emulator plays the user, who
  signs in and answers at once: a ``302`` to ``redirect_uri?code=..&state=..`` (a new single-use code),
  or, with the knob ``authorize_decision=deny``, ``redirect_uri?error=access_denied&state=..``.  Strict
  on the request: ``response_type=code``, the registered ``client_id``, and a ``redirect_uri`` equal to the
  registered one (else a ``400`` HTML page and no redirect, as a real authorization server must do);
  an unknown scope redirects with ``error=invalid_scope``.
* ``POST /v1/applications/{applicationId}/token`` (ref §2.6, Webex Admin spec ``createServiceAppAccessToken``):
  JSON body ``clientId``, ``clientSecret``, ``targetOrgId`` (all required), a bearer token with scope
  ``spark:applications_token`` (the emulator's fixed ``applications_token``).  ``200`` with a token pair
  for the Service App's client; ``400`` missing/invalid field, ``401`` bad bearer or client credentials,
  ``403`` the app is not authorized in the org (knob ``service_app_authorized=false``) or another org,
  ``404`` unknown application id.  Error bodies: ``{"message","trackingId","errors":[{"description"}]}``.
  The Service App's refresh token is then refreshed at ``/v1/access_token`` with the Service App's
  client id and secret (ref §2.6 [U]).
"""

from __future__ import annotations

import hmac
import json
import re
from typing import Any
from urllib.parse import quote

# Scopes the emulator's authorize endpoint knows (ref §2.5).
KNOWN_SCOPES = {"cjp:config_read", "cjp:config", "spark:applications_token", "spark:kms"}
APPLICATION_PATH = re.compile(r"^/v1/applications/([^/]+)/token$")


def _redirect(handler: Any, uri: str, params: list[tuple[str, str]]) -> None:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
    location = uri + ("&" if "?" in uri else "?") + query
    handler.send_bytes(302, b"", None, [("Location", location), ("Cache-Control", "no-store")])


def _page(handler: Any, status: int, text: str) -> None:
    body = f"<!DOCTYPE html><html><body><h1>Webex</h1><p>{text}</p></body></html>".encode()
    handler.send_bytes(status, body, "text/html; charset=utf-8", [("TrackingID", handler.tracking_id)])


def handle_authorize(handler: Any) -> None:
    emu = handler.emu
    q: dict[str, str] = {}
    for k, v in handler.query_pairs():
        if k in q:
            _page(handler, 400, f"Parameter {k} is repeated.")
            return
        q[k] = v
    if q.get("client_id") != emu.oauth.client_id:
        _page(handler, 400, "Invalid client_id.")
        return
    redirect_uri = q.get("redirect_uri", "")
    if redirect_uri != emu.oauth.redirect_uri:
        emu.stats.incr("authorize_redirect_mismatch")
        _page(handler, 400, "redirect_uri mismatch: the redirect_uri is not registered for this integration.")
        return
    state = q.get("state")
    extra = [("state", state)] if state is not None else []
    if q.get("response_type") != "code":
        _redirect(handler, redirect_uri, [("error", "unsupported_response_type")] + extra)
        return
    scopes = q.get("scope", "").split(" ")
    if not q.get("scope") or any(s not in KNOWN_SCOPES for s in scopes):
        _redirect(handler, redirect_uri, [("error", "invalid_scope"),
                                          ("error_description", "unknown or missing scope")] + extra)
        return
    if emu.cfg.authorize_decision == "deny":
        emu.stats.incr("authorize_denied")
        _redirect(handler, redirect_uri, [("error", "access_denied"),
                                          ("error_description", "The user denied the request.")] + extra)
        return
    code = emu.oauth.new_code()
    emu.stats.incr("authorize_codes")
    _redirect(handler, redirect_uri, [("code", code)] + extra)


def _admin_error(handler: Any, status: int, message: str, description: str) -> None:
    """Webex Admin API error body (ref §2.6)."""
    handler.send_json(status, {"message": message, "trackingId": handler.tracking_id,
                               "errors": [{"description": description}]},
                      headers=[("TrackingID", handler.tracking_id)])


def handle_service_app_token(handler: Any) -> None:
    emu = handler.emu
    sa = emu.service_app
    app_id = APPLICATION_PATH.match(handler.raw_path).group(1)
    header = handler.headers.get("Authorization") or ""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), sa["applications_token"].encode()):
        _admin_error(handler, 401, "Authentication required",
                     "a bearer token with the spark:applications_token scope is required")
        return
    ctype = (handler.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if ctype != "application/json":
        _admin_error(handler, 400, "Bad request", "Content-Type must be application/json")
        return
    try:
        body = json.loads(handler.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        _admin_error(handler, 400, "Bad request", "the body is not JSON")
        return
    if not isinstance(body, dict):
        _admin_error(handler, 400, "Bad request", "the body must be a JSON object")
        return
    for name in ("clientId", "clientSecret", "targetOrgId"):
        if not isinstance(body.get(name), str) or not body[name]:
            _admin_error(handler, 400, "Bad request", f"{name} is required")
            return
    if app_id != sa["application_id"]:
        _admin_error(handler, 404, "Service App not found", f"no Service App with id {app_id}")
        return
    if body["clientId"] != sa["client_id"] or not hmac.compare_digest(body["clientSecret"].encode(),
                                                                      sa["client_secret"].encode()):
        _admin_error(handler, 401, "Invalid client credentials", "The provided clientSecret is invalid")
        return
    if body["targetOrgId"] != emu.org_id:
        _admin_error(handler, 403, "Forbidden", "the Service App is not authorized for this organization")
        return
    if not emu.cfg.service_app_authorized:
        _admin_error(handler, 403, "Forbidden",
                     "Service App not authorized by a Full Admin in Control Hub")
        return
    emu.stats.incr("service_app_tokens")
    handler.send_json(200, emu.oauth.issue_for(sa["client_id"]),
                      headers=[("TrackingID", handler.tracking_id), ("Cache-Control", "no-store")])
