"""Small Kubernetes object sets built in code, normalized the way the provider does.

    snap = cluster(namespace("x"), deployment("x", "a", {"pod": "a"}), netpol("x", "deny", {}))
"""
from __future__ import annotations

from typing import Any

from providers.kubernetes import manifests, normalize
from providers.kubernetes.raw import Cluster
from scanner.model import Snapshot


def namespace(name: str, **labels: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def deployment(ns: str, name: str, labels: dict[str, str], ports: list[dict] | None = None,
               kind: str = "Deployment", **spec: Any) -> dict:
    container = {"name": "c", "image": "busybox", "ports": ports or []}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": ns},
            "spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [container], **spec}}}}


def pod(ns: str, name: str, labels: dict[str, str], ip: str = "", ports: list[dict] | None = None, **spec: Any) -> dict:
    status = {"podIP": ip, "hostIP": ip} if ip else {}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "busybox", "ports": ports or []}], **spec},
            "status": status}


def netpol(ns: str, name: str, pod_selector: dict, **spec: Any) -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns},
            "spec": {"podSelector": pod_selector, **spec}}


def service(ns: str, name: str, selector: dict[str, str], port: int) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": selector, "ports": [{"port": port, "protocol": "UDP"}]}}


def coredns() -> dict:
    return deployment("kube-system", "coredns", {"k8s-app": "kube-dns"},
                      ports=[{"containerPort": 53, "protocol": "UDP", "name": "dns"}])


def cluster(*objects: dict, name: str = "c", daemonsets: list[dict] | None = None, live: bool = False) -> Snapshot:
    """A snapshot of these objects; `live` with `daemonsets` stands for a cluster read over the API."""
    raw: Cluster = manifests.from_objects(list(objects), name)
    if live:
        raw.live, raw.daemonsets = True, daemonsets if daemonsets is not None else []
    return normalize.normalize(raw)


def daemonset(ns: str, name: str) -> dict:
    return {"kind": "DaemonSet", "metadata": {"name": name, "namespace": ns},
            "spec": {"template": {"spec": {"containers": [{"name": name}]}}}}
