"""Questions benchmark: query, flows --by zone, test (50 expectations) and paths over the
synthetic estate of the audit benchmark (benchmarks/estate.py; the hub-and-spoke estate
once it lands in main), each on a loaded snapshot.

Run: python benchmarks/questions_scale.py [--sizes 5,10]
Each size runs in its own process so the peak memory (max RSS) is that size's alone.
200 VPCs is the issue's 10,000-SG estate; run it only on a machine of your own.
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


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - t0, 3)


def one(vpcs: int) -> dict:
    sys.path.insert(0, str(HERE))
    import estate
    from scanner.context import AuditContext
    from scanner.ports import PortSet
    from scanner.questions import expectations, flows, paths, query

    snap = estate.build(vpcs)
    wls = sorted(snap.workloads, key=lambda w: w.id)
    first, last = wls[0].id, wls[len(wls) // 2].id
    ctx = AuditContext(snap)
    # one query on a fresh context: it must not compute the whole estate
    answer, query_s = _timed(lambda: query.query(ctx, first, last, PortSet.parse("tcp/5432")))
    whole_estate = ctx._reach is not None and ctx.reach._inbound is not None
    _, zone_s = _timed(lambda: flows.by_zone(ctx))  # the whole estate, as an audit computes it
    zones = [z for z in ctx.policy.names]
    wanted = tuple(
        expectations.Expectation(f"e{i}", zones[i % len(zones)], zones[(i * 3 + 1) % len(zones)],
                                 PortSet.parse(["tcp/22", "tcp/443", "tcp/5432"][i % 3]),
                                 "blocked" if i % 2 else "allowed")
        for i in range(50))
    _, test_s = _timed(lambda: expectations.run(ctx, wanted))
    found, paths_s = _timed(lambda: paths.paths(ctx, "internet", "data", max_hops=3, limit=10))
    return {
        "vpcs": vpcs, "security_groups": sum(p.kind == "security-group" for p in snap.policies),
        "interfaces": len(snap.workloads), "query_s": query_s, "query_whole_estate": whole_estate,
        "flows_zone_s": zone_s, "test50_s": test_s, "paths_s": paths_s, "paths_reachable": found.reachable,
        "verdict": answer.verdict,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5,10")
    parser.add_argument("--one", type=int)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"{'vpcs':>5} {'SGs':>6} {'ENIs':>6} {'query s':>8} {'flows s':>8} {'test50 s':>9} {'paths s':>8} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout)
        print(f"{r['vpcs']:>5} {r['security_groups']:>6} {r['interfaces']:>6} {r['query_s']:>8} {r['flows_zone_s']:>8} "
              f"{r['test50_s']:>9} {r['paths_s']:>8} {r['peak_rss_mb']:>8}  (query computed the whole estate: "
              f"{r['query_whole_estate']}; {r['paths_reachable']} data targets within 3 hops)")


if __name__ == "__main__":
    main()
