"""How enforcement is told from a live cluster's DaemonSets."""
from __future__ import annotations

import pytest

from providers.kubernetes.cni import verdict


def ds(name, ns="kube-system", containers=(), **labels):
    return {"metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"template": {"spec": {"containers": [{"name": c} for c in containers or (name,)]}}}}


@pytest.mark.parametrize("daemonsets,expected", [
    (None, ("unknown", "")),
    ([], ("not-enforced", "")),
    ([ds("kube-proxy"), ds("kube-flannel-ds", "kube-flannel")], ("not-enforced", "flannel")),
    ([ds("aws-node", containers=("aws-node",))], ("not-enforced", "aws-vpc-cni")),
    ([ds("aws-node", containers=("aws-node", "aws-eks-nodeagent"))], ("enforced", "aws-vpc-cni-network-policy")),
    ([ds("anetd")], ("enforced", "gke-dataplane-v2")),
    ([ds("calico-node", "calico-system")], ("enforced", "calico")),
    ([ds("agent", **{"k8s-app": "cilium"})], ("enforced", "cilium")),
    ([ds("azure-npm")], ("enforced", "azure-npm")),
    ([ds("weave-net")], ("enforced", "weave-net")),
])
def test_verdict(daemonsets, expected):
    assert verdict(daemonsets) == expected
