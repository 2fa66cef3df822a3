#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Regenerates the emulator-derived seed corpora under fuzz/corpus/<target>/.

Starts the vendor emulators of tests/emulators/ on loopback (plain HTTP where supported), makes
the requests ccrec makes, and stores the real response bodies (with each target's input prefix,
see the header comment of fuzz/<target>_fuzz.cpp) as seeds named emu-*. Hand-made edge cases
(hand-*) and minimised crash inputs (crash-*) are kept; only emu-* files are rewritten.

Usage: python3 fuzz/make_seeds.py        (about 20 s)
"""
from __future__ import annotations

import json
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EMU_DIR = os.path.join(ROOT, "tests", "emulators")
sys.path.insert(0, EMU_DIR)

import emutest  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")
MAX_SEED = 64 * 1024


def put(target: str, name: str, data: bytes | str) -> None:
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "emu-" + name), "wb") as f:
        f.write(data[:MAX_SEED])


def clear_emu_seeds() -> None:
    if not os.path.isdir(CORPUS):
        return
    for target in os.listdir(CORPUS):
        d = os.path.join(CORPUS, target)
        for name in os.listdir(d):
            if name.startswith("emu-"):
                os.remove(os.path.join(d, name))


def header_lines(status: int, headers: list[tuple[str, str]]) -> str:
    return f"HTTP/1.1 {status} X\n" + "".join(f"{k}: {v}\n" for k, v in headers) + "\n"


DAY_START = 1793491200000  # 2026-11-01T00:00:00Z


def webex_cc() -> None:
    emu = emutest.EmulatorProcess(os.path.join(EMU_DIR, "webex_cc.py"), plain_http=True, prefix="fuzz-seeds-")
    try:
        r = emu.ready
        form = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": r["client_id"],
                                       "client_secret": r["client_secret"], "refresh_token": r["refresh_token"]})
        st, hd, body = emu.exchange("POST", "/v1/access_token", form,
                                    {"Content-Type": "application/x-www-form-urlencoded"})
        put("redact", "token-answer", b"\x21\x00" + body)
        put("response_header", "token", b"\x01" + header_lines(st, hd).encode())
        access = json.loads(body)["access_token"]
        auth = {"Authorization": "Bearer " + access}
        st, hd, body = emu.exchange("GET", f"/v1/tasks?from={DAY_START}&to={DAY_START + 3_600_000}&pageSize=30",
                                    headers=auth)
        put("webex_parse", "tasks", body)
        put("json", "tasks", body)
        put("response_header", "tasks", b"\x00" + header_lines(st, hd).encode())
        all_ids = [t["id"] for t in json.loads(body)["data"]]
        ids = all_ids[:10]
        st, hd, body = emu.exchange("GET", "/v1/tasks?from=abc", headers=auth)
        put("webex_parse", "tasks-400", body)
        st, hd, body = emu.exchange("GET", f"/v1/tasks?from={DAY_START}", headers={"Authorization": "Bearer x"})
        put("webex_parse", "tasks-401", body)
        q = {"query": {"taskIds": ids, "urlExpiration": 10, "includeSegments": True}}
        st, hd, body = emu.exchange("POST", "/v1/captures/query", json.dumps(q),
                                    dict(auth, **{"Content-Type": "application/json"}))
        put("webex_parse", "captures", body)
        put("json", "captures", body)
        urls: list[str] = []

        def collect(node) -> None:
            if isinstance(node, dict):
                for k, v in node.items():
                    if k == "filePath" and isinstance(v, str):
                        urls.append(v)
                    else:
                        collect(v)
            elif isinstance(node, list):
                for v in node:
                    collect(v)
        collect(json.loads(body))
        for i, u in enumerate(urls[:3]):
            put("webex_presigned_url", f"url-{i}", u)
        # A media range answer for the Content-Range target.
        if urls:
            path = urls[0].split(str(emu.port), 1)[1]
            st, hd, _ = emu.exchange("GET", path, headers={"Range": "bytes=100-199"})
            for k, v in hd:
                if k.lower() == "content-range":
                    put("content_range", "media", v)
            put("response_header", "media-206", b"\x01" + header_lines(st, hd).encode())
    finally:
        emu.shutdown(check_exit=False, check_log=False)


def webex_legacy() -> None:
    import test_webex_legacy as t  # noqa: E402  (its Emulator class signs requests)
    emu = t.Emulator()
    try:
        q = t.query(DAY_START, DAY_START + 600_000, n=5)
        for rt in ("csrs", "cars", "asrs", "aars"):
            st, hd, body = emu.api(f"/aws/api/{rt}?q={t.q_param(q)}")
            put("webex_legacy", rt, body)
            st, hd, body = emu.api(f"/aws/api/{rt}?q={t.q_param(q)}", accept="text/csv")
            put("csv", rt, b"\x00\x12\x34\x56\x78" + body)
        st, hd, body = emu.api(f"/aws/api/csrs?q={t.q_param(q)}", key="wrong")
        put("webex_legacy", "csrs-401", body)
    finally:
        emu.shutdown(check_exit=False, check_log=False)


def huawei() -> None:
    import test_huawei_gateway as t  # noqa: E402
    t.EMU = t.Emulator("--poll-hold-seconds", "0.2")
    try:
        a = t.Agent()
        doc, headers = a.sign_in()
        set_guid = next((v for k, v in headers if k.lower() == "set-guid"), "")
        cookies = "|".join(v for k, v in headers if k.lower() == "set-cookie")
        head = (set_guid + "|" + cookies).encode()
        put("huawei_wire", "sign-in", b"\x00" + head + b"\n" + json.dumps(doc).encode())
        put("response_header", "huawei-sign-in", b"\x00" + header_lines(200, headers).encode())
        t.EMU.control("record", {"agent_id": a.id, "size": 3000, "fileMediaType": 2, "locationId": 255})
        for i in range(3):
            status, hdrs, data = a.call("GET", f"agentevent/{a.id}")
            put("huawei_wire", f"poll-{i}", b"\x00" + head + b"\n" + data)
        status, hdrs, data = a.call("GET", f"recordfile/{a.id}?filetype=1")
        put("huawei_wire", "recordfile-error", b"\x00\n" + data)
        status, hdrs, data = t.EMU.request("GET", t.API + f"agentevent/{a.id}", headers={"Guid": "bogus"})
        put("huawei_wire", "bad-guid", b"\x01\n" + data)
        a.sign_out()
    finally:
        t.EMU.shutdown(check_exit=False, check_log=False)


def face() -> None:
    import test_face_server as t  # noqa: E402
    emu = t.Emulator(plain_http=True)
    try:
        st, hd, body = emu.login()
        put("face_parse", "login-json", b"\x00" + body)
        put("redact", "face-login", b"\x21\x00" + body)
        st, hd, body = emu.login(accept_json=False)
        put("face_parse", "login-xml", b"\x01" + body)
        tok = emu.token()
        params = {"earliestStart": t.DAY_FROM, "latestStart": t.DAY_TO}
        st, hd, body = emu.face("audioRecording/details", params, token=tok)
        put("face_parse", "recordings-json", b"\x10" + body)
        rec_id = None
        try:
            matches = json.loads(body)["result"].get("matches") or []
            rec_id = str(matches[0]["match"]["recordingId"]) if matches else None
        except (ValueError, KeyError, IndexError, TypeError):
            pass
        st, hd, body = emu.face("audioRecording/details", params, token=tok, accept_json=False)
        put("face_parse", "recordings-xml", b"\x01" + body)
        if rec_id:
            st, hd, body = emu.face("audioRecording/segment/details", {"recordingId": rec_id}, token=tok)
            put("face_parse", "segments-json", b"\x10" + body)
            st, hd, body = emu.face("audioRecording/details", {"recordingId": rec_id}, token=tok)
            put("face_parse", "recording-one", b"\x10" + body)
        st, hd, body = emu.face("audioRecording/details", {"recordingId": "1"}, token="not-a-token")
        put("face_parse", "bad-token", b"\x00" + body)
        st, hd, body = emu.face("audioRecording/details", {"bogus": "1"}, token=tok)
        put("face_parse", "bad-param", b"\x00" + body)
    finally:
        emu.shutdown(check_exit=False, check_log=False)


def main() -> int:
    clear_emu_seeds()
    for step in (webex_cc, webex_legacy, huawei, face):
        try:
            step()
        except Exception as e:  # keep the other vendors' seeds
            print(f"make_seeds: {step.__name__} failed: {e!r}", file=sys.stderr)
            return 1
    print("seeds written to", CORPUS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
