#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan + libFuzzer coverage on the whole
# library) into build/fuzz and runs each for a bounded time, starting from its seed corpus
# fuzz/corpus/<target>/. New interesting inputs go to build/fuzz/corpus/<target>/ (not the tree:
# merge the useful ones by hand); crashes, leaks, timeouts and property violations are written to
# build/fuzz/crashes/<target>/ and make the script exit non-zero.
#
# Usage: scripts/fuzz.sh
#   FUZZ_SECONDS=600      seconds per target (default 600)
#   FUZZ_TARGETS="csv redact"   which targets (default: all; names as in fuzz/<name>_fuzz.cpp)
#   FUZZ_JOBS=1           parallel fuzzer processes per target (default 1)
#   FUZZ_MAX_LEN=65536    -max_len (default 65536; the seeds are bigger than libFuzzer's 4096 default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ccrec_ensure_deps
ccrec_ensure_apt clang-14 libclang-rt-14-dev llvm-14

seconds=${FUZZ_SECONDS:-600}
max_len=${FUZZ_MAX_LEN:-65536}
fuzz_jobs=${FUZZ_JOBS:-1}
build=${CCREC_FUZZ_BUILD_DIR:-build/fuzz}
cc=$(command -v clang-14 || command -v clang)
cxx=$(command -v clang++-14 || command -v clang++)

ccrec_log "fuzz build (clang, libFuzzer + ASan + UBSan) in $build"
# Sanitizers through CMAKE_CXX_FLAGS (not CCREC_SANITIZE) so that -fno-sanitize=pointer-overflow
# stays last: Debian's RapidJSON 1.1.0 compares `nullptr + n` in internal::Stack::Reserve on the
# first push of every parse (benign, fixed upstream after 1.1.0), which would stop every run.
san="-fsanitize=address,undefined -fno-sanitize=pointer-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link $san" -DCMAKE_EXE_LINKER_FLAGS="$san" \
  -DCCREC_SANITIZE= -DBUILD_SHARED_LIBS=OFF \
  -DCCREC_BUILD_TESTS=OFF -DCCREC_BUILD_FUZZERS=ON -DCCREC_FUZZ_ENGINE=libfuzzer \
  -DCCREC_BUILD_EXAMPLES=OFF -DCCREC_CONSUMER_TEST=OFF >/dev/null
cmake --build "$build" --target fuzzers -j"$(ccrec_jobs)"

if [ -n "${FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for f in fuzz/*_fuzz.cpp; do
    name=$(basename "$f" _fuzz.cpp)
    [ -x "$build/fuzz/fuzz_$name" ] && targets+=("$name")
  done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then
    ccrec_log "no fuzz target \"$t\" (see fuzz/*_fuzz.cpp)"
    failed+=("$t")
    continue
  fi
  seeds="fuzz/corpus/$t"
  work="$build/corpus/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$work" "$crashes" "$seeds"
  ccrec_log "fuzzing $t for ${seconds}s"
  args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$crashes/" -print_final_stats=1)
  [ "$fuzz_jobs" -gt 1 ] && args+=(-jobs="$fuzz_jobs" -workers="$fuzz_jobs")
  if ! "$bin" "${args[@]}" "$work" "$seeds" 2>"$build/fuzz-$t.log"; then
    ccrec_log "FINDING in $t: see $crashes/ and $build/fuzz-$t.log"
    tail -n 40 "$build/fuzz-$t.log" >&2
    failed+=("$t")
  else
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE|cov:' "$build/fuzz-$t.log" | tail -n 2 >&2 || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  ccrec_log "fuzzing found problems in: ${failed[*]} (minimise with: $build/fuzz/fuzz_<t> -minimize_crash=1 -runs=10000 <crash>)"
  exit 1
fi
ccrec_log "fuzzing clean: ${targets[*]}"
