"""The live path: the real `kubernetes` client against a fake API server (kube_fake), with
a forbidden namespace, a forbidden cluster-wide list and paging; every call checked
against providers/kubernetes/rbac.yaml."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kube_fake import FakeCluster, route
from providers.kubernetes import cli as k8s_cli
from scanner import snapshot as snapshot_file
from scanner.cli import main
from scanner.context import AuditContext

RBAC = Path(__file__).parents[3] / "providers" / "kubernetes" / "rbac.yaml"


def ns(name, **labels):
    return {"metadata": {"name": name, "labels": {**labels, "kubernetes.io/metadata.name": name}}}


def live_pod(namespace, name, labels, ip, phase="Running", owner=None):
    md = {"name": name, "namespace": namespace, "labels": labels}
    if owner:
        md["ownerReferences"] = [{"kind": "ReplicaSet", "name": owner, "controller": True}]
    return {"metadata": md, "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "http"}]}]},
            "status": {"phase": phase, "podIP": ip, "podIPs": [{"ip": ip}]}}


@pytest.fixture
def fake():
    with FakeCluster() as cluster:
        for doc in (ns("x", team="shop"), ns("y"), ns("secret"), ns("kube-system")):
            cluster.add("namespaces", doc)
        cluster.add("pods", live_pod("x", "a-7d9f-abcde", {"app": "a", "pod-template-hash": "7d9f"}, "10.8.0.1",
                                     owner="a-7d9f"))
        cluster.add("pods", live_pod("x", "b", {"app": "b"}, "10.8.0.2"))
        cluster.add("pods", live_pod("x", "done", {"app": "job"}, "10.8.0.9", phase="Succeeded"))
        cluster.add("pods", live_pod("y", "c", {"app": "c"}, "10.8.1.1"))
        cluster.add("pods", live_pod("secret", "s", {"app": "s"}, "10.8.2.1"))
        cluster.add("pods", live_pod("kube-system", "coredns-1", {"k8s-app": "kube-dns"}, "10.8.3.1"))
        cluster.add("services", {"metadata": {"name": "kube-dns", "namespace": "kube-system"},
                                 "spec": {"selector": {"k8s-app": "kube-dns"}, "ports": [{"port": 53, "protocol": "UDP"}]}})
        cluster.add("networkpolicies", {"metadata": {"name": "deny", "namespace": "x"}, "spec": {"podSelector": {}}})
        cluster.add("networkpolicies", {"metadata": {"name": "a-from-y", "namespace": "x"}, "spec": {
            "podSelector": {"matchLabels": {"app": "a"}},
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "y"}}}],
                         "ports": [{"port": "http"}]}]}})
        cluster.add("networkpolicies", {"metadata": {"name": "deny", "namespace": "y"}, "spec": {"podSelector": {}}})
        cluster.add("daemonsets", {"metadata": {"name": "calico-node", "namespace": "calico-system"},
                                   "spec": {"template": {"spec": {"containers": [{"name": "calico-node"}]}}}})
        cluster.forbid("pods")  # cluster-wide: read namespace by namespace
        cluster.forbid("pods", "secret")
        yield cluster


def collect(fake, tmp_path, **kw):
    from scanner.progress import QUIET

    return k8s_cli.collect(QUIET, 4, kubeconfig=fake.kubeconfig(tmp_path), **kw)


def test_live_snapshot_keeps_what_it_may_read_and_records_the_forbidden_namespace(fake, tmp_path):
    snap = collect(fake, tmp_path)
    ids = {w.id for w in snap.workloads}
    assert ids == {"fake-cluster/x/a-7d9f-abcde", "fake-cluster/x/b", "fake-cluster/y/c",
                   "fake-cluster/kube-system/coredns-1"}
    (gap,) = snap.errors
    assert (gap.operation, gap.region, gap.code) == ("list pods", "secret", "Forbidden")
    assert "cannot list" in gap.message
    assert {s.name for s in snap.subnets} == {"x", "y", "secret", "kube-system"}
    a = next(w for w in snap.workloads if w.name == "a-7d9f-abcde")
    assert a.private_ips == ("10.8.0.1",) and a.owner_name == "a" and a.tags["app"] == "a"
    (network,) = snap.networks
    assert network.flat and network.policy_enforcement == "enforced" and network.tags == {"cni": "calico"}
    assert len([p for p in snap.policies if p.kind == "network-policy" and not p.id.split("/")[-1].startswith("k8s:")]) == 3


def test_live_lists_are_paged(fake, tmp_path):
    collect(fake, tmp_path)
    policy_calls = [q for _, path, q in fake.calls if path.endswith("/networkpolicies")]
    assert len(policy_calls) == 2 and policy_calls[1]["continue"] == "2"
    assert all(int(q["limit"]) >= 100 for _, _, q in fake.calls)


def test_live_reachability_follows_the_policies(fake, tmp_path):
    ctx = AuditContext(collect(fake, tmp_path))
    flows = ctx.reach.flows_into("fake-cluster/x/a-7d9f-abcde")
    assert [(f.sources, f.ports.describe()) for f in flows] == [(("fake-cluster/y/c",), ["tcp/80"])]
    assert "cluster-dns" in next(w for w in ctx.snapshot.workloads if w.name == "coredns-1").selectors


def test_a_forbidden_daemonset_list_leaves_enforcement_unknown(fake, tmp_path):
    fake.forbid("daemonsets")
    snap = collect(fake, tmp_path)
    assert snap.networks[0].policy_enforcement == "unknown"
    assert {(e.operation, e.code) for e in snap.errors} == {("list pods", "Forbidden"), ("list daemonsets", "Forbidden")}


def test_namespace_option_reads_only_those_namespaces(fake, tmp_path):
    snap = collect(fake, tmp_path, namespaces=("y",))
    assert {w.id for w in snap.workloads} == {"fake-cluster/y/c"}
    assert not [p for _, p, _ in fake.calls if p in ("/api/v1/pods", "/apis/networking.k8s.io/v1/networkpolicies")]


def _allowed(role_rules, group, resource, verb):
    return any(group in r["apiGroups"] and resource in r["resources"] and verb in r["verbs"] for r in role_rules)


def test_every_call_is_a_list_the_cluster_role_allows(fake, tmp_path):
    role = next(d for d in yaml.safe_load_all(RBAC.read_text()) if d["kind"] == "ClusterRole")
    collect(fake, tmp_path)
    collect(fake, tmp_path, namespaces=("x", "secret"))
    assert fake.calls
    for method, path, _query in fake.calls:
        found = route(path)
        assert method == "GET" and found is not None, path
        group, resource, _ = found
        assert _allowed(role["rules"], group, resource, "list"), f"{path} needs list on {group}/{resource}"
    assert {v for r in role["rules"] for v in r["verbs"]} == {"list"}


def test_cli_snapshot_prints_the_gap_and_never_the_token(fake, tmp_path):
    out = tmp_path / "snap.json"
    res = CliRunner().invoke(main, ["snapshot", "kubernetes", "--kubeconfig", fake.kubeconfig(tmp_path), "--quiet",
                                    "-o", str(out), "--strict"], catch_exceptions=False)
    assert res.exit_code == 3, res.output
    assert "gap: kubernetes/fake-cluster/secret" in res.stderr and "Forbidden" in res.stderr
    assert "secret-token-never-printed" not in res.output + out.read_text()
    snap = snapshot_file.read(str(out))
    assert len(snap.workloads) == 4


def test_cli_scan_live(fake, tmp_path):
    res = CliRunner().invoke(main, ["scan", "kubernetes", "--kubeconfig", fake.kubeconfig(tmp_path), "--quiet",
                                    "--format", "json", "--fail-on", "none"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    found = {(f["check_id"], f["resource"]["id"]) for f in json.loads(res.stdout)["findings"]}
    assert ("SEG605", "fake-cluster") not in found  # calico enforces


def test_unknown_context_is_one_line_and_exit_2(fake, tmp_path):
    res = CliRunner().invoke(main, ["snapshot", "kubernetes", "--kubeconfig", fake.kubeconfig(tmp_path),
                                    "--context", "nope", "--quiet"])
    assert res.exit_code == 2
    assert res.stderr.strip() == "segaudit: error: no context 'nope' in the kubeconfig"


def test_unreadable_kubeconfig_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\n")
    res = CliRunner().invoke(main, ["snapshot", "kubernetes", "--kubeconfig", str(bad), "--quiet"])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("segaudit: error: no usable Kubernetes configuration") and "Traceback" not in res.output


def test_an_unreachable_api_server_is_a_gap_not_a_traceback(tmp_path):
    with FakeCluster() as gone:
        path = gone.kubeconfig(tmp_path)
    from scanner.progress import QUIET

    snap = k8s_cli.collect(QUIET, 2, kubeconfig=path)
    assert snap.errors and all(e.provider == "kubernetes" for e in snap.errors)


def test_throttling_is_retried_and_persistent_throttling_is_a_gap(fake, tmp_path):
    fake.throttle("/apis/networking.k8s.io/v1/networkpolicies", 2)
    snap = collect(fake, tmp_path)
    assert not [e for e in snap.errors if e.operation == "list networkpolicies"]
    assert len([p for p in snap.policies if p.name in ("deny", "a-from-y")]) == 3
    fake.throttle("/apis/apps/v1/daemonsets", 100)
    snap = collect(fake, tmp_path)
    (gap,) = [e for e in snap.errors if e.operation == "list daemonsets"]
    assert gap.code == "TooManyRequests" and snap.networks[0].policy_enforcement == "unknown"


def test_namespaces_and_pods_both_forbidden_leave_two_gaps(fake, tmp_path):
    fake.forbid("namespaces")
    snap = collect(fake, tmp_path)
    assert {(e.operation, e.region) for e in snap.errors} == {("list namespaces", ""), ("list pods", "")}
    assert not snap.workloads and {p.name for p in snap.policies} >= {"deny", "a-from-y"}
