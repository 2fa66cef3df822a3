# SPDX-License-Identifier: Apache-2.0
"""Part of the Huawei CC-Gateway emulator (huawei_gateway.py): sign-in (ref §2), the Guid and cookie
checks and dynamic GUID rotation (ref §3), the session calls (updateGuid, handshake, sign-out) and the
event long poll (ref §4), as a mixin of its request handler (which holds the state in ``emu``)."""

from __future__ import annotations

import json
import time

import emulib
from huawei_common import JSON_CT, RETCODES
from huawei_state import GatewayEmulator, Session, new_guid


class SessionMixin:
    """Handler methods of sign-in, the authenticated session calls and the event poll (mixed into
    huawei_gateway.Handler)."""

    emu: GatewayEmulator

    # --- sign-in -------------------------------------------------------------------------------------

    def handle_signin(self, agent_id: str, force: bool) -> None:
        emu = self.emu
        cfg = emu.cfg
        if not self.content_type_ok():
            return self.reply("000-002", message="Content-Type must be application/json")
        forced = emu.take_failure("forcelogin" if force else "signin")
        if forced:
            emu.stats.incr("sign_in_failures")
            return self.reply(forced)
        try:
            body = json.loads(self.body.decode("utf-8") or "null")
        except (ValueError, UnicodeDecodeError):
            emu.stats.incr("sign_in_failures")
            return self.reply("000-002", message="request body is not JSON")
        agent = emu.agents.get(agent_id)
        if not isinstance(body, dict):
            emu.stats.incr("sign_in_failures")
            return self.reply("100-001")
        problem = self.check_signin_body(body)
        if problem:
            emu.stats.incr("sign_in_failures")
            self.log_extra["problem"] = problem
            return self.reply("100-001", message=f"{RETCODES['100-001']}: {problem}")
        if agent is None or body.get("password") != agent.password:
            emu.stats.incr("sign_in_failures")
            return self.reply("100-004")
        with emu.lock:
            busy = agent.signin_inflight
            agent.signin_inflight = True
        if busy:
            emu.stats.incr("concurrent_sign_ins")
            return self.reply("000-007")
        try:
            if cfg.sign_in_latency_ms:
                time.sleep(cfg.sign_in_latency_ms / 1000.0)
            now = time.monotonic()
            with emu.lock:
                emu.sweep_locked(now)
                already = not force and (agent.foreign or agent_id in emu.sessions)
                if not already:
                    agent.foreign = False
                    s = Session(agent_id=agent_id, guid=new_guid(), guid_issued=now, cookies=emu.make_cookies(),
                                last_keepalive=now)
                    emu.sessions[agent_id] = s
                    emu.stats.incr("sign_ins")
                    if force:
                        emu.stats.incr("force_logins")
                    if agent.ever_signed_in:
                        emu.stats.incr("re_sign_ins")
                    else:
                        agent.ever_signed_in = True
                        emu.schedule_record_events(agent, now)
                    guid, cookies = s.guid, dict(s.cookies)
        finally:
            with emu.lock:
                agent.signin_inflight = False
        if already:
            emu.stats.incr("sign_in_failures")
            return self.reply("100-002")
        self.extra_headers += [("Set-GUID", f"JSESSIONID={guid}"), ("Guid", guid)]
        expires = emulib.http_date(time.time() + 86400)
        self.extra_headers.append(("Set-Cookie", f"SERVERID={cookies['SERVERID']}; Path=/agentgateway; Secure"))
        self.extra_headers.append(("Set-Cookie", f"AGW_SESSION={cookies['AGW_SESSION']}; Expires={expires}; "
                                                 "Path=/; Secure; HttpOnly; SameSite=Strict"))
        result = {"vdnid": 1, "workno": agent_id, "mediatype": "TFF", "loginTime": int(time.time() * 1000),
                  "isForceChange": "true" if cfg.force_change_password else "false",
                  "serverName": "AgentGateway0", "timeRemaining": "" if not cfg.force_change_password else 0}
        self.reply("0", result)

    def check_signin_body(self, body: dict) -> str | None:
        strict = self.emu.cfg.strict_types
        pw = body.get("password")
        if not isinstance(pw, str):
            return "password must be a string"
        if len(pw) > 32:
            return "password longer than 32 characters"
        phone = body.get("phonenum")
        if not isinstance(phone, str) or not phone:
            return "phonenum is required"
        if len(phone) > 24:
            return "phonenum longer than 24 characters"
        for name in ("autoanswer", "autoenteridle", "releasephone", "checkInWebm", "checkInMailm"):
            if name in body:
                v = body[name]
                if isinstance(v, bool):
                    continue
                if strict or not (isinstance(v, str) and v.lower() in ("true", "false")):
                    return f"{name} must be a boolean"
        for name, allowed in (("agenttype", (4, 11)), ("status", (3, 4, 5))):
            if name in body:
                v = body[name]
                if isinstance(v, str) and not strict and v.isdigit():
                    v = int(v)
                if isinstance(v, bool) or not isinstance(v, int) or v not in allowed:
                    return f"{name} must be one of {allowed}"
        if "ip" in body and (not isinstance(body["ip"], str) or len(body["ip"]) > 15):
            return "ip must be an IPv4 address"
        if "callBackUri" in body or "serviceToken" in body:
            return "push mode is not supported by this emulator (poll instead)"
        return None

    # --- authenticated calls -------------------------------------------------------------------------

    def authenticate(self, agent_id: str, endpoint: str) -> Session | None:
        """Content-Type, session, cookies and Guid checks (ref §3); answers the error itself."""
        emu = self.emu
        if not self.content_type_ok():
            self.reply("000-002", message="Content-Type must be application/json")
            return None
        session, error = self._check_session(agent_id, endpoint)
        if error is not None:
            self.reply(error)
            return None
        return session

    def _check_session(self, agent_id: str, endpoint: str) -> tuple[Session | None, str | None]:
        emu = self.emu
        cfg = emu.cfg
        now = time.monotonic()
        sent: dict[str, str] = {}
        for h in self.headers.get_all("Cookie") or []:
            for part in h.split(";"):
                if "=" in part:
                    k, _, v = part.strip().partition("=")
                    sent[k] = v
        guid = self.headers.get("Guid")
        with emu.lock:
            emu.sweep_locked(now)
            s = emu.sessions.get(agent_id)
            if s is None:
                emu.stats.incr("not_signed_in_requests")
                self.log_extra["auth"] = "not signed in"
                return None, "100-006"
            cookies_ok = all(sent.get(k) == v for k, v in s.cookies.items())
            if not sent:
                emu.stats.incr("requests_without_cookies")
            elif not cookies_ok:
                emu.stats.incr("wrong_cookie_requests")
            if cfg.require_cookies and not cookies_ok:
                self.log_extra["auth"] = "cookies"
                return None, "100-006"
            if not guid:
                emu.stats.incr("missing_guid_requests")
                self.log_extra["auth"] = "no guid"
                return None, "100-006"
            if guid != s.guid:
                exp = s.old_guids.get(guid)
                if exp is None or exp < now:
                    emu.stats.incr("stale_guid_requests")
                    self.log_extra["auth"] = "stale guid" if exp is not None else "unknown guid"
                    return None, cfg.bad_guid_retcode
                self.log_extra["auth"] = "old guid in grace"
            self.auth = (s, endpoint, guid)
            return s, None

    def guid_headers(self) -> list[tuple[str, str]]:
        """Dynamic GUIDs, decided when the answer is sent: rotate when due, and announce the current GUID
        on eligible answers to a request that carried another one."""
        auth = getattr(self, "auth", None)
        if auth is None:
            return []
        s, endpoint, sent = auth
        emu = self.emu
        cfg = emu.cfg
        eligible = cfg.rotate_on == "any" or endpoint in ("poll", "handshake")
        if cfg.guid_mode != "dynamic" or not eligible:
            return []
        now = time.monotonic()
        with emu.lock:
            if emu.sessions.get(s.agent_id) is not s:
                return []
            if now - s.guid_issued >= cfg.guid_interval_ms / 1000.0:
                emu.rotate_locked(s, now)
            if sent != s.guid:
                return [("Set-GUID", f"JSESSIONID={s.guid}")]
        return []

    def handle_session_call(self, endpoint: str, agent_id: str, action: str) -> None:
        emu = self.emu
        s = self.authenticate(agent_id, endpoint)
        if s is None:
            return
        forced = emu.take_failure(endpoint)
        if forced:
            return self.reply(forced)
        now = time.monotonic()
        if endpoint == "logout":
            self.auth = None
            with emu.lock:
                if emu.sessions.get(agent_id) is s:
                    del emu.sessions[agent_id]
            emu.stats.incr("sign_outs")
            return self.reply("0", None, message="", msg_key="msg")
        if endpoint == "handshake":
            with emu.lock:
                s.last_keepalive = now
            emu.stats.incr("heartbeats")
            return self.reply("0", None, message="success")
        if endpoint == "updateguid":
            with emu.lock:
                emu.rotate_locked(s, now)
                guid = s.guid
            emu.stats.incr("update_guid")
            self.auth = None  # the new GUID is in the body only (ref §3)
            return self.reply("0", {"guid": guid}, message="success")
        self.reply("000-002")

    # --- event poll ----------------------------------------------------------------------------------

    def handle_poll(self, agent_id: str) -> None:
        emu = self.emu
        s = self.authenticate(agent_id, "poll")
        if s is None:
            return
        emu.stats.incr("polls")
        forced = emu.take_failure("poll")
        if forced:
            return self.reply(forced)
        agent = emu.agents[agent_id]
        deadline = time.monotonic() + emu.cfg.poll_hold_seconds
        event = None
        while True:
            now = time.monotonic()
            with emu.lock:
                s.last_keepalive = now
                emu.take_due_events_locked(agent, now)
                if emu.sessions.get(agent_id) is not s:
                    break
                if agent.events:
                    event = agent.events.popleft()
                    break
            if now >= deadline:
                break
            time.sleep(min(0.1, max(0.0, deadline - now)))
        with emu.lock:
            alive = emu.sessions.get(agent_id) is s
            if alive:
                s.last_keepalive = time.monotonic()
        if not alive:
            if event is not None:
                with emu.lock:
                    agent.events.appendleft(event)
            return self.reply("100-006")
        if event is None:
            emu.stats.incr("polls_empty")
            doc = {"message": "", "retcode": "0"}
            if emu.cfg.empty_event_shape == "null":
                doc["event"] = None
            self.retcode = "0"
            return self.send_bytes(200, emulib.json_bytes(doc), JSON_CT, self.extra_headers + self.guid_headers())
        emu.stats.incr("events_delivered")
        self.log_extra["event"] = event.get("eventType")
        self.retcode = "0"
        self.send_bytes(200, emulib.json_bytes({"message": "", "retcode": "0", "event": event}), JSON_CT,
                        self.extra_headers + self.guid_headers())
