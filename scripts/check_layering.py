#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Include-graph layering check (docs/architecture.md).

Every file under src/<area>/ and include/ccrec/<area>/ may include headers of the areas its
layer allows (ALLOWED below), plus the standard library and, in src/ only, third-party headers.
Public headers (include/ccrec/) never include src/ headers ("internal/...", "s3/...") nor
curl, OpenSSL, rapidjson or fmt. The reference CLI (examples/) is a consumer on top.

Run by ctest as `layering.includes`; exits 1 naming every offending line.
Usage: check_layering.py [--root REPO]
"""
import argparse
import os
import re
import sys

# area -> areas it may include (its own area is always allowed). Keep in step with the target
# table of cmake/CcrecLayering.cmake and with docs/architecture.md. internal, transport and sinks
# are rooms of the ccrec::core target.
VENDOR = {"core", "internal", "transport", "exporter"}
ALLOWED = {
    "core": {"internal"},
    "internal": {"core"},
    "transport": {"core", "internal"},
    "sinks": {"core", "internal"},
    "testing": {"core", "internal"},
    "s3": {"core", "internal", "transport"},
    "exporter": {"core", "internal"},
    "webex": VENDOR,
    "webex_legacy": VENDOR,
    "huawei": VENDOR,
    "face": VENDOR,
    "webex_login": {"core", "internal"},
    "manifest_sqlite": {"core", "internal", "exporter"},
    "redis": {"core", "internal", "exporter"},
}
# The reference CLI is a consumer on top: every public area, never src/internal (what it needs
# from there becomes a public API: core/time.hpp, core/url.hpp, exporter/checkpoint.hpp).
CLI_ALLOWED = set(ALLOWED) - {"internal"}
PRIVATE_THIRD_PARTY = ("curl/", "openssl/", "rapidjson/", "fmt/", "httplib", "sqlite3", "hiredis")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_EXT = (".hpp", ".h", ".cpp", ".cc")


def included_area(delim, path, own):
    """The ccrec area a header belongs to, or None for anything else (std, third party)."""
    parts = path.split("/")
    if delim == "<" and parts[0] == "ccrec" and len(parts) > 2:
        return parts[1], True
    if delim == '"':
        if len(parts) == 1:
            return own, False  # same directory
        if parts[0] in ALLOWED:
            return parts[0], False
    return None, False


def check_file(root, rel, area, allowed, public):
    problems = []
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            delim, path = m.group(1), m.group(2)
            where = f"{rel}:{number}: "
            if public and path.startswith(PRIVATE_THIRD_PARTY):
                problems.append(where + f"public header includes third-party <{path}> (only src/ may)")
                continue
            inc, is_public = included_area(delim, path, area)
            if inc is None:
                continue
            if public and not is_public:
                problems.append(where + f'public header includes "{path}", a header that is not installed')
                continue
            if inc != area and inc not in allowed:
                problems.append(where + f"{area} may not include {path} (area {inc}); {area} may include: "
                                + ", ".join(sorted(allowed | {area})))
    return problems


def walk(root, top):
    base = os.path.join(root, top)
    for dirpath, _, files in os.walk(base):
        for name in sorted(files):
            if name.endswith(SOURCE_EXT):
                yield os.path.relpath(os.path.join(dirpath, name), root)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    root = os.path.abspath(parser.parse_args().root)
    problems, checked = [], 0
    for top, public in (("src", False), (os.path.join("include", "ccrec"), True)):
        base = os.path.join(root, top)
        for area in sorted(os.listdir(base)):
            if not os.path.isdir(os.path.join(base, area)):
                continue
            if area not in ALLOWED:
                problems.append(f"{top}/{area}: unknown area; add it to ALLOWED in scripts/check_layering.py "
                                "and to docs/architecture.md")
                continue
            for rel in walk(root, os.path.join(top, area)):
                checked += 1
                problems += check_file(root, rel, area, ALLOWED[area], public)
    for rel in walk(root, os.path.join("examples", "ccrec-export")):
        checked += 1
        problems += check_file(root, rel, "ccrec-export", CLI_ALLOWED, False)
    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} forbidden include(s) (docs/architecture.md)")
        return 1
    print(f"layering: {checked} files checked, includes follow docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
