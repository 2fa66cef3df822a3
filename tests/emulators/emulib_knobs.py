# SPDX-License-Identifier: Apache-2.0
"""Part of emulib (tests/emulators/emulib.py): knobs, run-time settings that are both command-line
flags and keys of ``GET``/``POST /_emulator/config``."""

from __future__ import annotations

import argparse
import datetime as _dt
import math
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from emulib_util import parse_bool



@dataclass(frozen=True)
class Knob:
    """One knob.  ``kind`` is ``int``, ``float``, ``prob`` (a float from 0 to 1), ``bool``, ``str``,
    ``choice`` (one of ``choices``) or ``days`` (one or more ``YYYY-MM-DD``, a repeatable flag).
    ``minimum``/``maximum`` bound numbers, ``nullable`` allows ``None`` (JSON null), ``dataset`` marks
    knobs whose change means the emulator's data set must be generated again."""

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    choices: tuple[str, ...] = ()
    dataset: bool = False


def coerce_knob(knob: Knob, value: Any, strict_numbers: bool = True) -> Any:
    """Validate and convert a knob value coming from argparse or JSON; raises ValueError saying why.

    ``strict_numbers=False`` keeps face_server's laxer number rules: an ``int`` knob takes a fractional
    number (truncated), a ``prob`` is not checked for NaN/infinity separately, and a boolean given for a
    number is "must be a number" rather than "must be a number, not a boolean".
    """
    if value is None:
        if knob.nullable:
            return None
        raise ValueError(f"{knob.name} must not be null")
    if knob.kind == "bool":
        return parse_bool(value)
    if knob.kind == "choice":
        if value not in knob.choices:
            raise ValueError(f"{knob.name} must be one of {', '.join(knob.choices)}")
        return value
    if knob.kind == "days":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ValueError(f"{knob.name} must be a YYYY-MM-DD string or a non-empty list of them")
        for d in items:
            if not isinstance(d, str):
                raise ValueError(f"{knob.name}: {d!r} is not a YYYY-MM-DD string")
            try:
                _dt.date.fromisoformat(d)
            except ValueError:
                raise ValueError(f"{knob.name}: {d!r} is not a YYYY-MM-DD date") from None
        return sorted(set(items))
    if knob.kind == "str":
        if not isinstance(value, str) or not value:
            raise ValueError(f"{knob.name} must be a non-empty string")
        return value
    if isinstance(value, bool):
        raise ValueError(f"{knob.name} must be a number, not a boolean" if strict_numbers
                         else f"{knob.name} must be a number")
    if knob.kind == "int":
        if strict_numbers and isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{knob.name} must be an integer")
        try:
            v: Any = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{knob.name} must be an integer, got {value!r}") from None
    else:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{knob.name} must be a number, got {value!r}") from None
        if strict_numbers and (math.isnan(v) or math.isinf(v)):
            raise ValueError(f"{knob.name} must be finite")
        if knob.kind == "prob" and not 0.0 <= v <= 1.0:
            raise ValueError(f"{knob.name} must be a probability between 0 and 1")
    if knob.minimum is not None and v < knob.minimum:
        raise ValueError(f"{knob.name} must be >= {knob.minimum}")
    if knob.maximum is not None and v > knob.maximum:
        raise ValueError(f"{knob.name} must be <= {knob.maximum}")
    return v


class KnobConfig:
    """Current values of an emulator's knobs, as attributes (``cfg.latency_ms``).

    A subclass sets ``KNOBS`` (and ``STRICT_NUMBERS = False`` for face_server's number rules, see
    ``coerce_knob``).  Attribute reads are lock-free (atomic under the GIL); updates are locked and
    all-or-nothing: every change is checked before any is made.
    """

    KNOBS: tuple[Knob, ...] = ()
    STRICT_NUMBERS = True
    KNOB_BY_NAME: dict[str, Knob] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.KNOB_BY_NAME = {k.name: k for k in cls.KNOBS}

    def __init__(self, values: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        for knob in self.KNOBS:
            setattr(self, knob.name, values.get(knob.name, knob.default))

    @classmethod
    def from_args(cls, args: argparse.Namespace, prog: str) -> "KnobConfig":
        """The configuration the knob flags (``add_knob_arguments``) give; a bad value exits the process
        with ``PROG: --flag: why`` (or ``PROG: why`` when the constructor rejects the combination)."""
        values = {}
        for knob in cls.KNOBS:
            raw = getattr(args, knob.name)
            if raw is None and knob.kind == "days":  # an append flag that was not given
                raw = knob.default
            try:
                values[knob.name] = coerce_knob(knob, raw, cls.STRICT_NUMBERS)
            except ValueError as e:
                raise SystemExit(f"{prog}: --{knob.name.replace('_', '-')}: {e}")
        try:
            return cls(values)
        except ValueError as e:
            raise SystemExit(f"{prog}: {e}")

    def as_dict(self) -> dict[str, Any]:
        """Every knob's current value, in ``KNOBS`` order (the body of ``GET /_emulator/config``)."""
        return {k.name: getattr(self, k.name) for k in self.KNOBS}

    def coerce_changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Check and convert ``changes`` (knob name -> value; dashes allowed in names) without applying
        them; raises ValueError for an unknown knob or a bad value."""
        new = {}
        for raw_name, value in changes.items():
            name = raw_name.replace("-", "_")
            knob = self.KNOB_BY_NAME.get(name)
            if knob is None:
                raise ValueError(f"unknown knob {raw_name!r}; known: {', '.join(sorted(self.KNOB_BY_NAME))}")
            new[name] = coerce_knob(knob, value, self.STRICT_NUMBERS)
        return new

    def commit(self, values: dict[str, Any]) -> None:
        """Set already-checked values (knob name -> value) under the lock."""
        with self._lock:
            for name, value in values.items():
                setattr(self, name, value)

    def apply(self, changes: dict[str, Any]) -> None:
        """``coerce_changes`` then ``commit``: all of ``changes`` or, on a ValueError, none of them."""
        self.commit(self.coerce_changes(changes))


# Every emulator adds these to its KNOBS: a hostile server that answers at once but then sends the
# body of matching responses a byte at a time (what a per-read or low-speed timeout never catches).
TRICKLE_KNOBS: tuple[Knob, ...] = (
    Knob("trickle_path", "str", None,
         "responses to request paths starting with this prefix send their status and headers at once, then "
         "their body at trickle_bytes_per_second (/_emulator/ paths never trickle)", nullable=True),
    Knob("trickle_bytes_per_second", "float", 2.0, "rate of a trickled response body", minimum=0.1,
         maximum=1_000_000),
)
TRICKLE_KNOB_NAMES = frozenset(k.name for k in TRICKLE_KNOBS)


def add_knob_arguments(parser: argparse.ArgumentParser, knobs: Iterable[Knob],
                       metavar: Callable[[str], str | None] | None = None, none_shown: str = "None") -> None:
    """Add one ``--knob-name`` flag per knob (dest = the knob's name), its default shown in the help.

    ``bool`` flags take true/false, ``choice`` flags their choices, ``days`` flags repeat (default
    ``None``: see ``KnobConfig.from_args``).  Number and string flags are typed by kind; ``metavar(kind)``
    names their argument (default: argparse's own) and ``none_shown`` is the help's word for a
    ``None`` default.
    """
    types = {"int": int, "float": float, "prob": float, "str": str}
    for knob in knobs:
        flag = "--" + knob.name.replace("_", "-")
        if knob.kind == "days":
            parser.add_argument(flag, action="append", default=None, metavar="YYYY-MM-DD",
                                help=f"{knob.help} (default: {knob.default[0]})")
        elif knob.kind == "bool":
            parser.add_argument(flag, type=parse_bool, default=knob.default, metavar="true|false",
                                help=f"{knob.help} (default: {str(knob.default).lower()})")
        elif knob.kind == "choice":
            parser.add_argument(flag, choices=knob.choices, default=knob.default,
                                help=f"{knob.help} (default: {knob.default})")
        else:
            shown = none_shown if knob.default is None else knob.default
            parser.add_argument(flag, type=types[knob.kind], default=knob.default,
                                metavar=metavar(knob.kind) if metavar else None,
                                help=f"{knob.help} (default: {shown})")
