#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Manifest start-up benchmark (issue 14, item 6): the time Manifest::Open() takes and the peak
# RSS of the process at 1,000,000 manifest lines, as ccrec-export pays them at every start, and
# what `ccrec-export manifest compact` (CompactManifest) does to such a manifest.
#
# Two manifests of 1,000,000 lines each (bench/manifest_gen.py, ~512 MB, ~510 bytes a line):
#   unique:  1,000,000 items, one line each (a long history of daily exports, never re-run);
#   reruns:  250,000 items, 4 lines each (every window exported once and re-run 3 times: the
#            re-runs append "skipped" lines), then compacted.
# Per case: open time (Manifest::Open + CheckDestination), mean time of 1,000 IsDone() lookups,
# peak RSS (getrusage, whole process) and GNU time's wall/user/sys/maxrss.
#
# Usage: bench/manifest_bench.sh
# Knobs: BENCH_BUILD_DIR (build-bench, a Release build with -DCCREC_BUILD_BENCH=ON),
#        BENCH_LINES (1000000), BENCH_RUNS (3), BENCH_WORK (a new temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BENCH_BUILD_DIR:-build-bench}
LINES=${BENCH_LINES:-1000000}
RUNS=${BENCH_RUNS:-3}
work=${BENCH_WORK:-$(mktemp -d /tmp/ccrec-manifest-bench.XXXXXX)}
bin=$BUILD/bench/manifest_bench
[[ -x $bin ]] || cmake --build "$BUILD" --target manifest_bench
DEST="s3://bench-bucket/recordings/"
TMPL="webex/{yyyy}/{mm}/{dd}/{task_id}/{recording_id}.{ext}"
python3 bench/manifest_gen.py "$work/unique.jsonl" "$LINES" "$LINES"
python3 bench/manifest_gen.py "$work/reruns.jsonl" "$LINES" $((LINES / 4))

measure() {  # name file items
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "  time: wall=%es user=%Us sys=%Ss maxrss=%MKiB" "$bin" "$2" "$DEST" "$TMPL" "$3" 2>&1 |
      tr '\n' ' ' | sed "s/^/$1: /"
    echo
  done
}
echo "lines=$LINES ($(du -h "$work/unique.jsonl" | cut -f1) per manifest), $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure unique "$work/unique.jsonl" "$LINES"
measure reruns "$work/reruns.jsonl" $((LINES / 4))
echo "compact reruns: $("$bin" --compact "$work/reruns.jsonl")"
measure reruns-compacted "$work/reruns.jsonl" $((LINES / 4))
[[ -n ${BENCH_WORK:-} ]] || rm -rf "$work"
