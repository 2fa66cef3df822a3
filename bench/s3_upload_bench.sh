#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# S3 upload benchmark (issue 3, item 9): a 1 GiB stream (stdin, length unknown) uploaded to the
# local signature-checking S3 server (moto, tests/emulators/s3_server.py), side by side in one run:
#   ccrec   bench/s3_put_bench: stdin -> ccrec::s3::MakeS3Sink -> Open/Write/Finish, defaults
#           (8 MiB parts, 4 in flight, signed payload + Content-MD5)
#   aws     aws s3 cp - s3://BUCKET/KEY   (AWS CLI at its defaults: 8 MiB parts, 10 threads)
#   rclone  rclone rcat REMOTE:BUCKET/KEY (rclone at its defaults: 5 MiB chunks, 4 in flight)
# The input is one file of random bytes, piped with `cat` into each tool. Per run: MB/s (10^6
# bytes), client CPU (user+sys) and peak RSS from GNU time, and moto's CPU seconds during the run
# (/proc/PID/stat) — moto is Python and may be the bottleneck. Every object is checked (size and
# SHA-256, read back) and deleted before the next run. After one untimed 16 MiB warm-up upload per
# tool, BENCH_REPEAT rounds run; the tool order rotates by one each round. Medians per tool at the end.
#
# Usage: bench/s3_upload_bench.sh
# Knobs (environment): BENCH_UPLOAD_BYTES (1073741824), BENCH_REPEAT (2), BENCH_TOOLS
#   ("ccrec aws rclone"; "base" adds a second s3_put_bench, BENCH_BASE_PUT, e.g. one built from
#   main, for before/after in one run against the same moto), BENCH_QUIET_WAIT_S (0),
#   BENCH_BUILD_DIR (build-bench), BENCH_PUT_ARGS (extra s3_put_bench flags for "ccrec", e.g.
#   "--in-flight 2"; default none).
# moto keeps every part over 5 MiB, and each object, in a spooled temporary file: TMPDIR=/dev/shm
# keeps them off a shared disk. On a very busy machine moto can take over 60 s to answer the
# CompleteMultipartUpload of 1 GiB, and both clients then time out; use BENCH_UPLOAD_BYTES to go smaller.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d /tmp/ccrec-s3-bench.XXXXXX)
pids=()
source "$root/bench/bench_lib.sh"
trap bench_cleanup EXIT

SIZE=${BENCH_UPLOAD_BYTES:-1073741824}
REPEAT=${BENCH_REPEAT:-2}
TOOLS=${BENCH_TOOLS:-ccrec aws rclone}
BUCKET=ccrec-upload

ccrec_ensure_deps
ccrec_ensure_apt time rclone
py=$(bench_python)
bench_ensure_python_modules
aws_bin=$(dirname "$py")/aws
[ -x "$aws_bin" ] || aws_bin=$(command -v aws || true)
if [ -z "$aws_bin" ]; then
  bench_log "the AWS CLI is missing; installing it with pip"
  "$py" -m pip install --quiet awscli 2>/dev/null || "$py" -m pip install --quiet --break-system-packages awscli
  aws_bin=$(dirname "$py")/aws
fi
bench_build s3_put_bench
put=$BENCH_BUILD_DIR/bench/s3_put_bench
case " $TOOLS " in
  *" base "*) [ -x "${BENCH_BASE_PUT:-}" ] || { bench_log "BENCH_TOOLS has base: set BENCH_BASE_PUT to an s3_put_bench binary"; exit 2; } ;;
esac
helper() { "$py" "$root/bench/bench_helper.py" "$@"; }
jget() { "$py" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

bench_log "tree: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown) (+ uncommitted changes, if any)"
bench_log "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(load1)"
bench_log "versions: $("$aws_bin" --version 2>&1), $(rclone version 2>/dev/null | head -n 1)"
bench_log "generating $SIZE random bytes"
head -c "$SIZE" /dev/urandom >"$work/input.bin"
input_sha=$(sha256sum "$work/input.bin" | cut -d' ' -f1)  # also reads it into the page cache

start_moto s3 "$BUCKET"
# Versioning on: moto 5.2.1 answers a multipart upload on an unversioned bucket with
# "x-amz-version-id: null", and rclone 1.60 then HEADs "?versionId=null", which moto rejects (400;
# real S3 accepts it), so rclone would exit 1 after a complete upload. With versioning the HEAD
# carries a real version id. Same bucket, same setting for every tool; all versions are deleted
# after each run.
helper versioning --endpoint "$s3_endpoint" --bucket "$BUCKET"

# rclone: an S3 remote named "bench" from environment variables only (no config file is read).
export RCLONE_CONFIG=$work/rclone.conf
: >"$RCLONE_CONFIG"
export RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other RCLONE_CONFIG_BENCH_ENV_AUTH=false
export RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export RCLONE_CONFIG_BENCH_ENDPOINT=$s3_endpoint RCLONE_CONFIG_BENCH_REGION=us-east-1
export RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true
# (AWS_CA_BUNDLE, when set in the environment, makes rclone fail on a plain-http endpoint: it is
# removed for rclone only, below.)
# Loopback only: no proxy from the environment for any tool.
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost

results=$work/results.tsv
printf 'tool, run (%s MiB from stdin)\tMB/s\twall s\tclient CPU s\tpeak RSS MiB\tmoto CPU s\tmoto CPU / wall\tbusy%% before\tcheck\n' \
  "$((SIZE >> 20))" >"$results"

upload() {  # upload TOOL RUN
  local tool=$1 run=$2 key="$1-$2.bin" name="$1-$2" rc=0
  if [ "$run" = warmup ]; then quiet_busy=-; else wait_quiet; fi
  local m0 m1
  m0=$(proc_cpu "$moto_pid")
  bench_log "run: $tool #$run"
  # shellcheck disable=SC2086  # BENCH_PUT_ARGS is a list of flags
  case "$tool" in
    ccrec) cat "$work/input.bin" | timed "$name" "$put" --endpoint "$s3_endpoint" --bucket "$BUCKET" --key "$key" ${BENCH_PUT_ARGS:-} || rc=$? ;;
    base) cat "$work/input.bin" | timed "$name" "$BENCH_BASE_PUT" --endpoint "$s3_endpoint" --bucket "$BUCKET" --key "$key" || rc=$? ;;
    aws) cat "$work/input.bin" | timed "$name" "$aws_bin" --endpoint-url "$s3_endpoint" s3 cp - "s3://$BUCKET/$key" || rc=$? ;;
    rclone) cat "$work/input.bin" | timed "$name" env -u AWS_CA_BUNDLE rclone rcat --s3-no-check-bucket "bench:$BUCKET/$key" || rc=$? ;;
  esac
  m1=$(proc_cpu "$moto_pid")
  local check bytes verdict=ok
  check=$(helper s3-check --endpoint "$s3_endpoint" --bucket "$BUCKET" --prefix "$key" --sha256 --delete --all-versions)
  bytes=$(jget "$check" bytes)
  [ "$rc" -eq 0 ] || verdict="exit $rc"
  [ "$bytes" -eq "$SIZE" ] || verdict="$verdict; stored $bytes bytes"
  "$py" -c 'import json,sys; d=json.loads(sys.argv[1]).get("sha256",{}); sys.exit(0 if list(d.values())==[sys.argv[2]] else 1)' \
    "$check" "$input_sha" || verdict="$verdict; sha256 differs"
  [ "$verdict" = ok ] || { echo "--- $name stderr:" >&2; tail -n 20 "$work/$name.err" >&2; }
  tail -n 1 "$work/$name.time" | awk -v label="$tool #$run" -v size="$SIZE" -v mcpu="$(awk -v a="$m0" -v b="$m1" 'BEGIN{print b-a}')" \
    -v busy="$quiet_busy" -v verdict="$verdict" '{
      wall=$1; printf "%s\t%.0f\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%s\t%s\n",
        label, size/1e6/wall, wall, $2+$3, $4/1024, mcpu, mcpu/wall, busy, verdict }' >>"$results"
  tail -n 1 "$results" >&2
}

# Warm-up (not timed, not in the table): one small multipart upload per tool, so that moto's
# first-use costs (lazy imports, first CompleteMultipartUpload) are not charged to whichever tool
# happens to run first. BENCH_WARMUP=0 skips it.
if [ "${BENCH_WARMUP:-1}" != 0 ]; then
  full=$SIZE
  SIZE=$((16 << 20))
  mv "$work/input.bin" "$work/input.full"
  head -c "$SIZE" "$work/input.full" >"$work/input.bin"
  saved_sha=$input_sha
  input_sha=$(sha256sum "$work/input.bin" | cut -d' ' -f1)
  for tool in $TOOLS; do upload "$tool" warmup 2>/dev/null; done
  head -n 1 "$results" >"$work/results.head" && mv "$work/results.head" "$results"
  mv "$work/input.full" "$work/input.bin"
  SIZE=$full input_sha=$saved_sha
fi

# The order of the tools rotates by one each round (round 1: as listed, round 2 starts with the
# second tool, ...), so that no tool always runs first or always after the same other tool
# (moto's cost for a run can depend on what the previous run left behind).
read -r -a tool_list <<<"$TOOLS"
for run in $(seq 1 "$REPEAT"); do
  for i in $(seq 0 $((${#tool_list[@]} - 1))); do
    upload "${tool_list[$(((i + run - 1) % ${#tool_list[@]}))]}" "$run"
  done
done

echo
echo "## S3 upload benchmark: $SIZE bytes from stdin into moto (signature checking on), $(nproc) cores"
echo "MB/s over the tool's whole run (process start to exit, GNU time); moto CPU during that run;"
echo "busy% = all CPUs over the 3 s before the run."
helper table "$results"
echo
echo "Medians over $REPEAT rounds: MB/s, moto CPU s per GiB, client CPU s, peak RSS MiB"
for tool in $TOOLS; do
  grep "^$tool #" "$results" | awk -F'\t' -v t="$tool" -v size="$SIZE" '
    function med(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { n++; mb[n] = $2; mc[n] = $6 * 1073741824 / size; cc[n] = $4; rss[n] = $5 }
    END { if (n) printf "%s\t%.0f MB/s\t%.1f moto CPU s/GiB\t%.1f client CPU s\t%.1f MiB\n", t, med(mb, n), med(mc, n), med(cc, n), med(rss, n) }' || true
done
