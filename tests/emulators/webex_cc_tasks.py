# SPDX-License-Identifier: Apache-2.0
"""The Tasks (``GET /v1/tasks``, ref §4) and Captures (``POST /v1/captures/query``, ref §5) endpoints of the
Webex CC emulator (webex_cc.py), as a mixin of its request handler (which holds the state in ``emu``).
"""

from __future__ import annotations

import gzip
import json
import re
import time
from typing import Any

import emulib
from webex_cc_common import BadRequest, CAPTURE_QUERY_KEYS, CHANNEL_TYPES, TASK_QUERY_PARAMS, parse_int_param
from webex_cc_data import MediaObject
from webex_cc_state import Presigner


class TasksMixin:
    """Handler methods for /v1/tasks and /v1/captures/query (mixed into webex_cc.Handler)."""

    emu: Any

    # --- GET /v1/tasks (ref §4) --------------------------------------------------------------------

    def handle_tasks(self) -> None:
        self.sleep_latency()
        client_id = self.authenticate()
        if client_id is None or self.inject_faults(client_id):
            return
        try:
            params = self._task_params()
        except BadRequest as e:
            self.api_fail(e.status, e.description)
            return
        if not self.check_org(params.get("orgId")):
            return
        ds = self.emu.dataset
        settled = self.emu.cfg.settle_pending
        lo = params["from"]
        hi = params.get("to", int(time.time() * 1000))
        channels = params.get("channelTypes")
        cap = self.emu.cfg.tasks_page_cap
        page_size = min(params["pageSize"], cap) if cap else params["pageSize"]
        no_id = self.emu.cfg.tasks_without_id_suffix
        data = []
        if hi > lo:
            listed = ds.window(lo, hi, self.emu.cfg.from_inclusive)
            if self.emu.cfg.tasks_newest_first:
                listed = reversed(list(listed))
            for task in listed:
                if channels and task.channel not in channels:
                    continue
                attrs = task.attributes(settled)
                data.append({"attributes": attrs} if no_id and task.id.endswith(no_id)
                            else {"id": task.id, "attributes": attrs})
                if len(data) >= page_size:
                    break
        self.log_extra = {"returned": len(data)}
        body = emulib.json_bytes({"meta": {"orgId": self.emu.org_id}, "data": data})
        headers = self.api_headers()
        if len(body) > 1 << 20 and self._accepts_gzip():  # spec: gzip only above 1 MB when asked
            body = gzip.compress(body, compresslevel=5)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Vary", "Accept-Encoding"))
        self.send_bytes(200, body, "application/json", headers)

    def _accepts_gzip(self) -> bool:
        for item in (self.headers.get("Accept-Encoding") or "").split(","):
            name, _, params = item.strip().partition(";")
            if name.strip().lower() == "gzip":
                q = params.strip()
                return not re.fullmatch(r"q\s*=\s*0(\.0*)?", q)
        return False

    def _task_params(self) -> dict:
        seen: dict[str, str] = {}
        for name, value in self.query_pairs():
            if name not in TASK_QUERY_PARAMS:
                hint = " Did you mean 'channelTypes'?" if name.lower() in ("channeltype", "channel") else ""
                raise BadRequest(400, f"Unknown query parameter '{name}'. Supported parameters: "
                                      f"{', '.join(TASK_QUERY_PARAMS)}.{hint}")
            if name in seen:
                if name != "channelTypes":  # arrays may also come exploded (OpenAPI form style)
                    raise BadRequest(400, f"Query parameter '{name}' must not be repeated.")
                value = f"{seen[name]},{value}"
            seen[name] = value
        if "from" not in seen:
            raise BadRequest(400, "Required query parameter 'from' (epoch milliseconds) is missing.")
        out: dict[str, Any] = {"from": parse_int_param("from", seen["from"])}
        if out["from"] < 0:
            raise BadRequest(400, "Query parameter 'from' must not be negative.")
        if "to" in seen:
            out["to"] = parse_int_param("to", seen["to"])
            if out["to"] < out["from"]:
                raise BadRequest(400, f"Query parameter 'to' ({out['to']}) must not be before 'from' ({out['from']}).")
        out["pageSize"] = parse_int_param("pageSize", seen["pageSize"], 1, 1000) if "pageSize" in seen else 100
        if "channelTypes" in seen:
            values = seen["channelTypes"].split(",")
            for v in values:
                if v not in CHANNEL_TYPES:
                    raise BadRequest(400, f"Query parameter 'channelTypes' has invalid value '{v}'; allowed "
                                          f"(lowercase, comma-separated): {', '.join(CHANNEL_TYPES)}.")
            out["channelTypes"] = set(values)
        if "orgId" in seen:
            if not seen["orgId"]:
                raise BadRequest(400, "Query parameter 'orgId' must not be empty.")
            out["orgId"] = seen["orgId"]
        return out

    # --- POST /v1/captures/query (ref §5) ----------------------------------------------------------

    def handle_captures(self) -> None:
        self.sleep_latency()
        client_id = self.authenticate()
        if client_id is None or self.inject_faults(client_id):
            return
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            self.api_fail(415, f"Content-Type '{ctype or '(none)'}' is not supported; use application/json.")
            return
        try:
            q = self._capture_query()
        except BadRequest as e:
            self.api_fail(e.status, e.description)
            return
        if not self.check_org(q.get("orgId")):
            return
        emu = self.emu
        ds = emu.dataset
        settled = emu.cfg.settle_pending
        minutes = q.get("urlExpiration", 60)
        expires_s = emu.cfg.url_expiry_override_seconds
        if expires_s is None:
            expires_s = minutes * 60
        now = time.time()
        data = []
        n_urls = 0
        for task_id in q["taskIds"]:
            task = ds.by_id.get(task_id)
            recs, trans = [], []
            if task is not None:
                for obj in task.recordings(settled, q.get("includeSegments", False), q.get("includeVARecordings", False)):
                    attrs = {"fileName": obj.file_name,
                             "filePath": self._presign(obj, expires_s, now),
                             "startTime": obj.start_ms, "stopTime": obj.stop_ms,
                             "participants": list(obj.participants),
                             "channel1": obj.channel1, "channel2": obj.channel2, "callType": obj.call_type}
                    if obj.sensitive is not None:
                        attrs["sensitive"] = obj.sensitive
                    recs.append({"id": obj.id, "segment": obj.segment, "attributes": attrs})
                for obj in task.transcriptions(settled):
                    trans.append({"Source": obj.source, "Provider": "CISCO", "id": obj.id,
                                  "fileName": obj.file_name, "filePath": self._presign(obj, expires_s, now),
                                  "startTime": str(obj.start_ms), "languageCode": "en-US",
                                  "createTime": str(obj.stop_ms)})
            n_urls += len(recs) + len(trans)
            data.append({"taskId": task_id, "recording": recs, "transcription": trans})
        emu.stats.incr("captures_task_ids", len(q["taskIds"]))
        emu.stats.incr("urls_issued", n_urls)
        self.log_extra = {"task_ids": len(q["taskIds"]), "urls": n_urls}
        self.send_json(200, {"meta": {"orgId": emu.org_id, "urlExpiration": minutes}, "data": data},
                       headers=self.api_headers())

    def _presign(self, obj: MediaObject, expires_s: int, now: float) -> str:
        emu = self.emu
        return emu.presigner.url(emu.scheme, emu.host, Presigner.path_for(emu.org_id, obj), expires_s, now,
                                 obj.file_name)

    def _capture_query(self) -> dict:
        try:
            doc = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise BadRequest(400, f"Malformed JSON request body: {e}.")
        if not isinstance(doc, dict) or "query" not in doc:
            raise BadRequest(400, "Request body must be a JSON object of the form {\"query\": {\"taskIds\": [...]}}.")
        for key in doc:
            if key != "query":
                raise BadRequest(400, f"Unknown field '{key}' in request body; only 'query' is allowed.")
        q = doc["query"]
        if not isinstance(q, dict):
            raise BadRequest(400, "Field 'query' must be a JSON object.")
        for key in q:
            if key not in CAPTURE_QUERY_KEYS:
                raise BadRequest(400, f"Unknown field 'query.{key}'. Supported fields: {', '.join(CAPTURE_QUERY_KEYS)}.")
        out: dict[str, Any] = {}
        ids = q.get("taskIds")
        if ids is None:
            raise BadRequest(400, "Field 'query.taskIds' is required.")
        if not isinstance(ids, list):
            raise BadRequest(400, "Field 'query.taskIds' must be an array of task ID strings.")
        if not ids:
            raise BadRequest(400, "Field 'query.taskIds' must contain at least 1 task ID.")
        if len(ids) > 10:
            raise BadRequest(400, f"Field 'query.taskIds' has {len(ids)} items; maximum number of taskIds allowed is 10.")
        for i, tid in enumerate(ids):
            if not isinstance(tid, str) or not tid.strip():
                raise BadRequest(400, f"Field 'query.taskIds[{i}]' must be a non-empty string.")
        if len(set(ids)) != len(ids):
            dup = next(t for t in ids if ids.count(t) > 1)
            raise BadRequest(400, f"Field 'query.taskIds' must have unique items; '{dup}' is repeated.")
        out["taskIds"] = ids
        exp = q.get("urlExpiration")
        if exp is not None:
            if isinstance(exp, bool) or not isinstance(exp, int):
                raise BadRequest(400, "Field 'query.urlExpiration' must be an integer number of minutes.")
            if exp <= 0:
                raise BadRequest(400, "urlExpiration should be greater than 0.")
            if exp > 60:
                raise BadRequest(400, "urlExpiration should be less than or equal to 60 (minutes).")
            out["urlExpiration"] = exp
        for name in ("includeSegments", "includeVARecordings"):
            v = q.get(name)
            if v is not None:
                if not isinstance(v, bool):
                    raise BadRequest(400, f"Field 'query.{name}' must be a boolean.")
                out[name] = v
        org = q.get("orgId")
        if org is not None:
            if not isinstance(org, str) or not org:
                raise BadRequest(400, "Field 'query.orgId' must be a non-empty string.")
            out["orgId"] = org
        return out
