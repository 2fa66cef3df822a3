# SPDX-License-Identifier: Apache-2.0
"""Part of the Huawei CC-Gateway emulator (huawei_gateway.py): recording downloads ``GET
.../recordfile/{agentid}`` (ref §6), as a mixin of its request handler (which holds the state in ``emu``)."""

from __future__ import annotations

import time

from huawei_common import OCTET_CT, RETCODE_RE, RETCODES
from huawei_state import GatewayEmulator, RecFile, java_query_decode


class DownloadMixin:
    """Handler methods of the recording download (mixed into huawei_gateway.Handler)."""

    emu: GatewayEmulator

    # --- download ------------------------------------------------------------------------------------

    def parse_download_query(self) -> tuple[dict | None, str | None]:
        params: dict[str, str] = {}
        raw_record_id = None
        for part in self.raw_query.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            if name == "recordId":
                raw_record_id = value
            try:
                params[java_query_decode(name)] = java_query_decode(value)
            except (ValueError, UnicodeDecodeError) as e:
                return None, f"bad query parameter {name!r}: {e}"
        if raw_record_id is not None:
            self.log_extra["raw_record_id"] = raw_record_id
            if self.emu.cfg.require_encoded_record_id and any(c in raw_record_id for c in ":/\\"):
                return None, "recordId must be percent-encoded"
        return params, None

    def handle_download(self, agent_id: str) -> None:
        emu = self.emu
        cfg = emu.cfg
        s = self.authenticate(agent_id, "download")
        if s is None:
            return
        emu.stats.incr("downloads")
        params, problem = self.parse_download_query()
        if params is None:
            return self.reply("000-002", message=f"{RETCODES['000-002']}: {problem}")
        record_id = params.get("recordId")
        self.log_extra["record_id"] = record_id
        if not record_id:
            return self.reply("000-002", message=f"{RETCODES['000-002']}: recordId is required")
        filetype = params.get("filetype", "1")
        if filetype not in ("1", "2"):
            return self.reply("000-002", message=f"{RETCODES['000-002']}: filetype must be 1 or 2")
        location_id = params.get("locationId")
        if location_id is not None and not location_id.isdigit():
            return self.reply("000-002", message=f"{RETCODES['000-002']}: locationId must be a number")
        magic = RETCODE_RE.search(record_id)
        if magic:
            return self.reply(magic.group(1))
        forced = emu.take_failure("download")
        if forced:
            return self.reply(forced)
        with emu.lock:
            f = emu.files.get(record_id)
        if f is None or f.available_at > time.monotonic():
            return self.reply("104-005")
        if cfg.pool_mode:
            if location_id is None:
                return self.reply("104-010")
            if location_id != f.location_id:
                return self.reply("104-005", message=f"{RETCODES['104-005']} on node {location_id}")
        if str(f.filetype) != filetype:
            return self.reply("104-005", message=f"{RETCODES['104-005']} (filetype {filetype})")
        agent = emu.agents[agent_id]
        with emu.lock:
            limit = cfg.max_concurrent_downloads_per_agent
            busy = bool(limit) and agent.downloads_inflight >= limit
            if not busy:
                agent.downloads_inflight += 1
        if busy:
            emu.stats.incr("concurrent_download_rejections")
            return self.reply("000-007")
        try:
            self.stream_file(f)
        finally:
            with emu.lock:
                agent.downloads_inflight -= 1

    def stream_file(self, f: RecFile) -> None:
        emu = self.emu
        cfg = emu.cfg
        emu.sync_large()
        bank = emu.content()
        size = f.size
        self.retcode = None
        self.send_response(200)
        self.response_status = 200
        self.send_header("Content-Type", OCTET_CT)
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Disposition", "attachment; filename=\"recordfile\"")
        for k, v in self.extra_headers + self.guid_headers():
            self.send_header(k, v)
        self.end_headers()
        stop_at = size
        dropped = False
        if size > 0 and emu.rng.chance(cfg.download_drop_rate):
            stop_at = emu.rng.randint(0, size - 1)
            dropped = True
        sent = 0
        try:
            for chunk in bank.iter_payload(f.offset, 0, stop_at):
                self.wfile.write(chunk)
                sent += len(chunk)
                if cfg.download_chunk_delay_ms:
                    time.sleep(cfg.download_chunk_delay_ms / 1000.0)
        finally:
            emu.stats.incr("bytes_served", sent)
        if dropped:
            emu.stats.incr("downloads_dropped")
            self.close_connection = True
            return
        emu.stats.incr("downloads_ok")
        if size > 30 * 1024 * 1024:
            emu.stats.incr("large_downloads")
        self.log_extra["bytes"] = sent
