#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Export benchmark (issue 4, item 10): Webex CC emulator -> ccrec-export -> signature-checking S3
# server (moto), side by side in one run with bench/baseline_export.py (the documented sequential
# workflow in Python: requests + boto3). Everything on 127.0.0.1; the emulator (HTTPS) adds a
# WAN-like round trip (--latency-ms, default 20) to every API and media request.
#
# Parts (BENCH_PARTS, default "A B C D"; ~17 minutes in all, D alone ~7):
#   A. ~2,000 telephony recordings in one day (median 256 KiB, log-normal, 4 KiB..2 MiB):
#      the Python baseline; ccrec-export at concurrency 8, 4, 16 with its default client-side
#      Webex rate limit (300 requests/min); concurrency 8 and 16 with that limit raised (the
#      emulator enforces none here); and one diagnostic run (concurrency 8, limit raised,
#      MALLOC_ARENA_MAX=8*cores, glibc's default, which overrides ccrec-export's own cap of 2
#      arenas) that shows how much of the peak RSS the arena cap saves.
#   B. One 1 GiB recording exported (window = that task's millisecond), concurrency 8.
#   C. Download only, the same presigned URL of the 1 GiB recording, 5 runs each (alternating):
#      `curl -o /dev/null` vs bench/download_bench (MakeCurlTransport + webex::Client::OpenRecording,
#      256 KiB reads as in the exporter); over HTTPS, then over plain HTTP for context.
#   D. The emulator ENFORCES Webex's documented 300 requests/min per client id (sliding window,
#      429 + Retry-After), as real Webex does: the baseline (which sleeps Retry-After on 429) and
#      ccrec-export -c 8 at its defaults. This is the like-for-like comparison: in part A the
#      baseline sends ~1,000 requests/min, which real Webex would refuse, while ccrec-export keeps
#      to the documented limit.
#   E. (not in the default set; BENCH_PARTS=E, ~4 minutes) The two client-side limiters
#      (--rate-limiter token-bucket | sliding-window) side by side at -c 8 on the data of part A:
#      unthrottled server, then the server enforcing 300/min, each against the limit raised to
#      BENCH_RAISED_LIMIT (as good as no limiter).
#   F. (not in the default set; BENCH_PARTS=F, ~3.5 minutes) Server and client both at 100/min, so
#      that the ~183 API calls cross a window boundary (the sliding window's first 100 go at once
#      and the 101st waits for the first to be old enough): any 429 there is ccrec's fault.
#      BENCH_F_LIMITERS ("sliding-window token-bucket") picks the limiters.
#   G. (not in the default set; BENCH_PARTS=G, ~5 minutes, ~11 with BENCH_G_BASELINE=1) Issue 15 round
#      trips: the ccrec-export at BENCH_CLI_BEFORE (optional; e.g. built from main) against this tree's,
#      -c 8, on the data of part A: the server enforcing 300/min (plus the python baseline with
#      BENCH_G_BASELINE=1), then unthrottled at the default limit and with the limit raised. This
#      tree's runs use --s3-conditional-writes on (moto 5.2.1 enforces If-None-Match), and once off.
#      Runs log at debug level, and a second table counts the S3 requests per recording from those
#      lines (HeadObject / PutObject of recordings and of sidecars; retries included). The same runs
#      into a directory on tmpfs (no moto) show what the client does when the store keeps up.
#      BENCH_G_SINKS ("s3 dir") picks the sinks.
# Every run gets a fresh token file, prefix and manifest; what landed is counted and deleted before
# the next run. Per run: recordings/s, MB/s (10^6 bytes of recordings), client CPU (user+sys) and
# peak RSS from GNU time, API requests the emulator answered, and the emulator's and moto's CPU
# seconds during the run (from /proc/PID/stat) to show whether a server is the bottleneck.
#
# Usage: bench/export_bench.sh
# Knobs (environment): BENCH_PARTS ("A B C D"), BENCH_LATENCY_MS (20), BENCH_TASKS_PER_DAY (3000 ->
#   2,027 recordings), BENCH_MEDIAN_BYTES (262144), BENCH_CONCURRENCY ("8 4 16"),
#   BENCH_RAISED_LIMIT (100000 requests/min), BENCH_LARGE_BYTES (1073741824), BENCH_DOWNLOAD_RUNS (5),
#   BENCH_QUIET_WAIT_S (0: don't wait for an idle machine), BENCH_BUILD_DIR (build-bench),
#   BENCH_CLI_BEFORE, BENCH_G_BASELINE, BENCH_G_SINKS and BENCH_G_SHORT (part G: 1 = only the
#   server-limited and limit-raised rows).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/ccrec-export-bench.XXXXXX)
pids=()
source "$root/bench/bench_lib.sh"
trap bench_cleanup EXIT

PARTS=${BENCH_PARTS:-A B C D}
LAT=${BENCH_LATENCY_MS:-20}
TASKS=${BENCH_TASKS_PER_DAY:-3000}
MEDIAN=${BENCH_MEDIAN_BYTES:-262144}
CONC=${BENCH_CONCURRENCY:-8 4 16}
RAISED=${BENCH_RAISED_LIMIT:-100000}
LARGE=${BENCH_LARGE_BYTES:-1073741824}
DL_RUNS=${BENCH_DOWNLOAD_RUNS:-5}
DAY=2026-11-01
FROM=${DAY}T00:00:00Z
TO=2026-11-02T00:00:00Z
FROM_MS=1793491200000
TO_MS=1793577600000
BUCKET=ccrec-bench
part() { [[ " $PARTS " == *" $1 "* ]]; }

ccrec_ensure_deps
ccrec_ensure_apt time curl
py=$(bench_python)
bench_ensure_python_modules
bench_build ccrec-export download_bench
cli=$BENCH_BUILD_DIR/examples/ccrec-export
dl=$BENCH_BUILD_DIR/bench/download_bench
helper() { "$py" "$root/bench/bench_helper.py" "$@"; }
jget() { "$py" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
mkdir -p "$work/tmp"

bench_log "tree: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown) (+ uncommitted changes, if any)"
bench_log "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(load1)"
bench_log "versions: $("$py" -c 'import requests, boto3, moto, sys; print(f"python {sys.version.split()[0]}, requests {requests.__version__}, boto3 {boto3.__version__}, moto {moto.__version__}")'), $(curl --version | head -n 1 | cut -d' ' -f1-3)"

start_moto s3 "$BUCKET"

# start_webex NAME ARGS...: starts an emulator; sets wx_pid, base, token_url, ca, refresh and the
# client id/secret. A refresh grace period lets every run start from the same refresh token.
start_webex() {
  local name=$1
  shift
  "$py" "$root/tests/emulators/webex_cc.py" --port 0 --ready-file "$work/$name.json" --state-dir "$work/$name" \
    --day "$DAY" --latency-ms "$LAT" --refresh-grace-seconds 86400 --exit-with-parent "$@" &
  wx_pid=$!
  pids+=("$wx_pid")
  wait_ready "$work/$name.json" "$wx_pid"
  base=$(ready "$work/$name.json" base_url)
  token_url=$(ready "$work/$name.json" token_url)
  ca=$(ready "$work/$name.json" ca_file)
  refresh=$(ready "$work/$name.json" refresh_token)
  CCREC_WEBEX_CLIENT_ID=$(ready "$work/$name.json" client_id)
  CCREC_WEBEX_CLIENT_SECRET=$(ready "$work/$name.json" client_secret)
  export CCREC_WEBEX_CLIENT_ID CCREC_WEBEX_CLIENT_SECRET
}
stop_webex() {
  kill "$wx_pid" 2>/dev/null || true
  wait "$wx_pid" 2>/dev/null || true
}

s3_ops_file=$work/s3ops.tsv
printf 'run\tHEAD rec\tPUT rec\tPUT sidecar\tHEAD sidecar\tS3 req/rec\tcritical S3 req/rec\n' >"$s3_ops_file"
# s3_ops LABEL ERRFILE RECORDINGS: S3 requests by operation, from the sink's debug lines
# ("S3 HeadObject s3://B/KEY: HEAD ... -> HTTP N"); "critical" = those of the recording itself
# (HeadObject + PutObject / multipart calls), which the worker waits for; sidecars are not.
s3_ops() {
  "$py" - "$@" >>"$s3_ops_file" <<'PY'
import collections, re, sys
label, path, recs = sys.argv[1], sys.argv[2], max(int(sys.argv[3]), 1)
c = collections.Counter()
for line in open(path, errors="replace"):
    m = re.search(r"S3 (\w+) s3://\S+?(\.json)?: ", line)
    if m:
        c[(m.group(1), bool(m.group(2)))] += 1
rec = sum(n for (op, side), n in c.items() if not side)
total = sum(c.values())
print(f"{label}\t{c[('HeadObject', False)]}\t{c[('PutObject', False)]}\t{c[('PutObject', True)]}\t"
      f"{c[('HeadObject', True)]}\t{total / recs:.2f}\t{rec / recs:.2f}")
PY
  tail -n 1 "$s3_ops_file" >&2
}

results=$work/results.tsv
printf 'run\trecordings\tMB\twall s\trec/s\tMB/s\tclient CPU s\tpeak RSS MiB\tAPI req\t429s\temulator CPU s\tmoto CPU s\tbusy%% before\tcheck\n' \
  >"$results"

# measure LABEL NAME PREFIX EXPECTED_RECORDINGS CMD...: runs one export and appends a row.
measure() {
  local label=$1 name=$2 prefix=$3 expected=$4
  shift 4
  wait_quiet
  helper stats --base-url "$base" --ca-file "$ca" --reset
  local e0 m0 e1 m1 rc=0
  e0=$(proc_cpu "$wx_pid")
  m0=$(proc_cpu "$moto_pid")
  bench_log "run: $label"
  timed "$name" "$@" || rc=$?
  e1=$(proc_cpu "$wx_pid")
  m1=$(proc_cpu "$moto_pid")
  local stats check recs bytes api verdict
  stats=$(helper stats --base-url "$base" --ca-file "$ca")
  if [[ $prefix == /* ]]; then  # a local --dest directory: count its recordings, then remove it
    check=$(find "$prefix" -type f ! -name '*.json' ! -path '*/.ccrec-meta/*' -printf '%s\n' |
      awk '{n++; b+=$1} END {printf "{\"recordings\": %d, \"bytes\": %d}\n", n, b}')
    rm -rf "$prefix"
  else
    check=$(helper s3-check --endpoint "$s3_endpoint" --bucket "$BUCKET" --prefix "$prefix/" --delete)
  fi
  recs=$(jget "$check" recordings)
  bytes=$(jget "$check" bytes)
  api=$(( $(jget "$stats" token) + $(jget "$stats" tasks) + $(jget "$stats" captures) ))
  verdict=ok
  [ "$rc" -eq 0 ] || verdict="exit $rc"
  [ "$recs" -eq "$expected" ] || verdict="$verdict; $recs of $expected landed"
  [ "$verdict" = ok ] || { echo "--- $name stderr:" >&2; tail -n 20 "$work/$name.err" >&2; }
  tail -n 1 "$work/$name.time" | awk -v label="$label" -v recs="$recs" -v bytes="$bytes" -v api="$api" \
    -v r429="$(jget "$stats" status_429)" -v busy="$quiet_busy" \
    -v ecpu="$(awk -v a="$e0" -v b="$e1" 'BEGIN{print b-a}')" -v mcpu="$(awk -v a="$m0" -v b="$m1" 'BEGIN{print b-a}')" \
    -v verdict="$verdict" '{
      wall=$1; cpu=$2+$3; rss=$4/1024;
      printf "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%.1f\t%.1f\t%s\t%s\n",
        label, recs, bytes/1e6, wall, recs/wall, bytes/1e6/wall, cpu, rss, api, r429, ecpu, mcpu, busy, verdict }' \
    >>"$results"
  tail -n 1 "$results" >&2
  bench_log "emulator stats: $stats"
}

# ccrec_cmd NAME PREFIX CONCURRENCY [FLAGS...]: sets cmd (array) to the ccrec-export command line.
log_level=warn
ccrec_cmd() {
  local name=$1 prefix=$2 conc=$3
  shift 3
  token_file "$work/$name.token"
  cmd=("$cli" webex --api-base-url "$base" --token-url "$token_url" --ca-file "$ca" --token-file "$work/$name.token"
    --from "$WFROM" --to "$WTO" --dest "s3://$BUCKET/$prefix" --s3-endpoint "$s3_endpoint"
    --manifest "$work/$name.manifest.jsonl" --concurrency "$conc" --progress off --log-level "$log_level" "$@")
}
baseline_cmd() {  # baseline_cmd NAME PREFIX
  token_file "$work/$1.token"
  cmd=("$py" "$root/bench/baseline_export.py" --base-url "$base" --token-url "$token_url" --ca-file "$ca"
    --token-file "$work/$1.token" --from "$WFROM" --to "$WTO" --bucket "$BUCKET" --prefix "$2"
    --s3-endpoint "$s3_endpoint" --tmp-dir "$work/tmp")
}

# --- A (and D): ~2,000 recordings ------------------------------------------------------------------
if part A || part D || part E || part F || part G; then
  bench_log "emulator with $TASKS tasks/day, median $MEDIAN bytes, latency $LAT ms"
  start_webex wx --tasks-per-day "$TASKS" --median-size-bytes "$MEDIAN"
  truth=$(helper truth --base-url "$base" --ca-file "$ca" --from "$FROM_MS" --to "$TO_MS")
  bench_log "window $FROM .. $TO: $truth"
  expected=$(jget "$truth" recordings)
  WFROM=$FROM WTO=$TO
  if part A; then
    baseline_cmd base base
    measure "python baseline (sequential)" base base "$expected" "${cmd[@]}"
    for c in $CONC; do
      ccrec_cmd "c$c" "c$c" "$c"
      measure "ccrec-export -c $c, client limit 300/min (default)" "c$c" "c$c" "$expected" "${cmd[@]}"
    done
    for c in 8 16; do
      ccrec_cmd "c${c}r" "c${c}r" "$c" --rate-limit "$RAISED"
      measure "ccrec-export -c $c, client limit $RAISED/min" "c${c}r" "c${c}r" "$expected" "${cmd[@]}"
    done
    ccrec_cmd c8m c8m 8 --rate-limit "$RAISED"
    measure "diagnostic: -c 8, limit $RAISED/min, MALLOC_ARENA_MAX=$((8 * $(nproc)))" c8m c8m "$expected" \
      env MALLOC_ARENA_MAX=$((8 * $(nproc))) "${cmd[@]}"
  fi
  if part D; then
    bench_log "part D: the emulator enforces 300 requests/min per client id"
    helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=300 >/dev/null
    baseline_cmd based based
    measure "python baseline, SERVER limit 300/min" based based "$expected" "${cmd[@]}"
    ccrec_cmd c8d c8d 8
    measure "ccrec-export -c 8 (defaults), SERVER limit 300/min" c8d c8d "$expected" "${cmd[@]}"
    helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=0 >/dev/null
  fi
  if part E; then
    for server in 0 300; do
      helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=$server >/dev/null
      what="server unthrottled"
      [ "$server" -eq 0 ] || what="SERVER limit $server/min"
      for lim in token-bucket sliding-window; do
        ccrec_cmd "e$server$lim" "e$server$lim" 8 --rate-limiter "$lim"
        measure "ccrec-export -c 8, $lim 300/min, $what" "e$server$lim" "e$server$lim" "$expected" "${cmd[@]}"
      done
      ccrec_cmd "e${server}r" "e${server}r" 8 --rate-limit "$RAISED"
      measure "ccrec-export -c 8, limit $RAISED/min, $what" "e${server}r" "e${server}r" "$expected" "${cmd[@]}"
    done
    helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=0 >/dev/null
  fi
  if part F; then
    helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=100 >/dev/null
    for lim in ${BENCH_F_LIMITERS:-sliding-window token-bucket}; do
      ccrec_cmd "f$lim" "f$lim" 8 --rate-limiter "$lim" --rate-limit 100
      measure "ccrec-export -c 8, $lim 100/min, SERVER limit 100/min" "f$lim" "f$lim" "$expected" "${cmd[@]}"
    done
    helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=0 >/dev/null
  fi
  if part G; then
    before=${BENCH_CLI_BEFORE:-}
    bench_log "part G: before ${before:-(not run: BENCH_CLI_BEFORE unset)} vs after $cli"
    log_level=debug
    g_run() {  # g_run LABEL NAME BIN [FLAGS...]
      local label=$1 name=$2 bin=$3
      shift 3
      ccrec_cmd "$name" "$name" 8 "$@"
      cmd[0]=$bin
      measure "$label" "$name" "$name" "$expected" "${cmd[@]}"
      s3_ops "$label" "$work/$name.err" "$expected"
    }
    g_dir_run() {  # g_dir_run LABEL NAME [FLAGS...]: this tree's ccrec-export into a tmpfs directory
      local label=$1 name=$2
      shift 2
      ccrec_cmd "$name" "$name" 8 "$@"
      local dir
      dir=$(mktemp -d /dev/shm/ccrec-bench-dest.XXXXXX)
      local arg skip=0 dcmd=()
      for arg in "${cmd[@]}"; do  # --dest DIR, and no --s3-endpoint
        if [ "$skip" = 1 ]; then skip=0; continue; fi
        case $arg in
          --s3-endpoint) skip=1 ;;
          "s3://$BUCKET/$name") dcmd+=("$dir") ;;
          *) dcmd+=("$arg") ;;
        esac
      done
      measure "$label" "$name" "$dir" "$expected" "${dcmd[@]}"
    }
    sinks=" ${BENCH_G_SINKS:-s3 dir} "
    helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=300 >/dev/null
    if [ "${BENCH_G_BASELINE:-0}" = 1 ]; then
      baseline_cmd gbase gbase
      measure "python baseline, SERVER limit 300/min" gbase gbase "$expected" "${cmd[@]}"
    fi
    if [[ $sinks == *" s3 "* ]]; then
      [ -z "$before" ] || g_run "before: -c 8 (defaults), SERVER limit 300/min" gbd "$before"
      g_run "after: -c 8, conditional on, SERVER limit 300/min" gad "$cli" --s3-conditional-writes on
    fi
    [[ $sinks != *" dir "* ]] || g_dir_run "after: -c 8, tmpfs directory (no moto), SERVER limit 300/min" gdd
    helper config --base-url "$base" --ca-file "$ca" rate_limit_per_minute=0 >/dev/null
    if [[ $sinks == *" s3 "* ]]; then
      [ -z "$before" ] || [ "${BENCH_G_SHORT:-0}" = 1 ] || g_run "before: -c 8 (defaults), unthrottled" gbu "$before"
      [ -z "$before" ] || g_run "before: -c 8, limit $RAISED/min, unthrottled" gbr "$before" --rate-limit "$RAISED"
      [ "${BENCH_G_SHORT:-0}" = 1 ] || g_run "after: -c 8, conditional on, unthrottled" gau "$cli" --s3-conditional-writes on
      g_run "after: -c 8, conditional on, limit $RAISED/min, unthrottled" gar "$cli" --s3-conditional-writes on \
        --rate-limit "$RAISED"
      [ "${BENCH_G_SHORT:-0}" = 1 ] || g_run "after: -c 8, conditional off, limit $RAISED/min, unthrottled" gao "$cli" \
        --s3-conditional-writes off --rate-limit "$RAISED"
    fi
    [[ $sinks != *" dir "* ]] || g_dir_run "after: -c 8, tmpfs directory (no moto), limit $RAISED/min, unthrottled" gdr \
      --rate-limit "$RAISED"
    log_level=warn
  fi
  stop_webex
fi

# --- B: one 1 GiB recording ------------------------------------------------------------------------
large_emulator() {  # large_emulator NAME [--plain-http]
  start_webex "$@" --tasks-per-day 20 --big-cluster-size 0 --median-size-bytes "$MEDIAN" --large-recording-bytes "$LARGE"
  large=$(helper large --base-url "$base" --ca-file "$ca")
  bench_log "large task: $large"
}
if part B || part C; then
  bench_log "emulator with a $LARGE-byte recording"
  large_emulator wxl
fi
if part B; then
  created=$(jget "$large" created_ms)
  WFROM=$created WTO=$((created + 1))
  ltruth=$(helper truth --base-url "$base" --ca-file "$ca" --from "$WFROM" --to "$WTO")
  bench_log "window [$WFROM, $WTO): $ltruth"
  ccrec_cmd large large 8
  measure "ccrec-export -c 8, one $((LARGE >> 20)) MiB recording (+$(( $(jget "$ltruth" recordings) - 1 )) small)" \
    large large "$(jget "$ltruth" recordings)" "${cmd[@]}"
fi

# --- C: download only --------------------------------------------------------------------------------
dl_results=$work/download.tsv
download_runs() {  # download_runs SCHEME
  local scheme=$1 url i e0 sz t line cacert=()
  url=$(helper presign --base-url "$base" --ca-file "$ca" --token-url "$token_url" \
    --client-id "$CCREC_WEBEX_CLIENT_ID" --client-secret "$CCREC_WEBEX_CLIENT_SECRET" --refresh-token "$refresh" \
    --task-id "$(jget "$large" task_id)" --recording-id "$(jget "$large" recording_id)")
  [ -n "$ca" ] && cacert=(--cacert "$ca")
  for i in $(seq 1 "$DL_RUNS"); do
    wait_quiet
    e0=$(proc_cpu "$wx_pid")
    timed "curl-$scheme$i" curl -sS --noproxy '*' "${cacert[@]}" -o /dev/null -w '%{size_download} %{time_total}\n' "$url"
    read -r sz t <"$work/curl-$scheme$i.out"
    [ "$sz" -eq "$LARGE" ] || echo "bench: curl got $sz of $LARGE bytes" >&2
    dl_row "$e0" "$scheme: curl -o /dev/null #$i" "curl-$scheme$i" "$(awk -v s="$sz" -v t="$t" 'BEGIN{print s/1e6/t}')"
    wait_quiet
    e0=$(proc_cpu "$wx_pid")
    timed "ccrec-$scheme$i" "$dl" --url "$url" --ca-file "$ca"
    line=$(cat "$work/ccrec-$scheme$i.out")
    case "$line" in *"bytes=$LARGE "*) ;; *) echo "bench: download_bench: $line" >&2 ;; esac
    dl_row "$e0" "$scheme: ccrec download_bench #$i" "ccrec-$scheme$i" "$(sed -E 's/.*MBps=([0-9.]+).*/\1/' <<<"$line")"
  done
}
dl_row() {  # dl_row CPU_BEFORE LABEL NAME MBPS
  local e0=$1
  shift
  tail -n 1 "$work/$2.time" | awk -v label="$1" -v mbps="$3" -v busy="$quiet_busy" \
    -v ecpu="$(awk -v a="$e0" -v b="$(proc_cpu "$wx_pid")" 'BEGIN{print b-a}')" \
    '{printf "%s\t%.0f\t%.2f\t%.2f\t%.1f\t%.2f\t%s\n", label, mbps, $1, $2+$3, $4/1024, ecpu, busy}' >>"$dl_results"
  tail -n 1 "$dl_results" >&2
}
if part C; then
  printf 'download of one %s MiB recording (same presigned URL)\tMB/s\twall s\tclient CPU s\tpeak RSS MiB\temulator CPU s\tbusy%% before\n' \
    "$((LARGE >> 20))" >"$dl_results"
  download_runs https
  stop_webex
  large_emulator wxlp --plain-http
  download_runs http
fi
if part B || part C; then stop_webex; fi

echo
echo "## export benchmark: $(nproc) cores; ${LAT} ms added per API/media request; emulator HTTPS, moto S3 over HTTP"
echo "(API req = token + tasks + captures requests the emulator answered; busy% = all CPUs, 3 s before the run)"
helper table "$results"
if [ "$(wc -l <"$s3_ops_file")" -gt 1 ]; then
  echo
  echo "S3 requests per run (from the debug log; recordings = $expected)"
  helper table "$s3_ops_file"
fi
if [ -s "$dl_results" ]; then
  echo
  helper table "$dl_results"
  "$py" - "$dl_results" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
for scheme in ("https", "http"):
    curl = [float(r[1]) for r in rows if r[0].startswith(scheme + ": curl")]
    ccrec = [float(r[1]) for r in rows if r[0].startswith(scheme + ": ccrec")]
    if curl and ccrec:
        c, k = statistics.median(curl), statistics.median(ccrec)
        bc, bk = max(curl), max(ccrec)
        print(f"download over {scheme}: median curl {c:.0f} MB/s, ccrec {k:.0f} MB/s ({100 * k / c:.0f}% of curl); "
              f"best of {len(curl)}: curl {bc:.0f}, ccrec {bk:.0f} MB/s ({100 * bk / bc:.0f}%)")
PY
fi
