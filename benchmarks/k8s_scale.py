"""Kubernetes benchmark: a manifest set the shape of a multi-team cluster, read, normalized
and audited.

Run: python benchmarks/k8s_scale.py [--sizes 200,500] [--keep DIR]
Full size (issue 16) is --sizes 2000: 2,000 namespaces, 20,000 pods (controllers), 5,000
NetworkPolicies. Each size runs in its own process (peak memory is that size's alone).

The shape: teams of four namespaces (web, app, data, ops; zones by name), ten
controllers per namespace with a tier label and named container ports; every namespace
has a default-deny-all (ops namespaces deny ingress only: their pods reach the
other zones, which gives findings) and an allow policy (web from the team's web pods on the named
port http, the app to its team's database on 5432 and to kube-dns on UDP 53); every
other namespace admits the team's ops namespace on 9090 (monitoring), selected by a
team label, so selector peers cross namespaces as they do in real clusters.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

KINDS = ("web", "app", "data", "ops")
TIERS = ("web", "api", "worker", "db", "cache")


def _deployment(ns: str, i: int) -> dict:
    tier = TIERS[i % len(TIERS)]
    ports = [{"name": "http", "containerPort": 8080 + i % 3}, {"name": "metrics", "containerPort": 9090}]
    if tier == "db":
        ports.append({"name": "pg", "containerPort": 5432})
    kind = ("Deployment", "StatefulSet", "Deployment", "DaemonSet", "Deployment")[i % 5]
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": f"{tier}-{i}", "namespace": ns},
            "spec": {"template": {"metadata": {"labels": {"app": f"{tier}-{i}", "tier": tier}},
                                  "spec": {"containers": [{"name": "c", "image": "app:1", "ports": ports}]}}}}


def _policies(team: int, ns: str, n: int) -> list[dict]:
    def pol(name: str, spec: dict) -> dict:
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": ns}, "spec": spec}

    team_sel = {"matchLabels": {"team": f"t{team}"}}
    out = [
        # ops namespaces forgot theirs: their pods reach every zone (SEG601/602, SEG203 findings)
        pol("default-deny-all" if not ns.endswith("-ops") else "default-deny-ingress-only",
            {"podSelector": {}, "policyTypes": ["Ingress", "Egress"] if not ns.endswith("-ops") else ["Ingress"]}),
        pol("allow-app", {
            "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["api", "web"]}]},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"namespaceSelector": team_sel, "podSelector": {"matchLabels": {"tier": "web"}}}],
                         "ports": [{"port": "http"}]}],
            "egress": [
                {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": f"t{team}-data"}},
                         "podSelector": {"matchLabels": {"tier": "db"}}}], "ports": [{"port": 5432}]},
                {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                         "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                 "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
            ]}),
    ]
    if n % 2 == 0:
        out.append(pol("allow-monitoring", {
            "podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {
                "matchLabels": {"team": f"t{team}", "kind": "ops"}}}], "ports": [{"port": 9090}]}]}))
    return out


def generate(directory: Path, namespaces: int) -> dict:
    counts = {"namespaces": 0, "pods": 0, "policies": 0}
    system = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}},
              {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "coredns", "namespace": "kube-system"},
               "spec": {"template": {"metadata": {"labels": {"k8s-app": "kube-dns"}}, "spec": {"containers": [
                   {"name": "coredns", "ports": [{"containerPort": 53, "protocol": "UDP", "name": "dns"}]}]}}}}]
    (directory / "kube-system.yaml").write_text(yaml.safe_dump_all(system))
    for n in range(namespaces):
        team, kind = divmod(n, len(KINDS))
        ns = f"t{team}-{KINDS[kind]}"
        docs = [{"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": ns, "labels": {"team": f"t{team}", "kind": KINDS[kind]}}}]
        docs += [_deployment(ns, i) for i in range(10)]
        docs += _policies(team, ns, n)
        (directory / f"{ns}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
        counts["namespaces"] += 1
        counts["pods"] += 10
        counts["policies"] += sum(d["kind"] == "NetworkPolicy" for d in docs)
    return counts


def one(namespaces: int, keep: str | None) -> dict:
    from providers.kubernetes import manifests, normalize
    from scanner.audit import audit

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(keep or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        counts = generate(directory, namespaces)
        t1 = time.perf_counter()
        raw = manifests.read_dir(str(directory), "bench")
        t2 = time.perf_counter()
        snap = normalize.normalize(raw)
        t3, c3 = time.perf_counter(), time.process_time()
        report = audit(snap)
        t4, c4 = time.perf_counter(), time.process_time()
    return {**counts, "generate_s": round(t1 - t0, 2), "read_s": round(t2 - t1, 2), "normalize_s": round(t3 - t2, 2),
            "audit_s": round(t4 - t3, 2), "audit_cpu_s": round(c4 - c3, 2), "findings": len(report.findings),
            "check_errors": len(report.check_errors), "workloads": len(snap.workloads),
            "selector_ids": len({s for w in snap.workloads for s in w.selectors}),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,500", help="namespaces per run; 2000 is the issue's full size")
    parser.add_argument("--one", type=int)
    parser.add_argument("--keep", help="write the manifests here (and keep them) instead of a temporary directory")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.keep)))
        return
    print(f"{'ns':>5} {'pods':>6} {'policies':>8} {'read s':>7} {'norm s':>7} {'audit s':>8} {'cpu s':>7} "
          f"{'peak MB':>8} {'findings':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(size)] + (["--keep", args.keep] if args.keep else [])
        r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        print(f"{r['namespaces']:>5} {r['pods']:>6} {r['policies']:>8} {r['read_s']:>7} {r['normalize_s']:>7} "
              f"{r['audit_s']:>8} {r['audit_cpu_s']:>7} {r['peak_rss_mb']:>8} {r['findings']:>8}  "
              f"(selector ids {r['selector_ids']}, check errors {r['check_errors']})")


if __name__ == "__main__":
    main()
