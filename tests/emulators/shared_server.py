#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Starts and stops the S3 test server that a whole ctest run shares (ctest fixture
``ccrec_shared_s3``; tests/integration/CMakeLists.txt).

    python3 shared_server.py start READY_FILE   # s3_server.py --shared, detached; returns once ready
    python3 shared_server.py stop READY_FILE    # SIGTERM to the server named in READY_FILE

Starting moto costs every test ~3 s; with the fixture, the harness (ServerProcess::Start) asks this
one server for a bucket of the test process's own instead (POST /buckets/NAME/create) and removes
it afterwards. The server runs in a session of its own, so the setup test may exit, and ends by
itself after --max-lifetime (2 hours) should the cleanup never run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def start(ready_file: str) -> int:
    stop(ready_file, quiet=True)  # a server left by an interrupted run
    state = ready_file + ".state"
    os.makedirs(state, exist_ok=True)
    log = open(ready_file + ".log", "wb")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "s3_server.py"), "--port", "0", "--ready-file",
                             ready_file, "--state-dir", state, "--bucket", "shared-bootstrap", "--shared",
                             "--max-lifetime", "7200"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if os.path.exists(ready_file):
            print(f"shared S3 server ready: pid {proc.pid}, {ready_file}")
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    sys.stderr.write("shared_server: s3_server.py did not become ready; its output:\n")
    sys.stderr.write(open(ready_file + ".log", encoding="utf-8", errors="replace").read())
    return 1


def stop(ready_file: str, quiet: bool = False) -> int:
    try:
        with open(ready_file, encoding="utf-8") as f:
            pid = int(json.load(f)["pid"])
    except (OSError, ValueError, KeyError):
        if not quiet:
            print(f"no shared S3 server at {ready_file}")
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(ready_file):
        time.sleep(0.05)
    try:
        os.unlink(ready_file)
    except OSError:
        pass
    return 0


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.stderr.write(__doc__)
        return 2
    return start(sys.argv[2]) if sys.argv[1] == "start" else stop(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
