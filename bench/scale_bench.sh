#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Scale-out benchmark (issue 15, docs/scale.md): N instances (1, 2, 4) share one window with
# `--shard I/N` against the Webex CC emulator ENFORCING a rate limit per client id (sliding 60 s
# window, 429 + Retry-After), all sharing that limit through `--rate-limit-store` on a local
# redis-server the script starts (free port, no persistence, stopped at exit). For contrast, the
# largest N once more WITHOUT the store: each instance then keeps the whole limit to itself.
# Destination: a directory per run; the shards' manifests are merged (`ccrec-export manifest merge`)
# to count what was exported, and every run must export every recording exactly once.
#
# Per run: wall time (start of the first instance to the end of the last), API calls the emulator
# answered (token, task pages, captures), captures calls, the API floor (API calls / limit per
# minute, in minutes: the shortest time ANY number of instances could take), 429s, the highest
# peak RSS of the instances.
# Part lease (SCALE_PARTS contains "lease", issue 15 items 3-4): N instances share the window by
# `--lease` (sub-window leases in the same redis-server, TTL SCALE_LEASE_TTL), writing to S3 (the
# signature-checking moto server of bench_lib.sh, recordings kept small: SCALE_LEASE_MEDIAN_BYTES),
# each with its own manifest; then once more with N = the largest count where instance 0 is
# SIGKILLed once SCALE_KILL_AT (0.4) of the recordings are exported: the others take its
# sub-windows over when its leases expire. Check: every recording byte-exact in S3, exactly once,
# nothing else (bench_helper.py s3-truth against the emulator's ground truth), the merged manifest
# counts each once, zero 429s. Throughput vs floor = API floor / wall time (1.0 = the floor).
# Part RSS (SCALE_PARTS contains "rss"): one instance, limit raised on both sides, at -c 4 and -c 16,
# peak RSS from GNU time (`/usr/bin/time -v`'s "Maximum resident set size").
#
# The default (1,500 tasks in one day, limit 60/min, 6 h sub-windows) runs in about 6 minutes: the
# API calls (~95) need two 60 s windows at 60/min, whatever N. The 20,000-task version (Webex's
# real 300/min; ~2,000 captures calls = ~7 minutes per run at the floor; ~35 minutes in all):
#   SCALE_TASKS=20000 SCALE_LIMIT=300 SCALE_SUB_WINDOW=1h bench/scale_bench.sh
# With leases, writing to S3, and a SIGKILLed instance (the issue's scale test):
#   SCALE_PARTS=lease SCALE_TASKS=20000 SCALE_LIMIT=300 SCALE_SUB_WINDOW=1h bench/scale_bench.sh
# Knobs (environment): SCALE_PARTS ("shards rss"; "lease" too), SCALE_INSTANCES ("1 2 4"), SCALE_TASKS (1500),
#   SCALE_LIMIT (60 requests/min, server and clients), SCALE_SUB_WINDOW (6h), SCALE_CONCURRENCY (4),
#   SCALE_MEDIAN_BYTES (262144), SCALE_LATENCY_MS (20), SCALE_LEASE_TTL (20s), SCALE_KILL_AT (0.4),
#   SCALE_LEASE_MEDIAN_BYTES (16384), SCALE_CLI (a built ccrec-export; default:
#   a Release build in BENCH_BUILD_DIR, build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/ccrec-scale-bench.XXXXXX)
pids=()
source "$root/bench/bench_lib.sh"
trap bench_cleanup EXIT

PARTS=${SCALE_PARTS:-shards rss}
INSTANCES=${SCALE_INSTANCES:-1 2 4}
TASKS=${SCALE_TASKS:-1500}
LIMIT=${SCALE_LIMIT:-60}
SUB=${SCALE_SUB_WINDOW:-6h}
CONC=${SCALE_CONCURRENCY:-4}
MEDIAN=${SCALE_MEDIAN_BYTES:-262144}
LAT=${SCALE_LATENCY_MS:-20}
LEASE_TTL=${SCALE_LEASE_TTL:-20s}
KILL_AT=${SCALE_KILL_AT:-0.4}
LEASE_MEDIAN=${SCALE_LEASE_MEDIAN_BYTES:-16384}
BUCKET=ccrec-scale
DAY=2026-11-01
FROM=${DAY}T00:00:00Z
TO=2026-11-02T00:00:00Z
FROM_MS=1793491200000
TO_MS=1793577600000
part() { [[ " $PARTS " == *" $1 "* ]]; }

ccrec_ensure_apt time redis-server
py=$(bench_python)
if [ -n "${SCALE_CLI:-}" ]; then
  cli=$SCALE_CLI
else
  bench_build ccrec-export
  cli=$BENCH_BUILD_DIR/examples/ccrec-export
fi
[[ "$("$cli" webex --help)" == *--rate-limit-store* ]] || { echo "bench: $cli was built without ccrec::redis" >&2; exit 1; }
helper() { "$py" "$root/bench/bench_helper.py" "$@"; }
jget() { "$py" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bench_log "tree: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown); cli: $cli"
bench_log "machine: $(nproc) cores, load $(load1); $(redis-server --version | cut -d' ' -f1-3)"

# Redis for the shared limiter: loopback, a free port, nothing persisted (a benchmark).
redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work/redis" \
  --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# start_webex ARGS...: the emulator; a refresh grace period lets every instance and run start
# from the same refresh token.
start_webex() {
  rm -f "$work/wx.json"
  "$py" "$root/tests/emulators/webex_cc.py" --port 0 --ready-file "$work/wx.json" --state-dir "$work/wx" \
    --day "$DAY" --latency-ms "$LAT" --refresh-grace-seconds 86400 --exit-with-parent \
    --tasks-per-day "$TASKS" --median-size-bytes "$MEDIAN" "$@" &
  wx_pid=$!
  pids+=("$wx_pid")
  wait_ready "$work/wx.json" "$wx_pid"
  base=$(ready "$work/wx.json" base_url)
  token_url=$(ready "$work/wx.json" token_url)
  ca=$(ready "$work/wx.json" ca_file)
  refresh=$(ready "$work/wx.json" refresh_token)
  CCREC_WEBEX_CLIENT_ID=$(ready "$work/wx.json" client_id)
  CCREC_WEBEX_CLIENT_SECRET=$(ready "$work/wx.json" client_secret)
  export CCREC_WEBEX_CLIENT_ID CCREC_WEBEX_CLIENT_SECRET
}
stop_webex() {
  kill "$wx_pid" 2>/dev/null || true
  wait "$wx_pid" 2>/dev/null || true
}

results=$work/results.md
{
  printf '| run | instances | recordings | wall s | API calls | captures calls | API floor min | 429s | peak RSS MiB (max) | check |\n'
  printf '|---|---|---|---|---|---|---|---|---|---|\n'
} >"$results"

# run_shards LABEL N STORE(yes|no) CLIENT_LIMIT: N instances, --shard I/N, one shared token file.
run_shards() {
  local label=$1 n=$2 store=$3 climit=$4 dir="$work/run-$1"
  mkdir -p "$dir/dest"
  token_file "$dir/token.json"
  redis-cli -p "$redis_port" flushall >/dev/null
  helper stats --base-url "$base" --ca-file "$ca" --reset >/dev/null
  local extra=() i t0 t1 rc=0 ipids=()
  [ "$store" = yes ] && extra=(--rate-limit-store "redis://127.0.0.1:$redis_port/bench")
  bench_log "run: $label ($n instances, store: $store)"
  t0=$(date +%s.%N)
  for ((i = 0; i < n; i++)); do
    /usr/bin/time -f '%e %U %S %M' -o "$dir/$i.time" "$cli" webex --api-base-url "$base" --token-url "$token_url" \
      --ca-file "$ca" --token-file "$dir/token.json" --from "$FROM" --to "$TO" --sub-window "$SUB" \
      --shard "$i/$n" --dest "$dir/dest" --manifest "$dir/webex-{shard}.jsonl" --concurrency "$CONC" \
      --rate-limit "$climit" --pending-max-age 0 --progress off --log-level warn "${extra[@]}" >"$dir/$i.out" 2>"$dir/$i.err" &
    ipids+=($!)
  done
  for i in "${!ipids[@]}"; do wait "${ipids[$i]}" || { rc=$?; echo "--- instance $i exit $rc:" >&2; tail -n 5 "$dir/$i.err" >&2; }; done
  t1=$(date +%s.%N)
  local merged stats api caps r429 rss recs verdict=ok
  merged=$("$cli" manifest merge --output "$dir/all.jsonl" "$dir"/webex-*.jsonl 2>>"$dir/merge.err" | tail -n 1)
  recs=$(sed -n 's/.*exported=\([0-9]*\).*/\1/p' <<<"$merged")
  stats=$(helper stats --base-url "$base" --ca-file "$ca")
  caps=$(jget "$stats" captures)
  api=$(( $(jget "$stats" token) + $(jget "$stats" tasks) + caps ))
  r429=$(jget "$stats" status_429)
  rss=$(for f in "$dir"/*.time; do tail -n 1 "$f"; done | awk '{ if ($4 > m) m = $4 } END { printf "%.1f", m / 1024 }')
  [ "$rc" -eq 0 ] || verdict="exit $rc"
  [ "${recs:-0}" -eq "$expected" ] || verdict="$verdict; ${recs:-0} of $expected exported"
  printf '| %s | %d | %s | %.1f | %d | %d | %.2f | %d | %s | %s |\n' "$label" "$n" "${recs:-0}" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$api" "$caps" "$(awk -v a="$api" -v l="$LIMIT" 'BEGIN{print a/l}')" \
    "$r429" "$rss" "$verdict" >>"$results"
  tail -n 1 "$results" >&2
}

if part shards; then
  start_webex --rate-limit-per-minute "$LIMIT"
  expected=$(helper truth --base-url "$base" --ca-file "$ca" --from "$FROM_MS" --to "$TO_MS" |
    "$py" -c 'import json,sys; print(json.load(sys.stdin)["recordings"])' 2>/dev/null || echo 0)
  bench_log "emulator: $TASKS tasks, $expected recordings expected, limit $LIMIT/min"
  for n in $INSTANCES; do run_shards "shared limit, N=$n" "$n" yes "$LIMIT"; done
  last=${INSTANCES##* }
  [ "$last" -gt 1 ] && run_shards "no store, N=$last (each $LIMIT/min)" "$last" no "$LIMIT"
  stop_webex
fi

# run_lease LABEL N KILL(yes|no): N instances with --lease and the shared limiter, to S3; with KILL,
# instance 0 is SIGKILLed once KILL_AT of the recordings are exported (all manifests together).
run_lease() {
  local label=$1 n=$2 kill=$3 dir="$work/lease-$1" prefix="lease-$2-$3"
  mkdir -p "$dir"
  token_file "$dir/token.json"
  redis-cli -p "$redis_port" flushall >/dev/null
  helper stats --base-url "$base" --ca-file "$ca" --reset >/dev/null
  local i t0 t1 rc=0 ipids=() killed=no url="redis://127.0.0.1:$redis_port/bench"
  bench_log "run: $label ($n instances, --lease, S3 prefix $prefix, SIGKILL: $kill)"
  t0=$(date +%s.%N)
  for ((i = 0; i < n; i++)); do
    /usr/bin/time -f '%e %U %S %M' -o "$dir/$i.time" "$cli" webex --api-base-url "$base" --token-url "$token_url" \
      --ca-file "$ca" --token-file "$dir/token.json" --from "$FROM" --to "$TO" --sub-window "$SUB" \
      --lease "$url" --lease-ttl "$LEASE_TTL" --rate-limit-store "$url" --rate-limit "$LIMIT" \
      --dest "s3://$BUCKET/$prefix" --s3-endpoint "$s3_endpoint" --manifest "$dir/webex-$i.jsonl" \
      --concurrency "$CONC" --pending-max-age 0 --progress off --log-level info >"$dir/$i.out" 2>"$dir/$i.err" &
    ipids+=($!)
  done
  if [ "$kill" = yes ]; then
    local at child done_n
    at=$(awk -v e="$expected" -v k="$KILL_AT" 'BEGIN{printf "%d", e*k}')
    while kill -0 "${ipids[0]}" 2>/dev/null; do
      done_n=$(cat "$dir"/webex-*.jsonl 2>/dev/null | grep -c '"status":"exported"' || true)
      if [ "${done_n:-0}" -ge "$at" ]; then
        child=$(pgrep -P "${ipids[0]}" || true)  # ccrec-export under GNU time
        [ -n "$child" ] && kill -KILL "$child" && killed="yes, at $done_n exported"
        break
      fi
      sleep 1
    done
    bench_log "instance 0 SIGKILLed: $killed"
  fi
  for i in "${!ipids[@]}"; do
    if ! wait "${ipids[$i]}"; then
      [ "$kill" = yes ] && [ "$i" -eq 0 ] && continue
      rc=1; echo "--- instance $i failed:" >&2; tail -n 5 "$dir/$i.err" >&2
    fi
  done
  t1=$(date +%s.%N)
  local merged stats api caps r429 rss recs truth verdict=ok wall floor
  merged=$("$cli" manifest merge --output "$dir/all.jsonl" "$dir"/webex-*.jsonl 2>>"$dir/merge.err" | tail -n 1)
  # A recording the killed instance stored but had no manifest line for yet is "skipped" (found in
  # S3, proven by its ccrec-id) in the survivor's manifest: exported + skipped = distinct recordings.
  recs=$(( $(sed -n 's/.*exported=\([0-9]*\).*/\1/p' <<<"$merged") + $(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' <<<"$merged") ))
  truth=$(helper s3-truth --base-url "$base" --ca-file "$ca" --from "$FROM_MS" --to "$TO_MS" --endpoint "$s3_endpoint" \
    --bucket "$BUCKET" --prefix "$prefix") || verdict="S3 check failed"
  bench_log "S3 check: $truth; merged manifest: $merged"
  bench_log "leases: $(grep -h 'sub-window leases:' "$dir"/*.err | sed 's/.*sub-window leases: \(.* lost\).*/\1/' | tr '\n' ';')"
  helper s3-check --endpoint "$s3_endpoint" --bucket "$BUCKET" --prefix "$prefix/" --delete >/dev/null
  stats=$(helper stats --base-url "$base" --ca-file "$ca")
  caps=$(jget "$stats" captures)
  api=$(( $(jget "$stats" token) + $(jget "$stats" tasks) + caps ))
  r429=$(jget "$stats" status_429)
  rss=$(for f in "$dir"/*.time; do tail -n 1 "$f"; done | awk '{ if ($4 > m) m = $4 } END { printf "%.1f", m / 1024 }')
  [ "$rc" -eq 0 ] || verdict="an instance failed"
  [ "${recs:-0}" -eq "$expected" ] || verdict="$verdict; ${recs:-0} of $expected in the merged manifest"
  [ "$r429" -eq 0 ] || verdict="$verdict; $r429 429s"
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  floor=$(awk -v c="$caps" -v l="$LIMIT" 'BEGIN{printf "%.2f", c/l}')
  printf '| %s | %d | %s | %s | %d | %d | %s | %.2f | %d | %s | %s |\n' "$label" "$n" "${recs:-0}" "$wall" "$api" \
    "$caps" "$floor" "$(awk -v f="$floor" -v w="$wall" 'BEGIN{print f*60/w}')" "$r429" "$rss" "$verdict" >>"$lease_results"
  tail -n 1 "$lease_results" >&2
}

if part lease; then
  bench_ensure_python_modules
  start_moto s3 "$BUCKET"
  MEDIAN=$LEASE_MEDIAN start_webex --rate-limit-per-minute "$LIMIT" --min-size-bytes 4096 \
    --max-size-bytes $((LEASE_MEDIAN * 4))
  expected=$(helper truth --base-url "$base" --ca-file "$ca" --from "$FROM_MS" --to "$TO_MS" |
    "$py" -c 'import json,sys; print(json.load(sys.stdin)["recordings"])' 2>/dev/null || echo 0)
  bench_log "emulator: $TASKS tasks, $expected recordings expected, limit $LIMIT/min, lease ttl $LEASE_TTL"
  lease_results=$work/lease.md
  {
    printf '| run | instances | recordings (merged manifest) | wall s | API calls | captures calls | captures floor min | throughput vs floor | 429s | peak RSS MiB (max) | check |\n'
    printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
  } >"$lease_results"
  for n in $INSTANCES; do run_lease "lease, N=$n" "$n" no; done
  last=${INSTANCES##* }
  [ "$last" -gt 1 ] && run_lease "lease, N=$last, instance 0 SIGKILLed" "$last" yes
  stop_webex
fi

if part rss; then
  start_webex
  expected=$(helper truth --base-url "$base" --ca-file "$ca" --from "$FROM_MS" --to "$TO_MS" |
    "$py" -c 'import json,sys; print(json.load(sys.stdin)["recordings"])' 2>/dev/null || echo 0)
  for c in 4 16; do
    CONC=$c LIMIT=100000 run_shards "RSS -c $c, no limit" 1 no 100000
  done
  stop_webex
fi

echo
echo "ccrec-export scale benchmark: $TASKS tasks/day, limit $LIMIT/min, --sub-window $SUB, -c $CONC, $(date -u +%FT%TZ)"
cat "$results"
if part lease; then
  echo
  echo "--lease to S3 (recordings median $LEASE_MEDIAN bytes, lease ttl $LEASE_TTL):"
  cat "$lease_results"
fi
