# SPDX-License-Identifier: Apache-2.0
"""Part of emulib (tests/emulators/emulib.py): small helpers every emulator uses - boolean parsing,
the atomic ready file, HTTP dates, JSON bytes and a thread-safe seeded RNG."""

from __future__ import annotations

import datetime as _dt
import email.utils
import json
import os
import random
import tempfile
import threading
from typing import Any

LOOPBACK = "127.0.0.1"

# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def parse_bool(value: Any) -> bool:
    """Parse true/false style values from the command line or a JSON config body."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("1", "true", "yes", "on"):
            return True
        if v in ("0", "false", "no", "off"):
            return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


def write_json_atomic(path: str, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` so that readers never see a partial file."""
    directory = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ready-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def http_date(epoch_seconds: float) -> str:
    """RFC 7231 IMF-fixdate, e.g. ``Sun, 01 Nov 2026 10:00:00 GMT``."""
    return email.utils.formatdate(epoch_seconds, usegmt=True)


def utc_day_start_ms(day: str) -> int:
    """Epoch milliseconds of 00:00:00.000 UTC on ``day`` (``YYYY-MM-DD``)."""
    d = _dt.date.fromisoformat(day)
    return int(_dt.datetime(d.year, d.month, d.day, tzinfo=_dt.timezone.utc).timestamp()) * 1000


def json_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


class ThreadSafeRandom:
    """A seeded ``random.Random`` usable from many handler threads (fault injection etc.)."""

    def __init__(self, seed: Any) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def reseed(self, seed: Any) -> None:
        with self._lock:
            self._rng.seed(seed)

    def random(self) -> float:
        with self._lock:
            return self._rng.random()

    def chance(self, probability: float) -> bool:
        """True with the given probability; 0 never draws (keeps sequences stable when faults are off)."""
        if probability <= 0:
            return False
        if probability >= 1:
            return True
        return self.random() < probability

    def randint(self, a: int, b: int) -> int:
        with self._lock:
            return self._rng.randint(a, b)

    def choice(self, seq):
        with self._lock:
            return self._rng.choice(seq)
