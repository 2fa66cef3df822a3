#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Small helpers of bench/export_bench.sh and bench/s3_upload_bench.sh (loopback only).

    bench_helper.py truth      --base-url U [--ca-file F] --from MS --to MS
    bench_helper.py large      --base-url U [--ca-file F]
    bench_helper.py stats      --base-url U [--ca-file F] [--reset]
    bench_helper.py config     --base-url U [--ca-file F] KNOB=JSON...
    bench_helper.py presign    --base-url U [--ca-file F] --token-url U --client-id C --client-secret S
                               --refresh-token R --task-id T --recording-id ID
    bench_helper.py s3-check   --endpoint U --bucket B [--prefix P] [--sha256] [--delete [--all-versions]]
    bench_helper.py versioning --endpoint U --bucket B
    bench_helper.py s3-truth   --base-url U [--ca-file F] --from MS --to MS --endpoint U --bucket B --prefix P
    bench_helper.py table      TSV_FILE
"""

from __future__ import annotations

import argparse
import json
import ssl
import sys
import urllib.parse
import urllib.request

_OPENER_CACHE: dict = {}


def _opener(ca_file: str | None):
    key = ca_file or ""
    if key not in _OPENER_CACHE:
        handlers = [urllib.request.ProxyHandler({})]  # loopback only, never a proxy
        if ca_file:
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca_file)))
        _OPENER_CACHE[key] = urllib.request.build_opener(*handlers)
    return _OPENER_CACHE[key]


def http_json(url: str, ca_file: str | None, data: bytes | None = None, headers: dict | None = None,
              method: str | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    with _opener(ca_file).open(req, timeout=120) as r:
        body = r.read()
    return json.loads(body) if body else None


def cmd_truth(a) -> int:
    q = urllib.parse.urlencode({"from": a.start, "to": a.end, "channelTypes": "telephony"})
    d = http_json(f"{a.base_url}/_emulator/tasks?{q}", a.ca_file)
    tasks = d["tasks"]
    recs = [r for t in tasks for r in t["recordings"]["stitched"]]
    sizes = sorted(r["size"] for r in recs)
    median = sizes[len(sizes) // 2] if sizes else 0
    queried = sum(1 for t in tasks if t["captureRequested"] is not False)
    print(json.dumps({"tasks": len(tasks), "tasks_queried": queried, "recordings": len(recs),
                      "bytes": sum(sizes), "median": median, "max": sizes[-1] if sizes else 0}))
    return 0


def cmd_large(a) -> int:
    info = http_json(f"{a.base_url}/_emulator/info", a.ca_file)
    tid = info["largeTaskId"]
    q = urllib.parse.urlencode({"from": 0, "to": 2**62})
    tasks = http_json(f"{a.base_url}/_emulator/tasks?{q}", a.ca_file)["tasks"]
    task = next(t for t in tasks if t["id"] == tid)
    recs = task["recordings"]["stitched"]
    main = max(recs, key=lambda r: r["size"])
    same_ms = [t["id"] for t in tasks if t["createdTime"] == task["createdTime"]]
    print(json.dumps({"task_id": tid, "created_ms": task["createdTime"], "recording_id": main["recordingId"],
                      "size": main["size"], "recordings_in_task": len(recs),
                      "bytes_in_task": sum(r["size"] for r in recs), "tasks_in_ms": len(same_ms)}))
    return 0


def cmd_stats(a) -> int:
    if a.reset:
        http_json(f"{a.base_url}/_emulator/reset-stats", a.ca_file, data=b"", method="POST")
        return 0
    s = http_json(f"{a.base_url}/_emulator/stats", a.ca_file)
    req = s.get("requests", {})
    print(json.dumps({"token": req.get("token", 0), "tasks": req.get("tasks", 0),
                      "captures": req.get("captures", 0), "media": req.get("media", 0),
                      "status_429": s.get("status_429", 0), "peak_inflight": s.get("peak_inflight", {}),
                      "connections": s.get("connections", 0)}))
    return 0


def cmd_config(a) -> int:
    body = {}
    for kv in a.set:
        k, _, v = kv.partition("=")
        body[k] = json.loads(v)
    print(json.dumps(http_json(f"{a.base_url}/_emulator/config", a.ca_file, data=json.dumps(body).encode(),
                               headers={"Content-Type": "application/json"}, method="POST")))
    return 0


def cmd_presign(a) -> int:
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "client_id": a.client_id,
                                   "client_secret": a.client_secret, "refresh_token": a.refresh_token}).encode()
    tok = http_json(a.token_url, a.ca_file, data=form,
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    body = json.dumps({"query": {"taskIds": [a.task_id], "urlExpiration": 60}}).encode()
    d = http_json(f"{a.base_url}/v1/captures/query", a.ca_file, data=body,
                  headers={"Content-Type": "application/json", "Authorization": f"Bearer {tok['access_token']}"})
    for entry in d["data"]:
        for rec in entry.get("recording", []):
            if rec["id"] == a.recording_id:
                print(rec["attributes"]["filePath"])
                return 0
    print("presign: recording not found in captures", file=sys.stderr)
    return 1


def cmd_s3_check(a) -> int:
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=a.endpoint,
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    keys, rec, rec_bytes, side = [], 0, 0, 0
    # No Prefix parameter: moto 5.2.1 answers SignatureDoesNotMatch when a query value needs
    # percent-encoding ("prefix=a%2F"); list everything and filter here.
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=a.bucket):
        for o in page.get("Contents", []):
            if not o["Key"].startswith(a.prefix):
                continue
            keys.append(o["Key"])
            if o["Key"].endswith(".json"):
                side += 1
            else:
                rec += 1
                rec_bytes += o["Size"]
    out = {"recordings": rec, "bytes": rec_bytes, "sidecars": side}
    if a.sha256:
        import hashlib
        for k in keys:
            h = hashlib.sha256()
            for chunk in s3.get_object(Bucket=a.bucket, Key=k)["Body"].iter_chunks(1 << 20):
                h.update(chunk)
            out.setdefault("sha256", {})[k] = h.hexdigest()
    if a.delete:
        objs = [{"Key": k} for k in keys]
        if a.all_versions:  # a versioned bucket: delete every version, not just add delete markers
            objs = []
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=a.bucket):
                for v in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    if v["Key"].startswith(a.prefix):
                        objs.append({"Key": v["Key"], "VersionId": v["VersionId"]})
        for i in range(0, len(objs), 1000):
            s3.delete_objects(Bucket=a.bucket, Delete={"Objects": objs[i:i + 1000], "Quiet": True})
    print(json.dumps(out))
    return 0


def cmd_s3_truth(a) -> int:
    """Byte-exact and exactly-once: the recordings under PREFIX/ against the emulator's ground truth
    (default key template call-detail/{task_id}/{recording_id}{ext}). Prints counts; exit 1 on any
    missing, extra, short or differing object."""
    import concurrent.futures
    import hashlib
    import os.path
    import boto3
    from botocore.config import Config
    q = urllib.parse.urlencode({"from": a.start, "to": a.end, "channelTypes": "telephony"})
    tasks = http_json(f"{a.base_url}/_emulator/tasks?{q}", a.ca_file)["tasks"]
    want = {}  # key -> (task, recording, size)
    for t in tasks:
        if t["captureRequested"] is False:
            continue
        for r in t["recordings"]["stitched"]:
            ext = os.path.splitext(r["fileName"])[1]
            want[f"{a.prefix}/call-detail/{r['taskId']}/{r['recordingId']}{ext}"] = (r["taskId"], r["recordingId"],
                                                                                     r["size"])
    s3 = boto3.client("s3", endpoint_url=a.endpoint,
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                    max_pool_connections=16))
    have, sidecars = {}, 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=a.bucket):
        for o in page.get("Contents", []):
            if not o["Key"].startswith(a.prefix + "/"):
                continue
            if o["Key"].endswith(".json"):
                sidecars += 1
            else:
                have[o["Key"]] = o["Size"]

    def differs(key: str) -> bool:
        task, rec, size = want[key]
        if have[key] != size:
            return True
        e = http_json(f"{a.base_url}/_emulator/expected?" + urllib.parse.urlencode({"task_id": task,
                                                                                     "recording_id": rec}), a.ca_file)
        h = hashlib.sha256()
        for chunk in s3.get_object(Bucket=a.bucket, Key=key)["Body"].iter_chunks(1 << 20):
            h.update(chunk)
        return h.hexdigest() != e["sha256"]

    present = [k for k in want if k in have]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        bad = sum(pool.map(differs, present))
    out = {"expected": len(want), "present": len(present), "missing": len(want) - len(present),
           "unexpected": sum(1 for k in have if k not in want), "differing": bad, "sidecars": sidecars}
    print(json.dumps(out))
    return 0 if out["missing"] == out["unexpected"] == out["differing"] == 0 else 1


def cmd_versioning(a) -> int:
    import boto3
    from botocore.config import Config
    s3 = boto3.client("s3", endpoint_url=a.endpoint,
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    s3.put_bucket_versioning(Bucket=a.bucket, VersioningConfiguration={"Status": "Enabled"})
    return 0


def cmd_table(a) -> int:
    rows = [line.rstrip("\n").split("\t") for line in open(a.tsv) if line.strip()]
    if not rows:
        return 0
    widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        cells = [(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])) for i, c in enumerate(r)]
        print("| " + " | ".join(cells) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return 0


def main() -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)

    def emu(sp):
        sp.add_argument("--base-url", required=True)
        sp.add_argument("--ca-file", default=None)

    s = sub.add_parser("truth"); emu(s)
    s.add_argument("--from", dest="start", required=True)
    s.add_argument("--to", dest="end", required=True)
    s = sub.add_parser("large"); emu(s)
    s = sub.add_parser("stats"); emu(s)
    s.add_argument("--reset", action="store_true")
    s = sub.add_parser("config"); emu(s)
    s.add_argument("set", nargs="+", help="knob=JSON value")
    s = sub.add_parser("presign"); emu(s)
    for f in ("--token-url", "--client-id", "--client-secret", "--refresh-token", "--task-id", "--recording-id"):
        s.add_argument(f, required=True)
    s = sub.add_parser("s3-check")
    s.add_argument("--endpoint", required=True)
    s.add_argument("--bucket", required=True)
    s.add_argument("--prefix", default="")
    s.add_argument("--delete", action="store_true")
    s.add_argument("--all-versions", action="store_true", help="with --delete: delete every version")
    s.add_argument("--sha256", action="store_true", help="download and hash every object")
    s = sub.add_parser("versioning")
    s.add_argument("--endpoint", required=True)
    s.add_argument("--bucket", required=True)
    s = sub.add_parser("s3-truth"); emu(s)
    s.add_argument("--from", dest="start", required=True)
    s.add_argument("--to", dest="end", required=True)
    s.add_argument("--endpoint", required=True)
    s.add_argument("--bucket", required=True)
    s.add_argument("--prefix", required=True)
    s = sub.add_parser("table")
    s.add_argument("tsv")
    a = p.parse_args()
    if getattr(a, "ca_file", None) == "":
        a.ca_file = None
    return {"truth": cmd_truth, "large": cmd_large, "stats": cmd_stats, "config": cmd_config, "presign": cmd_presign,
            "s3-check": cmd_s3_check, "versioning": cmd_versioning, "table": cmd_table,
            "s3-truth": cmd_s3_truth}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
