# SPDX-License-Identifier: Apache-2.0
"""Server-side state of the Webex CC emulator (webex_cc.py) besides the data set: OAuth tokens, the
per-client rate limiter and the pre-signed URL signer.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import math
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from webex_cc_common import Config, S3_ACCESS_KEY, S3_REGION
from webex_cc_data import MediaObject


# --------------------------------------------------------------------------------------------------
# OAuth state
# --------------------------------------------------------------------------------------------------


def cisco_token(org_id: str) -> str:
    """Opaque token in the observed Cisco shape ``<base64 text>_PF84_<orgId>`` (ref §2.7, [U])."""
    text = f"{uuid.uuid4()}{uuid.uuid4().hex[:12]}"
    return base64.b64encode(text.encode()).decode().rstrip("=") + "_PF84_" + org_id


@dataclass
class AccessToken:
    client_id: str
    expires_at: float


@dataclass
class RefreshToken:
    client_id: str
    expires_at: float
    rotated_at: float | None = None


class OAuthState:
    def __init__(self, org_id: str, client_id: str, client_secret: str, refresh_token: str,
                 auth_code: str, redirect_uri: str, cfg: Config) -> None:
        self.org_id = org_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.cfg = cfg
        self.lock = threading.Lock()
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {
            refresh_token: RefreshToken(client_id, time.time() + cfg.refresh_token_ttl)}
        self.codes: dict[str, bool] = {auth_code: False}  # code -> used
        self.clients: dict[str, str] = {client_id: client_secret}  # client id -> secret (+ the Service App)

    def client_ok(self, client_id: str, secret: str) -> bool:
        known = self.clients.get(client_id)
        return known is not None and hmac.compare_digest(secret.encode(), known.encode())

    def new_code(self) -> str:
        """A fresh single-use authorization code (GET /v1/authorize)."""
        code = cisco_token(self.org_id)
        with self.lock:
            self.codes[code] = False
        return code

    def issue_for(self, client_id: str) -> dict:
        """A token pair of another client (the Service App token endpoint)."""
        with self.lock:
            return self._issue(time.time() + self.cfg.refresh_token_ttl, client_id)

    def _issue(self, refresh_expires_at: float, client_id: str | None = None) -> dict:
        now = time.time()
        client_id = client_id or self.client_id
        access = cisco_token(self.org_id)
        refresh = cisco_token(self.org_id)
        self.access[access] = AccessToken(client_id, now + self.cfg.access_token_ttl)
        self.refresh[refresh] = RefreshToken(client_id, refresh_expires_at)
        return {"access_token": access, "expires_in": int(self.cfg.access_token_ttl),
                "refresh_token": refresh,
                "refresh_token_expires_in": max(0, round(refresh_expires_at - now)),
                "token_type": "Bearer"}

    def grant_refresh(self, token: str, client_id: str | None = None) -> tuple[dict | None, str, bool]:
        """Returns (response, error description, reuse_attempt)."""
        now = time.time()
        with self.lock:
            rec = self.refresh.get(token)
            if rec is None or (client_id is not None and rec.client_id != client_id):
                return None, "The refresh token provided is invalid.", False
            if now >= rec.expires_at:
                return None, "The refresh token provided has expired.", False
            if rec.rotated_at is not None and now - rec.rotated_at > self.cfg.refresh_grace_seconds:
                return None, "The refresh token provided has already been used.", True
            if rec.rotated_at is None:
                rec.rotated_at = now
            expires = now + self.cfg.refresh_token_ttl if self.cfg.refresh_token_extend else rec.expires_at
            return self._issue(expires, rec.client_id), "", False

    def grant_code(self, code: str, redirect_uri: str) -> tuple[dict | None, str]:
        with self.lock:
            used = self.codes.get(code)
            if used is None:
                return None, "The authorization code provided is invalid."
            if used:
                return None, "The authorization code provided has already been used."
            if redirect_uri != self.redirect_uri:
                return None, "redirect_uri does not match the one used for authorization."
            self.codes[code] = True
            return self._issue(time.time() + self.cfg.refresh_token_ttl), ""

    def check_access(self, token: str) -> tuple[str | None, str]:
        """Returns (client_id, "") when valid, else (None, "unknown"|"expired")."""
        with self.lock:
            rec = self.access.get(token)
        if rec is None:
            return None, "unknown"
        if time.time() >= rec.expires_at:
            return None, "expired"
        return rec.client_id, ""

    def expire_all(self) -> int:
        now = time.time()
        with self.lock:
            for rec in self.access.values():
                rec.expires_at = min(rec.expires_at, now)
            return len(self.access)


class RateLimiter:
    """Sliding 60-second window per client ID (ref §7: 300 requests/min per client ID on a real tenant)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: dict[str, collections.deque] = collections.defaultdict(collections.deque)

    def check(self, client_id: str, limit: int, window: float = 60.0) -> int:
        """0 when allowed (and counted), else the seconds to wait.  ``window``: seconds (default 60)."""
        if limit <= 0:
            return 0
        now = time.monotonic()
        with self.lock:
            q = self.hits[client_id]
            while q and now - q[0] >= window:
                q.popleft()
            if len(q) >= limit:
                return max(1, math.ceil(q[0] + window - now))
            q.append(now)
            return 0

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()


# --------------------------------------------------------------------------------------------------
# Pre-signed URLs
# --------------------------------------------------------------------------------------------------


class Presigner:
    """S3-looking pre-signed URLs, signed with HMAC-SHA256 over ``Host`` + the raw request target.

    The URL deliberately contains characters a careless client re-encodes or decodes: ``%2F`` in
    X-Amz-Credential, ``%2B``/``%2F``/``%3D`` in X-Amz-Security-Token, ``%3B%20``/``%3D%22`` in
    response-content-disposition and a ``~`` in the path.  Verification is over the exact bytes sent.
    """

    def __init__(self) -> None:
        self.secret = secrets.token_bytes(32)
        # STS-session-token look-alike that always needs escaping (+, / and = padding).
        raw = b"\x21\x0a\x09" + secrets.token_bytes(60) + b"\xfb\xef\xbe\xff\xff\xff" + secrets.token_bytes(31)
        self.session_token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(raw).decode()

    @staticmethod
    def path_for(org_id: str, obj: MediaObject) -> str:
        ext = "json" if obj.kind == "transcript" else "wav"
        area = "transcripts" if obj.kind == "transcript" else "recordings"
        return f"/media/{area}/{org_id}/{obj.task_id}/{obj.id}~{obj.url_tag}.{ext}"

    def sign(self, host: str, target_without_signature: str) -> str:
        return hmac.new(self.secret, f"{host}\n{target_without_signature}".encode(), hashlib.sha256).hexdigest()

    def url(self, scheme: str, host: str, path: str, expires_s: int, now: float, file_name: str) -> str:
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
        query = "&".join([
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=" + quote(f"{S3_ACCESS_KEY}/{amz_date[:8]}/{S3_REGION}/s3/aws4_request", safe=""),
            f"X-Amz-Date={amz_date}",
            f"X-Amz-Expires={expires_s}",
            "X-Amz-Security-Token=" + quote(self.session_token, safe=""),
            "X-Amz-SignedHeaders=host",
            "response-content-disposition=" + quote(f'attachment; filename="{file_name}"', safe=""),
        ])
        target = f"{path}?{query}"
        return f"{scheme}://{host}{target}&X-Amz-Signature={self.sign(host, target)}"
