# SPDX-License-Identifier: Apache-2.0
"""The pre-signed media downloads (``GET|HEAD /media/...``, ref §5.4) of the Webex CC emulator (webex_cc.py),
as a mixin of its request handler (which holds the state in ``emu``).
"""

from __future__ import annotations

import datetime as _dt
import hmac
import re
import secrets
import time
from typing import Any

import emulib
from webex_cc_common import S3_ACCESS_KEY, s3_error_xml
from webex_cc_data import Dataset, MediaObject
from webex_cc_state import Presigner


class MediaMixin:
    """Handler methods for /media/... (mixed into webex_cc.Handler)."""

    emu: Any

    # --- GET|HEAD /media/... (ref §5.4) -------------------------------------------------------------

    def s3_error(self, status: int, code: str, message: str, extra: dict | None = None,
                 headers: list | None = None) -> None:
        rid = secrets.token_hex(8).upper()
        body = s3_error_xml(code, message, rid, extra)
        hdrs = [("x-amz-request-id", rid)] + (headers or [])
        self.send_bytes(status, body, "application/xml", hdrs)

    def handle_media(self) -> None:
        emu = self.emu
        self.sleep_latency()
        if self.headers.get("Authorization") is not None:
            emu.stats.incr("media_authorization_rejected")
            self.s3_error(400, "InvalidArgument",
                          "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
                          "query string parameter or the Authorization header should be specified",
                          {"ArgumentName": "Authorization", "ArgumentValue": "Bearer ***"})
            return
        target = self.path
        marker = "&X-Amz-Signature="
        idx = target.rfind(marker)
        params = dict(self.query_pairs())
        required = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders")
        if idx < 0 or any(p not in params for p in required):
            self.s3_error(400 if self.raw_query else 403,
                          "AuthorizationQueryParametersError" if self.raw_query else "AccessDenied",
                          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                          "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
                          if self.raw_query else "Access Denied")
            return
        given = target[idx + len(marker):]
        host = self.headers.get("Host") or ""
        expected = emu.presigner.sign(host, target[:idx])
        if not hmac.compare_digest(given.encode(), expected.encode()):
            emu.stats.incr("media_signature_mismatch")
            self.s3_error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.",
                          {"AWSAccessKeyId": S3_ACCESS_KEY, "SignatureProvided": given})
            return
        try:
            signed_at = _dt.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=_dt.timezone.utc).timestamp()
            expires = int(params["X-Amz-Expires"])
        except ValueError:
            self.s3_error(400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed.")
            return
        now = time.time()
        if now > signed_at + expires:
            emu.stats.incr("media_expired")
            self.s3_error(403, "AccessDenied", "Request has expired",
                          {"X-Amz-Expires": expires,
                           "Expires": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(signed_at + expires)),
                           "ServerTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))})
            return
        obj = self._media_object()
        if obj is None:
            self.s3_error(404, "NoSuchKey", "The specified key does not exist.", {"Key": self.raw_path[len("/media/"):]})
            return
        html_suffix = emu.cfg.media_html_task_suffix
        if self.command == "GET" and html_suffix and obj.task_id.endswith(html_suffix):
            emu.stats.incr("media_html")
            self.send_bytes(200, b"<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>\n",
                            "text/html; charset=utf-8")
            return
        empty_suffix = emu.cfg.media_empty_task_suffix
        if self.command == "GET" and empty_suffix and obj.task_id.endswith(empty_suffix):
            emu.stats.incr("media_empty")
            self.send_bytes(200, b"", "audio/wav")
            return
        if self.command == "GET" and emu.rng.chance(emu.cfg.media_5xx_rate):
            if emu.rng.chance(0.5):
                self.s3_error(503, "SlowDown", "Please reduce your request rate.")
            else:
                self.s3_error(500, "InternalError", "We encountered an internal error. Please try again.")
            return
        self._send_object(obj)

    def _media_object(self) -> MediaObject | None:
        parts = self.raw_path.split("/")
        # ['', 'media', area, org, task, '<id>~<tag>.<ext>']
        if len(parts) != 6 or parts[3] != self.emu.org_id:
            return None
        obj_id = parts[5].split("~", 1)[0]
        obj = self.emu.dataset.objects.get((parts[4], obj_id))
        if obj is None or Presigner.path_for(self.emu.org_id, obj) != self.raw_path:
            return None
        return obj

    def _send_object(self, obj: MediaObject) -> None:
        emu = self.emu
        ds = emu.dataset
        size = obj.size
        start, end, status = 0, size, 200  # [start, end)
        etag, last_modified = ds.etag(obj), emulib.http_date(obj.stop_ms / 1000 + obj.generation)
        rng_header = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng_header and if_range is not None:
            emu.stats.incr("media_if_range_requests")
            if if_range.strip() not in (etag, last_modified):  # S3: a stale validator gets the whole object
                emu.stats.incr("media_if_range_mismatch")
                rng_header = None
        if rng_header:
            emu.stats.incr("media_range_requests")
            self.log_extra = {"range": rng_header}
            m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", rng_header)
            if m and (m.group(1) or m.group(2)):  # single range; anything else is ignored (full body)
                first, last = m.group(1), m.group(2)
                if not first:
                    n = int(last)
                    if n == 0:
                        return self._range_not_satisfiable(size, rng_header)
                    start, end, status = max(0, size - n), size, 206
                elif int(first) >= size:
                    return self._range_not_satisfiable(size, rng_header)
                elif not last or int(last) >= int(first):
                    start = int(first)
                    end = min(size, int(last) + 1) if last else size
                    status = 206
        if status == 206 and end - start > 1 and emu.rng.chance(emu.cfg.media_short_206_rate):
            end = start + emu.rng.randint(1, end - start - 1)  # honest Content-Range, ends early
            emu.stats.incr("media_short_206")
        headers = [("Accept-Ranges", "bytes"), ("ETag", etag), ("Last-Modified", last_modified),
                   ("x-amz-request-id", secrets.token_hex(8).upper()),
                   ("x-amz-server-side-encryption", "AES256"),
                   ("Content-Disposition", f'attachment; filename="{obj.file_name}"')]
        if status == 206:
            headers.append(("Content-Range", f"bytes {start}-{end - 1}/{size}"))
        self.send_response(status)
        self.response_status = status
        self.send_header("Content-Type", obj.content_type)
        self.send_header("Content-Length", str(end - start))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        stop_at = end
        dropped = False
        if end > start and emu.rng.chance(emu.cfg.media_drop_rate):
            stop_at = start + emu.rng.randint(0, end - start - 1)
            dropped = True
        sent = 0
        try:
            for chunk in obj.iter_bytes(ds.audio, start, stop_at):
                self.wfile.write(chunk)
                sent += len(chunk)
        finally:
            emu.stats.incr("bytes_served", sent)
        if dropped:
            emu.stats.incr("media_dropped")
            self.log_extra["dropped_after"] = sent
            self.close_connection = True
            if obj.content is None and emu.rng.chance(emu.cfg.media_replace_on_drop):
                Dataset.replace(obj)
                emu.stats.incr("media_replaced")

    def _range_not_satisfiable(self, size: int, header: str) -> None:
        self.s3_error(416, "InvalidRange", "The requested range is not satisfiable",
                      {"RangeRequested": header, "ActualObjectSize": size},
                      headers=[("Content-Range", f"bytes */{size}")])
