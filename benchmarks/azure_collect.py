"""Azure collection cost against the offline ARM fake: prints wall time, requests made and
objects normalized for a synthetic estate (N subscriptions x M VNets, each VNet with 4
subnets, 4 NSGs of 20 rules and 8 NICs). Usage: python benchmarks/azure_collect.py [N] [M]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "tests" / "providers" / "azure"
sys.path[:0] = [str(HERE), str(HERE / "data")]

from arm_fake import FakeArm, FakeCredential  # noqa: E402
import make_fixtures as mk  # noqa: E402
from providers.azure import fetch, normalize  # noqa: E402
from scanner.progress import QUIET  # noqa: E402


def estate(subs: int, vnets: int) -> dict:
    out = {}
    for s in range(subs):
        sub = f"{s:08d}-0000-0000-0000-000000000000"
        est: dict = {"virtualNetworks": [], "networkSecurityGroups": [], "networkInterfaces": []}
        for v in range(vnets):
            rg = f"rg-{v}"
            nsgs = [mk.rid(sub, rg, "networkSecurityGroups", f"nsg-{v}-{i}") for i in range(4)]
            net = mk.vnet(sub, rg, f"vnet-{v}", [f"10.{v % 250}.0.0/16"],
                          [(f"sn{i}", f"10.{v % 250}.{i}.0/24", {"nsg": nsgs[i]}) for i in range(4)])
            subnet_ids = [x["id"] for x in net["properties"]["subnets"]]
            est["virtualNetworks"].append(net)
            for i in range(4):
                rules = [dict(name=f"r{r}", direction="Inbound", access="Allow", priority=100 + r,
                              src=[f"192.168.{r}.0/24", "VirtualNetwork"], dst="*", ports=str(1000 + r))
                         for r in range(20)]
                est["networkSecurityGroups"].append(mk.nsg(sub, rg, f"nsg-{v}-{i}", rules, subnets=[subnet_ids[i]]))
            for n in range(8):
                est["networkInterfaces"].append(mk.nic(sub, rg, f"nic-{v}-{n}", subnet_ids[n % 4],
                                                       f"10.{v % 250}.{n % 4}.{10 + n}"))
        out[sub] = est
    return out


def main() -> None:
    subs, vnets = (int(a) for a in (sys.argv[1:3] + ["4", "25"][len(sys.argv[1:3]):]))
    data = estate(subs, vnets)
    settings = fetch.Settings(retry_total=3, retry_backoff_factor=0)
    for workers in (1, 4):
        with FakeArm(data, page_size=100) as arm:
            t0 = time.perf_counter()
            raws, gaps = fetch.fetch(FakeCredential(), sorted(data), settings, workers, QUIET)
            t1 = time.perf_counter()
            snap = normalize.snapshot(raws, gaps)
            t2 = time.perf_counter()
        rules = sum(len(p.rules) for p in snap.policies)
        print(f"subscriptions={subs} vnets={subs * vnets} nsgs={len(snap.policies)} rules={rules} "
              f"nics={len(snap.workloads)} workers={workers}: requests={len(arm.calls)} "
              f"fetch={t1 - t0:.2f}s normalize={t2 - t1:.2f}s gaps={len(gaps)}")


if __name__ == "__main__":
    main()
