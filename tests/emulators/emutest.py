# SPDX-License-Identifier: Apache-2.0
"""Client side shared by the emulator self-tests (tests/emulators/test_*.py).

``EmulatorProcess`` runs one emulator as a subprocess under the process contract of emulib.py: a fresh
temporary directory, ``--port 0 --ready-file DIR/ready.json --state-dir DIR/state``, stderr captured in
``DIR/stderr.log``; it waits for the ready file, trusts the emulator's throwaway CA, sends requests, calls
``/_emulator/...`` control endpoints and stops the process with SIGTERM.  Each self-test subclasses it
with the request helpers its vendor API needs.  Standard library only.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from typing import Any


class EmulatorProcess:
    """One emulator subprocess, started and ready when the constructor returns.

    ``script`` is the emulator's path, ``args`` extra flags (``plain_http`` adds ``--plain-http``).
    Attributes: ``dir`` (the temporary directory), ``ready_file``, ``log`` (the stderr file), ``proc``,
    ``ready`` (the parsed ready file), ``port``, ``base`` (its base URL) and ``ctx`` (an SSL context that
    trusts its CA; None over plain HTTP).  Raises RuntimeError with the emulator's stderr when it exits or
    is not ready within ``start_timeout`` seconds.
    """

    def __init__(self, script: str, *args: str, prefix: str = "emu-test-", plain_http: bool = False,
                 start_timeout: float = 20.0) -> None:
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.ready_file = os.path.join(self.dir, "ready.json")
        cmd = [sys.executable, script, "--port", "0", "--ready-file", self.ready_file,
               "--state-dir", os.path.join(self.dir, "state"), *args]
        if plain_http:
            cmd.append("--plain-http")
        self.log = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + start_timeout
        while not os.path.exists(self.ready_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("emulator did not start: " + self.stderr_text())
            time.sleep(0.02)
        with open(self.ready_file) as f:
            self.ready: dict = json.load(f)
        self.port: int = self.ready["port"]
        self.base: str = self.ready["base_url"]
        self.ctx = ssl.create_default_context(cafile=self.ready["ca_file"]) if self.ready["ca_file"] else None

    def stderr_text(self) -> str:
        """What the emulator has written to stderr so far."""
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stop(self) -> int:
        """SIGTERM (SIGKILL after 10 s), wait, and return the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def cleanup(self) -> None:
        """Delete the temporary directory (state, ready file, log)."""
        shutil.rmtree(self.dir, ignore_errors=True)

    def shutdown(self, check_exit: bool = True, check_log: bool = True) -> None:
        """``stop()`` and ``cleanup()``; then raise AssertionError when ``check_log`` and the emulator
        logged a Python traceback, or ``check_exit`` and it did not exit 0 or left its ready file."""
        code = self.stop()
        ready_left = os.path.exists(self.ready_file)
        log = self.stderr_text()
        self.cleanup()
        if check_log and "Traceback" in log:
            raise AssertionError("emulator logged an exception:\n" + log)
        if check_exit and code != 0:
            raise AssertionError(f"emulator exited with {code} after SIGTERM")
        if check_exit and ready_left:
            raise AssertionError("ready file not removed on shutdown")

    def connection(self, host: str = "127.0.0.1") -> http.client.HTTPConnection:
        """A new connection to the emulator (HTTPS with its CA unless it serves plain HTTP)."""
        if self.ctx:
            return http.client.HTTPSConnection(host, self.port, context=self.ctx, timeout=30)
        return http.client.HTTPConnection(host, self.port, timeout=30)

    def exchange(self, method: str, target: str, body: bytes | str | None = None, headers: dict | None = None,
                 conn: http.client.HTTPConnection | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send one request (a ``str`` body as UTF-8) and return (status, headers as sent, body).

        Uses ``conn`` when given (left open), else a new connection that is closed afterwards."""
        if isinstance(body, str):
            body = body.encode()
        own = conn is None
        conn = conn or self.connection()
        try:
            conn.request(method, target, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.getheaders(), data
        finally:
            if own:
                conn.close()

    def control(self, path: str, body: dict | None = None) -> Any:
        """``GET /_emulator/PATH``, or ``POST`` with ``body`` as JSON; the JSON answer, or AssertionError
        when the status is not 200."""
        target = "/_emulator/" + path
        if body is None:
            status, _, data = self.exchange("GET", target)
        else:
            status, _, data = self.exchange("POST", target, json.dumps(body), {"Content-Type": "application/json"})
        if status != 200:
            raise AssertionError(f"{target} -> {status} {data!r}")
        return json.loads(data)
