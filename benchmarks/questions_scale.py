"""Questions benchmark (issue 15, "Speed") on the issue-12 hub-and-spoke estate
(benchmarks/hubspoke.py: peerings, one transit gateway with its route tables).

Run:  python benchmarks/questions_scale.py [--sizes 1000,10000] [--dir DIR] [--only query,paths]

Sizes count security groups (10,000 is the issue's benchmark estate). A snapshot file per
size is built once into --dir (hs{SIZE}.json; reused when it is there). Then every
question runs in its own fresh child process, which reads the snapshot (timed as "load")
and then answers the question as its command does (a fresh AuditContext, the cyclic
collector paused, the text output rendered); its time excludes the load and its peak RSS
is that command's alone:

  query pair  the three workload pairs below, each on its own fresh context (the max is shown)
  query zone  `query --from internal --to data`
  flows zone  `flows --by zone`
  test x50    `test` of 50 expectations: zones, selectors and workload pairs (expectations())
  paths       `paths --from internet --to data --max-hops 3`
  audit       zoning, reachability, checks and the JSON report written, as
              benchmarks/engine_scale.py's stages (the read excluded)

Targets: query pair <= 1 s; flows zone and test x50 <= audit; paths <= 60 s and 2 GiB.
The last line is the ratio between the largest and the smallest size.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
QUESTIONS = ("query_pair", "query_zone", "flows_zone", "test50", "paths", "audit")


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


# -- what the questions ask, chosen deterministically from the estate's naming ------------

def vpcs(snap: Any) -> int:
    return len(snap.networks)


def workload(snap: Any, v: int, tier: str) -> str:
    """The first attached interface of VPC v's `tier` subnet (hubspoke's subnet naming)."""
    import hubspoke

    subnet = f"subnet-{v:013x}{hubspoke.TIERS.index(tier):04x}"
    return min(w.id for w in snap.workloads if w.subnet_id == subnet and w.owner_kind == "instance")


def pairs(snap: Any) -> dict[str, tuple[str, str]]:
    """Two prod VPCs both attached to the transit gateway (0 and 10: hubspoke.tgw_attached),
    and one VPC's own tiers."""
    import hubspoke

    far = next(v for v in range(10, vpcs(snap), 5) if hubspoke.tgw_attached(v))
    return {"mgmt->mgmt over the TGW": (workload(snap, 0, "mgmt"), workload(snap, far, "mgmt")),
            "app->data across prod VPCs": (workload(snap, 0, "app"), workload(snap, far, "data")),
            "app->data in one VPC": (workload(snap, 0, "app"), workload(snap, 0, "data"))}


def expectations(snap: Any) -> tuple:
    """50: the seeds' zone pairs, selectors of the zone policy's kind, and workload pairs."""
    from scanner.ports import PortSet
    from scanner.questions.expectations import Expectation
    import hubspoke

    zones = ("internet", "dmz", "internal", "data", "management")
    ports = ("tcp/22", "tcp/443", "tcp/5432", "tcp/3389", None)
    items: list[tuple[Any, Any, str | None]] = []
    for i, src in enumerate(zones):  # 20 zone -> zone (within a zone too: lateral movement)
        for j, dst in enumerate(zones[1:]):
            items.append((src, dst, ports[(i + j) % len(ports)]))
    n = vpcs(snap)
    for k in range(10):  # 10 selectors: tags on the subnets, a VPC's range, zone + network
        v = (7 * k) % n
        if k % 3 == 0:
            items.append(({"tags": {"Zone": "internal"}}, {"tags": {"Zone": "data"}}, "tcp/5432"))
        elif k % 3 == 1:
            items.append(({"cidr": hubspoke.vpc_cidr(v)}, {"zone": "data", "network": f"vpc-{v:017x}"}, "tcp/5432"))
        else:
            items.append(({"zone": "management", "network": f"vpc-{v:017x}"}, {"zone": "internal"}, "tcp/22"))
    for k in range(20):  # 20 workload pairs, in one VPC and across peerings / the hub
        v = (11 * k) % n
        w = (v + 5 * (k % 3)) % n
        src_tier, dst_tier = (("app", "data"), ("mgmt", "mgmt"), ("public", "app"), ("mgmt", "data"))[k % 4]
        items.append((workload(snap, v, src_tier), workload(snap, w, dst_tier), ports[k % len(ports)]))
    return tuple(Expectation(f"e{i:02d}", s, d, None if p is None else PortSet.parse(p),
                             "blocked" if i % 2 else "allowed") for i, (s, d, p) in enumerate(items))


# -- the child: load, then one question ----------------------------------------------------

def rendered(render: Callable[[Any], str], result: Any) -> Any:
    """The result, once rendered as the command prints it (the rendering is timed too)."""
    render(result)
    return result


def ask(question: str, snap: Any) -> dict[str, Any]:
    from scanner.context import AuditContext
    from scanner.gcpause import paused_cyclic_gc

    def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
        t0 = time.perf_counter()
        with paused_cyclic_gc():  # as the commands (scanner/questions_cli.py) run
            out = fn()
        return out, time.perf_counter() - t0

    if question == "query_pair":
        from output import query as emit
        from scanner.questions.query import query

        out: dict[str, Any] = {}
        for what, (src, dst) in pairs(snap).items():
            def one() -> Any:
                ctx = AuditContext(snap)
                answer = query(ctx, src, dst)
                emit.render_text(answer)
                return answer, ctx
            (answer, ctx), s = timed(one)
            out[what] = {"s": s, "verdict": answer.verdict, "ports": " ".join(answer.ports.describe()),
                         "blocked_at": [p.blocked_at.kind for p in answer.pairs if p.blocked_at],
                         "whole_estate": ctx._reach is not None and ctx.reach._inbound is not None}
        return {"s": max(v["s"] for v in out.values()), "pairs": out}
    if question == "query_zone":
        from output import query as emit
        from scanner.questions.query import query

        answer, s = timed(lambda: rendered(emit.render_text, query(AuditContext(snap), "internal", "data")))
        return {"s": s, "verdict": answer.verdict, "pairs_total": answer.pairs_total}
    if question == "flows_zone":
        from output import flowmap as emit
        from scanner.questions import flows

        rows, s = timed(lambda: rendered(lambda r: emit.RENDER["text"](r, "zone"), flows.by_zone(AuditContext(snap))))
        return {"s": s, "rows": len(rows)}
    if question == "test50":
        from output import expectations as emit
        from scanner.questions.expectations import run

        wanted = expectations(snap)
        got, s = timed(lambda: rendered(lambda o: emit.RENDER["text"](o, "bench.yml"), run(AuditContext(snap), wanted)))
        return {"s": s, "expectations": len(got), "passed": sum(o.passed for o in got)}
    if question == "paths":
        from output import paths as emit
        from scanner.questions.paths import paths

        found, s = timed(lambda: rendered(emit.RENDER["text"], paths(AuditContext(snap), "internet", "data", 3, 10)))
        return {"s": s, "reachable": found.reachable, "targets": found.targets,
                "hops": [len(p.steps) for p in found.paths]}
    raise SystemExit(f"unknown question {question}")


def child(question: str, path: str) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    if question == "audit":
        import engine_scale

        found = engine_scale.stages_child([path])
        return {"load_s": found["read_s"], "s": found["total_s"] - found["read_s"], "peak_mb": found["peak_mb"],
                "findings": found["findings"]}
    from scanner import audit as auditing

    t0 = time.perf_counter()
    snap = auditing.load([path])
    load_s = time.perf_counter() - t0
    loaded_mb = peak_mb()
    out = ask(question, snap)
    return {"load_s": load_s, "loaded_mb": loaded_mb, "workloads": len(snap.workloads), **out, "peak_mb": peak_mb()}


def build(size: int, path: str) -> None:
    sys.path.insert(0, str(HERE))
    import hubspoke
    from scanner import snapshot as snapshot_file

    snapshot_file.write(hubspoke.build(size), path)


# -- the parent ----------------------------------------------------------------------------

def run_json(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout)


HEAD = f"{'SGs':>6} {'ENIs':>6} {'load':>5} " + " ".join(f"{q:>10}" for q in QUESTIONS) + f" {'peak MB (max of children)':>26}"


def line(size: int, row: dict[str, dict[str, Any]]) -> str:
    cells = " ".join(f"{row[q]['s']:>10.2f}" if q in row else f"{'-':>10}" for q in QUESTIONS)
    peaks = "/".join(f"{row[q]['peak_mb']:.0f}" for q in QUESTIONS if q in row)
    load = max(r["load_s"] for r in row.values())
    enis = next((r["workloads"] for r in row.values() if "workloads" in r), "?")
    return f"{size:>6} {enis:>6} {load:>5.1f} {cells} {peaks:>26}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--dir", help="where the hs{SIZE}.json snapshots are (built when missing); default a temp dir")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(QUESTIONS)}")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "build":
            build(int(args.child[1]), args.child[2])
            print("{}")
        else:
            print(json.dumps(child(args.child[0], args.child[1])))
        return
    questions = args.only.split(",") if args.only else list(QUESTIONS)
    print(f"hub-and-spoke estate; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
          "times in s after the snapshot is loaded; one fresh process per cell", flush=True)
    print(HEAD, flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(args.dir or tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            path = where / f"hs{size}.json"
            if not path.exists():
                run_json("build", str(size), str(path))
            row: dict[str, Any] = {q: run_json(q, str(path)) for q in questions}
            rows.append((size, row))
            print(line(size, row), flush=True)
            for q in questions:
                details = {k: v for k, v in row[q].items() if k not in ("s", "load_s", "peak_mb")}
                print(f"    {q}: {json.dumps(details)}", flush=True)
    if len(rows) > 1:
        (small, a), (large, b) = rows[0], rows[-1]
        print(f"size {large} / size {small}: " + ", ".join(
            f"{q} x{b[q]['s'] / a[q]['s']:.1f}" for q in questions if a[q]["s"] > 0))
        print("peak MB ratio: " + ", ".join(f"{q} x{b[q]['peak_mb'] / a[q]['peak_mb']:.1f}" for q in questions))


if __name__ == "__main__":
    main()
