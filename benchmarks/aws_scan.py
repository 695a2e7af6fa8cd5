"""Scan time and API call count of the AWS collector over a moto estate of 1,000 security
groups with 10 ingress rules each (in-process moto, one region).

    python benchmarks/aws_scan.py [--groups 1000] [--rules 10]

moto answers every Describe in one page (it ignores MaxResults), so the call count is the
one-sweep-per-resource-type floor; the pages real AWS would need at the collector's page
sizes are printed next to it.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
for key in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")] + ["AWS_PROFILE"]:
    os.environ.pop(key, None)
os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
                   "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
                   "AWS_SHARED_CREDENTIALS_FILE": os.devnull})

import boto3  # noqa: E402
from providers.aws.demo import mocked  # noqa: E402

from providers.aws import fetch  # noqa: E402
from providers.aws.collector import collect_snapshot  # noqa: E402

REGION = "us-east-1"


def build(groups: int, rules: int) -> None:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for g in range(groups):
        sg = ec2.create_security_group(VpcId=vpc, GroupName=f"bench-{g}", Description="bench")["GroupId"]
        perms = [{"IpProtocol": "tcp", "FromPort": 1000 + r, "ToPort": 1000 + r,
                  "IpRanges": [{"CidrIp": f"10.{g % 250}.{r}.0/24"}]} for r in range(rules)]
        if perms:
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=perms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--rules", type=int, default=10)
    args = parser.parse_args()
    calls: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    began: dict[int, float] = {}
    lock = threading.Lock()

    def count(model, **_):
        with lock:
            calls[model.name] += 1
            began[threading.get_ident()] = time.perf_counter()

    def done(model, **_):
        with lock:
            seconds[model.name] += time.perf_counter() - began.pop(threading.get_ident(), time.perf_counter())

    from providers.aws import normalize
    real_normalize = normalize.region_snapshot
    normalizing = []

    def timed_normalize(*a, **kw):
        t = time.perf_counter()
        out = real_normalize(*a, **kw)
        normalizing.append(time.perf_counter() - t)
        return out

    normalize.region_snapshot = timed_normalize

    real = fetch.new_session

    def counted_session(**kwargs):
        session = real(**kwargs)
        session.events.register("before-parameter-build", count)
        session.events.register("after-call", done)
        return session

    fetch.new_session = counted_session
    with mocked():  # moto, and no Direct Connect gateways (moto serves none of those calls)
        start = time.perf_counter()
        build(args.groups, args.rules)
        built = time.perf_counter() - start
        start = time.perf_counter()
        snap = collect_snapshot(regions=(REGION,))
        scanned = time.perf_counter() - start
    sgs = [p for p in snap.policies if p.kind == "security-group"]
    n_rules = sum(len(p.rules) for p in sgs)
    client = boto3.client("ec2", region_name=REGION)
    aws_pages = math.ceil(len(sgs) / fetch.page_size(client, "describe_security_groups")) + math.ceil(
        n_rules / fetch.page_size(client, "describe_security_group_rules")) + len(fetch.SWEEPS) - 2
    print(f"estate: {len(sgs)} security groups, {n_rules} rules (build {built:.1f} s)")
    print(f"scan: {scanned:.2f} s, {sum(calls.values())} API calls "
          f"({', '.join(f'{op} {n}' for op, n in sorted(calls.items()))})")
    print(f"real AWS at the collector's page sizes: about {aws_pages + 1 + len(snap.prefix_lists)} calls "
          f"(security group rules at 1000 a page)")
    slowest = ", ".join(f"{op} {t:.2f} s" for op, t in seconds.most_common(3))
    print(f"time in API calls (moto serving and botocore parsing): {sum(seconds.values()):.2f} s; slowest: {slowest}")
    print(f"normalize: {sum(normalizing):.2f} s")
    if snap.errors:
        print(f"gaps: {len(snap.errors)}")


if __name__ == "__main__":
    main()
