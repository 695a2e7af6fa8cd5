"""GCP collector figures on a synthetic estate served by the offline Compute fake.

    python benchmarks/gcp_collect.py [projects] [firewall rules per project] [instances per project]
    GCP_BENCH_LATENCY_MS=150 python benchmarks/gcp_collect.py 10 50 50   # with a simulated round trip

Prints wall time, HTTP calls (total and per project) and what the snapshot holds. The real
google-cloud-compute REST code runs; only the network is faked (tests/providers/gcp/gcp_fake.py).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "providers" / "gcp")]
os.environ.update({"NO_GCE_CHECK": "true", "GCE_METADATA_HOST": "127.0.0.1:9", "GCE_METADATA_IP": "127.0.0.1:9"})

import responses  # noqa: E402
from google.api_core.retry import Retry  # noqa: E402
from google.auth.credentials import AnonymousCredentials  # noqa: E402

from gcp_fake import FakeCompute  # noqa: E402
from providers.gcp import cli, fetch  # noqa: E402
from scanner.progress import QUIET  # noqa: E402

W = "https://www.googleapis.com/compute/v1/projects"
REGIONS = [f"region-{i}" for i in range(20)]


def estate(p: str, n_rules: int, n_instances: int) -> dict:
    net = f"{W}/{p}/global/networks/main"
    subnets = [{"name": f"s{r}-{k}", "network": net, "region": f"{W}/{p}/regions/{region}",
                "ipCidrRange": f"10.{r}.{k}.0/24", "selfLink": f"{W}/{p}/regions/{region}/subnetworks/s{r}-{k}",
                "logConfig": {"enable": k % 2 == 0, "flowSampling": 0.5}}
               for r, region in enumerate(REGIONS) for k in range(5)]
    rules = [{"name": f"fw-{i}", "network": net, "priority": 1000 + i, "direction": "INGRESS",
              "sourceRanges": [f"192.168.{i % 256}.0/24"], "targetTags": [f"t{i % 50}"],
              "allowed": [{"IPProtocol": "tcp", "ports": [str(1000 + i % 5000)]}],
              "selfLink": f"{W}/{p}/global/firewalls/fw-{i}"} for i in range(n_rules)]
    instances = [{"name": f"vm-{i}", "zone": f"{W}/{p}/zones/{REGIONS[i % 20]}-a",
                  "selfLink": f"{W}/{p}/zones/{REGIONS[i % 20]}-a/instances/vm-{i}", "tags": {"items": [f"t{i % 50}"]},
                  "networkInterfaces": [{"name": "nic0", "network": net, "networkIP": f"10.{i % 20}.{i % 5}.{i % 250 + 2}",
                                         "subnetwork": f"{W}/{p}/regions/{REGIONS[i % 20]}/subnetworks/s{i % 20}-{i % 5}"}]}
                 for i in range(n_instances)]
    return {"networks": [{"name": "main", "selfLink": net}], "subnetworks": subnets, "firewalls": rules,
            "routes": [], "instances": instances,
            "routers": [{"name": f"r-{region}", "region": f"{W}/{p}/regions/{region}", "network": net,
                         "selfLink": f"{W}/{p}/regions/{region}/routers/r-{region}",
                         "nats": [{"name": "nat", "sourceSubnetworkIpRangesToNat": "ALL_SUBNETWORKS_ALL_IP_RANGES"}]}
                        for region in REGIONS]}


def main() -> None:
    n_projects, n_rules, n_instances = (int(a) for a in (sys.argv[1:] + ["5", "2000", "3000"][len(sys.argv) - 1:]))
    projects = [f"bench-{i}" for i in range(n_projects)]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeCompute(mock)
        for p in projects:
            fake.add(p, estate(p, n_rules, n_instances))
        latency = float(os.environ.get("GCP_BENCH_LATENCY_MS", "0")) / 1000
        if latency:
            fake.fault = lambda _project, _rest: time.sleep(latency)
        retry = Retry(predicate=fetch._retryable, initial=0.001, maximum=0.002, timeout=5)
        started = time.perf_counter()
        snap = cli.collect(QUIET, 8, project=tuple(projects), credentials=AnonymousCredentials(), retry=retry)
        took = time.perf_counter() - started
    rules = sum(len(p.rules) for p in snap.policies)
    print(f"projects={n_projects} regions={len(REGIONS)} firewall_rules/project={n_rules} instances/project={n_instances}")
    print(f"collect: {took:.2f} s, {len(fake.seen)} HTTP calls ({len(fake.seen) / n_projects:.0f} per project), "
          f"gaps={len(snap.errors)}")
    print(f"snapshot: {len(snap.subnets)} subnets, {rules} rules, {len(snap.workloads)} workloads, "
          f"{len(snap.gateways)} gateways, {len(snap.flow_logs)} flow logs")


if __name__ == "__main__":
    main()
