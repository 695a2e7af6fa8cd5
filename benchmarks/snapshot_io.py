"""Snapshot file benchmark: write and read (schema-checked) big snapshot files, and the
start of an audit over what was read.

Run: python benchmarks/snapshot_io.py [--sizes 200,1000] [--audit]
     python benchmarks/snapshot_io.py --file snap.json [--audit]   # a snapshot you have
1,000 VPCs of benchmarks/estate.py = 100,000 interfaces, 50,000 security groups, 500,000
rules: a file of about 100 MB. Writing and reading run in processes of their own, so each
peak RSS is that step's alone (the writer's includes building the estate in memory).
The audit's start is merge -> AuditContext (Index, zone policy) -> zones; --audit adds
the whole audit (reachability, checks) of the file read.
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

HERE = Path(__file__).resolve().parent


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def write(vpcs: int, path: str) -> dict:
    sys.path.insert(0, str(HERE))
    import estate
    from scanner import snapshot as snapshot_file

    snap = estate.build(vpcs)
    t0, c0 = time.perf_counter(), time.process_time()
    snapshot_file.write(snap, path)
    t1, c1 = time.perf_counter(), time.process_time()
    return {"vpcs": vpcs, "interfaces": len(snap.workloads), "rules": sum(len(p.rules) for p in snap.policies),
            "mb": round(os.path.getsize(path) / 2**20, 1), "write_s": round(t1 - t0, 2), "write_cpu_s": round(c1 - c0, 2),
            "write_peak_mb": _peak_mb()}


def read(path: str, full_audit: bool) -> dict:
    from scanner import snapshot as snapshot_file
    from scanner.audit import audit
    from scanner.context import AuditContext
    from scanner.model import merge

    t0, c0 = time.perf_counter(), time.process_time()
    snap = snapshot_file.read(path)
    t1, c1 = time.perf_counter(), time.process_time()
    out = {"read_s": round(t1 - t0, 2), "read_cpu_s": round(c1 - c0, 2), "read_peak_mb": _peak_mb(),
           "interfaces": len(snap.workloads), "rules": sum(len(p.rules) for p in snap.policies)}
    merged = merge([snap])
    t2 = time.perf_counter()
    ctx = AuditContext(merged)
    t3 = time.perf_counter()
    ctx.zones
    t4 = time.perf_counter()
    out.update(merge_s=round(t2 - t1, 2), context_s=round(t3 - t2, 2), zones_s=round(t4 - t3, 2))
    if full_audit:
        del ctx
        t5 = time.perf_counter()
        report = audit(merged)
        out.update(audit_s=round(time.perf_counter() - t5, 1), findings=len(report.findings))
    out["peak_mb"] = _peak_mb()
    return out


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _row(r: dict) -> str:
    audit = f" {r['audit_s']:>8}" if "audit_s" in r else ""
    return (f"{r.get('vpcs', '-'):>5} {r.get('mb', '-'):>6} {r.get('write_s', '-'):>8} {r.get('write_peak_mb', '-'):>8} "
            f"{r['read_s']:>7} {r['read_cpu_s']:>7} {r['read_peak_mb']:>8} {r['merge_s']:>6} {r['context_s']:>6} "
            f"{r['zones_s']:>6}{audit}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,1000")
    parser.add_argument("--file", help="read this snapshot instead of writing estates")
    parser.add_argument("--audit", action="store_true", help="audit what was read, too")
    parser.add_argument("--write", nargs=2, metavar=("VPCS", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--read", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        print(json.dumps(write(int(args.write[0]), args.write[1])))
        return
    if args.read:
        print(json.dumps(read(args.read, args.audit)))
        return
    audit = ["--audit"] if args.audit else []
    print(f"{'vpcs':>5} {'MB':>6} {'write s':>8} {'write MB':>8} {'read s':>7} {'cpu s':>7} {'read MB':>8} "
          f"{'merge':>6} {'index':>6} {'zones':>6}" + (f" {'audit s':>8}" if audit else ""))
    if args.file:
        print(_row({"mb": round(os.path.getsize(args.file) / 2**20, 1), **_child("--read", args.file, *audit)}))
        return
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "snap.json")
            written = _child("--write", str(size), path)
            back = _child("--read", path, *audit)
            assert (back["interfaces"], back["rules"]) == (written["interfaces"], written["rules"])
            print(_row({**written, **back}), flush=True)


if __name__ == "__main__":
    main()
