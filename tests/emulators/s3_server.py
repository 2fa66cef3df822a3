#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Loopback S3 server for ccrec's integration tests: moto's server, in-process, with SigV4
signature checking ON (docs/reference/s3-sigv4.md §5.1).

    python3 s3_server.py --port 0 --ready-file PATH --state-dir DIR [--bucket NAME] [--region R]

Start-up:
1. moto's ThreadedMotoServer binds 127.0.0.1:PORT (0 = a free port). Authentication is off at first
   (moto's default when INITIAL_NO_AUTH_ACTION_COUNT is unset).
2. With throwaway bootstrap credentials, boto3 creates an IAM user with an ``s3:*`` policy and an
   access key, and creates the bucket.
3. ``POST /moto-api/reset-auth`` with body ``0`` (Content-Type text/plain) turns authentication on:
   from then on every request must be signed with the IAM user's key (wrong secret → 403
   SignatureDoesNotMatch, unknown key → 403 InvalidAccessKeyId).
4. The ready file is written atomically:
   ``{"port":N,"endpoint":"http://127.0.0.1:N","access_key":..,"secret_key":..,"region":"us-east-1",
   "bucket":..,"role_arn":..,"pid":P}``. The IAM user may also call STS AssumeRole (moto serves STS
   on the same port and checks its signature) for ``role_arn``, whose credentials may use S3.
   AssumeRoleWithWebIdentity needs ``--no-auth``: moto 5.2.1 answers 500 to an unsigned request
   once authentication is on.
Runs until SIGTERM/SIGINT (exit 0). Plain HTTP only (moto serves no TLS here).

``--shared`` (one server for a whole ctest run; tests/emulators/shared_server.py starts and stops
it): a second loopback listener, ``control_endpoint`` in the ready file, creates and removes
buckets so that each test process gets a bucket of its own: ``POST /buckets/NAME/create`` and
``POST /buckets/NAME/delete`` (every object version, delete marker and multipart upload, then the
bucket), both signed with the IAM user's key like any client. ``--max-lifetime S`` ends the
server after S seconds whatever happens, so that an interrupted run leaves nothing behind.

moto 5.2.1 quirks to respect in tests (s3-sigv4.md §5.1): keys needing percent-encoding other than a
space give false SignatureDoesNotMatch; presigned URLs answer 500; Content-MD5 / checksums / the
payload hash are not verified.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from emulib import write_json_atomic  # noqa: E402

LOOPBACK = "127.0.0.1"


def start_control(client, region: str):  # type: ignore[no-untyped-def]
    """The --shared listener: POST /buckets/NAME/create and /buckets/NAME/delete, through moto's S3 API."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    def create(name: str) -> None:
        if region == "us-east-1":
            client.create_bucket(Bucket=name)
        else:
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})

    def delete(name: str) -> None:
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
            for u in page.get("Uploads", []):
                client.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
        for page in client.get_paginator("list_object_versions").paginate(Bucket=name):
            gone = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            for i in range(0, len(gone), 1000):
                client.delete_objects(Bucket=name, Delete={"Objects": gone[i:i + 1000], "Quiet": True})
        client.delete_bucket(Bucket=name)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server API
            parts = self.path.strip("/").split("/")
            status, text = 404, "POST /buckets/NAME/create or /buckets/NAME/delete"
            if len(parts) == 3 and parts[0] == "buckets" and parts[2] in ("create", "delete"):
                try:
                    (create if parts[2] == "create" else delete)(parts[1])
                    status, text = 200, "ok"
                except Exception as e:  # noqa: BLE001 - reported to the test
                    status, text = 500, f"{type(e).__name__}: {e}"
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = a free one)")
    parser.add_argument("--ready-file", required=True, help="JSON file written atomically once ready")
    parser.add_argument("--state-dir", required=True, help="working directory (created; nothing stored yet)")
    parser.add_argument("--bucket", default="ccrec-test", help="bucket to create (default ccrec-test)")
    parser.add_argument("--region", default="us-east-1", help="region (default us-east-1)")
    parser.add_argument("--no-auth", action="store_true", help="leave signature checking off (debugging only)")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    parser.add_argument("--shared", action="store_true", help="serve POST /buckets/NAME/{create,delete} too")
    parser.add_argument("--max-lifetime", type=float, default=0, help="exit after this many seconds (0: never)")
    args = parser.parse_args()

    try:
        os.unlink(args.ready_file)
    except FileNotFoundError:
        pass
    os.makedirs(args.state_dir, exist_ok=True)

    # Loopback only: never let a proxy from the environment see these requests.
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        os.environ.pop(var, None)
    os.environ.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)  # start with auth off
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")

    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from moto.server import ThreadedMotoServer  # noqa: E402  (slow import: after argument parsing)
    import boto3  # noqa: E402
    from botocore.config import Config  # noqa: E402

    server = ThreadedMotoServer(ip_address=LOOPBACK, port=args.port, verbose=args.verbose)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{LOOPBACK}:{port}"

    session = boto3.session.Session(aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap",
                                    region_name=args.region)
    cfg = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, signature_version="s3v4")
    iam = session.client("iam", endpoint_url=endpoint, config=cfg)
    iam.create_user(UserName="ccrec-tester")
    iam.put_user_policy(
        UserName="ccrec-tester", PolicyName="s3all",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:AssumeRole"],'
                       '"Resource":"*"}]}')
    key = iam.create_access_key(UserName="ccrec-tester")["AccessKey"]
    # A role the tester may assume (STS AssumeRole, served by moto on the same port; moto checks the
    # signature of AssumeRole once auth is on). Its temporary credentials may use S3.
    role = iam.create_role(
        RoleName="ccrec-role",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                 '"Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}')["Role"]
    iam.put_role_policy(
        RoleName="ccrec-role", PolicyName="s3all",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}')
    s3 = session.client("s3", endpoint_url=endpoint, config=cfg)
    if args.region == "us-east-1":
        s3.create_bucket(Bucket=args.bucket)
    else:
        s3.create_bucket(Bucket=args.bucket, CreateBucketConfiguration={"LocationConstraint": args.region})

    if not args.no_auth:
        req = urllib.request.Request(f"{endpoint}/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=10) as resp:
            if resp.status != 200:
                sys.stderr.write(f"s3_server: reset-auth answered HTTP {resp.status}\n")
                return 1

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    control = None
    if args.shared:
        client = boto3.session.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                                       region_name=args.region).client("s3", endpoint_url=endpoint, config=cfg)
        control = start_control(client, args.region)
    if args.max_lifetime > 0:
        threading.Timer(args.max_lifetime, stop.set).start()

    write_json_atomic(args.ready_file, {
        "port": port,
        "endpoint": endpoint,
        "access_key": key["AccessKeyId"],
        "secret_key": key["SecretAccessKey"],
        "region": args.region,
        "bucket": args.bucket,
        "role_arn": role["Arn"],
        "auth": not args.no_auth,
        "pid": os.getpid(),
        **({"control_endpoint": f"http://{LOOPBACK}:{control.server_port}"} if control else {}),
    })
    try:
        while not stop.wait(0.5):
            pass
    finally:
        try:
            os.unlink(args.ready_file)
        except OSError:
            pass
    # Nothing is kept on disk, so there is nothing to shut down cleanly: exit at once instead of
    # waiting for werkzeug's serve loop and the interpreter's teardown of moto (~1-2 s per test).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
