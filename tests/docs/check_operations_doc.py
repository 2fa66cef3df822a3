#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Keeps docs/operations.md and examples/deploy/ from rotting (ctest docs.operations).

Every fenced ```bash/```sh block of docs/operations.md must follow a marker comment:

  <!-- test: run -->      the block runs (bash -e -o pipefail) in a scratch directory against the
                          FACE emulator (tests/emulators/face_server.py) and must exit 0. It gets
                          PATH with ccrec-export first, STATE (a scratch state directory), FACE_URL,
                          FACE_USER, FACE_CA and CCREC_FACE_PASSWORD.
  <!-- test: syntax -->   `bash -n`, and every ccrec-export flag in it must be a flag of that
                          (sub)command (read from its --help).
  <!-- test: crontab -->  crontab lines: five time fields and a command (bash -n, flags as above)
                          or VAR=value.

Besides the marked blocks: every unit under examples/deploy/systemd/ passes `systemd-analyze verify`
without a single warning (when systemd-analyze exists) and its ccrec-export command line uses real
flags; examples/deploy/Containerfile copies only files that exist and its RUN lines parse; every
relative link of docs/operations.md points at a file or directory that exists.

Usage: check_operations_doc.py --repo ROOT --ccrec-export PATH
"""
import argparse
import datetime
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*test:\s*(run|syntax|crontab)\s*-->\s*$")
failures = []


def fail(what):
    failures.append(what)
    print("FAIL: " + what, file=sys.stderr)


def blocks(path):
    """(mode or None, language, text, line number) of every fenced block."""
    out, mode, lines = [], None, open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m:
            mode = m.group(1)
            i += 1
            continue
        f = FENCE.match(lines[i])
        if f:
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((mode, f.group(1), "\n".join(body) + "\n", start))
            mode = None
        elif lines[i].strip():
            mode = None  # a marker applies to the block right after it
        i += 1
    return out


class Flags:
    """Checks ccrec-export command lines against the program's --help."""

    def __init__(self, binary):
        self.binary, self.cache = binary, {}
        self.top = self.help([])

    def help(self, sub):
        key = tuple(sub)
        if key not in self.cache:
            r = subprocess.run([self.binary, *sub, "--help"], capture_output=True, text=True, timeout=30)
            self.cache[key] = r.stdout + r.stderr if r.returncode == 0 else None
        return self.cache[key]

    def check(self, command, where):
        # One command line at a time: continuation lines joined, then line by line.
        for line in re.sub(r"\\\n", " ", command).split("\n"):
            if line.strip() and not line.lstrip().startswith("#"):
                self.check_line(line, where)

    def check_line(self, text, where):
        try:
            lex = shlex.shlex(text, posix=True, punctuation_chars=True)
            lex.whitespace_split = True
            tokens = list(lex)
        except ValueError as e:
            fail(f"{where}: cannot split the command line: {e}")
            return
        for i, t in enumerate(tokens):
            if os.path.basename(t) != "ccrec-export":
                continue
            if i > 0 and tokens[i - 1].startswith("-"):
                continue  # the value of an option (`logger -t ccrec-export`), not the program
            args = []
            for a in tokens[i + 1:]:
                if a and all(c in "|&;<>()" for c in a):
                    break
                args.append(a)
            sub = []
            for a in args:
                if a.startswith("-"):
                    break
                if self.help(sub + [a]) is None:
                    break
                sub.append(a)
            if not sub and not any(a in ("--version", "--help") for a in args):
                fail(f"{where}: `ccrec-export {' '.join(args[:2])}` names no subcommand")
                continue
            text_help = self.help(sub) or ""
            for a in args:
                if not a.startswith("--"):
                    continue
                name = a.split("=", 1)[0]
                pattern = re.compile(re.escape(name) + r"(?![\w-])")
                if not pattern.search(text_help) and not pattern.search(self.top):
                    fail(f"{where}: `ccrec-export {' '.join(sub)}` has no flag {name}")


def bash_syntax(text, where):
    r = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{where}: bash -n: {r.stderr.strip()}")


CRON_FIELD = re.compile(r"^[\d*/,A-Za-z-]+$")


def check_crontab(text, where, flags):
    for n, line in enumerate(text.split("\n")):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", line):
            continue
        parts = line.split(None, 5)
        if len(parts) < 6 or not all(CRON_FIELD.match(p) for p in parts[:5]):
            fail(f"{where}+{n}: not a crontab line (5 time fields and a command): {line}")
            continue
        if "%" in parts[5]:
            fail(f"{where}+{n}: an unescaped % ends a crontab command")
        bash_syntax(parts[5], f"{where}+{n}")
        flags.check(parts[5], f"{where}+{n}")


def start_face(tmp):
    state = os.path.join(tmp, "face-emulator")
    os.makedirs(state)
    ready = os.path.join(state, "ready.json")
    script = os.path.join(ARGS.repo, "tests", "emulators", "face_server.py")
    # Yesterday's recordings (UTC): the one in progress must stay younger than ccrec-export face's
    # --pending-max-age (3 days), as a real first run's would, or it would be given up (exit 3).
    day = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).date().isoformat()
    proc = subprocess.Popen([sys.executable, script, "--port", "0", "--ready-file", ready, "--state-dir", state,
                             "--recordings", "6", "--in-progress", "1", "--day", day],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(state, "log"), "w"))
    deadline = time.monotonic() + 60
    while not os.path.exists(ready):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the FACE emulator did not start: " + open(os.path.join(state, "log")).read())
        time.sleep(0.1)
    return proc, json.load(open(ready))


def check_systemd(flags):
    unit_dir = os.path.join(ARGS.repo, "examples", "deploy", "systemd")
    units = sorted(f for f in os.listdir(unit_dir) if f.endswith((".service", ".timer")))
    if not units:
        fail("examples/deploy/systemd has no unit")
    with tempfile.TemporaryDirectory() as tmp:
        for name in units:
            text = open(os.path.join(unit_dir, name), encoding="utf-8").read()
            joined = re.sub(r"\\\n\s*", " ", text)
            for line in joined.split("\n"):
                if line.startswith("ExecStart="):
                    flags.check(line[len("ExecStart="):], f"examples/deploy/systemd/{name}")
            with open(os.path.join(tmp, name), "w") as out:
                out.write(text.replace("/usr/bin/ccrec-export", os.path.abspath(ARGS.ccrec_export)))
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            print("systemd-analyze not found: unit files checked for flags only")
            return
        r = subprocess.run([analyze, "verify", "--man=no", *[os.path.join(tmp, u) for u in units]],
                           capture_output=True, text=True, cwd=tmp)
        noise = [l for l in (r.stdout + r.stderr).split("\n") if l.strip()]
        if r.returncode != 0 or noise:
            fail("systemd-analyze verify examples/deploy/systemd:\n" + "\n".join(noise))


def check_containerfile():
    path = os.path.join(ARGS.repo, "examples", "deploy", "Containerfile")
    text = re.sub(r"\\\n", " ", open(path, encoding="utf-8").read())
    if not re.search(r"^FROM debian:12\b", text, re.M):
        fail("Containerfile: not based on debian:12")
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith("RUN "):
            bash_syntax(line[4:], "Containerfile RUN")
        if line.startswith("COPY ") and "--from=" not in line:
            for src in line.split()[1:-1]:
                if not os.path.exists(os.path.join(ARGS.repo, src)):
                    fail(f"Containerfile: COPY source {src} does not exist")


def check_links(doc):
    text = open(doc, encoding="utf-8").read()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = target.split("#", 1)[0]
        if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(doc), path))):
            fail(f"docs/operations.md links to {target}, which does not exist")


def main():
    doc = os.path.join(ARGS.repo, "docs", "operations.md")
    flags = Flags(ARGS.ccrec_export)
    found = blocks(doc)
    runs = []
    for mode, lang, text, line in found:
        where = f"docs/operations.md:{line}"
        if lang in ("bash", "sh") and mode is None:
            fail(f"{where}: a {lang} block without a <!-- test: ... --> marker")
        if mode == "crontab":
            check_crontab(text, where, flags)
        elif mode in ("syntax", "run"):
            bash_syntax(text, where)
            flags.check(text, where)
            if mode == "run":
                runs.append((where, text))
    counts = {m: sum(1 for b in found if b[0] == m) for m in ("run", "syntax", "crontab")}
    print(f"docs/operations.md: {counts}")
    check_systemd(flags)
    check_containerfile()
    check_links(doc)
    if not runs:
        fail("docs/operations.md has no <!-- test: run --> block")
    with tempfile.TemporaryDirectory(prefix="ccrec-docs-") as tmp:
        face, ready = start_face(tmp)
        try:
            env = dict(os.environ)
            env.update({
                "PATH": os.path.dirname(os.path.abspath(ARGS.ccrec_export)) + os.pathsep + env.get("PATH", ""),
                "STATE": os.path.join(tmp, "state"),
                "FACE_URL": ready["face_url"],
                "FACE_USER": ready["user_email"],
                "FACE_CA": ready["ca_file"],
                "CCREC_FACE_PASSWORD": ready["password"],
            })
            for where, text in runs:
                r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", text], cwd=tmp, env=env,
                                   capture_output=True, text=True, timeout=120)
                print(f"--- {where}: exit {r.returncode}\n{r.stdout}{r.stderr}")
                if r.returncode != 0:
                    fail(f"{where}: the block exited {r.returncode}")
        finally:
            face.terminate()
            face.wait(timeout=30)
    if failures:
        print(f"{len(failures)} problem(s) in docs/operations.md or examples/deploy/", file=sys.stderr)
        return 1
    print("docs/operations.md and examples/deploy/ are consistent with ccrec-export")
    return 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repo", required=True)
    p.add_argument("--ccrec-export", required=True)
    ARGS = p.parse_args()
    sys.exit(main())
