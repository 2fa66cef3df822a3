#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Versioned-namespace check (include/ccrec/core/namespaces.hpp, docs/compatibility.md).

Files open their area as `namespace ccrec::webex {`, which extends `ccrec::v1::webex` only when
that area was declared inside the inline namespace before: in include/ccrec/core/namespaces.hpp,
which every ccrec header brings through ccrec/core/export.hpp. This check fails when a file
- opens `namespace ccrec::AREA` for an AREA that namespaces.hpp does not declare (the code would
  land in an unversioned `ccrec::AREA`), or
- opens it before any of its includes reaches namespaces.hpp (followed through the repository's
  own headers: `<ccrec/...>` in include/, `"area/x.hpp"` in src/ or beside the file).

Run by ctest as `style.namespaces`; exits 1 naming every offending line.
Usage: check_namespaces.py [--root REPO]
"""
import argparse
import os
import re
import sys

TREES = ("include", "src", "examples", "tests", "bench", "fuzz")
SUFFIXES = (".hpp", ".cpp", ".h", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
OPENER = re.compile(r"^\s*namespace\s+ccrec::(\w+)")
DECLARED = re.compile(r"^namespace (\w+) \{\}")


def resolve(root, here, kind, name):
    """The repository file an include names, or None (standard library, third party)."""
    candidates = [os.path.join(root, "include", name), os.path.join(root, "build", "include", name)]
    if kind == '"':
        candidates = [os.path.join(os.path.dirname(here), name), os.path.join(root, "src", name),
                      os.path.join(root, "tests", name)] + candidates
    for c in candidates:
        if os.path.isfile(c):
            return os.path.normpath(c)
    return None


def reaches(root, path, target, seen):
    """True when `path` or a repository header it includes (transitively) is `target`."""
    if path == target:
        return True
    if path in seen:
        return False
    seen.add(path)
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = INCLUDE.match(line)
            if m:
                inc = resolve(root, path, m.group(1), m.group(2))
                if inc and reaches(root, inc, target, seen):
                    return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    target = os.path.join(root, "include", "ccrec", "core", "namespaces.hpp")
    with open(target, encoding="utf-8") as f:
        declared = {m.group(1) for m in map(DECLARED.match, f) if m}
    problems, files = [], 0
    for tree in TREES:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, tree)):
            dirnames[:] = [d for d in dirnames if not d.startswith("build")]
            for name in sorted(filenames):
                if not name.endswith(SUFFIXES):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                files += 1
                includes_before, checked = [], False
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m:
                            includes_before.append(resolve(root, path, m.group(1), m.group(2)))
                            continue
                        m = OPENER.match(line)
                        if not m:
                            continue
                        if m.group(1) not in declared:
                            problems.append(f"{rel}:{number}: ccrec::{m.group(1)} is not declared in "
                                            "include/ccrec/core/namespaces.hpp (add it there)")
                        if not checked:
                            checked = True
                            seen = set()
                            if not any(inc and reaches(root, inc, target, seen) for inc in includes_before):
                                problems.append(f"{rel}:{number}: opens ccrec::{m.group(1)} before any include "
                                                "brings <ccrec/core/namespaces.hpp> (include it, or a ccrec "
                                                "header, first)")
    for p in problems:
        print(p)
    print(f"{files} files read, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
