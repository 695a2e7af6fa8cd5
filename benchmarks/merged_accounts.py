"""Beyond one machine's collector: many account snapshots audited as one (issue 12, docs/scale.md).

Run:  python benchmarks/merged_accounts.py [--accounts 100] [--sgs-per-account 100] [--standalone] [--e2e]

Builds the hub-and-spoke shape over `accounts` accounts (five VPCs each at 100 SGs;
one transit gateway shared by every account and same-environment peerings between
accounts, unless --standalone), writes one snapshot file per account as one collection
job per account would, then audits them merged (`scanner.audit.load` of every file, as
`segaudit audit *.json` does) and, for comparison, one single-account estate of the same
total size. Both are measured in fresh processes (benchmarks/engine_scale.py stages);
the last line is merged / single.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engine_scale  # noqa: E402


def write_accounts(directory: str, accounts: int, sgs_per_account: int, cross_account: bool) -> dict:
    import hubspoke
    from scanner import snapshot as snapshot_file

    t0 = time.perf_counter()
    parts = hubspoke.build_accounts(accounts, sgs_per_account, cross_account=cross_account)
    t1 = time.perf_counter()
    size = 0
    for part in parts:
        path = Path(directory) / f"{part.accounts[0].id}.json"
        snapshot_file.write(part, path)
        size += path.stat().st_size
    shapes = [engine_scale.shape(p) for p in parts]
    return {**{k: sum(s[k] for s in shapes) for k in shapes[0]}, "build_s": t1 - t0,
            "write_s": time.perf_counter() - t1, "mb": size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--sgs-per-account", type=int, default=100)
    parser.add_argument("--standalone", action="store_true", help="no transit gateway or peering across accounts")
    parser.add_argument("--e2e", action="store_true", help="also time `segaudit audit` end to end")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(write_accounts(args.child, args.accounts, args.sgs_per_account, not args.standalone)))
        return
    total = args.accounts * args.sgs_per_account
    print(f"{args.accounts} accounts x {args.sgs_per_account} SGs vs one account of {total} SGs; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; times in s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        built = engine_scale.run_json([sys.executable, __file__, "--child", tmp, "--accounts", str(args.accounts),
                                       "--sgs-per-account", str(args.sgs_per_account),
                                       *(["--standalone"] if args.standalone else [])])
        paths = sorted(str(p) for p in Path(tmp).glob("*.json"))
        merged = {"size": f"{len(paths)} files", **built, **engine_scale.measure(paths, args.e2e)}
    print(engine_scale.table([merged]), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "snap.json")
        single = {"size": "1 file", **engine_scale.child("build", "aws", str(total), path),
                  **engine_scale.measure([path], args.e2e)}
    print(engine_scale.table([merged, single]).splitlines()[-1])
    print(engine_scale.ratio_line(single, merged, "merged / single"))


if __name__ == "__main__":
    main()
