#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds ccrec twice with warnings as errors and runs every test through ctest, each once:
#  1. a Debug tree under AddressSanitizer + UndefinedBehaviorSanitizer: the unit tests (fakes, no
#     sockets), the integration tests (loopback emulators + signature-checking S3 server started
#     by the tests) and every fuzz corpus replay (ctest fuzz.replay.<target>: fuzz/corpus/<target>/
#     through the target's LLVMFuzzerTestOneInput with fuzz/replay_main.cpp; no clang needed).
#     Test executables and ccrec-export are compiled in unity batches (CCREC_UNITY_BUILD), which
#     halves their compile time; developer builds compile them file by file.
#  2. a Release tree (library, ccrec-export, examples, benchmarks): the layering and licence
#     checks and the consumer and package tests against the installed tree. Its GoogleTest
#     suites are not built again (CCREC_BUILD_TEST_SUITES=OFF).
# Fuzzing itself: scripts/fuzz.sh.
#
# Usage: scripts/test.sh            (everything; ends with ctest's summary)
#        CCREC_SKIP_ASAN=1 scripts/test.sh   (the Release tree only, with its suites)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ccrec_ensure_deps

jobs=$(ccrec_jobs)
py=$(ccrec_python)
build=${CCREC_BUILD_DIR:-build/ci}

# Ninja (schedules the whole build at once) and lld (links the ~70 test executables 2-3x faster
# than GNU ld); a tree configured earlier with another generator is made anew.
ccrec_ensure_apt ninja-build lld
tools=(-G Ninja -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld)
fresh_tree() {  # fresh_tree DIR: remove DIR when it was configured with another generator
  if [ -f "$1/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$1/CMakeCache.txt"; then
    rm -rf "$1"
  fi
}

if [ "${CCREC_SKIP_ASAN:-0}" != 1 ]; then
  ccrec_log "sanitizer build (address,undefined)"
  fresh_tree "$build-asan"
  # -g1: line tables only (what sanitizer reports need), smaller objects, faster links.
  cmake -S . -B "$build-asan" "${tools[@]}" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCCREC_WARNINGS_AS_ERRORS=ON \
    -DCCREC_SANITIZE=address,undefined -DCCREC_UNITY_BUILD=ON -DPython3_EXECUTABLE="$py" \
    -DCCREC_CONSUMER_TEST=OFF >/dev/null
  cmake --build "$build-asan" -j"$jobs"
  ccrec_log "tests under ASan+UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$build-asan" --output-on-failure -j"$jobs" --timeout 600
fi

# The suites ran under the sanitizers above; without them (CCREC_SKIP_ASAN=1) they run here.
suites=OFF
[ "${CCREC_SKIP_ASAN:-0}" != 1 ] || suites=ON
ccrec_log "release build (warnings are errors)"
fresh_tree "$build"
cmake -S . -B "$build" "${tools[@]}" -DCMAKE_BUILD_TYPE=Release -DCCREC_WARNINGS_AS_ERRORS=ON \
  -DCCREC_BUILD_BENCH=ON -DCCREC_BUILD_TEST_SUITES=$suites -DCCREC_UNITY_BUILD=ON -DPython3_EXECUTABLE="$py" >/dev/null
cmake --build "$build" -j"$jobs"
ccrec_log "layering, licence, consumer and package tests"
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 600
