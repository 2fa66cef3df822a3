#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""moto_probe: tests/emulators/s3_server.py with a WSGI wrapper that records, per request, the
headers moto sees (Authorization left out) and the CPU time of the handling thread, to compare
what different S3 clients cost the server (issue 15, bench/RESULTS.md "Issue 3").

    python3 bench/moto_probe.py --log FILE [--profile] -- <s3_server.py arguments>

One JSON line per request in FILE: {"kind": "PUT partNumber", "cpu": s, "q": query, "h": {...}}.
SIGUSR1 appends "STATS {kind: [count, cpu s]}" (and, with --profile, a cProfile table of the
requests since the last SIGUSR1, by internal time) and starts a new period. The thread CPU time
covers moto's handling of the request (body read, auth, storage), not the accept loop.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import signal
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "emulators"))


def main() -> int:
    argv = sys.argv[1:]
    if "--" not in argv or "--log" not in argv[: argv.index("--")]:
        sys.stderr.write(__doc__)
        return 2
    ours, server_args = argv[: argv.index("--")], argv[argv.index("--") + 1:]
    log = open(ours[ours.index("--log") + 1], "a", buffering=1, encoding="utf-8")
    profile = "--profile" in ours

    import moto.server as ms  # noqa: E402  (slow import)

    lock = threading.Lock()
    stats: dict[str, list] = {}
    profiles: list[cProfile.Profile] = []
    original = ms.DomainDispatcherApplication.__call__

    def call(self, environ, start_response):  # type: ignore[no-untyped-def]
        t0 = time.thread_time()
        headers = {k: v for k, v in environ.items()
                   if (k.startswith("HTTP_") or k in ("CONTENT_LENGTH", "CONTENT_TYPE")) and k != "HTTP_AUTHORIZATION"}
        query = environ.get("QUERY_STRING", "")
        kind = environ["REQUEST_METHOD"] + " " + ("partNumber" if "partNumber" in query else query.split("=")[0])
        prof = cProfile.Profile() if profile else None
        if prof:
            prof.enable()
        try:
            return list(original(self, environ, start_response))
        finally:
            if prof:
                prof.disable()
            cpu = time.thread_time() - t0
            with lock:
                entry = stats.setdefault(kind, [0, 0.0])
                entry[0] += 1
                entry[1] += cpu
                if prof:
                    profiles.append(prof)
                log.write(json.dumps({"kind": kind, "cpu": round(cpu, 4), "q": query, "h": headers}) + "\n")

    ms.DomainDispatcherApplication.__call__ = call

    def dump(*_: object) -> None:
        with lock:
            log.write("STATS " + json.dumps(stats) + "\n")
            if profiles:
                out = io.StringIO()
                table = pstats.Stats(profiles[0], stream=out)
                for p in profiles[1:]:
                    table.add(p)
                table.sort_stats("tottime").print_stats(25)
                log.write(out.getvalue())
            stats.clear()
            profiles.clear()

    signal.signal(signal.SIGUSR1, dump)
    import s3_server  # noqa: E402

    sys.argv = ["s3_server.py"] + server_args
    return s3_server.main()


if __name__ == "__main__":
    sys.exit(main())
