# SPDX-License-Identifier: Apache-2.0
"""The Search API of the Webex CC emulator (webex_cc.py): ``POST /search`` (GraphQL, ref §6).

Implements, strictly, the query shape ccrec sends (``src/webex/search.cpp``) and nothing more::

    query($from: Long!, $to: Long!) {
      task(from: $from, to: $to, timeComparator: createdTime,
           filter: {and: [ ... ]}, pagination: {cursor: "0"}) {
        tasks { id channelType ... owner { id name } cad0: stringGlobalVariables(name: "X") { name value } }
        pageInfo { hasNextPage endCursor }
      }
    }

* Body: a JSON object with ``query`` (string) and optional ``variables`` (object); any other member is a
  ``400``.  Auth, rate budget (per client id, shared with Tasks and Captures), fault injection and
  ``?orgId=`` as for the other API endpoints.
* A document that does not parse, an unknown root field, argument, task field, filter field or operator,
  an undefined or missing variable, a window with ``to <= from`` or over 365 days, or a bad cursor is
  answered ``200`` with ``{"errors":[{"message":..,"extensions":{"classification":"ValidationError"}}],
  "data":null}`` (GraphQL convention; the status a live tenant uses is not documented [U]).
* Tasks: the data set's tasks with ``from <= createdTime < to`` (``timeComparator: createdTime``; with
  ``endedTime`` the end time is compared), every channel, in createdTime order, filtered, then paged
  ``PAGE_SIZE`` per page.  The cursor is the page number as a string (``"0"`` or ``"NA"`` = first page);
  ``endCursor`` is the next page's number, ``null`` on the last page (Cisco's samples) [S:SAMPLES].
* Knob ``search_unindexed_suffix``: the tasks whose id ends with it are left out of every answer, filtered or
  not (Search has not indexed them yet; the Tasks API lists them).
* Search-only fields are derived from each task deterministically: ``endedTime`` (null while open),
  ``totalDuration`` (endedTime - createdTime), ``lastWrapupCodeName``, ``lastTeam``, ``lastSite`` (tasks
  with an agent), and string global variables ``CustomerTier`` and ``AccountId`` (telephony only).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

PAGE_SIZE = 25
WRAPUP_CODES = ["Resolved", "Follow-up", "Sale", "No Sale, \"quoted\""]
TEAMS = [{"id": "team-1", "name": "Team Alpha"}, {"id": "team-2", "name": "Team Beta"}]
SITES = [{"id": "site-1", "name": "Austin"}, {"id": "site-2", "name": "Dublin"}]
TIERS = ["gold", "silver", "bronze"]

SCALAR_FIELDS = {"id", "channelType", "status", "direction", "origin", "destination", "createdTime", "endedTime",
                 "totalDuration", "captureRequested", "lastWrapupCodeName", "isActive"}
REF_FIELDS = {"owner", "lastQueue", "lastTeam", "lastSite"}
STRING_FILTER_FIELDS = {"status", "direction", "origin", "destination", "lastWrapupCodeName"}
NUMBER_FILTER_FIELDS = {"totalDuration", "createdTime", "endedTime"}
NUMBER_OPS = {"equals", "notequals", "gt", "gte", "lt", "lte"}


class GraphQLError(Exception):
    pass


# --- a small GraphQL reader ------------------------------------------------------------------------

_TOKEN = re.compile(r'\s+|#[^\n]*|,|(?P<punct>\.\.\.|[{}()\[\]:!$=@|])|(?P<name>[_A-Za-z][_0-9A-Za-z]*)'
                    r'|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<str>"(?:[^"\\\n]|\\.)*")')


def _tokens(text: str) -> list[tuple[str, Any]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise GraphQLError(f"Syntax Error: unexpected character {text[pos]!r} at offset {pos}.")
        pos = m.end()
        if m.group("punct"):
            out.append(("p", m.group("punct")))
        elif m.group("name"):
            out.append(("n", m.group("name")))
        elif m.group("num"):
            out.append(("i", int(m.group("num"))) if re.fullmatch(r"-?\d+", m.group("num")) else ("f", m.group("num")))
        elif m.group("str"):
            try:
                out.append(("s", json.loads(m.group("str"))))
            except ValueError:
                raise GraphQLError("Syntax Error: invalid string literal.")
    return out


class _Var:
    def __init__(self, name: str) -> None:
        self.name = name


class _Enum:
    def __init__(self, name: str) -> None:
        self.name = name


class _Parser:
    def __init__(self, text: str) -> None:
        self.t = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self, kind: str, value: Any = None) -> Any:
        tok = self.peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            raise GraphQLError(f"Syntax Error: expected {value or kind}, found {tok[1] if tok else '<EOF>'!r}.")
        self.i += 1
        return tok[1]

    def at(self, kind: str, value: Any = None) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == kind and (value is None or tok[1] == value)

    def document(self) -> tuple[dict, list]:
        var_defs: dict[str, str] = {}
        if self.at("n", "query"):
            self.take("n")
            if self.at("n"):
                self.take("n")
            if self.at("p", "("):
                self.take("p", "(")
                while not self.at("p", ")"):
                    self.take("p", "$")
                    name = self.take("n")
                    self.take("p", ":")
                    typ = self.take("n")
                    if self.at("p", "!"):
                        self.take("p", "!")
                        typ += "!"
                    var_defs[name] = typ
                self.take("p", ")")
        sel = self.selection_set()
        if self.peek() is not None:
            raise GraphQLError("Syntax Error: unexpected content after the operation (one operation only).")
        return var_defs, sel

    def selection_set(self) -> list:
        self.take("p", "{")
        fields = []
        while not self.at("p", "}"):
            name = self.take("n")
            alias = name
            if self.at("p", ":"):
                self.take("p", ":")
                name = self.take("n")
            args = {}
            if self.at("p", "("):
                self.take("p", "(")
                while not self.at("p", ")"):
                    arg = self.take("n")
                    self.take("p", ":")
                    if arg in args:
                        raise GraphQLError(f"There can be only one argument named '{arg}'.")
                    args[arg] = self.value()
                self.take("p", ")")
            sub = self.selection_set() if self.at("p", "{") else None
            fields.append((alias, name, args, sub))
        self.take("p", "}")
        return fields

    def value(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise GraphQLError("Syntax Error: unexpected <EOF>.")
        if tok == ("p", "$"):
            self.take("p", "$")
            return _Var(self.take("n"))
        if tok == ("p", "["):
            self.take("p", "[")
            items = []
            while not self.at("p", "]"):
                items.append(self.value())
            self.take("p", "]")
            return items
        if tok == ("p", "{"):
            self.take("p", "{")
            obj: dict[str, Any] = {}
            while not self.at("p", "}"):
                key = self.take("n")
                self.take("p", ":")
                if key in obj:
                    raise GraphQLError(f"There can be only one input field named '{key}'.")
                obj[key] = self.value()
            self.take("p", "}")
            return obj
        self.i += 1
        if tok[0] in ("s", "i"):
            return tok[1]
        if tok[0] == "f":
            return float(tok[1])
        if tok[0] == "n":
            if tok[1] in ("true", "false", "null"):
                return {"true": True, "false": False, "null": None}[tok[1]]
            return _Enum(tok[1])
        raise GraphQLError(f"Syntax Error: unexpected {tok[1]!r}.")


# --- the data ----------------------------------------------------------------------------------------

def _pick(task_id: str, salt: str, options: list) -> Any:
    h = int(hashlib.sha256(f"{salt}:{task_id}".encode()).hexdigest()[:8], 16)
    return options[h % len(options)]


def search_record(t: Any, settled: bool) -> dict:
    """The Search API's view of an emulator task (see the module doc)."""
    attrs = t.attributes(settled)
    active = attrs["status"] in ("created", "queued", "offered", "assigned")
    ended = None if active else t.updated_final if settled else t.updated_initial
    rec: dict[str, Any] = {
        "id": t.id, "channelType": t.channel, "status": attrs["status"], "direction": t.direction,
        "origin": t.origin, "destination": t.destination, "createdTime": t.created, "endedTime": ended,
        "totalDuration": None if ended is None else ended - t.created,
        "captureRequested": attrs["captureRequested"], "isActive": active,
        "owner": attrs.get("owner"), "lastQueue": attrs.get("queue"),
        "lastWrapupCodeName": _pick(t.id, "wrapup", WRAPUP_CODES) if attrs.get("owner") else None,
        "lastTeam": _pick(t.id, "team", TEAMS) if attrs.get("owner") else None,
        "lastSite": _pick(t.id, "site", SITES) if attrs.get("owner") else None,
    }
    gvs = {}
    if t.channel == "telephony":
        gvs["CustomerTier"] = _pick(t.id, "tier", TIERS)
        gvs["AccountId"] = str(int(hashlib.sha256(f"acct:{t.id}".encode()).hexdigest()[:6], 16))
    rec["_gv"] = gvs
    return rec


# --- evaluation --------------------------------------------------------------------------------------

def _resolve(v: Any, variables: dict) -> Any:
    if isinstance(v, _Var):
        return variables[v.name]
    if isinstance(v, list):
        return [_resolve(x, variables) for x in v]
    if isinstance(v, dict):
        return {k: _resolve(x, variables) for k, x in v.items()}
    return v


def _check_ops(cond: Any, ops: set, where: str) -> dict:
    if not isinstance(cond, dict) or not cond:
        raise GraphQLError(f"Filter '{where}' must be an object of operators.")
    for op in cond:
        if op not in ops:
            raise GraphQLError(f"Unknown operator '{op}' in filter '{where}'; allowed: {', '.join(sorted(ops))}.")
    return cond


def _compile_filter(f: Any) -> Any:
    """A predicate over search records; GraphQLError for anything ccrec does not send."""
    if not isinstance(f, dict) or len(f) != 1:
        raise GraphQLError("A task filter must be an object with exactly one field.")
    (key, cond), = f.items()
    if key in ("and", "or"):
        if not isinstance(cond, list) or not cond:
            raise GraphQLError(f"Filter '{key}' takes a non-empty list of filters.")
        preds = [_compile_filter(c) for c in cond]
        return (lambda r: all(p(r) for p in preds)) if key == "and" else (lambda r: any(p(r) for p in preds))
    if key == "channelType":
        cond = _check_ops(cond, {"equals", "notequals"}, key)
        vals = {op: (v.name if isinstance(v, _Enum) else None) for op, v in cond.items()}
        if any(v is None for v in vals.values()):
            raise GraphQLError("Filter 'channelType' takes an enum value (telephony, chat, email, social), not a string.")
        return lambda r: all((r["channelType"] == v) == (op == "equals") for op, v in vals.items())
    if key in STRING_FILTER_FIELDS:
        cond = _check_ops(cond, {"equals", "notequals"}, key)
        for v in cond.values():
            if v is not None and not isinstance(v, str):
                raise GraphQLError(f"Filter '{key}' takes a String.")
        return lambda r: all((r[key] == v) == (op == "equals") for op, v in cond.items())
    if key in NUMBER_FILTER_FIELDS:
        cond = _check_ops(cond, NUMBER_OPS, key)
        for v in cond.values():
            if isinstance(v, bool) or not isinstance(v, int):
                raise GraphQLError(f"Filter '{key}' takes a Long.")
        cmp = {"equals": lambda a, b: a == b, "notequals": lambda a, b: a != b, "gt": lambda a, b: a > b,
               "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}
        return lambda r: r[key] is not None and all(cmp[op](r[key], v) for op, v in cond.items())
    if key == "stringGlobalVariables":
        if not isinstance(cond, dict) or set(cond) - {"name", "value"} or "name" not in cond:
            raise GraphQLError("Filter 'stringGlobalVariables' takes {name: {equals: ..}, value: {equals: ..}}.")
        name = _check_ops(cond["name"], {"equals"}, "stringGlobalVariables.name")["equals"]
        value = _check_ops(cond.get("value", {"equals": None}), {"equals"}, "stringGlobalVariables.value")["equals"]
        if not isinstance(name, str):
            raise GraphQLError("stringGlobalVariables.name takes a String.")
        return lambda r: name in r["_gv"] and (value is None or r["_gv"][name] == value)
    if key in REF_FIELDS:
        if not isinstance(cond, dict) or not cond or set(cond) - {"id", "name"}:
            raise GraphQLError(f"Filter '{key}' takes {{id|name: {{equals: ..}}}}.")
        subs = {k: _check_ops(c, {"equals", "notequals"}, f"{key}.{k}") for k, c in cond.items()}
        return lambda r: all(((r[key] or {}).get(k) == v) == (op == "equals")
                             for k, c in subs.items() for op, v in c.items())
    raise GraphQLError(f"Unknown filter field '{key}' on type 'TaskFilters'.")


def _project(rec: dict, fields: list) -> dict:
    out: dict[str, Any] = {}
    for alias, name, args, sub in fields:
        if name in SCALAR_FIELDS:
            if args or sub is not None:
                raise GraphQLError(f"Field '{name}' takes no arguments or selection.")
            out[alias] = rec[name]
        elif name in REF_FIELDS:
            if args or not sub:
                raise GraphQLError(f"Field '{name}' of type '{name.capitalize()}' must have a selection of subfields.")
            ref = rec[name]
            sel = {}
            for a2, n2, ar2, s2 in sub:
                if n2 not in ("id", "name") or ar2 or s2 is not None:
                    raise GraphQLError(f"Field '{n2}' is not defined on type '{name}'.")
                sel[a2] = None if ref is None else ref.get(n2)
            out[alias] = None if ref is None else sel
        elif name == "stringGlobalVariables":
            if set(args) != {"name"} or not isinstance(args["name"], str) or not sub:
                raise GraphQLError("Field 'stringGlobalVariables' needs a String argument 'name' and a selection.")
            for a2, n2, ar2, s2 in sub:
                if n2 not in ("name", "value") or ar2 or s2 is not None:
                    raise GraphQLError(f"Field '{n2}' is not defined on type 'StringGlobalVariable'.")
            gv = rec["_gv"]
            out[alias] = {a2: (args["name"] if n2 == "name" else gv[args["name"]]) for a2, n2, _, _ in sub} \
                if args["name"] in gv else None
        else:
            raise GraphQLError(f"Field '{name}' is not defined on type 'Task'.")
    return out


def run_query(emu: Any, query: str, variables: dict) -> dict:
    """The GraphQL answer ``{"data": ...}``; GraphQLError for a query the emulator rejects."""
    var_defs, sel = _Parser(query).document()
    for name, typ in var_defs.items():
        if typ not in ("Long", "Long!", "String", "String!"):
            raise GraphQLError(f"Unknown type '{typ}' for variable '${name}'.")
        if typ.endswith("!") and variables.get(name) is None:
            raise GraphQLError(f"Variable '${name}' of required type '{typ}' was not provided.")
    for name in variables:
        if name not in var_defs:
            raise GraphQLError(f"Variable '${name}' is provided but not defined by the operation.")
    if len(sel) != 1 or sel[0][1] != "task":
        names = ", ".join(repr(s[1]) for s in sel)
        raise GraphQLError(f"Only the 'task' query is implemented by the emulator; got {names}.")
    alias, _, args, sub = sel[0]
    for a in args:
        if a not in ("from", "to", "timeComparator", "filter", "pagination"):
            raise GraphQLError(f"Unknown argument '{a}' on field 'Query.task'.")

    def used(v: Any) -> None:
        if isinstance(v, _Var) and v.name not in var_defs:
            raise GraphQLError(f"Variable '${v.name}' is not defined.")
        for x in (v if isinstance(v, list) else v.values() if isinstance(v, dict) else []):
            used(x)
    for v in args.values():
        used(v)
    args = _resolve(args, variables)
    lo, hi = args.get("from"), args.get("to")
    for n, v in (("from", lo), ("to", hi)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise GraphQLError(f"Argument '{n}' of type 'Long!' is required (epoch milliseconds).")
    if hi <= lo:
        raise GraphQLError("'to' must be greater than 'from'.")
    if hi - lo > 365 * 86_400_000:
        raise GraphQLError("The duration between 'from' and 'to' must not be more than 365 days.")
    comparator = args.get("timeComparator", _Enum("createdTime"))
    if not isinstance(comparator, _Enum) or comparator.name not in ("createdTime", "endedTime"):
        raise GraphQLError("Argument 'timeComparator' takes createdTime or endedTime.")
    pred = _compile_filter(args["filter"]) if "filter" in args else (lambda r: True)
    pagination = args.get("pagination", {})
    if not isinstance(pagination, dict) or set(pagination) - {"cursor"}:
        raise GraphQLError("Argument 'pagination' takes {cursor: String}.")
    cursor = pagination.get("cursor", "0")
    if cursor == "NA":
        cursor = "0"
    if not isinstance(cursor, str) or not re.fullmatch(r"\d{1,6}", cursor):
        raise GraphQLError(f"Invalid cursor {cursor!r}.")
    page_no = int(cursor)
    if sub is None:
        raise GraphQLError("Field 'task' must have a selection of subfields.")
    wanted: dict[str, Any] = {}
    for a2, n2, ar2, s2 in sub:
        if n2 not in ("tasks", "pageInfo") or ar2 or s2 is None:
            raise GraphQLError(f"Field '{n2}' is not defined on type 'TaskList'.")
        wanted[a2] = (n2, s2)
    settled = emu.cfg.settle_pending
    unindexed = emu.cfg.search_unindexed_suffix
    time_key = comparator.name
    records = []
    for t in sorted(emu.dataset.by_id.values(), key=lambda t: (t.created, t.id)):
        if unindexed and t.id.endswith(unindexed):
            continue
        rec = search_record(t, settled)
        when = rec[time_key]
        if when is None or not (lo <= when < hi):
            continue
        if pred(rec):
            records.append(rec)
    page = records[page_no * PAGE_SIZE:(page_no + 1) * PAGE_SIZE]
    has_next = (page_no + 1) * PAGE_SIZE < len(records)
    out: dict[str, Any] = {}
    for a2, (n2, s2) in wanted.items():
        if n2 == "tasks":
            out[a2] = [_project(r, s2) for r in page]
        else:
            info = {}
            for a3, n3, ar3, s3 in s2:
                if n3 not in ("hasNextPage", "endCursor") or ar3 or s3 is not None:
                    raise GraphQLError(f"Field '{n3}' is not defined on type 'PageInfo'.")
                info[a3] = has_next if n3 == "hasNextPage" else (str(page_no + 1) if has_next else None)
            out[a2] = info
    emu.stats.incr("search_pages")
    emu.stats.incr("search_tasks_returned", len(page))
    return {"data": {alias: out}}


def handle_search(handler: Any) -> None:
    """``POST /search``: see the module doc."""
    handler.sleep_latency()
    client_id = handler.authenticate()
    if client_id is None or handler.inject_faults(client_id):
        return
    ctype = (handler.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
    if ctype != "application/json":
        handler.api_fail(415, f"Content-Type '{ctype or '(none)'}' is not supported; use application/json.")
        return
    q = dict(handler.query_pairs())
    for k in q:
        if k != "orgId":
            handler.api_fail(400, f"Unknown query parameter '{k}'.")
            return
    if not handler.check_org(q.get("orgId")):
        return
    try:
        doc = json.loads(handler.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        handler.api_fail(400, f"Malformed JSON request body: {e}.")
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("query"), str) or set(doc) - {"query", "variables"}:
        handler.api_fail(400, "Request body must be {\"query\": \"<graphql>\", \"variables\": {...}}.")
        return
    variables = doc.get("variables") or {}
    if not isinstance(variables, dict):
        handler.api_fail(400, "Field 'variables' must be a JSON object.")
        return
    try:
        answer = run_query(handler.emu, doc["query"], variables)
    except GraphQLError as e:
        handler.emu.stats.incr("search_graphql_errors")
        handler.send_json(200, {"errors": [{"message": str(e), "extensions": {"classification": "ValidationError"}}],
                                "data": None}, headers=handler.api_headers())
        return
    handler.send_json(200, answer, headers=handler.api_headers())
