#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Exported-symbol check of the shared libraries (docs/compatibility.md, "Exported symbols").

A shared libccrec_<area>.so exports the API of include/ccrec/ (what CCREC_EXPORT marks) and
nothing else: no symbol of a namespace `detail`, `internal`, `wire` or `impl` inside ccrec (the
helpers of src/internal and each area's private helpers), and no member of a pimpl's nested
`Impl` class. Every exported ccrec symbol lies in the versioned `ccrec::v1` (one outside it
was opened as `namespace ccrec::AREA {` without AREA declared in ccrec/core/namespaces.hpp). Such
a symbol is reachable by any program that declares it, and would tie the ABI
to code that changes freely. Template instantiations of the standard library over those types
(std::vector<ccrec::...::detail::X>) count too.

Reads the dynamic symbol table with `nm -D --defined-only -C` (binutils). Run by ctest as
`abi.exported_symbols` on every shared library of the build tree; exits 1 listing, per library,
each offending symbol.
Usage: check_exports.py [--nm NM] LIBRARY...
"""
import argparse
import re
import subprocess
import sys

PRIVATE = re.compile(r"\bccrec::(?:\w+::)*(?:detail|internal|wire|impl|Impl)::")
UNVERSIONED = re.compile(r"\bccrec::(?!v1::)\w")
SHOWN = 40  # offending symbols listed per library


def exported(nm, library):
    out = subprocess.run([nm, "-D", "--defined-only", "-C", library], check=True, capture_output=True,
                         text=True).stdout
    symbols = []
    for line in out.splitlines():
        parts = line.split(" ", 2)  # address, type, name
        if len(parts) == 3:
            symbols.append(parts[2])
    return symbols


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nm", default="nm")
    parser.add_argument("libraries", nargs="+")
    args = parser.parse_args()
    failed = False
    for library in args.libraries:
        symbols = exported(args.nm, library)
        bad = sorted(s for s in symbols if PRIVATE.search(s) or UNVERSIONED.search(s))
        if not symbols:
            print(f"{library}: exports no symbol at all (not a shared library?)")
            failed = True
        elif bad:
            print(f"{library}: {len(bad)} of {len(symbols)} exported symbols are not API:")
            for s in bad[:SHOWN]:
                print(f"  {s}")
            if len(bad) > SHOWN:
                print(f"  ... and {len(bad) - SHOWN} more")
            failed = True
        else:
            print(f"{library}: {len(symbols)} exported symbols, none private")
    if failed:
        print("Mark the API with CCREC_EXPORT only; keep helpers in namespace detail (src/), "
              "unmarked, and pimpl classes CCREC_HIDDEN (include/ccrec/core/export.hpp).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
