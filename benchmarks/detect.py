"""Benchmark of ``iamwarden detect``: records per second and peak memory with the whole rule pack, beside the floor.

Generates a trail in the S3 layout (``AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz``, ``{"Records":
[...]}`` files of 1,000 records, gzip) with a realistic mix of events (mostly reads by roles, some writes, a few
refused calls, about 1.2 KB a record), then measures in the same run, each in its own process (peak RSS from the
kernel, ``ru_maxrss`` of the child):

- gunzip alone (the floor: the files decompressed, nothing parsed);
- gunzip + orjson (every record parsed);
- a plain Python loop over the parsed records testing each rule of the pack written as Python predicates on the
  event name and source (the obvious script a user would write; it does less than the pack: no correlations);
- ``iamwarden.detections.detect`` with the whole pack on DuckDB, and with ``--spark`` on Spark in local mode (its JVM's
  peak and CPU added to the process's).

Each line gives wall time and CPU time (user + system, every thread): on a shared machine the CPU figures are the
steadier ones.

Usage::

    .venv/bin/python benchmarks/detect.py --records 1000000 [--keep DIR] [--threads 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCOUNT = "111122223333"
REGIONS = ("us-east-1", "eu-west-1")
PER_FILE = 1000

READS = [
    ("s3.amazonaws.com", "GetObject"),
    ("s3.amazonaws.com", "ListBuckets"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("kms.amazonaws.com", "Decrypt"),
    ("dynamodb.amazonaws.com", "GetItem"),
    ("lambda.amazonaws.com", "ListFunctions20150331"),
    ("secretsmanager.amazonaws.com", "GetSecretValue"),
    ("ssm.amazonaws.com", "GetParameter"),
    ("iam.amazonaws.com", "GetRole"),
]
WRITES = [
    ("iam.amazonaws.com", "CreateAccessKey"),
    ("iam.amazonaws.com", "AttachRolePolicy"),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"),
    ("s3.amazonaws.com", "PutBucketPolicy"),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
    ("cloudtrail.amazonaws.com", "StopLogging"),
]


def _record(rng: random.Random, i: int, day: str) -> dict[str, object]:
    write = rng.random() < 0.05
    source, name = rng.choice(WRITES if write else READS)
    role = f"app-{rng.randrange(40)}"
    event: dict[str, object] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE{rng.randrange(40):04d}:session-{rng.randrange(1000)}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/session-{rng.randrange(1000)}",
            "accountId": ACCOUNT,
            "accessKeyId": f"ASIA{rng.randrange(10**12):012d}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROAEXAMPLE{rng.randrange(40):04d}",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                    "accountId": ACCOUNT,
                    "userName": role,
                },
                "attributes": {"creationDate": f"{day}T00:00:00Z", "mfaAuthenticated": "false"},
            },
        },
        "eventTime": f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": rng.choice(REGIONS),
        "sourceIPAddress": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/x#1.0",
        "requestParameters": {"bucketName": f"bucket-{rng.randrange(100)}", "key": f"data/{i}.parquet"},
        "responseElements": None,
        "requestID": f"{rng.getrandbits(64):016x}-{rng.getrandbits(32):08x}",
        "eventID": f"{rng.getrandbits(128):032x}",
        "readOnly": not write,
        "resources": [{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::bucket-{i % 100}"}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{source.split('.')[0]}.us-east-1.amazonaws.com",
        },
    }
    if rng.random() < 0.02:
        event["errorCode"] = "AccessDenied"
        event["errorMessage"] = "User is not authorized to perform this operation"
    return event


def generate(root: Path, records: int, seed: int = 7) -> tuple[list[Path], int]:
    rng = random.Random(seed)
    files: list[Path] = []
    size = 0
    for n in range(0, records, PER_FILE):
        day = f"2026-11-{1 + (n // PER_FILE) % 28:02d}"
        region = REGIONS[(n // PER_FILE) % len(REGIONS)]
        folder = root / "AWSLogs" / ACCOUNT / "CloudTrail" / region / day.replace("-", "/")
        folder.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"Records": [_record(rng, n + i, day) for i in range(min(PER_FILE, records - n))]})
        size += len(body)
        path = folder / f"{ACCOUNT}_CloudTrail_{region}_{day.replace('-', '')}T0000Z_{n:09d}.json.gz"
        path.write_bytes(gzip.compress(body.encode(), 6))
        files.append(path)
    return files, size


CHILD = r"""
import gzip, json, sys, time, resource
from pathlib import Path
mode, listing = sys.argv[1], sys.argv[2]
files = [Path(p) for p in Path(listing).read_text().split("\n") if p]
start = time.perf_counter()
cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
n = 0
if mode == "gunzip":
    for f in files:
        n += len(gzip.decompress(f.read_bytes()))
elif mode in ("orjson", "python-loop"):
    import orjson
    if mode == "python-loop":
        from iamwarden.detections import load_rules
        rules = load_rules()
        # the pack's rules as the obvious script writes them: event source and name tests, one per rule
        import re
        tests = []
        for r in rules.rules:
            names = re.findall(r'"eventName" ILIKE \'([A-Za-z0-9]+)\'', r.sql["duckdb"])
            sources = re.findall(r'"eventSource" ILIKE \'([a-z0-9.-]+)\'', r.sql["duckdb"])
            tests.append((frozenset(s.lower() for s in sources), frozenset(x.lower() for x in names)))
    hits = 0
    for f in files:
        for ev in orjson.loads(gzip.decompress(f.read_bytes()))["Records"]:
            n += 1
            if mode == "python-loop":
                src, name = ev.get("eventSource", "").lower(), ev.get("eventName", "").lower()
                for sources, names in tests:
                    if (not sources or src in sources) and (not names or name in names):
                        hits += 1
elif mode in ("duckdb", "spark"):
    from iamwarden.detections import detect, load_rules
    result = detect(files, load_rules(), engine=mode)
    n = result.report.records
    print("alerts", len(result.alerts), file=sys.stderr)
elapsed = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime - cpu0
peak = usage.ru_maxrss / 1024
if mode == "spark":  # the JVM is a child process still running: its CPU and peak from /proc
    import os
    from pyspark import SparkContext
    jvm = SparkContext._gateway.proc.pid
    stat = Path(f"/proc/{jvm}/stat").read_text().rsplit(")", 1)[1].split()
    cpu += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{jvm}/status").read_text()
    peak += int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"records_or_bytes": n, "seconds": elapsed, "cpu_seconds": cpu, "peak_rss_mib": peak}))
"""


def run(mode: str, listing: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(listing)], capture_output=True, text=True, check=True, env=os.environ
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"{mode}: no figures in the child's output:\n{out.stdout}")
    return dict(json.loads(lines[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="Generate the trail here and keep it (reused when present).")
    parser.add_argument("--spark", action="store_true", help="Also run the pack on Spark in local mode (needs Java).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="iamwarden-detect-bench-") as tmp:
        root = args.keep or Path(tmp)
        start = time.perf_counter()
        files = sorted(root.rglob("*.json.gz")) if args.keep and any(root.rglob("*.json.gz")) else []
        if not files:
            files, size = generate(root, args.records)
            print(
                f"generated {args.records:,} records in {len(files)} files, {size / args.records:.0f} B/record "
                f"as JSON, {sum(f.stat().st_size for f in files) / 2**20:.0f} MiB gzip, "
                f"in {time.perf_counter() - start:.0f} s"
            )
        listing = root / "files.txt"
        listing.write_text("\n".join(str(f) for f in files))
        records = args.records
        print(
            f"load average before: {os.getloadavg()[0]:.1f} (2 cores shared: figures are noisy; compare within a run)"
        )
        for mode in ("gunzip", "orjson", "python-loop", "duckdb", *(("spark",) if args.spark else ())):
            figures = run(mode, listing)
            rate = records / figures["seconds"]
            print(
                f"{mode:<12} {figures['seconds']:7.1f} s  {rate:10,.0f} records/s  "
                f"cpu {figures['cpu_seconds']:7.1f} s ({records / figures['cpu_seconds']:9,.0f} records/cpu-s)  "
                f"peak {figures['peak_rss_mib']:6.0f} MiB"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
