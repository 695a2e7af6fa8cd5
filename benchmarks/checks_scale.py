"""How the rule, separation and egress checks scale: prints seconds per check on a
synthetic estate (AWS-shaped: VPCs with dmz/internal/data subnets, a security group per
tier with a mix of good and bad rules, workloads in every subnet, peerings between
environments).

    python benchmarks/checks_scale.py [--vpcs 50] [--workloads-per-subnet 20]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from builder import Estate, allow_in, allow_out, cidr, group, local, route  # noqa: E402
from scanner import engine  # noqa: E402
from scanner.context import AuditContext  # noqa: E402

MINE = ("SEG104", "SEG201", "SEG202", "SEG204", "SEG205", "SEG301", "SEG302", "SEG303", "SEG304")


def build(vpcs: int, per_subnet: int):
    e = Estate("aws")
    for v in range(vpcs):
        env = "prod" if v % 2 == 0 else "dev"
        vpc = e.network(f"vpc-{v}", f"10.{v % 250}.0.0/16", tags={"Environment": env})
        e.gateway(f"igw-{v}", "internet", vpc, requires_public_address=True)
        rts = {
            "dmz": e.route_table(f"rtb-{v}-dmz", vpc, routes=[local(f"10.{v % 250}.0.0/16"),
                                                              route("0.0.0.0/0", "internet", f"igw-{v}")]),
            "internal": e.route_table(f"rtb-{v}-internal", vpc, routes=[local(f"10.{v % 250}.0.0/16"),
                                                                        route("0.0.0.0/0", "nat", f"nat-{v}")]),
            "data": e.route_table(f"rtb-{v}-data", vpc, routes=[local(f"10.{v % 250}.0.0/16")]),
        }
        sgs = {
            "dmz": e.policy(f"sg-{v}-web", vpc, rules=[allow_in("tcp", 443, cidr("0.0.0.0/0")),
                                                      allow_out("all", None, cidr("0.0.0.0/0"))]),
            "internal": e.policy(f"sg-{v}-app", vpc, rules=[allow_in("tcp", 8080, group(f"sg-{v}-web")),
                                                           allow_in("all", None, group(f"sg-{v}-app")),
                                                           allow_out("all", None, cidr("0.0.0.0/0"))]),
            "data": e.policy(f"sg-{v}-db", vpc, rules=[allow_in("tcp", 5432, cidr(f"10.{v % 250}.1.0/24")),
                                                      allow_out("all", None, cidr("0.0.0.0/0"))]),
        }
        for n, zone in enumerate(("dmz", "internal", "data")):
            sub = e.subnet(f"sn-{v}-{zone}", vpc, f"10.{v % 250}.{n}.0/24", route_tables=[rts[zone]],
                           tags={"Zone": zone})
            for w in range(per_subnet):
                e.workload(f"eni-{v}-{zone}-{w}", sub, f"10.{v % 250}.{n}.{w + 10}", policies=[sgs[zone]],
                           public_ip=f"198.18.{v % 250}.{w}" if zone == "dmz" else None)
        if v % 2 == 1:
            e.peering(f"pcx-{v}", f"vpc-{v - 1}", vpc)
    return e.snapshot()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vpcs", type=int, default=50)
    parser.add_argument("--workloads-per-subnet", type=int, default=20)
    args = parser.parse_args()
    t0 = time.perf_counter()
    snap = build(args.vpcs, args.workloads_per_subnet)
    print(f"estate: {len(snap.networks)} networks, {len(snap.subnets)} subnets, {len(snap.policies)} policies, "
          f"{len(snap.workloads)} workloads (built in {time.perf_counter() - t0:.2f}s)")
    checks = {c.meta.id: c for c in engine.discover()}
    ctx = AuditContext(snap)
    t0 = time.perf_counter()
    ctx.zones, ctx.routing  # noqa: B018 - shared once per audit, timed apart
    print(f"zones + routing setup: {time.perf_counter() - t0:.3f}s")
    for cid in MINE:
        t0 = time.perf_counter()
        result = engine.run([checks[cid]], ctx)
        print(f"{cid}: {time.perf_counter() - t0:.3f}s, {len(result.findings)} findings, {len(result.errors)} errors")


if __name__ == "__main__":
    main()
