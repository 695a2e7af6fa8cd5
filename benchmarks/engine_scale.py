"""Engine benchmark over the issue-12 estates: where an audit's time goes, size by size.

Run:  python benchmarks/engine_scale.py --estate aws [--sizes 1000,2500,5000,10000] [--e2e]
      python benchmarks/engine_scale.py --estate gcp --sizes 2000,20000
      python benchmarks/engine_scale.py --estate aws --sizes big --io-only   (the ~100 MB file)

Sizes count security groups (aws, isolated: 50 groups per isolated VPC) or workloads
(gcp, azure); "big" is the item-3 snapshot (hubspoke.BIG). For every size one child
process builds the estate and writes it as a snapshot file; a second, fresh child reads
it and times the stages -- snapshot read, zoning, reachability (routing included),
checks (and the report they make), output (the JSON report written as the CLI writes
it) -- so its peak RSS is that audit's alone, build excluded. --e2e also runs
`segaudit audit SNAP --format json --output out.json` as a grandchild and reports its
wall time and peak RSS. The last line is the ratio between the largest and the smallest
size.
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
DEFAULT_SIZES = {"aws": "1000,2500,5000,10000", "isolated": "1250,2500,5000,10000", "gcp": "2000,20000",
                 "azure": "2000,20000"}


def builder(estate: str) -> Callable[[int], Any]:
    sys.path.insert(0, str(HERE))
    if estate == "aws":
        import hubspoke
        return hubspoke.build
    if estate == "gcp":
        import gcp_shared_vpc
        return gcp_shared_vpc.build
    if estate == "azure":
        import azure_hub
        return azure_hub.build
    import estate as isolated
    return lambda sgs: isolated.build(max(1, sgs // 50))


def size_of(text: str) -> int:
    if text == "big":
        sys.path.insert(0, str(HERE))
        import hubspoke
        return hubspoke.BIG
    return int(text)


def shape(snap: Any) -> dict[str, int]:
    return {"networks": len(snap.networks), "subnets": len(snap.subnets),
            "groups": sum(p.kind == "security-group" for p in snap.policies) or len(snap.policies),
            "rules": sum(len(p.rules) for p in snap.policies), "workloads": len(snap.workloads)}


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # KiB on Linux


# -- what the children do ------------------------------------------------------------

def build_child(estate: str, size: int, path: str) -> dict[str, Any]:
    from scanner import snapshot as snapshot_file

    t0 = time.perf_counter()
    snap = builder(estate)(size)
    t1 = time.perf_counter()
    snapshot_file.write(snap, path)
    t2 = time.perf_counter()
    return {**shape(snap), "build_s": t1 - t0, "write_s": t2 - t1, "mb": os.path.getsize(path) / 2**20}


def stages_child(paths: list[str], io_only: bool = False) -> dict[str, Any]:
    """Read and audit `paths` as `segaudit audit` does, timing each stage."""
    from scanner import audit as auditing
    from scanner.cli import emit
    from scanner.context import AuditContext
    from scanner.gcpause import paused_cyclic_gc

    marks = [("start", time.perf_counter())]
    snap = auditing.load(paths)
    marks.append(("read_s", time.perf_counter()))
    if io_only:
        return {"read_s": marks[1][1] - marks[0][1], "peak_mb": peak_mb()}
    with paused_cyclic_gc():
        ctx = AuditContext(snap)
        ctx.zones
        marks.append(("zones_s", time.perf_counter()))
        zone_flows = ctx.reach.zone_flows()
        marks.append(("reach_s", time.perf_counter()))
        report = auditing.report_for(ctx, zone_flows=zone_flows)  # checks and the report, as audit() does
        marks.append(("checks_s", time.perf_counter()))
        with tempfile.TemporaryDirectory() as tmp:  # with the collector off, as run_audit writes it
            emit(report, [("json", str(Path(tmp) / "out.json"))])
            marks.append(("output_s", time.perf_counter()))
    out: dict[str, Any] = {name: t - marks[i][1] for i, (name, t) in enumerate(marks[1:])}
    out["total_s"] = marks[-1][1] - marks[0][1]
    out["peak_mb"] = peak_mb()
    out["flow_evaluations"] = getattr(ctx.reach, "stats", {}).get("flow_evaluations")
    out["findings"] = len(report.findings)
    out["check_errors"] = len(report.check_errors)
    return out


def e2e_child(paths: list[str]) -> dict[str, Any]:
    """`segaudit audit ... --format json --output out.json` as a child of this fresh process."""
    exe = Path(sys.executable).with_name("segaudit")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "scanner"]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        done = subprocess.run([*cmd, "audit", *paths, "--format", "json", "--output", str(Path(tmp) / "out.json")],
                              stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
    if done.returncode not in (0, 1):  # 1: findings at or above --fail-on
        raise SystemExit(f"segaudit audit exited {done.returncode}: {done.stderr.strip()}")
    return {"e2e_s": wall, "e2e_peak_mb": peak_mb(resource.RUSAGE_CHILDREN)}


# -- the parent ------------------------------------------------------------------------

def run_json(cmd: list[str]) -> dict[str, Any]:
    """Run a child process that prints one JSON object."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd[1:4])} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def child(*args: str) -> dict[str, Any]:
    return run_json([sys.executable, __file__, "--child", *args])


def measure(paths: list[str], e2e: bool = False, io_only: bool = False) -> dict[str, Any]:
    found = child("stages", *(["--io-only"] if io_only else []), *paths)
    if e2e and not io_only:
        found.update(child("e2e", *paths))
    return found


COLUMNS = (("size", "size", 7, "{}"), ("networks", "nets", 5, "{}"), ("groups", "groups", 6, "{}"),
           ("rules", "rules", 7, "{}"), ("workloads", "wklds", 6, "{}"), ("mb", "MB", 6, "{:.1f}"),
           ("build_s", "build", 6, "{:.1f}"), ("write_s", "write", 6, "{:.1f}"), ("read_s", "read", 6, "{:.1f}"),
           ("zones_s", "zones", 6, "{:.2f}"), ("reach_s", "reach", 7, "{:.1f}"), ("checks_s", "checks", 7, "{:.1f}"),
           ("output_s", "output", 6, "{:.2f}"), ("total_s", "total", 7, "{:.1f}"), ("peak_mb", "peakMB", 7, "{:.0f}"),
           ("flow_evaluations", "flows", 9, "{}"), ("e2e_s", "e2e s", 7, "{:.1f}"), ("e2e_peak_mb", "e2eMB", 6, "{:.0f}"))


def table(rows: list[dict[str, Any]]) -> str:
    cols = [c for c in COLUMNS if any(c[0] in r for r in rows)]
    lines = [" ".join(f"{head:>{w}}" for _, head, w, _ in cols)]
    for r in rows:
        lines.append(" ".join(f"{(fmt.format(r[k]) if r.get(k) is not None else '-'):>{w}}" for k, _, w, fmt in cols))
    return "\n".join(lines)


def ratio_line(small: dict[str, Any], large: dict[str, Any], what: str = "") -> str:
    parts = [f"{key} x{large[key] / small[key]:.1f}" for key in ("total_s", "reach_s", "e2e_s", "peak_mb", "read_s")
             if small.get(key) and large.get(key) is not None]
    what = what or f"size {large['size']} / size {small['size']}"
    return f"{what}: " + ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--estate", choices=sorted(DEFAULT_SIZES), default="aws")
    parser.add_argument("--sizes", help="comma-separated; default per estate; 'big' for the item-3 file")
    parser.add_argument("--e2e", action="store_true", help="also time `segaudit audit` end to end")
    parser.add_argument("--io-only", action="store_true", help="only write and read the snapshot file")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, rest = args.child[0], args.child[1:]
        if mode == "build":
            result = build_child(rest[0], int(rest[1]), rest[2])
        elif mode == "stages":
            io_only = "--io-only" in rest
            result = stages_child([p for p in rest if p != "--io-only"], io_only)
        else:
            result = e2e_child(rest)
        print(json.dumps(result))
        return
    print(f"estate {args.estate}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; times in s", flush=True)
    rows = []
    for text in (args.sizes or DEFAULT_SIZES[args.estate]).split(","):
        size = size_of(text.strip())
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "snap.json")
            row = {"size": size, **child("build", args.estate, str(size), path)}
            row.update(measure([path], args.e2e, args.io_only))
        rows.append(row)
        print(table(rows).splitlines()[-1] if len(rows) > 1 else table(rows), flush=True)
    if len(rows) > 1:
        print(ratio_line(rows[0], rows[-1]))


if __name__ == "__main__":
    main()
