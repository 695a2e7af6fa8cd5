"""Audit benchmark: zoning, reachability and every check over synthetic estates.

Run: python benchmarks/audit_scale.py [--sizes 25,50,100,200]
Each size runs in its own process so the peak memory (max RSS) is that size's alone.
200 VPCs = 2,000 subnets, 10,000 security groups, 100,000 rules, 20,000 interfaces.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def one(vpcs: int) -> dict:
    sys.path.insert(0, str(HERE))
    import estate
    from scanner.audit import audit

    t0 = time.perf_counter()
    snap = estate.build(vpcs)
    t1, c1 = time.perf_counter(), time.process_time()
    report = audit(snap)
    t2, c2 = time.perf_counter(), time.process_time()
    return {
        "vpcs": vpcs, "subnets": len(snap.subnets), "security_groups": sum(p.kind == "security-group" for p in snap.policies),
        "rules": sum(len(p.rules) for p in snap.policies if p.kind == "security-group"),
        "interfaces": len(snap.workloads), "build_s": round(t1 - t0, 2), "audit_s": round(t2 - t1, 2), "audit_cpu_s": round(c2 - c1, 2),
        "findings": len(report.findings), "check_errors": len(report.check_errors),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="25,50,100,200")
    parser.add_argument("--one", type=int)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"{'vpcs':>5} {'subnets':>7} {'SGs':>6} {'rules':>7} {'ENIs':>6} {'audit s':>8} {'cpu s':>7} {'peak MB':>8} {'findings':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(f"{r['vpcs']:>5} {r['subnets']:>7} {r['security_groups']:>6} {r['rules']:>7} {r['interfaces']:>6} "
              f"{r['audit_s']:>8} {r['audit_cpu_s']:>7} {r['peak_rss_mb']:>8} {r['findings']:>8}  (build {r['build_s']} s, "
              f"check errors {r['check_errors']})")


if __name__ == "__main__":
    main()
