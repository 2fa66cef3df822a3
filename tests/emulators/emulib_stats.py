# SPDX-License-Identifier: Apache-2.0
"""Part of emulib (tests/emulators/emulib.py): thread-safe request accounting - counters, gauges and
per-endpoint response counts behind ``GET /_emulator/stats``, and the recent-request ring buffer behind
``GET /_emulator/requests``."""

from __future__ import annotations

import collections
import threading
from typing import Any, Iterable


class Stats:
    """Thread-safe counters, nested counters and in-flight gauges with peaks.

    ``snapshot()`` returns a plain dict suitable for JSON.  ``reset()`` zeroes everything (gauges keep
    their current value but their peak restarts from it).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, int] = collections.Counter()
        self._nested: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self._inflight: dict[str, int] = collections.Counter()
        self._peak: dict[str, int] = collections.Counter()

    def incr(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counters[name] += n

    def incr_nested(self, group: str, key: str, n: int = 1) -> None:
        with self._lock:
            self._nested[group][key] += n

    def enter(self, gauge: str) -> None:
        with self._lock:
            self._inflight[gauge] += 1
            if self._inflight[gauge] > self._peak[gauge]:
                self._peak[gauge] = self._inflight[gauge]

    def leave(self, gauge: str) -> None:
        with self._lock:
            self._inflight[gauge] -= 1

    def reset(self) -> None:
        with self._lock:
            self._counters.clear()
            self._nested.clear()
            self._peak = collections.Counter(self._inflight)

    def snapshot(self, counter_names: Iterable[str] = ()) -> dict:
        with self._lock:
            out: dict[str, Any] = {name: 0 for name in counter_names}
            out.update(self._counters)
            for group, c in self._nested.items():
                out[group] = dict(c)
            out["inflight"] = dict(self._inflight)
            out["peak_inflight"] = dict(self._peak)
            return out

    def count_response(self, endpoint: str, status: int | None) -> None:
        """Count one answered request: the nested counter ``responses{"ENDPOINT STATUS"}`` and, by status,
        ``status_401``, ``status_429`` or ``status_5xx``.  Nothing when no response was sent (``None``)."""
        if status is None:
            return
        self.incr_nested("responses", f"{endpoint} {status}")
        if status == 401:
            self.incr("status_401")
        elif status == 429:
            self.incr("status_429")
        elif status >= 500:
            self.incr("status_5xx")


def group_responses(snap: dict) -> dict:
    """Regroup a ``Stats.snapshot()``'s ``responses`` counters, keyed ``"ENDPOINT STATUS"``, as
    ``{endpoint: {status: n}}`` (what ``GET /_emulator/stats`` shows); sets ``snap["responses"]`` (added
    at the end when there were none yet) and returns ``snap``."""
    responses: dict[str, dict[str, int]] = {}
    for key, n in snap.get("responses", {}).items():
        endpoint, _, status = key.rpartition(" ")
        responses.setdefault(endpoint, {})[status] = n
    snap["responses"] = responses
    return snap


class RequestLog:
    """Ring buffer of recent requests (no secrets) for tests: ``GET /_emulator/requests``."""

    def __init__(self, capacity: int = 2000) -> None:
        self._lock = threading.Condition()
        self._items: collections.deque = collections.deque(maxlen=capacity)
        self._seq = 0
        self._arrivals = 0
        self._in_flight: set[int] = set()

    def arrive(self) -> int:
        """A number for a request as it arrives. Entries are added once the request is answered,
        after the client may already have its answer: snapshot() waits for the requests that
        arrived but are not added yet, and lists the entries in their order of arrival."""
        with self._lock:
            self._arrivals += 1
            self._in_flight.add(self._arrivals)
            return self._arrivals

    def add(self, entry: dict, arrival: int | None = None) -> None:
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            entry["arrival"] = arrival if arrival else self._arrivals + self._seq / 1e6
            self._in_flight.discard(arrival)
            self._items.append(entry)
            self._lock.notify_all()

    def done(self, arrival: int) -> None:
        """A request that arrived but will not be added (a control request)."""
        with self._lock:
            self._in_flight.discard(arrival)
            self._lock.notify_all()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def snapshot(self, wait: float = 2.0) -> list:
        """The entries in the order their requests arrived, once every request that arrived
        before this call is added (at most `wait` seconds: a download still streaming is left out)."""
        with self._lock:
            before = {a for a in self._in_flight}
            self._lock.wait_for(lambda: not (before & self._in_flight), timeout=wait)
            return sorted(self._items, key=lambda e: e["arrival"])
