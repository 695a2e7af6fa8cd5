"""Manifests as users have them: Helm-rendered multi-document YAML, `kubectl get -o json`
lists, NetworkPolicyList, every controller kind, owned objects, bad input."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from providers.kubernetes import manifests, normalize
from providers.kubernetes.normalize import ip_block, policy_types
from scanner.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def snap():
    return normalize.normalize(manifests.read_dir(str(DATA / "kubectl-helm"), "shop-cluster"))


def test_one_workload_per_controller_and_pod(snap):
    owners = {(w.subnet_id.split("/")[-1], w.owner_id) for w in snap.workloads}
    assert owners == {
        ("shop", "Deployment/web"), ("shop", "StatefulSet/db"), ("shop", "DaemonSet/agent"), ("shop", "Job/migrate"),
        ("shop", "CronJob/report"), ("shop", "Pod/debug"), ("default", "Deployment/db"),
    }  # the ReplicaSet and Pod web-5d8f* are the Deployment's own, listed once


def test_labels_ports_and_addresses(snap):
    by_id = {w.id: w for w in snap.workloads}
    web = by_id["shop-cluster/shop/web"]
    assert web.tags == {"app": "web"} and web.private_ips == () and web.owner_name == "web"
    assert by_id["shop-cluster/shop/debug"].private_ips == ("10.4.0.8",)
    agent = by_id["shop-cluster/shop/agent"]
    assert agent.policy_ids == ()  # host network: NetworkPolicy does not apply


def test_namespaces_carry_their_labels_and_the_name_label(snap):
    shop = next(s for s in snap.subnets if s.name == "shop")
    assert shop.tags == {"zone": "dmz", "kubernetes.io/metadata.name": "shop"}
    assert {s.name for s in snap.subnets} == {"shop", "default"}


def test_a_policy_the_api_server_would_refuse_is_a_gap(snap):
    (gap,) = snap.errors
    assert gap.code == "Invalid" and "bad-operator" in gap.message and "Sometimes" in gap.message
    assert {p.name for p in snap.policies if p.kind == "network-policy"} >= {"deny"}


def test_manifests_cannot_tell_enforcement(snap):
    assert snap.networks[0].policy_enforcement == "unknown" and snap.networks[0].flat


def test_same_name_two_kinds_in_one_namespace_stay_apart():
    raw = manifests.from_objects([
        {"kind": "Deployment", "metadata": {"name": "api", "namespace": "n"}, "spec": {"template": {}}},
        {"kind": "StatefulSet", "metadata": {"name": "api", "namespace": "n"}, "spec": {"template": {}}},
    ], "c")
    assert sorted(w.id for w in normalize.normalize(raw).workloads) == ["c/n/api.deployment", "c/n/api.statefulset"]


@pytest.mark.parametrize("spec,types", [
    ({}, ["Ingress"]),
    ({"egress": [{}]}, ["Ingress", "Egress"]),
    ({"egress": []}, ["Ingress"]),
    ({"policyTypes": ["Egress"]}, ["Egress"]),
])
def test_policy_types_default(spec, types):
    assert policy_types(spec) == types


def test_ip_block_except_is_cut_out():
    assert ip_block("10.0.0.0/24", ["10.0.0.128/25"]) == ["10.0.0.0/25"]
    assert ip_block("10.0.0.0/30", ["10.0.0.1/32"]) == ["10.0.0.0/32", "10.0.0.2/31"]
    assert ip_block("0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])[0] == "0.0.0.0/5"
    assert ip_block("2001:db8::/32", ["2001:db8::/33"]) == ["2001:db8:8000::/33"]


def test_bad_yaml_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "broken.yaml").write_text("kind: Pod\nmetadata: {name: [\n")
    res = CliRunner().invoke(main, ["scan", "kubernetes", "--from-dir", str(tmp_path), "--quiet"])
    assert res.exit_code == 2
    assert res.stderr.startswith("segaudit: error: ") and "broken.yaml: not valid YAML at line" in res.stderr


def test_missing_directory_is_one_line_and_exit_2(tmp_path):
    res = CliRunner().invoke(main, ["snapshot", "kubernetes", "--from-dir", str(tmp_path / "nope"), "--quiet"])
    assert res.exit_code == 2 and "not a directory of manifests" in res.stderr


def test_from_dir_refuses_live_options(tmp_path):
    res = CliRunner().invoke(main, ["snapshot", "kubernetes", "--from-dir", str(tmp_path), "--context", "x"])
    assert res.exit_code == 2 and "--from-dir reads manifests only" in res.stderr


@pytest.mark.parametrize("rule", [
    {"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]},
    {"ports": [{"port": 80, "endPort": "many"}]},
])
def test_an_ip_block_or_port_the_api_server_would_refuse_is_a_gap(rule):
    raw = manifests.from_objects([
        {"kind": "Pod", "metadata": {"name": "p", "namespace": "n", "labels": {"a": "b"}}, "spec": {}},
        {"kind": "NetworkPolicy", "metadata": {"name": "bad", "namespace": "n"},
         "spec": {"podSelector": {}, "ingress": [rule]}}], "c")
    snap = normalize.normalize(raw)
    (gap,) = snap.errors
    assert gap.code == "Invalid" and "NetworkPolicy n/bad" in gap.message
    (pod,) = snap.workloads
    assert pod.policy_ids == ("c/k8s:allow-all-ingress", "c/k8s:allow-all-egress")  # as if the policy were absent
