#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Lists a bucket on a loopback S3 server for integration tests.

Prints JSON: {"objects": {key: {"size": N, "sha256": hex, "content_type": ..., "checksum_crc32c": ...,
"sse": .., "sse_kms_key_id": .., "storage_class": .., "tags": {k: v}, "body": text}}}
("checksum_crc32c": the stored x-amz-checksum-crc32c from HeadObject with checksum mode ENABLED, ""
when the object has none; "sse", "sse_kms_key_id", "storage_class": HeadObject's, "" when absent;
"tags": GetObjectTagging's)
("body" only for keys ending in one of --body-suffix). Uses boto3 with SigV4.
"""
import argparse
import hashlib
import json
import sys

import boto3
from botocore.config import Config


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--prefix", default="")
    p.add_argument("--body-suffix", action="append", default=[".json"])
    args = p.parse_args()
    s3 = boto3.client("s3", endpoint_url=args.endpoint, aws_access_key_id=args.access_key,
                      aws_secret_access_key=args.secret_key, region_name=args.region,
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    out = {}
    token = None
    while True:
        kw = {"Bucket": args.bucket, "MaxKeys": 1000}
        if args.prefix:
            kw["Prefix"] = args.prefix
        if token:
            kw["ContinuationToken"] = token
        page = s3.list_objects_v2(**kw)
        for item in page.get("Contents", []):
            key = item["Key"]
            obj = s3.get_object(Bucket=args.bucket, Key=key)
            data = obj["Body"].read()
            head = s3.head_object(Bucket=args.bucket, Key=key, ChecksumMode="ENABLED")
            entry = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                     "content_type": obj.get("ContentType", ""),
                     "checksum_crc32c": head.get("ChecksumCRC32C", ""),
                     "sse": head.get("ServerSideEncryption", ""),
                     "sse_kms_key_id": head.get("SSEKMSKeyId", ""),
                     "storage_class": head.get("StorageClass", ""),
                     "tags": {}}
            if obj.get("TagCount"):  # GetObject says how many; most objects have none
                entry["tags"] = {t["Key"]: t["Value"] for t in
                                 s3.get_object_tagging(Bucket=args.bucket, Key=key).get("TagSet", [])}
            if any(key.endswith(s) for s in args.body_suffix):
                entry["body"] = data.decode("utf-8", "replace")
            out[key] = entry
        if not page.get("IsTruncated"):
            break
        token = page["NextContinuationToken"]
    json.dump({"objects": out}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
