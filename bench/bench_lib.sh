# SPDX-License-Identifier: Apache-2.0
# Shared helpers of bench/*.sh (sourced, not run). Needs: root (repository root), work (scratch
# directory), py (python interpreter), pids (array of server PIDs stopped by bench_cleanup).
# shellcheck shell=bash

source "$root/scripts/lib.sh"

BENCH_BUILD_DIR=${BENCH_BUILD_DIR:-$root/build-bench}

bench_log() { printf '==> %s\n' "$*" >&2; }

# The real interpreter behind a pyenv shim (so CPU and RSS are the program's, not a wrapper's).
# token_file PATH: a fresh token file (mode 0600, written before any content) holding only the
# refresh token in $refresh, as after the one-time authorization. Never printed.
token_file() {
  (umask 077 && printf '{"access_token":"","token_type":"Bearer","expires_at":0,"refresh_token":"%s"}\n' "$refresh" >"$1")
  chmod 600 "$1"
}

bench_python() {
  local p
  p=$(ccrec_python)
  "$p" -c 'import sys; print(sys.executable)'
}

# Python modules the scripts use; apt packages only when missing (the Debian python3 case).
bench_ensure_python_modules() {
  if ! "$py" -c 'import requests' 2>/dev/null; then ccrec_ensure_apt python3-requests; fi
  if ! "$py" -c 'import boto3' 2>/dev/null; then ccrec_ensure_apt python3-boto3; fi
  "$py" -c 'import requests, boto3, moto.server' || {
    echo "bench: $py cannot import requests, boto3 and moto" >&2
    return 1
  }
}

bench_build() {  # bench_build TARGET...
  bench_log "building $* (Release) in $BENCH_BUILD_DIR"
  cmake -S "$root" -B "$BENCH_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DCCREC_BUILD_BENCH=ON \
    -DCCREC_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BENCH_BUILD_DIR" -j"$(ccrec_jobs)" --target "$@" >/dev/null
}

bench_cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}

ready() {  # ready FILE KEY
  "$py" -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("" if v is None else v)' "$1" "$2"
}

wait_ready() {  # wait_ready FILE PID
  local _
  for _ in $(seq 1 600); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "bench: server exited early" >&2; return 1; }
    sleep 0.1
  done
  echo "bench: server did not become ready" >&2
  return 1
}

# start_moto NAME BUCKET: starts the signature-checking S3 server; sets moto_pid, s3_endpoint and
# exports the S3 credentials.
start_moto() {
  mkdir -p "$work/$1"
  "$py" "$root/tests/emulators/s3_server.py" --port 0 --ready-file "$work/$1.json" --state-dir "$work/$1" \
    --bucket "$2" &
  moto_pid=$!
  pids+=("$moto_pid")
  wait_ready "$work/$1.json" "$moto_pid"
  s3_endpoint=$(ready "$work/$1.json" endpoint)
  AWS_ACCESS_KEY_ID=$(ready "$work/$1.json" access_key)
  AWS_SECRET_ACCESS_KEY=$(ready "$work/$1.json" secret_key)
  export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
}

# CPU seconds (user+system, all threads) a process has used so far.
proc_cpu() {  # proc_cpu PID
  "$py" - "$1" <<'PY'
import os, sys
with open(f"/proc/{sys.argv[1]}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
print((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
PY
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# Percent of all CPUs busy over the last N seconds (default 3), from /proc/stat. Unlike the load
# average, this is not inflated by the previous benchmark run for a minute afterwards.
cpu_busy() {  # cpu_busy [SECONDS]
  local a b
  a=$(head -n 1 /proc/stat)
  sleep "${1:-3}"
  b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN{
    n=split(a, x, " "); split(b, y, " "); tot=0; idle=0;
    for (i=2; i<=n; i++) tot += y[i]-x[i];
    idle = (y[5]-x[5]) + (y[6]-x[6]);
    printf "%.0f", (tot > 0) ? 100*(tot-idle)/tot : 0 }'
}

# Waits (up to BENCH_QUIET_WAIT_S seconds, default 0) until the machine is quiet: less than
# BENCH_QUIET_BUSY percent (default 20) of all CPUs busy over 3 s. Sets quiet_busy to the last
# sample, which is printed with every result either way.
wait_quiet() {
  local waited=0 limit=${BENCH_QUIET_WAIT_S:-0} max=${BENCH_QUIET_BUSY:-20}
  quiet_busy=$(cpu_busy 3)
  while [ "$quiet_busy" -ge "$max" ] && [ "$waited" -lt "$limit" ]; do
    bench_log "CPUs ${quiet_busy}% busy before the run (>= $max%); waiting ($waited s of $limit s)"
    sleep 15
    waited=$((waited + 18))
    quiet_busy=$(cpu_busy 3)
  done
}

# timed NAME CMD...: runs CMD under GNU time; writes $work/NAME.{out,err,time}. The time file has
# "elapsed user sys maxrss_kib". Returns CMD's status.
timed() {
  local name=$1
  shift
  local rc=0
  /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
  return "$rc"
}
