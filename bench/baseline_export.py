#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Baseline for bench/export_bench.sh: the documented Webex Contact Center recording workflow,
written the way a typical integrator writes it (requests + boto3), strictly sequential.

    docs/reference/webex-cc.md §1: OAuth2 token -> GET /v1/tasks -> POST /v1/captures/query
    -> GET filePath (presigned, no Authorization header) -> upload to S3.

What it does, in order, nothing in parallel:
1. Token check before every API call: the token file (same JSON format as ccrec-export's:
   access_token, expires_at, refresh_token, ...) is refreshed with grant_type=refresh_token when
   the access token has less than 5 minutes left; the rotated refresh token is written back.
2. Lists the window's telephony tasks with pageSize=1000, paging on createdTime (next page from
   the last createdTime of a full page, ids de-duplicated).
3. For every task whose captureRequested is not false: one POST /v1/captures/query with that one
   task id (urlExpiration 30 minutes).
4. For every recording[] entry: GET filePath (streamed into a NamedTemporaryFile, 1 MiB chunks),
   s3.upload_file() (boto3's managed transfer at its defaults), delete the temporary file.
   Key: PREFIX/call-detail/{taskId}/{recordingId}{ext}, as ccrec-export's default template.
429 answers are retried after Retry-After (as Cisco's samples do); other errors are counted and
the run continues. Prints `baseline: recordings=N bytes=N failed=N seconds=S api_calls=N`.

S3 credentials: boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_REGION).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

import boto3
import requests
from botocore.config import Config

REFRESH_MARGIN_S = 300


class WebexSession:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only; never a proxy from the environment
        self.verify = args.ca_file or True
        self.api_calls = 0
        self.token_refreshes = 0
        with open(args.token_file) as f:
            self.token = json.load(f)

    # --- OAuth: refresh when near expiry, persist the rotated refresh token --------------------
    def access_token(self) -> str:
        if not self.token.get("access_token") or self.token.get("expires_at", 0) - time.time() < REFRESH_MARGIN_S:
            r = self.http.post(self.args.token_url, verify=self.verify, timeout=60, data={
                "grant_type": "refresh_token",
                "client_id": self.args.client_id,
                "client_secret": self.args.client_secret,
                "refresh_token": self.token["refresh_token"],
            })
            r.raise_for_status()
            body = r.json()
            now = time.time()
            self.token["access_token"] = body["access_token"]
            self.token["token_type"] = body.get("token_type", "Bearer")
            self.token["expires_at"] = int(now + body["expires_in"])
            if body.get("refresh_token"):
                self.token["refresh_token"] = body["refresh_token"]
            if body.get("refresh_token_expires_in"):
                self.token["refresh_token_expires_at"] = int(now + body["refresh_token_expires_in"])
            tmp = self.args.token_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self.token, f)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.args.token_file)
            self.token_refreshes += 1
        return self.token["access_token"]

    def api(self, method: str, path: str, **kwargs) -> dict:
        while True:
            headers = {"Authorization": f"Bearer {self.access_token()}", "Accept": "application/json"}
            self.api_calls += 1
            r = self.http.request(method, self.args.base_url + path, headers=headers, verify=self.verify,
                                  timeout=60, **kwargs)
            if r.status_code == 429:
                time.sleep(float(r.headers.get("Retry-After", "1")))
                continue
            r.raise_for_status()
            return r.json()

    # --- Tasks, paging on createdTime ----------------------------------------------------------
    def list_tasks(self, start_ms: int, end_ms: int) -> list[dict]:
        tasks, seen, cursor = [], set(), start_ms
        while True:
            page = self.api("GET", "/v1/tasks", params={
                "from": cursor, "to": end_ms, "channelTypes": "telephony", "pageSize": 1000})["data"]
            for t in page:
                if t["id"] not in seen:
                    seen.add(t["id"])
                    tasks.append(t)
            if len(page) < 1000:
                return tasks
            last = page[-1]["attributes"]["createdTime"]
            if last == cursor:  # more than a page in one millisecond: give up on the rest
                return tasks
            cursor = last

    def captures(self, task_id: str) -> list[dict]:
        body = {"query": {"taskIds": [task_id], "urlExpiration": 30}}
        data = self.api("POST", "/v1/captures/query", json=body)["data"]
        return [rec for entry in data for rec in entry.get("recording", [])]


def parse_time(text: str) -> int:
    if text.isdigit():
        return int(text)
    from datetime import datetime
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base-url", required=True)
    p.add_argument("--token-url", required=True)
    p.add_argument("--ca-file")
    p.add_argument("--client-id", default=os.environ.get("CCREC_WEBEX_CLIENT_ID"))
    p.add_argument("--client-secret", default=os.environ.get("CCREC_WEBEX_CLIENT_SECRET"))
    p.add_argument("--token-file", required=True)
    p.add_argument("--from", dest="start", required=True, help="ISO-8601 UTC or epoch ms")
    p.add_argument("--to", dest="end", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--prefix", default="")
    p.add_argument("--s3-endpoint", required=True)
    p.add_argument("--tmp-dir", default=None)
    args = p.parse_args()

    t0 = time.monotonic()
    wx = WebexSession(args)
    s3 = boto3.client("s3", endpoint_url=args.s3_endpoint,
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    prefix = args.prefix.strip("/") + "/" if args.prefix.strip("/") else ""

    recordings = total_bytes = failed = 0
    for task in wx.list_tasks(parse_time(args.start), parse_time(args.end)):
        if task["attributes"].get("captureRequested") is False:
            continue
        try:
            recs = wx.captures(task["id"])
        except requests.RequestException as e:
            print(f"baseline: captures {task['id']}: {e}", file=sys.stderr)
            failed += 1
            continue
        for rec in recs:
            attrs = rec["attributes"]
            ext = os.path.splitext(attrs.get("fileName") or "")[1] or ".wav"
            key = f"{prefix}call-detail/{task['id']}/{rec['id']}{ext}"
            fd, tmp = tempfile.mkstemp(suffix=ext, dir=args.tmp_dir)
            try:
                with os.fdopen(fd, "wb") as f, wx.http.get(attrs["filePath"], stream=True, verify=wx.verify,
                                                           timeout=60) as r:
                    r.raise_for_status()
                    for chunk in r.iter_content(chunk_size=1 << 20):
                        f.write(chunk)
                size = os.path.getsize(tmp)
                s3.upload_file(tmp, args.bucket, key)
                recordings += 1
                total_bytes += size
            except Exception as e:  # noqa: BLE001 - count and go on, like a nightly job
                print(f"baseline: {task['id']}/{rec['id']}: {e}", file=sys.stderr)
                failed += 1
            finally:
                os.unlink(tmp)
    secs = time.monotonic() - t0
    print(f"baseline: recordings={recordings} bytes={total_bytes} failed={failed} seconds={secs:.2f} "
          f"api_calls={wx.api_calls} token_refreshes={wx.token_refreshes}")
    return 0 if failed == 0 else 3


if __name__ == "__main__":
    sys.exit(main())
