#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a realistic JSON Lines manifest for bench/manifest_bench.sh.

manifest_gen.py PATH LINES ITEMS: a header, then LINES entries over ITEMS distinct Webex
recordings (36-character ids like Webex's UUIDs, keys and s3:// URIs like ccrec-export's default
template, SHA-256, time). The first ITEMS lines export each item once; later lines are re-runs
that found the item done ("skipped"), as daily overlapping windows write. Every 50th item of the
first pass failed instead (a retry then exported it in the re-run lines, if there are any).
"""
import sys

path, lines, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dest = "s3://bench-bucket/recordings/"
tmpl = "webex/{yyyy}/{mm}/{dd}/{task_id}/{recording_id}.{ext}"
with open(path, "w", buffering=1 << 20) as f:
    f.write('{"ccrec_manifest":1,"destination":"%s","key_template":"%s","time":"2026-11-01T00:00:00.000Z"}\n' % (dest, tmpl))
    for i in range(lines):
        n = i % items
        task, rec = "t%035d" % n, "r%035d" % n
        key = "webex/2026/11/01/%s/%s.wav" % (task, rec)
        first = i < items
        if first and n % 50 == 0:
            status, sha, size, err = "failed", "", 0, "download failed with HTTP 503: Service Unavailable (retry later)"
        else:
            status = "exported" if first or (n % 50 == 0 and i < 2 * items) else "skipped"
            sha, size, err = "%064x" % (n * 2654435761), 262144 + n % 1000, ""
        f.write('{"source":"webex","task_id":"%s","recording_id":"%s","key":"%s","uri":"%s%s","bytes":%d,'
                '"sha256":"%s","status":"%s","error":"%s","time":"2026-11-01T%02d:%02d:%02d.000Z"}\n'
                % (task, rec, key, dest, key, size, sha, status, err, (i // 3600) % 24, (i // 60) % 60, i % 60))
