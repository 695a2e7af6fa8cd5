"""Snapshot file benchmark: write, read (schema-validated) and audit big snapshot files.

Run: python benchmarks/snapshot_io.py [--sizes 200,600]
Each size runs in its own process; the figures show a ~100 MB snapshot loads in bounded
time and memory rather than hanging.
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


def one(vpcs: int) -> dict:
    sys.path.insert(0, str(HERE))
    import estate
    from scanner import snapshot as snapshot_file
    from scanner.audit import audit

    snap = estate.build(vpcs)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snap.json"
        t0 = time.perf_counter()
        snapshot_file.write(snap, path)
        t1 = time.perf_counter()
        size = os.path.getsize(path)
        loaded = snapshot_file.read(path)
        t2 = time.perf_counter()
    assert loaded == snap
    report = audit(loaded)
    t3 = time.perf_counter()
    return {"vpcs": vpcs, "mb": round(size / 2**20, 1), "write_s": round(t1 - t0, 1), "read_s": round(t2 - t1, 1),
            "audit_s": round(t3 - t2, 1), "findings": len(report.findings),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,600")
    parser.add_argument("--one", type=int)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"{'vpcs':>5} {'MB':>7} {'write s':>8} {'read s':>7} {'audit s':>8} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        r = json.loads(subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True,
                                      text=True, check=True).stdout)
        print(f"{r['vpcs']:>5} {r['mb']:>7} {r['write_s']:>8} {r['read_s']:>7} {r['audit_s']:>8} {r['peak_rss_mb']:>8}")


if __name__ == "__main__":
    main()
