#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job, end to end on this machine: builds ccrec, starts the bundled Webex Contact Center
# emulator (HTTPS, throwaway CA) and a signature-checking S3 server (moto), runs
# `ccrec-export webex` for one emulated day (yesterday, UTC) into a bucket, prints the summary and
# a listing of what landed, runs it again to show that nothing is exported twice, and stops the
# servers. Yesterday, as a nightly job would: tasks whose capture is not available yet are
# `pending` (retried by the next run), not failed, for up to --pending-max-age (3 days).
#
# Usage: scripts/demo.sh            (DEMO_TASKS=1200 tasks in the day by default)
#        CCREC_EXPORT_BIN=PATH scripts/demo.sh   (use that ccrec-export instead of building one;
#                                                 ctest demo.script does)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ccrec_ensure_deps

root=$PWD
py=$(ccrec_python)
build=${CCREC_DEMO_BUILD_DIR:-build/demo}
work=$(mktemp -d /tmp/ccrec-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${CCREC_EXPORT_BIN:-}" ]; then
  exporter=$CCREC_EXPORT_BIN
else
  ccrec_log "building ccrec-export"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCREC_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(ccrec_jobs)" --target ccrec-export
  exporter=$build/examples/ccrec-export
fi
day=$(date -u -d yesterday +%Y-%m-%d)
today=$(date -u +%Y-%m-%d)

ready() {  # ready FILE KEY
  "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
wait_ready() {  # wait_ready FILE PID
  for _ in $(seq 1 300); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "server exited early" >&2; return 1; }
    sleep 0.1
  done
  echo "server did not become ready" >&2
  return 1
}

ccrec_log "starting the Webex CC emulator and the S3 server (moto, signature checking on)"
mkdir -p "$work/webex" "$work/s3"
"$py" tests/emulators/webex_cc.py --port 0 --ready-file "$work/webex.json" --state-dir "$work/webex" \
  --day "$day" --tasks-per-day "${DEMO_TASKS:-1200}" &
pids+=($!)
"$py" tests/emulators/s3_server.py --port 0 --ready-file "$work/s3.json" --state-dir "$work/s3" \
  --bucket ccrec-demo &
pids+=($!)
wait_ready "$work/webex.json" "${pids[0]}"
wait_ready "$work/s3.json" "${pids[1]}"

# The token file an admin's one-time authorization produced (refresh token only; ccrec-export
# refreshes, rotates and rewrites it atomically with mode 0600).
umask 077
printf '{"access_token":"","token_type":"Bearer","expires_at":0,"refresh_token":"%s"}\n' \
  "$(ready "$work/webex.json" refresh_token)" >"$work/token.json"

export AWS_ACCESS_KEY_ID=$(ready "$work/s3.json" access_key)
export AWS_SECRET_ACCESS_KEY=$(ready "$work/s3.json" secret_key)
export AWS_REGION=us-east-1
export CCREC_WEBEX_CLIENT_ID=$(ready "$work/webex.json" client_id)
export CCREC_WEBEX_CLIENT_SECRET=$(ready "$work/webex.json" client_secret)
endpoint=$(ready "$work/s3.json" endpoint)

run_export() {
  "$exporter" webex \
    --api-base-url "$(ready "$work/webex.json" base_url)" \
    --token-url "$(ready "$work/webex.json" token_url)" \
    --ca-file "$(ready "$work/webex.json" ca_file)" \
    --token-file "$work/token.json" \
    --from "${day}T00:00:00Z" --to "${today}T00:00:00Z" \
    --dest s3://ccrec-demo/wxcc --s3-endpoint "$endpoint" \
    --manifest "$work/manifest.jsonl" --concurrency 8 --progress on --log-level warn
}

ccrec_log "ccrec-export webex: one emulated day ($day) -> s3://ccrec-demo/wxcc"
run_export
ccrec_log "what landed in the bucket"
"$py" - "$endpoint" <<'PY'
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], config=Config(signature_version="s3v4"))
keys, size = [], 0
# No Prefix parameter: moto 5.2 answers a correctly signed '/'-containing prefix with a false
# SignatureDoesNotMatch (docs/reference/s3-sigv4.md section 5.1); filter here instead.
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="ccrec-demo"):
    for o in page.get("Contents", []):
        if o["Key"].startswith("wxcc/"):
            keys.append((o["Key"], o["Size"]))
            size += o["Size"]
rec = [k for k in keys if not k[0].endswith(".json")]
print(f"{len(rec)} recordings + {len(keys) - len(rec)} sidecars, {size} bytes in s3://ccrec-demo/wxcc/")
for k, s in keys[:6]:
    print(f"  {s:>9}  {k}")
print("  ...")
PY
ccrec_log "manifest: $(wc -l <"$work/manifest.jsonl") lines; first one:"
head -n 1 "$work/manifest.jsonl"
ccrec_log "running again: everything is skipped, nothing is downloaded twice"
run_export
