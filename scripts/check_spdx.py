#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Licence header check (LICENSE, docs/compatibility.md).

Every source, build and script file of the repository starts with an SPDX licence line:
`// SPDX-License-Identifier: Apache-2.0` in C++ files, `# SPDX-License-Identifier: Apache-2.0` in
CMake, shell and Python files (after a `#!` line, if any). Test data, fuzz corpora and vendored
test suites keep their own licences and are not checked.

Run by ctest as `license.spdx`; exits 1 naming every file without the line.
Usage: check_spdx.py [--root REPO] [--fix]   (--fix adds the line where it is missing)
"""
import argparse
import os
import sys

LINE = "SPDX-License-Identifier: Apache-2.0"
TOPS = ["src", "include", "tests", "examples", "bench", "fuzz", "cmake", "scripts"]
SKIP_DIRS = {"data", "corpus", "build", "__pycache__"}
ROOT_FILES = ["CMakeLists.txt"]


def comment_for(name):
    if name.endswith((".cpp", ".hpp", ".h", ".cc", ".hpp.in")):
        return "//"
    if name.endswith((".cmake", ".cmake.in", ".py", ".sh", ".bash")) or name == "CMakeLists.txt":
        return "#"
    return None


def files(root):
    for name in ROOT_FILES:
        yield os.path.join(root, name)
    for top in TOPS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build")]
            for name in filenames:
                if comment_for(name):
                    yield os.path.join(dirpath, name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    parser.add_argument("--fix", action="store_true")
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    missing = []
    for path in files(root):
        marker = comment_for(os.path.basename(path))
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        head = text.split("\n", 3)[:3]
        if any(LINE in line for line in head):
            continue
        if not args.fix:
            missing.append(os.path.relpath(path, root))
            continue
        header = f"{marker} {LINE}\n"
        if text.startswith("#!"):
            first, _, rest = text.partition("\n")
            text = first + "\n" + header + rest
        else:
            text = header + text
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    if missing:
        print("files without an SPDX licence line (run scripts/check_spdx.py --fix):")
        for m in sorted(missing):
            print("  " + m)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
