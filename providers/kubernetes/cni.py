"""Whether the cluster's network plugin enforces NetworkPolicy, told from its DaemonSets.

The API server stores NetworkPolicies whatever the plugin; only an agent on every node
enforces them, and each known one runs as a DaemonSet (named, labelled or with a
container of its own name). Seen one: "enforced". DaemonSets read and none seen:
"not-enforced" (flannel, kubenet, the AWS VPC CNI without its policy agent). DaemonSets
not read (forbidden) or manifests only: "unknown".
"""
from __future__ import annotations

from typing import Any

from providers.kubernetes.raw import dig, labels_of, meta

# agent name (DaemonSet, k8s-app label or container name) -> plugin
ENFORCING = {
    "calico-node": "calico",
    "canal": "canal",
    "cilium": "cilium",
    "cilium-agent": "cilium",
    "anetd": "gke-dataplane-v2",  # GKE Dataplane V2 (Cilium)
    "antrea-agent": "antrea",
    "weave-net": "weave-net",
    "kube-router": "kube-router",
    "azure-npm": "azure-npm",  # AKS Azure Network Policy Manager
    "aws-network-policy-agent": "aws-vpc-cni-network-policy",  # EKS VPC CNI policy agent
    "aws-eks-nodeagent": "aws-vpc-cni-network-policy",
    "kube-ovn-cni": "kube-ovn",
    "ovnkube-node": "ovn-kubernetes",
    "romana-agent": "romana",
}
# Plugins that connect pods but enforce nothing, named when seen.
NON_ENFORCING = {"kube-flannel-ds": "flannel", "flannel": "flannel", "aws-node": "aws-vpc-cni",
                 "azure-cns": "azure-cni", "kindnet": "kindnet"}


def _names(ds: dict[str, Any]) -> list[str]:
    labels = labels_of(ds)
    names = [meta(ds).get("name", ""), labels.get("k8s-app", ""), labels.get("app", ""),
             labels.get("app.kubernetes.io/name", "")]
    names += [c.get("name", "") for c in dig(ds, "spec", "template", "spec", "containers") or ()]
    return [n for n in names if n]


def verdict(daemonsets: list[dict[str, Any]] | None) -> tuple[str, str]:
    """(policy_enforcement, plugin name or "")."""
    if daemonsets is None:
        return "unknown", ""
    seen_other = ""
    for ds in sorted(daemonsets, key=lambda d: (meta(d).get("namespace", ""), meta(d).get("name", ""))):
        for name in _names(ds):
            if name in ENFORCING:
                return "enforced", ENFORCING[name]
            seen_other = seen_other or NON_ENFORCING.get(name, "")
    return "not-enforced", seen_other
